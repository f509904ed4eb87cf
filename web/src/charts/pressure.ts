// The pressure index: DPRK designations per quarter, stacked by list, with
// summits, agreements, resolutions and nuclear tests drawn as vertical rules,
// and a strip of missile launches per quarter below.

import * as Plot from "@observablehq/plot";
import type { PressureResponse } from "../types";
import { LIST_COLOURS, MARKER_COLOURS, partialDate, quarterSpan } from "./common";

interface Stacked {
  list: string;
  quarter: string;
  x1: Date;
  x2: Date;
  y1: number;
  y2: number;
  n: number;
  partial: boolean;
}

export function stackQuarters(data: PressureResponse): Stacked[] {
  const out: Stacked[] = [];
  for (const row of data.rows) {
    const [x1, x2] = quarterSpan(row.quarter);
    let base = 0;
    for (const list of data.lists) {
      const n = row.designations[list];
      if (n === null || n === undefined || n === 0) continue;
      out.push({ list, quarter: row.quarter, x1, x2, y1: base, y2: base + n, n, partial: row.partial[list] ?? false });
      base += n;
    }
  }
  return out;
}

export function pressureChart(data: PressureResponse, width: number): Element {
  const bars = stackQuarters(data);
  const markers = data.markers.map((m) => ({ ...m, x: partialDate(m.date) }));
  const domain = data.rows.length
    ? [quarterSpan(data.rows[0].quarter)[0], quarterSpan(data.rows[data.rows.length - 1].quarter)[1]]
    : undefined;
  const lists = data.lists.length ? data.lists : ["un", "ofac"];
  const main = Plot.plot({
    width,
    height: 320,
    marginLeft: 48,
    x: { type: "utc", domain, label: null },
    y: { label: "DPRK designations per quarter", grid: true },
    color: { domain: lists, range: lists.map((l) => LIST_COLOURS[l] ?? "#999"), legend: true },
    marks: [
      // Tests solid, diplomacy and resolutions dashed.
      ...[true, false].map((solid) =>
        Plot.ruleX(
          markers.filter((m) => (m.kind === "nuclear-test") === solid),
          {
            x: "x",
            stroke: (d) => MARKER_COLOURS[d.kind] ?? "#999",
            strokeDasharray: solid ? undefined : "4,3",
            strokeWidth: 1.2,
            title: (d) => `${d.date} ${d.kind}: ${d.title}`,
            className: "marker",
          },
        ),
      ),
      Plot.rectY(bars, {
        x1: "x1",
        x2: "x2",
        y1: "y1",
        y2: "y2",
        fill: "list",
        inset: 1,
        fillOpacity: (d: Stacked) => (d.partial ? 0.55 : 0.9),
        title: (d: Stacked) => `${d.quarter} ${d.list}: ${d.n} designation(s)${d.partial ? " (quarter partly covered)" : ""}`,
        className: "designations",
      }),
      Plot.ruleY([0]),
    ],
  });
  const hasLaunches = data.rows.some((r) => r.launches !== null);
  const launches = data.rows
    .filter((r) => r.launches)
    .map((r) => {
      const [x1, x2] = quarterSpan(r.quarter);
      return { x1, x2, n: r.launches ?? 0, quarter: r.quarter, tests: r.nuclear_tests };
    });
  const strip = Plot.plot({
    width,
    height: 110,
    marginLeft: 48,
    x: { type: "utc", domain, label: null },
    y: { label: hasLaunches ? "launches" : "launches (no CNS data)", grid: true },
    marks: [
      Plot.rectY(launches, {
        x1: "x1",
        x2: "x2",
        y: "n",
        fill: "#b10026",
        inset: 1,
        title: (d) => `${d.quarter}: ${d.n} missile launch(es)`,
        className: "launches",
      }),
      Plot.ruleY([0]),
    ],
  });
  const box = document.createElement("div");
  box.className = "pressure-chart";
  const legend = document.createElement("p");
  legend.className = "chart-legend";
  legend.innerHTML =
    '<span class="swatch m-diplomacy"></span>summit, talks, agreement ' +
    '<span class="swatch m-resolution"></span>UN resolution ' +
    '<span class="swatch m-test"></span>nuclear test · paler bars: quarter only partly covered by the data';
  box.append(main, strip, legend);
  return box;
}
