// The sourced ledger: timeline, pressure index, compliance, claims (one tab each).

import { useState } from "preact/hooks";
import { query } from "../api";
import { ChartBox, Citation, Notes, SourceRefs, Status } from "../components";
import { pressureChart } from "../charts/pressure";
import { timelineChart } from "../charts/timeline";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { ClaimsResponse, ComplianceResponse, PressureResponse, TimelineResponse } from "../types";

const TABS = [
  ["timeline", "Timeline"],
  ["pressure", "Pressure index"],
  ["compliance", "Compliance"],
  ["claims", "Claims"],
] as const;
type Tab = (typeof TABS)[number][0];

export function LedgerPage({ tab }: { tab: string }) {
  const current: Tab = (TABS.find(([id]) => id === tab)?.[0] ?? "timeline") as Tab;
  return (
    <div class="page">
      <h1>Ledger</h1>
      <nav class="tabs" aria-label="Ledger views">
        {TABS.map(([id, label]) => (
          <a key={id} href={`#/ledger/${id}`} aria-current={id === current ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {current === "timeline" && <Timeline />}
      {current === "pressure" && <Pressure />}
      {current === "compliance" && <Compliance />}
      {current === "claims" && <Claims />}
    </div>
  );
}

const CATEGORIES = ["diplomacy", "un", "sanctions", "exercise", "humanitarian", "test", "provocation"];

function Timeline() {
  const [cats, setCats] = useState<string[]>([]);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [applied, setApplied] = useState({ kind: [] as string[], from: "", to: "" });
  const path = `/ledger/timeline${query({ kind: applied.kind, from: applied.from, to: applied.to })}`;
  const data = useApi<TimelineResponse>(path);
  const width = useWidth();

  function toggle(c: string) {
    setCats(cats.includes(c) ? cats.filter((x) => x !== c) : [...cats, c]);
  }

  return (
    <section class="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <form
        class="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ kind: cats, from, to });
        }}
      >
        <fieldset class="checks">
          <legend>Kinds (none ticked: all)</legend>
          {CATEGORIES.map((c) => (
            <label key={c} class="check">
              <input type="checkbox" name="kind" value={c} checked={cats.includes(c)} onChange={() => toggle(c)} /> {c}
            </label>
          ))}
        </fieldset>
        <label>
          From
          <input name="from" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} placeholder="YYYY[-MM[-DD]]" size={12} />
        </label>
        <label>
          To
          <input name="to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} placeholder="YYYY[-MM[-DD]]" size={12} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <Status loading={data.loading} error={data.error} />
      {data.data && (
        <>
          <p class="meta">
            {data.data.total} event(s){data.data.total > data.data.events.length ? `, first ${data.data.events.length} shown` : ""} ·
            datasets: {data.data.datasets.join(", ")}
          </p>
          <Notes notes={data.data.notes} />
          {data.data.events.length > 0 && (
            <ChartBox label="Events by category over time" deps={[data.data, width]} render={() => timelineChart(data.data!.events, width)} />
          )}
          <table class="timeline">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Kind</th>
                <th scope="col">Event</th>
                <th scope="col">Confidence</th>
                <th scope="col">Sources</th>
              </tr>
            </thead>
            <tbody>
              {data.data.events.map((e) => (
                <tr key={e.id} data-kind={e.kind}>
                  <td class="nowrap">
                    {e.date}
                    {e.end_date ? ` – ${e.end_date}` : ""}
                  </td>
                  <td>
                    <span class={`badge cat-${e.category}`}>{e.kind}</span>
                  </td>
                  <td>
                    <strong>{e.title}</strong>
                    {e.detail && <div class="detail">{e.detail}</div>}
                    {e.dataset !== "ledger" && <div class="meta">from {e.dataset}</div>}
                  </td>
                  <td>{e.confidence}</td>
                  <td class="sources-cell">
                    {e.sources.length > 0 && (
                      <details>
                        <summary>{e.sources.length} source(s)</summary>
                        <ul class="sources">
                          {e.sources.map((s) => (
                            <li key={s}>
                              <Citation text={s} />
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Pressure() {
  const [from, setFrom] = useState("2016");
  const [to, setTo] = useState("");
  const [applied, setApplied] = useState({ from: "2016", to: "" });
  const data = useApi<PressureResponse>(`/ledger/pressure${query(applied)}`);
  const width = useWidth();
  const resolved = data.data?.rows.some((r) => r.targets !== null) ?? false;
  return (
    <section class="panel" aria-labelledby="pressure-title">
      <h2 id="pressure-title">Pressure index</h2>
      <p class="lead">
        DPRK designations per quarter on each list, with diplomacy and tests overlaid. A quarter the data cannot date is
        left empty, not drawn as zero.
      </p>
      <form
        class="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ from, to });
        }}
      >
        <label>
          From
          <input name="from" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} size={12} />
        </label>
        <label>
          To
          <input name="to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} placeholder="today" size={12} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <Status loading={data.loading} error={data.error} />
      {data.data && (
        <>
          <ChartBox label="Designations per quarter by list, with events" deps={[data.data, width]} render={() => pressureChart(data.data!, width)} />
          <Notes notes={data.data.notes} />
          <details>
            <summary>The numbers, quarter by quarter</summary>
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Quarter</th>
                  {data.data.lists.map((l) => (
                    <th scope="col" class="num" key={l}>
                      {l}
                    </th>
                  ))}
                  {resolved && (
                    <th scope="col" class="num">
                      Targets
                    </th>
                  )}
                  <th scope="col" class="num">
                    Diplomacy
                  </th>
                  <th scope="col" class="num">
                    Launches
                  </th>
                  <th scope="col" class="num">
                    Nuclear tests
                  </th>
                  <th scope="col">Highlights</th>
                </tr>
              </thead>
              <tbody>
                {data.data.rows.map((r) => (
                  <tr key={r.quarter}>
                    <td>{r.quarter}</td>
                    {data.data!.lists.map((l) => (
                      <td class="num" key={l}>
                        {r.designations[l] === null ? "n/a" : `${r.designations[l]}${r.partial[l] ? "*" : ""}`}
                      </td>
                    ))}
                    {resolved && <td class="num">{r.targets === null ? "n/a" : `${r.targets}${r.targets_partial ? "*" : ""}`}</td>}
                    <td class="num">{r.diplomacy}</td>
                    <td class="num">{r.launches ?? "n/a"}</td>
                    <td class="num">{r.nuclear_tests}</td>
                    <td>{r.highlights.join("; ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="meta">
              * quarter only partly covered by the data; n/a: the data cannot date designations in it.
              {resolved && " Targets: canonical targets first designated in the quarter by any list (one man on four lists counts once; * a floor)."}
            </p>
          </details>
        </>
      )}
    </section>
  );
}

function Compliance() {
  const data = useApi<ComplianceResponse>("/ledger/compliance");
  return (
    <section class="panel" aria-labelledby="compliance-title">
      <h2 id="compliance-title">Compliance matrix</h2>
      <p class="lead">UN Security Council resolutions × what they ask of the DPRK. Open a cell for its evidence and sources.</p>
      <Status loading={data.loading} error={data.error} />
      {data.data && (
        <>
          <Notes notes={data.data.notes} />
          <div class="scroll">
            <table class="matrix">
              <thead>
                <tr>
                  <th scope="col">Resolution</th>
                  {data.data.columns.map((c) => (
                    <th scope="col" key={c}>
                      {c.replace(/-/g, " ")}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.data.rows.map((row) => (
                  <tr key={row.resolution}>
                    <th scope="row">
                      {row.label}
                      <div class="meta">{row.adopted}</div>
                    </th>
                    {data.data!.columns.map((col) => {
                      const cell = row.cells[col];
                      if (!cell) return <td key={col} class="empty" />;
                      return (
                        <td key={col} class={`status-${cell.status}`}>
                          <details>
                            <summary>
                              {cell.summary}
                              {!cell.binding && <span class="meta"> ({cell.force})</span>}
                            </summary>
                            {cell.note && <p class="meta">{cell.note}</p>}
                            <ul class="breaches">
                              {cell.breaches.map((b) => (
                                <li key={b.date + b.text}>
                                  <strong>{b.date}</strong> {b.text}
                                  <SourceRefs ids={b.sources} sources={data.data!.sources} />
                                </li>
                              ))}
                            </ul>
                            {cell.breach_count > cell.breaches.length && (
                              <p class="meta">
                                and {cell.breach_count - cell.breaches.length} more (see the timeline, kind “test”)
                              </p>
                            )}
                          </details>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Agreements × commitments</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Agreement</th>
                <th scope="col">Party</th>
                <th scope="col">Commitment</th>
                <th scope="col">Status</th>
                <th scope="col">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {data.data.commitments.map((c) => (
                <tr key={c.commitment}>
                  <td>
                    {c.agreement_name}
                    <div class="meta">{c.date}</div>
                  </td>
                  <td>{c.party}</td>
                  <td>{c.obligation}</td>
                  <td class={`status-${c.status}`}>{c.status}</td>
                  <td>
                    {c.evidence_date && <strong>{c.evidence_date} </strong>}
                    {c.evidence}
                    <details>
                      <summary>sources</summary>
                      <SourceRefs ids={c.sources} sources={data.data!.sources} />
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Claims() {
  const data = useApi<ClaimsResponse>("/ledger/claims");
  return (
    <section class="panel" aria-labelledby="claims-title">
      <h2 id="claims-title">Claims of the commentary, checked</h2>
      <Status loading={data.loading} error={data.error} />
      {data.data && (
        <>
          <p class="meta">Evaluated as of {data.data.today}.</p>
          <Notes notes={data.data.notes} />
          {data.data.claims.map((c) => (
            <article key={c.id} class="claim" data-claim={c.id}>
              <header>
                <span class={`badge verdict-${c.verdict}`}>{c.verdict}</span> <span class="meta">{c.topic} · claimed as of {c.as_of}</span>
              </header>
              <blockquote>{c.claim}</blockquote>
              <p>
                <strong>Finding:</strong> {c.value}
              </p>
              {c.evidence.length > 0 && (
                <details>
                  <summary>Evidence ({c.evidence.length})</summary>
                  <ul>
                    {c.evidence.map((e) => (
                      <li key={e}>
                        <Citation text={e} />
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </article>
          ))}
        </>
      )}
    </section>
  );
}
