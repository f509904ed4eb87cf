// Roadmaps and deals: what each proposal would have stopped, side by side, and why.

import { useState } from "preact/hooks";
import { ChartBox, Status, fmt } from "../components";
import { trajectoryChart } from "../charts/roadmap";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { ProposalResult, RoadmapInterval, RoadmapResponse } from "../types";

const DEFAULT_PROPOSAL = "hanoi-dprk-offer";

function band(iv: RoadmapInterval | undefined, pct = false): string {
  if (!iv) return "–";
  const f = (x: number) => (pct ? `${Math.round(x * 100)}%` : fmt(x));
  return `${f(iv.median)} (${f(iv.low)}–${f(iv.high)})`;
}

export function RoadmapPage() {
  const data = useApi<RoadmapResponse>("/roadmap");
  const [chosen, setChosen] = useState(DEFAULT_PROPOSAL);
  const width = useWidth();
  const ev = data.data?.evaluation;
  const selected = ev?.proposals.find((p) => p.id === chosen) ?? ev?.proposals[0];
  return (
    <div class="page">
      <h1>Roadmap</h1>
      <p class="lead">
        Had a deal been carried out and held, how much less fissile material would North Korea have made? Each proposal is run through
        the arsenal model on the same draws, with the capacity it covers removed from each phase's date.
      </p>
      <Status loading={data.loading} error={data.error} />
      {data.data && ev && selected && (
        <>
          <SideBySide data={data.data} chosen={selected.id} onChoose={setChosen} />
          <section class="panel" aria-labelledby="trajectory-title">
            <h2 id="trajectory-title">With and without: {selected.name}</h2>
            <label>
              Proposal{" "}
              <select name="proposal" value={selected.id} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
                {ev.proposals.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </label>
            <ChartBox
              label={`Arsenal with and without ${selected.name}`}
              deps={[data.data, selected.id, width]}
              render={() => trajectoryChart(ev.trajectories.baseline, ev.trajectories[selected.id], selected.first_stop, width)}
            />
            <p class="chart-legend">
              <span class="swatch baseline" /> as it happened, p05–p95 and median <span class="swatch deal" /> with the deal, held ·{" "}
              {ev.draws.toLocaleString()} draws, seed {ev.seed}
            </p>
            <Coverage proposal={selected} by={ev.by} />
          </section>
          <Definitions data={data.data} />
          <Shares data={data.data} />
        </>
      )}
    </div>
  );
}

function SideBySide({ data, chosen, onChoose }: { data: RoadmapResponse; chosen: string; onChoose: (id: string) => void }) {
  const ev = data.evaluation;
  const year = ev.by.slice(0, 4);
  return (
    <section class="panel" aria-labelledby="side-title">
      <h2 id="side-title">Side by side, by the end of {year}</h2>
      <table class="proposals">
        <thead>
          <tr>
            <th scope="col">Proposal</th>
            <th scope="col">First stop</th>
            <th scope="col" class="num">
              Prevented
            </th>
            <th scope="col" class="num">
              Share stopped
            </th>
            <th scope="col" class="num">
              Still made
            </th>
            <th scope="col" class="num">
              Held end-{year}
            </th>
            <th scope="col">Uncovered</th>
            <th scope="col">Relief</th>
          </tr>
        </thead>
        <tbody>
          {ev.proposals.map((p) => (
            <tr key={p.id} data-proposal={p.id} class={p.id === chosen ? "selected" : ""}>
              <td>
                <button type="button" class="link" onClick={() => onChoose(p.id)}>
                  {p.name}
                </button>
                <div class="meta">
                  {p.date} · {p.status}
                </div>
              </td>
              <td class="nowrap">{p.first_stop ?? "–"}</td>
              <td class="num prevented">{band(p.results.prevented)}</td>
              <td class="num">{band(p.results.share, true)}</td>
              <td class="num">{band(p.results.remaining)}</td>
              <td class="num">{band(p.results.held ?? ev.held_baseline)}</td>
              <td>{p.uncovered.length ? p.uncovered.join(", ") : "none"}</td>
              <td>
                {p.relief.resolutions.length
                  ? `${p.relief.resolutions.length} resolutions` +
                    (p.relief.revenue_musd_per_year ? `, ≥ $${fmt(p.relief.revenue_musd_per_year, 0)}m a year of exports` : "")
                  : "none"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="meta">
        Median and 90% band, weapons-equivalent. Without any deal the model holds {band(ev.held_baseline)} at the end of {year}. Share
        stopped: prevented as a share of what the model makes from the first stop to then.
      </p>
    </section>
  );
}

function Coverage({ proposal, by }: { proposal: ProposalResult; by: string }) {
  const r = proposal.relief;
  return (
    <div class="coverage">
      <h3>What it covers, on which rows</h3>
      {proposal.covered.length ? (
        <ul class="covered">
          {proposal.covered.map((c) => (
            <li key={c.component} data-component={c.component}>
              <strong>{c.component}</strong> from {c.from} ({c.action}, phase {c.phase}
              {c.verified ? ", verified" : ", not verified"}):{" "}
              {c.assets.map((a) => `${a.name} [${a.sources.join(", ")}; ${a.confidence}]`).join("; ")}
            </li>
          ))}
        </ul>
      ) : (
        <p>No fissile-production capacity.</p>
      )}
      <p>
        Left running: {proposal.uncovered.length ? proposal.uncovered.join(", ") : "nothing the model counts"}
        {proposal.uncovered_unmodelled.length ? `; not quantified: ${proposal.uncovered_unmodelled.join(", ")}` : ""}.
        {proposal.results.remaining && ` Still made by ${by.slice(0, 4)}: ${band(proposal.results.remaining)}.`}
      </p>
      <h3>Phases</h3>
      <ol class="phases">
        {proposal.phases.map((ph) => (
          <li key={ph.id}>
            <strong>{ph.name}</strong> from {ph.start}
            {ph.dates_assumed && <span class="meta"> (date assumed)</span>}
            {ph.verification.length > 0 && <div class="meta">Checked by: {ph.verification.map((v) => v.kind).join(", ")}</div>}
            {ph.corresponding.length > 0 && <div class="meta">In return: {ph.corresponding.map((c) => c.detail).join("; ")}</div>}
          </li>
        ))}
      </ol>
      {r.resolutions.length > 0 && (
        <p class="relief">
          Relief of {r.resolutions.map((x) => `${x.label} (${x.scope})`).join(", ")}: {r.measures.length} measures (
          {Object.entries(r.measures_by_kind)
            .map(([k, n]) => `${n} ${k}`)
            .join(", ")}
          ). Export revenue they were said to block: at least ${fmt(r.revenue_musd_per_year, 0)}m a year
          {r.revenue_not_quantified_for.length ? ` (not quantified: ${r.revenue_not_quantified_for.join(", ")})` : ""}.
        </p>
      )}
    </div>
  );
}

function Definitions({ data }: { data: RoadmapResponse }) {
  const defs = data.definitions;
  return (
    <section class="panel" aria-labelledby="definitions-title">
      <h2 id="definitions-title">Which definition of denuclearization each meets</h2>
      <table class="matrix definitions">
        <thead>
          <tr>
            <th scope="col">Proposal</th>
            {defs.map((d) => (
              <th scope="col" key={d.id} title={`${d.holder}: ${d.summary}`}>
                {d.id}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.evaluation.proposals.map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.id}</th>
              {p.definitions.map((d) => (
                <td key={d.definition} class="num" title={`not covered: ${d.not_covered.join(", ") || "nothing"}`}>
                  {Math.round(d.stopped_share * 100)}%
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="meta">Share of each definition's assets and activities the proposal stops; each member counts one.</p>
    </section>
  );
}

function Shares({ data }: { data: RoadmapResponse }) {
  const s = data.shares;
  return (
    <section class="panel" aria-labelledby="shares-title">
      <h2 id="shares-title">Yongbyon's share against published assessments</h2>
      <p>
        In the model, Yongbyon makes {band(s.share["all-fissile"], true)} of all fissile output from {s.from} to {s.to} (
        {band(s.share["heu"], true)} of the HEU).
      </p>
      <table class="estimates shares">
        <thead>
          <tr>
            <th scope="col">Assessment</th>
            <th scope="col">Quantity</th>
            <th scope="col" class="num">
              Published
            </th>
            <th scope="col" class="num">
              Model p05–p95
            </th>
            <th scope="col">Verdict</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {s.assessments.map((a) => (
            <tr key={a.id} data-assessment={a.id} class={a.status === "above" || a.status === "below" ? "flagged" : ""}>
              <td>
                {a.who}
                <div class="meta">{a.statement}</div>
              </td>
              <td>{a.quantity}</td>
              <td class="num nowrap">
                {a.low.toFixed(2)}–{a.high.toFixed(2)}
              </td>
              <td class="num nowrap">
                {a.model_p05.toFixed(2)}–{a.model_p95.toFixed(2)}
              </td>
              <td>{a.status}</td>
              <td>{a.explanation}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
