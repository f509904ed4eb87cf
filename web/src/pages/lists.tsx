// Which list versions screening uses, and what changed between two versions.

import { useState } from "preact/hooks";
import { query } from "../api";
import { Notes, Status } from "../components";
import { useApi } from "../hooks";
import type { EntityChange, ListDiff, ListsResponse, ListVersion } from "../types";

export function ListsPage() {
  const lists = useApi<ListsResponse>("/lists");
  const versions = useApi<{ versions: ListVersion[] }>("/lists/versions");
  return (
    <div class="page">
      <h1>Lists</h1>
      <section class="panel" aria-labelledby="active-title">
        <h2 id="active-title">Active versions</h2>
        <Status loading={lists.loading} error={lists.error} />
        {lists.data && (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">List</th>
                  <th scope="col">Version</th>
                  <th scope="col">Published</th>
                  <th scope="col">Imported</th>
                  <th scope="col" class="num">Entities</th>
                  <th scope="col" class="num">DPRK</th>
                  <th scope="col">Format</th>
                  <th scope="col">Source</th>
                  <th scope="col">Stale</th>
                </tr>
              </thead>
              <tbody>
                {lists.data.lists.map((l) => (
                  <tr key={l.list}>
                    <td>{l.list}</td>
                    <td>
                      <code>{l.version}</code>
                    </td>
                    <td>{l.published ?? "–"}</td>
                    <td>{l.imported_at.slice(0, 16).replace("T", " ")}</td>
                    <td class="num">{l.entities.toLocaleString()}</td>
                    <td class="num">{l.dprk.toLocaleString()}</td>
                    <td>{l.format}</td>
                    <td>{l.source_title ?? "–"}</td>
                    <td class={l.stale?.length ? "warn" : undefined}>{l.stale?.length ? l.stale.join("; ") : "no"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {lists.data.lists.length === 0 && <p>No lists imported yet (dprkwatch lists import PATH).</p>}
            <p class="meta">Matching algorithm: {lists.data.algorithm ?? "index still loading"}</p>
          </>
        )}
      </section>
      <DiffPanel versions={versions.data?.versions ?? []} />
    </div>
  );
}

function DiffPanel({ versions }: { versions: ListVersion[] }) {
  const names = [...new Set(versions.map((v) => v.list))];
  const [chosen, setChosen] = useState("");
  const list = chosen || names.find((n) => versions.filter((v) => v.list === n).length > 1) || names[0] || "";
  const ofList = versions.filter((v) => v.list === list);
  const [oldRef, setOld] = useState("");
  const [newRef, setNew] = useState("");
  const [dprk, setDprk] = useState(true);
  const [path, setPath] = useState<string | null>(null);
  const diff = useApi<ListDiff>(path);
  const ref = (v: ListVersion) => `${v.list}@${v.version}`;
  // Defaults: the version before the latest, against the latest.
  const a = ofList.some((v) => ref(v) === oldRef) ? oldRef : ofList.length ? ref(ofList[Math.max(0, ofList.length - 2)]) : "";
  const b = ofList.some((v) => ref(v) === newRef) ? newRef : ofList.length ? ref(ofList[ofList.length - 1]) : "";

  function submit(e: Event) {
    e.preventDefault();
    setPath(`/lists/diff${query({ old: a, new: b, dprk })}`);
  }

  const options = ofList.map((v) => (
    <option key={ref(v)} value={ref(v)}>
      {v.published ?? "undated"} · {v.version}
      {v.active ? " (active)" : ""}
    </option>
  ));
  return (
    <section class="panel" aria-labelledby="diff-title">
      <h2 id="diff-title">What changed between two versions</h2>
      <form class="form-row" onSubmit={submit}>
        <label>
          List
          <select value={list} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} name="list">
            {names.map((n) => (
              <option key={n} value={n}>
                {n} ({versions.filter((v) => v.list === n).length} versions)
              </option>
            ))}
          </select>
        </label>
        <label>
          Old version
          <select value={a} onChange={(e) => setOld((e.target as HTMLSelectElement).value)} name="old">
            {options}
          </select>
        </label>
        <label>
          New version
          <select value={b} onChange={(e) => setNew((e.target as HTMLSelectElement).value)} name="new">
            {options}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={dprk} onChange={(e) => setDprk((e.target as HTMLInputElement).checked)} /> DPRK
          entries only
        </label>
        <button type="submit" disabled={!ofList.length}>
          Compare
        </button>
      </form>
      {ofList.length === 1 && <p class="meta">Only one version of {list} is stored; import another to compare.</p>}
      <Status loading={diff.loading} error={diff.error} />
      {diff.data && (
        <div class="diff">
          <p class="summary">
            {diff.data.list}: <strong>{diff.data.summary.added}</strong> added, <strong>{diff.data.summary.removed}</strong> removed,{" "}
            <strong>{diff.data.summary.changed}</strong> changed ({diff.data.old} → {diff.data.new})
          </p>
          <Notes notes={diff.data.notes} />
          <Changes title="Added" items={diff.data.added} />
          <Changes title="Removed" items={diff.data.removed} />
          <Changes title="Changed" items={diff.data.changed} />
        </div>
      )}
    </section>
  );
}

function Changes({ title, items }: { title: string; items: EntityChange[] }) {
  if (!items.length) return null;
  return (
    <table>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Entity</th>
          <th scope="col">Type</th>
          <th scope="col">What changed</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id}>
            <td>
              {c.caption} <code>{c.id}</code>
            </td>
            <td>{c.schema}</td>
            <td>
              {c.changes.length === 0
                ? "–"
                : c.changes.map((f) => (
                    <div key={f.prop}>
                      <strong>{f.kind}</strong>
                      {f.added.length > 0 && <> + {f.added.join("; ")}</>}
                      {f.removed.length > 0 && <> − {f.removed.join("; ")}</>}
                    </div>
                  ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
