// Colours and date helpers the charts share.

export const LIST_COLOURS: Record<string, string> = {
  un: "#4e79a7",
  eu: "#f28e2b",
  uk: "#76b7b2",
  ofac: "#e15759",
};

export const MARKER_COLOURS: Record<string, string> = {
  summit: "#2f8f46",
  talks: "#2f8f46",
  agreement: "#2f8f46",
  resolution: "#7f7f7f",
  "nuclear-test": "#b10026",
};

export const CATEGORY_COLOURS: Record<string, string> = {
  diplomacy: "#2f8f46",
  un: "#7f7f7f",
  sanctions: "#e15759",
  exercise: "#9c755f",
  humanitarian: "#4e79a7",
  test: "#b10026",
  provocation: "#f28e2b",
};

/** "2019", "2019-06" or "2019-06-12" as the first day it can mean (UTC). */
export function partialDate(value: string): Date {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(Date.UTC(y, (m || 1) - 1, d || 1));
}

/** "2019-Q2" -> [first day, first day of the next quarter). */
export function quarterSpan(q: string): [Date, Date] {
  const year = Number(q.slice(0, 4));
  const n = Number(q.slice(-1));
  return [new Date(Date.UTC(year, 3 * (n - 1), 1)), new Date(Date.UTC(year, 3 * n, 1))];
}
