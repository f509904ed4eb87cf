// Screen a name, vessel or wallet; read why each hit scored; record a review.

import { useState } from "preact/hooks";
import { api } from "../api";
import { Status, fmt } from "../components";
import { useApi } from "../hooks";
import type { Dataset, MatchResponse, MatchResult, Review, ScoredEntity } from "../types";

// "Thing" is any type, the default (as on the command line and in yente): a
// name typed without choosing a type must find a bank as well as a person.
const SCHEMATA: { value: string; label: string }[] = [
  { value: "Thing", label: "any type" },
  { value: "Person", label: "Person" },
  { value: "Organization", label: "Organization" },
  { value: "Company", label: "Company" },
  { value: "Vessel", label: "Vessel" },
  { value: "CryptoWallet", label: "CryptoWallet" },
];
// Form field -> FtM property of the query.
const FIELDS: { id: string; prop: string; label: string; hint: string }[] = [
  { id: "name", prop: "name", label: "Name", hint: "Latin or Hangul; any order of family and given names" },
  { id: "birthDate", prop: "birthDate", label: "Birth date", hint: "YYYY, YYYY-MM or YYYY-MM-DD" },
  { id: "nationality", prop: "nationality", label: "Nationality", hint: "country name or code, e.g. kp" },
  { id: "imoNumber", prop: "imoNumber", label: "IMO number", hint: "7 digits, for vessels" },
  { id: "publicKey", prop: "publicKey", label: "Wallet address", hint: "a crypto wallet address" },
];

type Form = Record<string, string>;

export function ScreenPage() {
  const catalog = useApi<{ datasets: Dataset[] }>("/catalog");
  const [form, setForm] = useState<Form>({ schema: "Thing", dataset: "default" });
  const [result, setResult] = useState<{ response: MatchResponse; result: MatchResult } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (key: string) => (e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value });

  async function submit(e: Event) {
    e.preventDefault();
    const properties: Record<string, string[]> = {};
    for (const f of FIELDS) {
      const v = (form[f.id] ?? "").trim();
      if (v) properties[f.prop] = [v];
    }
    if (!Object.keys(properties).length) {
      setError("Fill in at least one field.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { queries: { q: { schema: form.schema, properties } } };
      const response = await api<MatchResponse>(`/match/${encodeURIComponent(form.dataset)}?limit=10`, { method: "POST", body });
      setResult({ response, result: response.responses.q });
    } catch (err) {
      setResult(null);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const datasets = catalog.data?.datasets ?? [];
  return (
    <div class="page">
      <h1>Screen</h1>
      <form class="panel form-grid" onSubmit={submit} aria-label="Screening query">
        <label>
          Type
          <select value={form.schema} onChange={set("schema")} name="schema">
            {SCHEMATA.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Lists
          <select value={form.dataset} onChange={set("dataset")} name="dataset">
            <option value="default">all lists (default)</option>
            <option value="dprk">DPRK programmes only</option>
            {datasets
              .filter((d) => !["default", "dprk"].includes(d.name))
              .map((d) => (
                <option key={d.name} value={d.name}>
                  {d.title} ({d.entity_count})
                </option>
              ))}
          </select>
        </label>
        {FIELDS.map((f) => (
          <label key={f.id}>
            {f.label}
            <input name={f.id} value={form[f.id] ?? ""} onInput={set(f.id)} placeholder={f.hint} autocomplete="off" />
          </label>
        ))}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Screening…" : "Screen"}
          </button>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {result && <Results response={result.response} result={result.result} />}
    </div>
  );
}

function Results({ response, result }: { response: MatchResponse; result: MatchResult }) {
  const versions = Object.entries(response.versions)
    .map(([k, v]) => `${k}@${v}`)
    .join(", ");
  return (
    <section class="results" aria-label="Screening results">
      <p class="meta">
        {result.total.value} result{result.total.value === 1 ? "" : "s"} · screening <code>{result.screening.id}</code> (audit #
        {result.screening.audit_seq}) · {response.algorithm} · {versions || "no lists loaded"}
      </p>
      {result.screening.suppressed.length > 0 && (
        <p class="note">
          {result.screening.suppressed.length} hit(s) hidden by an earlier “false positive” review of this subject:{" "}
          {result.screening.suppressed.map((s) => s.id).join(", ")}
        </p>
      )}
      {result.results.length === 0 && <p>No listed entity resembles this query.</p>}
      {result.results.map((hit) => (
        <Hit key={hit.id} hit={hit} screeningId={result.screening.id} />
      ))}
    </section>
  );
}

const SHOWN_PROPS = ["alias", "birthDate", "nationality", "imoNumber", "mmsi", "flag", "publicKey", "program", "address"];

function Hit({ hit, screeningId }: { hit: ScoredEntity; screeningId: string }) {
  return (
    <article class={`hit ${hit.match ? "is-match" : ""}`} aria-label={hit.caption} data-entity={hit.id}>
      <header>
        <h3>{hit.caption}</h3>
        <span class={`badge ${hit.match ? "match" : "nomatch"}`}>{hit.match ? "match" : "below threshold"}</span>
        <span class="score" title="Score from 0 to 1">
          score {hit.score.toFixed(2)}
        </span>
      </header>
      <p class="meta">
        {hit.schema} · {hit.datasets.join(", ")} · <code>{hit.id}</code>
        {hit.programs.length > 0 && <> · programmes {hit.programs.join(", ")}</>}
        {hit.dprk && <span class="badge dprk">DPRK</span>}
      </p>
      <h4>Why</h4>
      <ul class="explanation">
        {hit.explanation.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <details>
        <summary>Features and listed details</summary>
        <table class="compact">
          <caption>Feature scores</caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(hit.features).map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td class="num">{fmt(v, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl class="props">
          {SHOWN_PROPS.filter((p) => hit.properties[p]?.length).map((p) => (
            <div key={p}>
              <dt>{p}</dt>
              <dd>{hit.properties[p].join("; ")}</dd>
            </div>
          ))}
        </dl>
      </details>
      <ReviewForm entityId={hit.id} screeningId={screeningId} />
    </article>
  );
}

function ReviewForm({ entityId, screeningId }: { entityId: string; screeningId: string }) {
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<Review | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `reason-${entityId.replace(/[^A-Za-z0-9_-]/g, "_")}`;

  async function review(verdict: "true_match" | "false_positive") {
    if (!reason.trim()) {
      setError("Give a reason for the review (it goes into the audit log).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api<Review>("/reviews", {
        method: "POST",
        body: { screening_id: screeningId, entity_id: entityId, verdict, reason: reason.trim() },
      });
      setDone(r);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <p class="review-done" role="status">
        Recorded: <strong>{done.verdict === "false_positive" ? "false positive" : "true match"}</strong> by {done.actor} at{" "}
        {done.ts} (review <code>{done.id}</code>, audit #{done.audit_seq}).
      </p>
    );
  }
  return (
    <div class="review">
      <label for={id}>Review reason</label>
      <input id={id} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} placeholder="e.g. different birth date on passport" />
      <button type="button" disabled={busy} onClick={() => review("true_match")}>
        True match
      </button>
      <button type="button" class="secondary" disabled={busy} onClick={() => review("false_positive")}>
        False positive
      </button>
      <Status loading={false} error={error} />
    </div>
  );
}
