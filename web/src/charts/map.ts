// Maritime events on a map of the region they fall in. The coastlines come
// from the world-atlas package (Natural Earth, 1:50m), bundled with the app:
// there are no map tiles and no requests beyond this service.

import * as Plot from "@observablehq/plot";
import type { FeatureCollection, MultiPoint } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countriesUrl from "world-atlas/countries-50m.json?url";
import type { MaritimeEvent, Port } from "../types";

export const EVENT_COLOURS: Record<string, string> = {
  encounter: "#d62728",
  loitering: "#ff7f0e",
  dark_gap: "#7f7f7f",
  port_call: "#1f77b4",
  spoofing: "#9467bd",
  identity_change: "#8c564b",
  identity_shared: "#e377c2",
  transfer_chain: "#17becf",
};

let world: Promise<FeatureCollection> | null = null;

/** The country outlines, fetched once from this service's own assets. */
export function loadWorld(): Promise<FeatureCollection> {
  world ??= fetch(countriesUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`map outlines: ${r.status}`);
      return r.json();
    })
    .then((topo: Topology<{ countries: GeometryCollection }>) => feature(topo, topo.objects.countries) as FeatureCollection);
  return world;
}

export function mapChart(land: FeatureCollection, events: MaritimeEvent[], ports: Port[], width: number): Element {
  const located = events.filter((e) => e.lat !== null && e.lon !== null);
  const points: [number, number][] = [...located.map((e) => [e.lon!, e.lat!] as [number, number]), ...ports.map((p) => [p.lon, p.lat] as [number, number])];
  const domain: MultiPoint = { type: "MultiPoint", coordinates: points.length ? points : [[124, 37], [131, 43]] };
  const types = Object.keys(EVENT_COLOURS);
  return Plot.plot({
    width,
    height: Math.min(600, Math.round(width * 0.62)),
    projection: { type: "mercator", domain, inset: 40 },
    color: { domain: types, range: types.map((t) => EVENT_COLOURS[t]), legend: true },
    marks: [
      Plot.sphere({ fill: "#e3eef6", stroke: "none" }),
      Plot.geo(land, { fill: "#eef0e8", stroke: "#9aa08c", strokeWidth: 0.6 }),
      Plot.graticule({ stroke: "#dde3ea", strokeOpacity: 0.6 }),
      Plot.dot(ports, {
        x: "lon",
        y: "lat",
        symbol: "triangle",
        r: 5,
        fill: "#222",
        title: (p: Port) => `${p.port} (DPRK port)`,
        className: "port",
      }),
      Plot.text(ports, { x: "lon", y: "lat", text: "port", dy: -10, fontSize: 10, fill: "#222", className: "port-label" }),
      Plot.dot(located, {
        x: "lon",
        y: "lat",
        fill: "event_type",
        r: 7,
        stroke: "white",
        strokeWidth: 1.5,
        title: (e: MaritimeEvent) =>
          `${e.event_type} · MMSI ${e.mmsi}${e.other_mmsi ? ` with ${e.other_mmsi}` : ""}\n${e.start} → ${e.end}\n${e.detail ?? ""}`,
        className: "maritime-event",
      }),
    ],
  });
}
