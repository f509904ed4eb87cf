// The implementation gap as a picture, as `dprkwatch lists coverage --plot` draws it:
// for each list with dated lags, the cumulative share of the UN 1718 designations it
// had listed N days after the UN did, on a logarithmic day axis (day 0 drawn at 1).
// OFAC's files carry no designation dates, so its lags are only bounds and it is
// left out (the table counts them).

import * as Plot from "@observablehq/plot";
import type { UnFollowUp } from "../types";
import { LIST_COLOURS } from "./common";

const NATIONAL = ["eu", "uk", "ofac"] as const;

/** Dated lags of one national list, in days after the UN (0: the same day or before), sorted. */
export function datedLags(follow: UnFollowUp[], publisher: (typeof NATIONAL)[number]): number[] {
  const out: number[] = [];
  for (const item of follow) {
    const f = item[publisher];
    if (f.listed && !f.lag_bound && f.lag_days !== null && f.lag_days !== undefined) out.push(Math.max(0, f.lag_days));
  }
  return out.sort((a, b) => a - b);
}

interface Step {
  list: string;
  days: number;
  share: number;
}

/** The step points of every list with dated lags (empty when none has any). */
export function lagSteps(follow: UnFollowUp[]): Step[] {
  const total = follow.length;
  const out: Step[] = [];
  for (const list of NATIONAL) {
    datedLags(follow, list).forEach((d, i) => out.push({ list, days: d + 1, share: (i + 1) / total }));
  }
  return out;
}

export function coverageChart(follow: UnFollowUp[], width: number): Element {
  const steps = lagSteps(follow);
  const lists = [...new Set(steps.map((s) => s.list))];
  // Each curve starts from nothing listed at day 0, so a list with one dated lag still draws a step.
  const curves = [...lists.map((list) => ({ list, days: 1, share: 0 })), ...steps];
  return Plot.plot({
    width,
    height: 320,
    marginLeft: 56,
    x: { type: "log", label: "days after the UN listing (+1, log scale)", grid: true },
    y: { domain: [0, 1], label: `share of ${follow.length} UN designations listed`, tickFormat: "%", grid: true },
    color: { domain: lists, range: lists.map((l) => LIST_COLOURS[l] ?? "#999"), legend: true },
    marks: [
      Plot.line(curves, { x: "days", y: "share", stroke: "list", curve: "step-after", strokeWidth: 2, className: "lag-curve" }),
      Plot.dot(steps, {
        x: "days",
        y: "share",
        fill: "list",
        r: 2,
        title: (s: Step) => `${s.list.toUpperCase()}: ${Math.round(s.share * 100)}% listed by day ${s.days - 1}`,
      }),
    ],
  });
}
