// Maritime evasion events of the latest detection run, on a map and in a table.

import type { FeatureCollection } from "geojson";
import { useEffect, useState } from "preact/hooks";
import { query } from "../api";
import { ChartBox, Notes, Status, fmt } from "../components";
import { EVENT_COLOURS, loadWorld, mapChart } from "../charts/map";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { MaritimeResponse } from "../types";

const TYPES = Object.keys(EVENT_COLOURS);
// Rows drawn at once: thousands of table rows cost seconds and help nobody; the map shows all.
const PAGE_ROWS = 250;

export function MaritimePage() {
  const [types, setTypes] = useState<string[]>([]);
  const [rows, setRows] = useState(PAGE_ROWS);
  const data = useApi<MaritimeResponse>(`/maritime/events${query({ type: types, limit: 5000 })}`);
  const [land, setLand] = useState<FeatureCollection | null>(null);
  const [mapError, setMapError] = useState<string | null>(null);
  const width = useWidth();
  useEffect(() => {
    loadWorld().then(setLand, (err: Error) => setMapError(err.message));
  }, []);

  function toggle(t: string) {
    setTypes(types.includes(t) ? types.filter((x) => x !== t) : [...types, t]);
    setRows(PAGE_ROWS);
  }

  const run = data.data?.run as { at?: string; engine?: string; positions?: number } | null | undefined;
  return (
    <div class="page">
      <h1>Maritime</h1>
      <p class="lead">
        Events found in AIS positions by the latest <code>dprkwatch maritime detect</code> run: ship-to-ship encounters,
        loitering, dark gaps, port calls (North Korean ports marked ▲), position spoofing and identity changes.
      </p>
      <fieldset class="checks">
        <legend>Event types (none ticked: all)</legend>
        {TYPES.map((t) => (
          <label key={t} class="check">
            <input type="checkbox" name="type" value={t} checked={types.includes(t)} onChange={() => toggle(t)} /> {t.replace("_", " ")}
          </label>
        ))}
      </fieldset>
      <Status loading={data.loading} error={data.error ?? mapError} />
      {data.data && (
        <>
          <p class="meta">
            {run ? (
              <>
                Run of {run.at ?? "?"} · engine {run.engine ?? "?"} · {fmt(run.positions ?? null, 0)} positions ·{" "}
              </>
            ) : null}
            {Object.entries(data.data.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ") || "no events"}
          </p>
          <Notes notes={data.data.notes} />
          {land && (
            <ChartBox
              label="Map of maritime events and DPRK ports"
              deps={[data.data, land, width]}
              render={() => mapChart(land, data.data!.events, data.data!.ports, width)}
            />
          )}
          {data.data.events.length > 0 && (
            <table class="compact">
              <caption>
                {data.data.total} event(s){data.data.total > data.data.events.length ? `, first ${data.data.events.length} shown` : ""}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">MMSI</th>
                  <th scope="col">With</th>
                  <th scope="col">Start (UTC)</th>
                  <th scope="col">End (UTC)</th>
                  <th scope="col" class="num">
                    Hours
                  </th>
                  <th scope="col">Where</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {data.data.events.slice(0, rows).map((e, i) => (
                  <tr key={i} data-type={e.event_type}>
                    <td>
                      <span class="badge" style={{ borderColor: EVENT_COLOURS[e.event_type] }}>
                        {e.event_type.replace("_", " ")}
                      </span>
                    </td>
                    <td>{e.mmsi ?? ""}</td>
                    <td>{e.other_mmsi ?? ""}</td>
                    <td class="nowrap">{e.start?.replace("T", " ").replace("Z", "")}</td>
                    <td class="nowrap">{e.end?.replace("T", " ").replace("Z", "")}</td>
                    <td class="num">{fmt(e.duration_hours)}</td>
                    <td>
                      {e.port ? `${e.port}${e.dprk_port ? " (DPRK)" : ""}` : e.lat !== null ? `${fmt(e.lat, 3)}, ${fmt(e.lon, 3)}` : ""}
                    </td>
                    <td>{e.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.data.events.length > rows && (
            <p>
              {rows} of {data.data.events.length} rows shown.{" "}
              <button type="button" class="secondary" onClick={() => setRows(rows + PAGE_ROWS * 4)}>
                Show more rows
              </button>
            </p>
          )}
        </>
      )}
    </div>
  );
}
