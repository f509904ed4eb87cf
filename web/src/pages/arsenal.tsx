// The arsenal model: the band over time with published estimates, and increments.

import { useState } from "preact/hooks";
import { api, query } from "../api";
import { ChartBox, Status, fmt } from "../components";
import { bandChart, weaponEstimates } from "../charts/band";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { ArsenalResponse, Increment } from "../types";

export function ArsenalPage() {
  const data = useApi<ArsenalResponse>("/arsenal");
  const width = useWidth();
  const [projections, setProjections] = useState(false);
  return (
    <div class="page">
      <h1>Arsenal</h1>
      <p class="lead">
        Weapons-equivalent of separated plutonium and highly enriched uranium, from a Monte Carlo over sourced parameter
        ranges. Published estimates are drawn at their dates; red ones lie outside the model's 90% band.
      </p>
      <Status loading={data.loading} error={data.error} />
      {data.data && (
        <>
          <section class="panel" aria-labelledby="band-title">
            <h2 id="band-title">Stock over time</h2>
            <label class="check">
              <input type="checkbox" checked={projections} onChange={(e) => setProjections((e.target as HTMLInputElement).checked)} /> include
              projections (estimates of a future stock)
            </label>
            <ChartBox
              label="Model band with published estimates"
              deps={[data.data, width, projections]}
              render={() => bandChart(data.data!, width, projections)}
            />
            <p class="chart-legend">
              <span class="swatch band90" /> 90% band (p05–p95) <span class="swatch band50" /> 50% band <span class="swatch median" /> median ·{" "}
              <span class="swatch est-ok" /> estimate within or overlapping the band <span class="swatch est-flag" /> estimate outside (flagged) ·{" "}
              {data.data.draws.toLocaleString()} draws, seed {data.data.seed}
            </p>
          </section>
          <IncrementPanel events={data.data.events} />
          <EstimatesTable data={data.data} />
        </>
      )}
    </div>
  );
}

function IncrementPanel({ events }: { events: Record<string, string> }) {
  const [start, setStart] = useState("singapore");
  const [end, setEnd] = useState("hanoi");
  const [result, setResult] = useState<Increment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await api<Increment>(`/arsenal/increment${query({ start, end })}`));
    } catch (err) {
      setResult(null);
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="increment-title">
      <h2 id="increment-title">Produced between two dates</h2>
      <form class="form-row" onSubmit={submit}>
        <label>
          From
          <input name="start" list="arsenal-events" value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} size={14} />
        </label>
        <label>
          To
          <input name="end" list="arsenal-events" value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} size={14} />
        </label>
        <datalist id="arsenal-events">
          {Object.entries(events).map(([name, day]) => (
            <option key={name} value={name}>
              {day}
            </option>
          ))}
        </datalist>
        <button type="submit" disabled={busy}>
          Compute
        </button>
      </form>
      <p class="meta">Dates as YYYY-MM-DD, YYYY-MM, YYYY (year-end) or an event: {Object.keys(events).join(", ")}.</p>
      <Status loading={false} error={error} />
      {result && (
        <p class="increment-result" role="status">
          {result.start} → {result.end} ({result.days} days): <strong>{fmt(result.low)}–{fmt(result.high)}</strong> {result.unit} (90%
          interval), median <strong>{fmt(result.median)}</strong>.
        </p>
      )}
    </section>
  );
}

function EstimatesTable({ data }: { data: ArsenalResponse }) {
  const weapons = new Set(weaponEstimates(data).map((c) => c.id));
  return (
    <section class="panel" aria-labelledby="estimates-title">
      <h2 id="estimates-title">Published estimates against the model</h2>
      <table class="estimates">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">As of</th>
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
          {data.comparisons.map((c) => (
            <tr key={c.id} class={c.flagged ? "flagged" : ""} data-estimate={c.id}>
              <td>
                {c.reference ? (
                  <a href={c.reference} target="_blank" rel="noopener noreferrer">
                    {c.source}
                  </a>
                ) : (
                  c.source
                )}
                <div class="meta">{c.publication}</div>
              </td>
              <td class="nowrap">
                {c.window_start ? `${c.window_start} → ` : ""}
                {c.as_of}
                {c.projection && <div class="meta">projection</div>}
              </td>
              <td>
                {c.kind}
                {!weapons.has(c.id) && <div class="meta">not on the chart</div>}
              </td>
              <td class="num">
                {c.published} {c.unit}
              </td>
              <td class="num">
                {fmt(c.model_p05)}–{fmt(c.model_p95)}
              </td>
              <td>
                <span class={`badge status-${c.status}`}>{c.status}</span>
              </td>
              <td class="explain">{c.explanation ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
