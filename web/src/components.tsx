// Small pieces every page uses: loading/error lines, notes, citations, chart boxes.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { Source } from "./types";

export function Status({ loading, error }: { loading: boolean; error: string | null }) {
  if (error) return <p class="error" role="alert">{error}</p>;
  if (loading) return <p class="loading" aria-live="polite">Loading…</p>;
  return null;
}

/** Stale-list warnings (too old, undated, or from a retired source), shown above every page. */
export function StaleLists({ warnings }: { warnings: string[] }) {
  if (!warnings.length) return null;
  return (
    <div class="stale" role="status" aria-label="Out-of-date sanctions data">
      <strong>Screening uses stale lists.</strong> Run <code>dprkwatch lists update</code>.
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

export function Notes({ notes }: { notes: string[] }) {
  if (!notes.length) return null;
  return (
    <ul class="notes" aria-label="Notes on the data">
      {notes.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

const URL_RE = /(https?:\/\/[^\s)]+)/g;

/** A citation given as text; its URL becomes a link (opened only if the reader clicks it). */
export function Citation({ text }: { text: string }) {
  const parts = text.split(URL_RE);
  return (
    <span class="citation">
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={part} target="_blank" rel="noopener noreferrer">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </span>
  );
}

/** Bibliography entries cited by id. */
export function SourceRefs({ ids, sources }: { ids: string[]; sources: Record<string, Source> }) {
  if (!ids.length) return null;
  return (
    <ul class="sources">
      {ids.map((id) => {
        const s = sources[id];
        if (!s) return <li key={id}>{id}</li>;
        return (
          <li key={id}>
            {s.publication}, “{s.title}” ({s.date}).{" "}
            <a href={s.url} target="_blank" rel="noopener noreferrer">
              {s.url}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="panel" id={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

/** Mounts what `render` draws (an SVG or HTML element) and redraws when `deps` change. */
export function ChartBox({ render, deps, label }: { render: () => Element; deps: unknown[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const chart = render();
    host.replaceChildren(chart);
    return () => host.replaceChildren();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return <figure class="chart" ref={ref} aria-label={label} />;
}

export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return n.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
