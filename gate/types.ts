/**
 * Types of the go/no-go gate: what is asked of Datadog (the plan), what came
 * back (observations), and what was concluded (checks, verdict, report).
 * Plain data; no I/O.
 */

import type { Downtime } from './downtimes';

/** The gate's answer. */
export type Verdict = 'GO' | 'NO-GO' | 'INCONCLUSIVE';

/** Exit status of each verdict. */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, number>> = { GO: 0, 'NO-GO': 1, INCONCLUSIVE: 2 };

/** Result of one check. */
export type CheckStatus = 'pass' | 'fail' | 'inconclusive';

/** Identifiers of the checks, in report order. */
export const CHECK_IDS = [
  'soak',
  'coverage',
  'rollout-monitors',
  'security-monitors',
  'degradation-error-rate',
  'degradation-latency',
  'app-error-monitors',
  'downtimes',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** A time range, milliseconds since the epoch, `[fromMs, toMs]`. */
export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One question put to Datadog: what was asked, over which window, and the number that came back. */
export interface Measurement {
  /** What this is, e.g. `batch` or `baseline (rollout_batch:3)`. */
  readonly label: string;
  /** The query as sent: a metric query, a monitor tag filter, or an event tag filter. */
  readonly query: string;
  /** The time range queried; null for a point-in-time state (monitors) or when it could not be known. */
  readonly window: Window | null;
  /** The observed value (null: no data, or the request failed). */
  readonly value: number | null;
  readonly unit: string;
  /** Non-empty data points behind `value`, for metric queries. */
  readonly points?: number;
  /** Why there is no value, when there is none. */
  readonly error?: string;
}

/** The outcome of one check. */
export interface CheckResult {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** One line: what was observed against what was allowed, and so what. */
  readonly summary: string;
  /** The number the check decides on (null: missing). */
  readonly observed: number | null;
  /** The limit it is compared with, and how: the check passes when `observed <comparator> threshold`. */
  readonly threshold: number;
  readonly comparator: '>=' | '<=';
  readonly unit: string;
  /** Every query behind the check, with its window and value. */
  readonly measurements: readonly Measurement[];
  /** Supporting facts (monitors in Alert, hosts on another version, ...), sorted. */
  readonly details: readonly string[];
}

/** A result of a request: the value, or why there is none (after retries). */
export type Fetched<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A deployment event as read back from Datadog. */
export interface DeployEvent {
  readonly id: string;
  readonly title: string;
  /** When it happened, ms since the epoch. */
  readonly happenedAtMs: number;
  readonly tags: readonly string[];
}

/** A monitor and its overall state. */
export interface MonitorState {
  readonly id: number;
  readonly name: string;
  /** `overall_state`: Alert, Warn, No Data, OK, Ignored, Skipped, Unknown. */
  readonly state: string;
  readonly tags: readonly string[];
  /** What mutes it, as the API reported (`matching_downtimes`, `options.silenced`); whether each is in force depends on the clock. */
  readonly mutes?: readonly MonitorMute[];
}

/** A downtime (or a v1 silence) on a monitor. */
export interface MonitorMute {
  /** `downtime`: an entry of `matching_downtimes`; `silenced`: an entry of `options.silenced` (v1 downtimes only). */
  readonly kind: 'downtime' | 'silenced';
  /** The downtime id (downtimes only). */
  readonly id?: number;
  /** Scope, e.g. `*` or `env:prod`. */
  readonly scope: string;
  /** From when, ms since the epoch (null: unknown, taken as already begun). */
  readonly startMs: number | null;
  /** Until when, ms since the epoch (null: no end). */
  readonly endMs: number | null;
}

/** One timeseries: its tags and its points (`[ms, value]`, value null when empty). */
export interface Series {
  readonly tags: readonly string[];
  readonly points: ReadonlyArray<readonly [number, number | null]>;
  /** The rollup interval of the points, ms (the API's `interval`), when known. */
  readonly intervalMs?: number;
}

/** A metric query and what it returned. */
export interface MetricObservation {
  readonly query: MetricQuery;
  readonly result: Fetched<readonly Series[]>;
}

/** A metric query over a window. */
export interface MetricQuery {
  readonly label: string;
  readonly query: string;
  readonly window: Window;
}

/** A monitor search (by tags) and what it returned. */
export interface MonitorObservation {
  /** Tags every monitor must carry, e.g. `env:prod`, `rollout_batch:2`. */
  readonly tags: readonly string[];
  readonly result: Fetched<readonly MonitorState[]>;
}

/** Degradation comparison of one signal: batch against baseline, over windows of the same length. */
export interface Comparison {
  readonly batch: MetricObservation;
  readonly baseline: MetricObservation;
}

/** Everything the gate read from Datadog. */
export interface Observations {
  /** Downtimes in force (v2), matched against the monitors read. */
  readonly downtimes: Fetched<readonly Downtime[]>;
  readonly deployEvents: Fetched<readonly DeployEvent[]>;
  readonly agentRunning: MetricObservation;
  readonly rolloutMonitors: MonitorObservation;
  readonly securityMonitors: MonitorObservation;
  readonly appErrorMonitors: MonitorObservation;
  /** Absent when the comparison windows could not be set (no deploy-start event). */
  readonly errorRate?: Comparison;
  readonly latency?: Comparison;
}

/** The full record of one gate run (the JSON report). */
export interface GateReport {
  readonly kind: 'observability-rollout/gate-report';
  /** 2: adds toolVersion, configCommit, apiUrlSource, muted monitors and the coverage presence rule. */
  readonly version: 2;
  readonly verdict: Verdict;
  /** Exit status of the verdict (0 GO, 1 NO-GO, 2 INCONCLUSIVE); in soft mode the command exits 0 regardless. */
  readonly exitCode: number;
  readonly soft: boolean;
  readonly stage: string;
  readonly batch: number;
  readonly batchCount: number;
  readonly agentVersion: string;
  /** When the gate evaluated, ISO 8601 UTC (the clock value the checks used). */
  readonly evaluatedAt: string;
  /** The Datadog API the requests went to (redirects are never followed, so this is where the data came from). */
  readonly apiUrl: string;
  /** Where that URL came from: `--api-url`, `DD_SITE` or the stage file. */
  readonly apiUrlSource: string;
  /** This tool, `observability-rollout <version>` (package.json). */
  readonly toolVersion: string;
  /** The configuration's commit, when known: the git HEAD of the configuration directory, else ROLLOUT_COMMIT / GITHUB_SHA. */
  readonly configCommit: ConfigCommit | null;
  /** What decided the verdict: the summary of every check that did not pass (empty on GO). */
  readonly reasons: readonly string[];
  readonly settings: GateSettings;
  readonly checks: readonly CheckResult[];
}

/** A commit and where it was read. */
export interface ConfigCommit {
  readonly sha: string;
  /** e.g. `git HEAD of /path/to/repo (refs/heads/main)` or `GITHUB_SHA`. */
  readonly source: string;
}

/** Where a report's data came from and what produced it. */
export interface Provenance {
  readonly apiUrl: string;
  readonly apiUrlSource: string;
  readonly toolVersion: string;
  readonly configCommit: ConfigCommit | null;
}

/** The policy the checks applied (from the stage file and the gate's constants). */
export interface GateSettings {
  readonly soakHours: number;
  readonly maxFailedHostsPercent: number;
  readonly requiredCoveragePercent: number;
  /** A host counts as upgraded only when it reported through at least this share of the coverage window. */
  readonly coverageMinPresencePercent: number;
  readonly degradationThresholdPercent: number;
  readonly minDataPoints: number;
  readonly coverageWindowMinutes: number;
  readonly errorRateFloorPercentagePoints: number;
  /** What the batch is compared with in the degradation checks. */
  readonly baseline: string;
}
