// Maritime evasion events of the latest detection run, on a map and in a table.

import type { FeatureCollection } from "geojson";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, query } from "../api";
import { ChartBox, Notes, Status, fmt } from "../components";
import { EVENT_COLOURS, loadWorld, mapChart } from "../charts/map";
import { useApi } from "../hooks";
import { useWidth } from "../layout";
import type { DetectResponse, MaritimeResponse } from "../types";

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

  const [upload, setUpload] = useState<DetectResponse | null>(null);
  // An uploaded file's events replace the stored run's until the reader goes back.
  const shown: MaritimeResponse | null = useMemo(() => upload
    ? {
        run: upload.run,
        counts: upload.counts,
        total: upload.events.filter((e) => !types.length || types.includes(e.event_type)).length,
        events: upload.events.filter((e) => !types.length || types.includes(e.event_type)),
        ports: upload.ports,
        notes: [],
      }
    : data.data, [upload, types, data.data]);
  const run = shown?.run as { at?: string; engine?: string; positions?: number } | null | undefined;
  return (
    <div class="page">
      <h1>Maritime</h1>
      <p class="lead">
        Events found in AIS positions by the latest <code>dprkwatch maritime detect</code> run: ship-to-ship encounters,
        loitering, dark gaps, port calls (North Korean ports marked ▲), position spoofing, identity changes, shared
        identities and transfer chains.
      </p>
      <fieldset class="checks">
        <legend>Event types (none ticked: all)</legend>
        {TYPES.map((t) => (
          <label key={t} class="check">
            <input type="checkbox" name="type" value={t} checked={types.includes(t)} onChange={() => toggle(t)} /> {t.replaceAll("_", " ")}
          </label>
        ))}
      </fieldset>
      <UploadPanel onResult={setUpload} active={upload !== null} />
      {upload && (
        <p class="note" role="status">
          Showing events detected in <strong>{upload.file}</strong> ({upload.quality.positions_kept ?? 0} positions kept of{" "}
          {upload.quality.rows_read ?? 0} rows); nothing was saved.{" "}
          <button type="button" class="secondary" onClick={() => setUpload(null)}>
            Back to the stored run
          </button>
        </p>
      )}
      <Status loading={data.loading} error={data.error ?? mapError} />
      {shown && (
        <>
          <p class="meta">
            {run ? (
              <>
                Run of {run.at ?? "?"} · engine {run.engine ?? "?"} · {fmt(run.positions ?? null, 0)} positions ·{" "}
              </>
            ) : null}
            {Object.entries(shown.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ") || "no events"}
          </p>
          <Notes notes={shown.notes} />
          {land && (
            <ChartBox
              label="Map of maritime events and DPRK ports"
              deps={[shown, land, width]}
              render={() => mapChart(land, shown!.events, shown!.ports, width)}
            />
          )}
          {shown.events.length > 0 && (
            <table class="compact">
              <caption>
                {shown.total} event(s){shown.total > shown.events.length ? `, first ${shown.events.length} shown` : ""}
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
                {shown.events.slice(0, rows).map((e, i) => (
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
          {shown.events.length > rows && (
            <p>
              {rows} of {shown.events.length} rows shown.{" "}
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

function UploadPanel({ onResult, active }: { onResult: (r: DetectResponse | null) => void; active: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    setBusy(true);
    setError(null);
    try {
      onResult(await api<DetectResponse>("/maritime/detect", { method: "POST", body: form }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details class="panel upload" open={active}>
      <summary>Detect in a small AIS file</summary>
      <form class="form-row" onSubmit={submit}>
        <label>
          Positions file (CSV, Parquet or NMEA; up to the service's request limit, 1 MB by default)
          <input type="file" name="file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </label>
        <button type="submit" disabled={!file || busy}>
          {busy ? "Detecting…" : "Detect"}
        </button>
      </form>
      <p class="meta">Runs the detectors with default rules and the bundled DPRK ports; the stored run is not changed.</p>
      <Status loading={false} error={error} />
    </details>
  );
}
