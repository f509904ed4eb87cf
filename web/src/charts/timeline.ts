// The timeline as a strip: one row per category, one dot per event.

import * as Plot from "@observablehq/plot";
import type { TimelineEvent } from "../types";
import { CATEGORY_COLOURS, partialDate } from "./common";

export function timelineChart(events: TimelineEvent[], width: number): Element {
  const data = events.map((e) => ({ ...e, x: partialDate(e.date) }));
  const categories = [...new Set(data.map((d) => d.category))];
  return Plot.plot({
    width,
    height: 40 + 28 * Math.max(1, categories.length),
    marginLeft: 96,
    x: { type: "utc", label: null, grid: true },
    y: { domain: categories, label: null },
    color: { domain: categories, range: categories.map((c) => CATEGORY_COLOURS[c] ?? "#999") },
    marks: [
      Plot.dot(data, {
        x: "x",
        y: "category",
        fill: "category",
        r: 3.5,
        fillOpacity: 0.75,
        title: (d) => `${d.date} ${d.kind}: ${d.title}`,
        className: "event",
      }),
    ],
  });
}
