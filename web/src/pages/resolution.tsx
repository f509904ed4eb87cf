// Resolution: the review queue of doubtful pairs (decide same / different / unsure) and
// the implementation record (which list carries each DPRK target, and how late).

import { useState } from "preact/hooks";
import { api, ApiError, query } from "../api";
import { ChartBox, Status } from "../components";
import { coverageChart, lagSteps } from "../charts/coverage";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { CoverageReport, CoverageRow, Decision, ListingRecord, ReviewPair, ReviewQueue } from "../types";

const TABS = [
  ["review", "Review queue"],
  ["coverage", "Coverage record"],
] as const;
type Tab = (typeof TABS)[number][0];
const PAGE_SIZE = 10;
const PUBLISHERS = ["un", "eu", "uk", "ofac"];

export function ResolutionPage({ tab }: { tab: string }) {
  const current: Tab = (TABS.find(([id]) => id === tab)?.[0] ?? "review") as Tab;
  return (
    <div class="page">
      <h1>Resolution</h1>
      <nav class="tabs" aria-label="Resolution views">
        {TABS.map(([id, label]) => (
          <a key={id} href={`#/resolution/${id}`} aria-current={id === current ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {current === "review" && <Review />}
      {current === "coverage" && <Coverage />}
    </div>
  );
}

function Review() {
  const [offset, setOffset] = useState(0);
  // Bumped after each decision: the queue and the decision log are read again.
  const [generation, setGeneration] = useState(0);
  const queue = useApi<ReviewQueue>(`/resolution/review${query({ limit: PAGE_SIZE, offset, g: generation || null })}`);
  const log = useApi<{ total: number; items: Decision[] }>(`/resolution/decisions${query({ limit: 20, g: generation || null })}`);
  const [last, setLast] = useState<Decision | null>(null);
  const total = queue.data?.total ?? 0;
  return (
    <>
      <section class="panel" aria-labelledby="queue-title">
        <h2 id="queue-title">Pairs waiting for a decision</h2>
        <p class="meta">
          The resolver would not join or separate these listings alone. A decision is kept for good (a re-run never overwrites it),
          written to the service's audit log, and takes effect on the next <code>dprkwatch resolve run</code>.
        </p>
        {last && (
          <p class="review-done" role="status">
            Recorded: <code>{last.a}</code> {last.decision === "same" ? "=" : last.decision === "different" ? "≠" : "?"}{" "}
            <code>{last.b}</code> ({last.decision}) by {last.user} at {last.at}
            {last.audit_seq !== undefined && <> (audit #{last.audit_seq})</>}.
          </p>
        )}
        <Status loading={queue.loading} error={queue.error} />
        {queue.data && (
          <>
            <p class="summary">
              {total === 0 ? "The queue is empty." : `${total} pair(s) waiting; showing ${offset + 1}–${offset + queue.data.items.length}.`}
            </p>
            {queue.data.items.map((item) => (
              <PairCard
                key={`${item.a}|${item.b}`}
                item={item}
                onDecided={(d) => {
                  setLast(d);
                  setGeneration(generation + 1);
                }}
              />
            ))}
            <div class="form-row">
              <button type="button" class="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                Previous
              </button>
              <button type="button" class="secondary" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                Next
              </button>
            </div>
          </>
        )}
      </section>
      <section class="panel" aria-labelledby="decisions-title">
        <h2 id="decisions-title">Decisions recorded</h2>
        <Status loading={log.loading} error={log.error} />
        {log.data && log.data.items.length === 0 && <p>No decisions yet.</p>}
        {log.data && log.data.items.length > 0 && (
          <table aria-label="Decisions, newest first">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Listings</th>
                <th scope="col">Decision</th>
                <th scope="col">By</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((d, i) => (
                <tr key={`${d.at}-${i}`}>
                  <td>{d.at.replace("T", " ").slice(0, 19)}</td>
                  <td>
                    <code>{d.a}</code> · <code>{d.b}</code>
                  </td>
                  <td>{d.decision}</td>
                  <td>{d.user}</td>
                  <td>{d.note || "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {log.data && log.data.total > log.data.items.length && (
          <p class="meta">
            Showing the newest {log.data.items.length} of {log.data.total} (earlier decisions about a pair stay in the log).
          </p>
        )}
      </section>
    </>
  );
}

const FIELDS: [string, (r: ListingRecord) => string][] = [
  ["List", (r) => r.list ?? "no longer listed"],
  ["Type", (r) => r.schema ?? "–"],
  ["Listed on", (r) => r.listed_on ?? "undated"],
  ["Legal basis", (r) => (r.legal_basis ?? []).join("; ") || "–"],
  ["UN reference", (r) => (r.unsc_refs ?? []).join(", ") || "–"],
  ["Born", (r) => (r.birth_dates ?? []).join(", ") || "–"],
  ["Nationality", (r) => (r.nationality ?? []).join(", ") || "–"],
  [
    "Identifiers",
    (r) =>
      Object.entries(r.identifiers ?? {})
        .map(([k, v]) => `${k} ${v.join(", ")}`)
        .join("; ") || "–",
  ],
];

function PairCard({ item, onDecided }: { item: ReviewPair; onDecided: (d: Decision) => void }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [a, b] = item.records;
  const title = `${a.caption ?? a.id} and ${b.caption ?? b.id}`;

  async function decide(decision: Decision["decision"]) {
    setBusy(true);
    setError(null);
    try {
      onDecided(await api<Decision>("/resolution/decisions", { method: "POST", body: { a: item.a, b: item.b, decision, note } }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 403 ? "Deciding needs the review role." : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article class="pair" aria-label={title}>
      <table>
        <caption>
          {item.method} score {item.score.toFixed(2)}: {item.reason}
        </caption>
        <thead>
          <tr>
            <th scope="col"></th>
            {item.records.map((r) => (
              <th scope="col" key={r.id}>
                {r.caption ?? "–"} <code>{r.id}</code>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {FIELDS.map(([label, get]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {item.records.map((r) => (
                <td key={r.id}>{get(r)}</td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">Target now</th>
            {item.targets.map((t, i) => (
              <td key={i}>{t ? <code>{t}</code> : "–"}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <ul class="evidence" aria-label="Evidence">
        {item.evidence.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
      <div class="review">
        <label>
          Note (optional, kept with the decision)
          <input name="note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} size={40} />
        </label>
        <button type="button" disabled={busy} onClick={() => decide("same")}>
          Same target
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => decide("different")}>
          Different targets
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => decide("unsure")}>
          Unsure
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

function Coverage() {
  const [all, setAll] = useState(false);
  const data = useApi<CoverageReport>(`/resolution/coverage${query({ all })}`);
  const width = useWidth();
  const [filter, setFilter] = useState("");
  const rep = data.data;
  return (
    <>
      <section class="panel" aria-labelledby="lag-title">
        <h2 id="lag-title">UN designations: listed by the EU, the UK and OFAC, and how late</h2>
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} /> Every resolved
          target (not only DPRK ones)
        </label>
        <Status loading={data.loading} error={data.error} />
        {rep && (
          <>
            <p class="summary">
              {rep.targets} targets; listed now:{" "}
              {Object.entries(rep.by_publisher)
                .map(([p, n]) => `${p} ${n}`)
                .join(", ")}
              . Resolution of {rep.resolution}.
            </p>
            <table aria-label="Lags after the UN">
              <thead>
                <tr>
                  <th scope="col">List</th>
                  <th scope="col" class="num">UN designations</th>
                  <th scope="col" class="num">Listed</th>
                  <th scope="col" class="num">Dated</th>
                  <th scope="col" class="num">Same day or before</th>
                  <th scope="col" class="num">Median days</th>
                  <th scope="col" class="num">p90 days</th>
                  <th scope="col" class="num">Max days</th>
                  <th scope="col" class="num">Undated</th>
                  <th scope="col" class="num">Missing</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(rep.un_lag).map(([p, d]) => (
                  <tr key={p}>
                    <td>{p}</td>
                    <td class="num">{d.un_designations}</td>
                    <td class="num">{d.listed}</td>
                    <td class="num">{d.lag_exact}</td>
                    <td class="num">{d.same_day_or_before}</td>
                    <td class="num">{d.median_days ?? "–"}</td>
                    <td class="num">{d.p90_days ?? "–"}</td>
                    <td class="num">{d.max_days ?? "–"}</td>
                    <td class="num">{d.lag_bound_only}</td>
                    <td class="num">{d.missing}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="meta">
              Dated: lags from two listing dates. Undated: listed, but dated only by the stored list versions (OFAC's files carry no
              designation dates), so the lag is a bound. Missing: the UN listing is in force and the list does not carry it.
            </p>
            {lagSteps(rep.un_follow_up).length > 0 ? (
              <ChartBox
                label="Cumulative share of UN designations listed, by days after the UN"
                deps={[rep, width]}
                render={() => coverageChart(rep.un_follow_up, width)}
              />
            ) : (
              <p class="meta">No dated lags to draw.</p>
            )}
            <p class="meta">
              National designations with no UN listing: {rep.national.length} targets,{" "}
              {rep.national.filter((n) => Object.keys(n.followed_by).length > 0).length} also listed by another publisher.
              Delistings: {rep.delistings.length}.
            </p>
          </>
        )}
      </section>
      {rep && (
        <section class="panel" aria-labelledby="targets-title">
          <h2 id="targets-title">Targets and the lists that carry them</h2>
          <label>
            Filter by name or id
            <input name="filter" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} size={30} />
          </label>
          <TargetTable rows={rep.rows} filter={filter} />
        </section>
      )}
    </>
  );
}

function TargetTable({ rows, filter }: { rows: CoverageRow[]; filter: string }) {
  const needle = filter.trim().toLowerCase();
  const shown = rows.filter(
    (r) =>
      !needle ||
      r.caption.toLowerCase().includes(needle) ||
      r.target.includes(needle) ||
      Object.values(r.presence).some((p) => p.listings.some((l) => l.toLowerCase().includes(needle))),
  );
  return (
    <>
      <p class="meta">
        {shown.length} of {rows.length} targets. Each list cell: since when (precision), or “–” when the list does not carry the
        target.
      </p>
      <table aria-label="Targets">
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Type</th>
            {PUBLISHERS.map((p) => (
              <th scope="col" key={p}>
                {p}
              </th>
            ))}
            <th scope="col">DPRK evidence</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.target}>
              <td>
                {r.caption} <code>{r.target}</code>
              </td>
              <td>{r.schema}</td>
              {PUBLISHERS.map((p) => {
                const pr = r.presence[p];
                if (!pr) return <td key={p}>–</td>;
                return (
                  <td key={p} title={`${pr.listings.join(", ")}: ${pr.basis.join("; ")}`} class={pr.active ? undefined : "warn"}>
                    {pr.since ?? "undated"} ({pr.precision}){pr.active ? "" : `, delisted ${pr.delisted ?? ""}`}
                  </td>
                );
              })}
              <td>{r.dprk_evidence.join(", ") || "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
