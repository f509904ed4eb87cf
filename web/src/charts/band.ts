// The arsenal band (weapons-equivalent stock, p05-p95 and p25-p75 around the
// median) with every published weapons estimate drawn at its date: a vertical
// bar for a range, a dot for a single figure, red when it falls outside the
// band (flagged).

import * as Plot from "@observablehq/plot";
import type { ArsenalResponse, Comparison } from "../types";
import { partialDate } from "./common";

export const WEAPON_KINDS = new Set(["stock", "assembled"]);

export function weaponEstimates(data: ArsenalResponse): Comparison[] {
  return data.comparisons.filter((c) => WEAPON_KINDS.has(c.kind) && c.unit === "weapons");
}

export function bandChart(data: ArsenalResponse, width: number, showProjections: boolean): Element {
  const band = data.band.map((r) => ({ ...r, x: new Date(Date.UTC(r.year, 11, 31)) }));
  const estimates = weaponEstimates(data)
    .filter((c) => showProjections || !c.projection)
    .map((c) => ({ ...c, x: partialDate(c.as_of), mid: (c.published_low + c.published_high) / 2 }));
  const colour = (c: Comparison) => (c.flagged ? "#c0392b" : "#1f4e79");
  const title = (c: Comparison) =>
    `${c.source} (${c.as_of}): ${c.published} ${c.unit}; model ${c.model_p05.toFixed(0)}–${c.model_p95.toFixed(0)} → ${c.status}` +
    (c.explanation ? `\n${c.explanation}` : "");
  return Plot.plot({
    width,
    height: 420,
    marginLeft: 52,
    x: { type: "utc", label: null, grid: true },
    y: { label: "weapons-equivalent", grid: true, zero: true },
    marks: [
      Plot.areaY(band, { x: "x", y1: "p05", y2: "p95", fill: "#9ecae1", fillOpacity: 0.45, className: "band-90" }),
      Plot.areaY(band, { x: "x", y1: "p25", y2: "p75", fill: "#6baed6", fillOpacity: 0.55, className: "band-50" }),
      Plot.line(band, { x: "x", y: "p50", stroke: "#08519c", strokeWidth: 2, className: "band-median" }),
      Plot.ruleX(estimates, {
        x: "x",
        y1: "published_low",
        y2: "published_high",
        stroke: colour,
        strokeWidth: 3,
        title,
        className: "estimate-range",
      }),
      Plot.dot(estimates, {
        x: "x",
        y: "mid",
        r: 4,
        fill: colour,
        stroke: "white",
        symbol: (c: Comparison) => (c.flagged ? "diamond" : "circle"),
        title,
        className: "estimate",
      }),
    ],
  });
}
