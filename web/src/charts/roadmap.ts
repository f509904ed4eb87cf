// Arsenal trajectories with and without one proposal: the model's stock as it
// happened (grey band p05-p95 and median) against the stock had the proposal
// been carried out and held (blue), with the proposal's first stop marked.

import * as Plot from "@observablehq/plot";
import type { TrajectoryPoint } from "../types";
import { partialDate } from "./common";

export function trajectoryChart(base: TrajectoryPoint[], mine: TrajectoryPoint[], firstStop: string | null, width: number): Element {
  const at = (rows: TrajectoryPoint[]) => rows.map((r) => ({ ...r, x: new Date(Date.UTC(r.year, 11, 31)) }));
  const b = at(base);
  const m = at(mine);
  const marks: Plot.Markish[] = [
    Plot.areaY(b, { x: "x", y1: "p05", y2: "p95", fill: "#bdbdbd", fillOpacity: 0.55, className: "baseline-band" }),
    Plot.line(b, { x: "x", y: "p50", stroke: "#424242", strokeWidth: 1.5, className: "baseline-median" }),
    Plot.areaY(m, { x: "x", y1: "p05", y2: "p95", fill: "#6baed6", fillOpacity: 0.45, className: "deal-band" }),
    Plot.line(m, { x: "x", y: "p50", stroke: "#08519c", strokeWidth: 2.2, className: "deal-median" }),
  ];
  if (firstStop) marks.push(Plot.ruleX([partialDate(firstStop)], { stroke: "#08519c", strokeDasharray: "3,3", className: "first-stop" }));
  return Plot.plot({
    width,
    height: 360,
    marginLeft: 52,
    x: { type: "utc", label: null, grid: true },
    y: { label: "weapons-equivalent held", grid: true, zero: true },
    marks,
  });
}
