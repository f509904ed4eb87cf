// Shapes of the service's JSON answers, as far as the pages read them.
// The OpenAPI schema at /docs is the reference.

export interface ScoredEntity {
  id: string;
  caption: string;
  schema: string;
  properties: Record<string, string[]>;
  datasets: string[];
  score: number;
  match: boolean;
  features: Record<string, number>;
  explanation: string[];
  programs: string[];
  dprk: boolean;
}

export interface Suppressed {
  id: string;
  score: number;
  review_id: string;
  reviewed_at: string;
}

export interface MatchResult {
  results: ScoredEntity[];
  total: { value: number };
  screening: { id: string; audit_seq: number; subject: string; suppressed: Suppressed[] };
}

export interface MatchResponse {
  responses: Record<string, MatchResult>;
  algorithm: string;
  versions: Record<string, string>;
}

export interface Review {
  id: string;
  ts: string;
  actor: string;
  screening_id: string;
  entity_id: string;
  verdict: string;
  reason: string;
  audit_seq: number;
}

export interface Dataset {
  name: string;
  title: string;
  entity_count: number;
}

export interface ListVersion {
  list: string;
  version: string;
  published: string | null;
  imported_at: string;
  entities: number;
  dprk: number;
  format: string;
  active?: boolean;
  source?: string | null;
  source_title?: string | null;
  retired?: string | null;
  age_days?: number | null;
  stale?: string[];
}

export interface ListsResponse {
  lists: ListVersion[];
  algorithm: string | null;
  stale?: string[];
}

export interface FieldChange {
  prop: string;
  kind: string;
  added: string[];
  removed: string[];
}

export interface EntityChange {
  id: string;
  schema: string;
  caption: string;
  dprk: boolean;
  kinds: string[];
  changes: FieldChange[];
}

export interface ListDiff {
  list: string;
  old: string;
  new: string;
  summary: { added: number; removed: number; changed: number };
  added: EntityChange[];
  removed: EntityChange[];
  changed: EntityChange[];
  notes: string[];
}

export interface Alert {
  id: number;
  run_id: string;
  book: string;
  subject_id: string;
  entity_id: string;
  kind: string;
  score: number | null;
  caption: string;
  created_at: string;
}

export interface TimelineEvent {
  id: string;
  date: string;
  end_date: string | null;
  category: string;
  kind: string;
  title: string;
  detail: string;
  dataset: string;
  sources: string[];
  confidence: string;
}

export interface TimelineResponse {
  events: TimelineEvent[];
  total: number;
  kinds: Record<string, string>;
  datasets: string[];
  notes: string[];
}

export interface Quarter {
  quarter: string;
  designations: Record<string, number | null>;
  partial: Record<string, boolean>;
  targets: number | null;
  targets_partial: boolean;
  ofac_actions: number;
  diplomacy: number;
  launches: number | null;
  nuclear_tests: number;
  exercises: number;
  highlights: string[];
}

export interface PressureResponse {
  lists: string[];
  rows: Quarter[];
  coverage: Record<string, string[][]>;
  baseline: Record<string, { count: number; on_or_before: string }>;
  markers: TimelineEvent[];
  notes: string[];
}

export interface Source {
  id: string;
  publication: string;
  title: string;
  date: string;
  url: string;
  note?: string | null;
}

export interface Breach {
  date: string;
  text: string;
  sources: string[];
  standing: boolean;
}

export interface Cell {
  obligation: string;
  force: string;
  binding: boolean;
  status: string;
  summary: string;
  breaches: Breach[];
  breach_count: number;
  note: string;
}

export interface ComplianceResponse {
  columns: string[];
  rows: { resolution: string; label: string; adopted: string; cells: Record<string, Cell> }[];
  commitments: {
    agreement_name: string;
    date: string;
    commitment: string;
    party: string;
    obligation: string;
    status: string;
    evidence: string;
    evidence_date: string | null;
    sources: string[];
  }[];
  sources: Record<string, Source>;
  notes: string[];
}

export interface Claim {
  id: string;
  topic: string;
  claim: string;
  as_of: string;
  verdict: string;
  value: string;
  evidence: string[];
}

export interface ClaimsResponse {
  claims: Claim[];
  today: string;
  notes: string[];
}

export interface BandRow {
  year: number;
  date: string;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

export interface Comparison {
  id: string;
  source: string;
  publication: string;
  as_of: string;
  window_start: string | null;
  kind: string;
  unit: string;
  published: string;
  published_low: number;
  published_high: number;
  projection: boolean;
  model_p05: number;
  model_median: number;
  model_p95: number;
  status: string;
  flagged: boolean;
  explanation: string | null;
  reference: string | null;
}

export interface ArsenalResponse {
  draws: number;
  seed: number;
  band: BandRow[];
  comparisons: Comparison[];
  events: Record<string, string>;
}

export interface Increment {
  start: string;
  end: string;
  days: number;
  low: number;
  median: number;
  high: number;
  unit: string;
  draws: number | null;
}

export interface MaritimeEvent {
  event_id: string | null;
  event_type: string;
  mmsi: number | null;
  other_mmsi: number | null;
  start: string | null;
  end: string | null;
  lat: number | null;
  lon: number | null;
  port: string | null;
  dprk_port: boolean | null;
  confidence: number | null;
  duration_hours: number | null;
  distance_km: number | null;
  detail: string | null;
}

export interface Port {
  port: string;
  country: string;
  lat: number;
  lon: number;
}

export interface MaritimeResponse {
  run: Record<string, unknown> | null;
  counts: Record<string, number>;
  total: number;
  events: MaritimeEvent[];
  ports: Port[];
  notes: string[];
}

export interface DetectResponse {
  file: string;
  quality: { rows_read?: number; positions_kept?: number; skipped?: Record<string, number> };
  run: Record<string, unknown>;
  counts: Record<string, number>;
  events: MaritimeEvent[];
  ports: Port[];
}

// -- roadmap ---------------------------------------------------------------

export interface RoadmapInterval {
  low: number;
  median: number;
  high: number;
  unit: string;
  quantiles: Record<string, number>;
  draws: number | null;
}

export interface TrajectoryPoint {
  year: number;
  p05: number;
  p50: number;
  p95: number;
}

export interface CoveredAsset {
  id: string;
  name: string;
  sources: string[];
  confidence: string;
}

export interface CoveredComponent {
  component: string;
  from: string;
  phase: string;
  action: string;
  verified: boolean;
  assets: CoveredAsset[];
}

export interface DefinitionShare {
  definition: string;
  name: string;
  kind: string;
  members: number;
  stopped_share: number;
  declared_share: number;
  verified_share: number;
  not_covered: string[];
}

export interface ReliefSummary {
  resolutions: { id: string; label: string; scope: string; phase: string }[];
  of_sanctions_resolutions: number;
  measures_by_kind: Record<string, number>;
  measures: { resolution: string; kind: string; subject: string; direction: string | null }[];
  revenue_musd_per_year: number;
  revenue_quantified_for: string[];
  revenue_not_quantified_for: string[];
  imports: string[];
}

export interface RoadmapPhase {
  id: string;
  name: string;
  start: string;
  end: string | null;
  dates_assumed: boolean;
  verification: { kind: string; detail: string | null }[];
  corresponding: { kind: string; detail: string }[];
  sources: string[];
  confidence: string;
}

export interface ProposalResult {
  id: string;
  name: string;
  date: string;
  status: string;
  proposed_by: string;
  first_stop: string | null;
  results: Partial<Record<"prevented" | "remaining" | "window" | "share" | "held" | "pu_remaining" | "heu_remaining", RoadmapInterval>>;
  covered: CoveredComponent[];
  uncovered: string[];
  uncovered_unmodelled: string[];
  stockpile_removed: string | null;
  definitions: DefinitionShare[];
  relief: ReliefSummary;
  phases: RoadmapPhase[];
  sources: string[];
  confidence: string;
}

export interface RoadmapEvaluation {
  by: string;
  draws: number;
  seed: number;
  held_baseline: RoadmapInterval;
  proposals: ProposalResult[];
  trajectories: Record<string, TrajectoryPoint[]>;
}

export interface RoadmapAsset {
  id: string;
  name: string;
  owner: string;
  roles: string[];
  model: string | null;
  location: { lat: number; lon: number; precision: string } | null;
  count: { low: number | null; high: number | null; as_of: string } | null;
  status: string;
  sources: string[];
  confidence: string;
}

export interface ShareCheck {
  id: string;
  who: string;
  quantity: string;
  low: number;
  high: number;
  statement: string;
  derivation: string;
  model_p05: number;
  model_median: number;
  model_p95: number;
  status: string;
  explanation: string;
}

export interface RoadmapResponse {
  evaluation: RoadmapEvaluation;
  definitions: { id: string; name: string; holder: string; kind: string; summary: string; assets: string[]; activities: string[] }[];
  assets: RoadmapAsset[];
  shares: { site: string; from: string; to: string; share: Record<string, RoadmapInterval>; assessments: ShareCheck[] };
}

// Resolution: the review queue of doubtful pairs and the implementation record.

export interface ListingRecord {
  id: string;
  list: string | null;
  schema?: string;
  caption: string | null;
  listed_on?: string | null;
  programs?: string[];
  legal_basis?: string[];
  unsc_refs?: string[];
  birth_dates?: string[];
  nationality?: string[];
  identifiers?: Record<string, string[]>;
  delisted?: boolean;
}

export interface ReviewPair {
  a: string;
  b: string;
  method: string;
  score: number;
  evidence: string[];
  features: Record<string, number>;
  reason: string;
  records: ListingRecord[];
  targets: (string | null)[];
}

export interface ReviewQueue {
  total: number;
  offset: number;
  limit: number;
  items: ReviewPair[];
}

export interface Decision {
  a: string;
  b: string;
  decision: "same" | "different" | "unsure";
  user: string;
  at: string;
  note: string;
  audit_seq?: number;
}

export interface Follow {
  listed: boolean;
  since?: string;
  precision?: string;
  lag_days?: number | null;
  lag_bound?: boolean;
  active?: boolean;
  delisted?: string | null;
}

export interface UnFollowUp {
  target: string;
  caption: string;
  un_since: string | null;
  eu: Follow;
  uk: Follow;
  ofac: Follow;
}

export interface LagSummary {
  un_designations: number;
  listed: number;
  lag_exact: number;
  lag_bound_only: number;
  same_day_or_before: number;
  median_days: number | null;
  p90_days: number | null;
  max_days: number | null;
  missing: number;
  missing_targets: string[];
}

export interface Presence {
  publisher: string;
  listings: string[];
  since: string | null;
  precision: string;
  basis: string[];
  active: boolean;
  delisted: string | null;
}

export interface CoverageRow {
  target: string;
  caption: string;
  schema: string;
  dprk_evidence: string[];
  presence: Record<string, Presence>;
}

export interface NationalFollowUp {
  target: string;
  caption: string;
  first: string;
  first_since: string | null;
  first_precision: string;
  followed_by: Record<string, unknown>;
  not_followed_by: string[];
}

export interface Delisting {
  target: string;
  caption: string;
  publisher: string;
  last_listed: string | null;
  delisted: string | null;
  precision: string;
  others: Record<string, { active: boolean; delisted: string | null; lag_days: number | null }>;
}

export interface CoverageReport {
  resolution: string;
  versions: Record<string, string>;
  targets: number;
  by_publisher: Record<string, number>;
  un_lag: Record<string, LagSummary>;
  un_follow_up: UnFollowUp[];
  national: NationalFollowUp[];
  delistings: Delisting[];
  rows: CoverageRow[];
}
