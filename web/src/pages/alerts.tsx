// Alerts raised by re-screening registered books after list imports.

import { useState } from "preact/hooks";
import { query } from "../api";
import { Status, fmt } from "../components";
import { useApi } from "../hooks";
import type { Alert } from "../types";

export function AlertsPage() {
  const [kind, setKind] = useState("");
  const alerts = useApi<{ alerts: Alert[]; total: number }>(`/alerts${query({ kind, limit: 500 })}`);
  return (
    <div class="page">
      <h1>Alerts</h1>
      <p class="lead">
        When lists are imported, every registered book is screened again; a subject whose hits are new, changed or gone
        raises an alert.
      </p>
      <form class="form-row" onSubmit={(e) => e.preventDefault()}>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)} name="kind">
            <option value="">all</option>
            <option value="new">new</option>
            <option value="changed">changed</option>
            <option value="removed">removed</option>
          </select>
        </label>
      </form>
      <Status loading={alerts.loading} error={alerts.error} />
      {alerts.data && (
        <section class="panel">
          <p class="meta">{alerts.data.total} alert(s)</p>
          {alerts.data.alerts.length === 0 ? (
            <p>No alerts. Books are registered by an administrator (dprkwatch books add).</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Book</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Listed entity</th>
                  <th scope="col" class="num">Score</th>
                </tr>
              </thead>
              <tbody>
                {alerts.data.alerts.map((a) => (
                  <tr key={a.id}>
                    <td>{a.created_at.slice(0, 16).replace("T", " ")}</td>
                    <td>{a.book}</td>
                    <td>{a.subject_id}</td>
                    <td>
                      <span class={`badge ${a.kind}`}>{a.kind}</span>
                    </td>
                    <td>
                      {a.caption} <code>{a.entity_id}</code>
                    </td>
                    <td class="num">{fmt(a.score, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
