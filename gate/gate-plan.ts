/**
 * What the gate asks Datadog for one stage and batch, at one clock value:
 * the queries (from model/signals.ts, the contract shared with the
 * generated monitors, with the APM operation and latency mode of
 * monitors/policy.yaml), their windows and the policy. Pure.
 */
import type { Stage } from '../model/stage';
import { splitIntoBatches } from '../model/batches';
import { baselineScope, batchScope, batchTag, checkTag, DEFAULT_SIGNALS, envTag, ERROR_RATE_FLOOR, PHASE_TAG, QUERIES, SignalSettings } from '../model/signals';
import { Exact } from './exact';
import type { GateSettings, MetricQuery, Window } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Constants of the gate (not per stage). */
export const GATE_DEFAULTS = {
  /** Coverage looks at agents reporting over the last this many minutes. */
  coverageWindowMinutes: 10,
  /**
   * A batch host counts as upgraded only when it reported through at least
   * this share of the coverage window: a host silent for most of it does not.
   */
  coverageMinPresencePercent: 50,
  /**
   * Each point of `datadog.agent.running` stands for at least this long when
   * the presence is measured (or the API's rollup interval, when longer): the
   * Agent reports every 15 s, so a healthy host covers the whole window
   * whatever rollup the API picks, and one silent for minutes does not.
   */
  coveragePointSpanMs: 60_000,
  /** Each side of a degradation comparison needs at least this many non-empty points. */
  minDataPoints: 10,
  /**
   * An error-rate increase smaller than this, in percentage points, is never a
   * regression: relative changes of tiny rates are noise (0.001% -> 0.002% is
   * +100%). The same floor as the generated error-rate monitors (signals.ts).
   */
  errorRateFloorPercentagePoints: Exact.of(ERROR_RATE_FLOOR).mul(Exact.int(100)).toNumber(),
  /** Deploy-start events are searched this far back beyond the soak time. */
  eventLookbackExtraHours: 14 * 24,
} as const;

/** Everything the gate needs to know before it asks Datadog anything. */
export interface GatePlan {
  readonly stage: string;
  readonly batch: number;
  readonly batchCount: number;
  readonly agentVersion: string;
  /** Names of the batch's hosts (from the batch split), sorted. */
  readonly batchHosts: readonly string[];
  readonly nowMs: number;
  readonly lastBatch: boolean;
  readonly settings: GateSettings;
  /** The APM operation and latency mode of monitors/policy.yaml: the queries the generated monitors use. */
  readonly signals: SignalSettings;
  /** Deploy-start events: all of these tags, over this window. */
  readonly deployEvents: { readonly tags: readonly string[]; readonly window: Window };
  /** Agents reporting in the batch, by host and version. */
  readonly coverage: MetricQuery;
  /** Monitor tag filters (a monitor must carry every tag). */
  readonly monitors: {
    readonly rollout: readonly string[];
    readonly security: readonly string[];
    readonly appErrors: readonly string[];
  };
}

/** Describe the degradation baseline of a batch, for reports. */
export function baselineDescription(stage: string, batch: number, batchCount: number): string {
  const scope = baselineScope(stage, batch, batchCount);
  return scope === undefined
    ? `the last batch has no hosts left to upgrade: it is compared with itself (${batchScope(stage, batch)}) over an equally long window ending at its deploy start`
    : `the hosts not yet upgraded (${scope}) over the same window`;
}

/** Plan the gate of `batch` (1-based) of `stage` at clock value `nowMs`, with the policy's APM signal settings. */
export function planGate(stage: Stage, batch: number, nowMs: number, signals: SignalSettings = DEFAULT_SIGNALS): GatePlan {
  const batches = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages);
  const batchCount = batches.length;
  if (!Number.isInteger(batch) || batch < 1 || batch > batchCount) {
    throw new Error(`planGate: batch: got ${batch}, expected a batch from 1 to ${batchCount}`);
  }
  const soakHours = stage.rollout.soakHours[batch - 1];
  const maxFailed = stage.rollout.maxFailedHostsPercent;
  const settings: GateSettings = {
    soakHours,
    maxFailedHostsPercent: maxFailed,
    // The number shown; coverageCheck decides on the exact decimal of maxFailedHostsPercent.
    requiredCoveragePercent: Exact.int(100).sub(Exact.of(maxFailed)).toNumber(),
    coverageMinPresencePercent: GATE_DEFAULTS.coverageMinPresencePercent,
    degradationThresholdPercent: stage.rollout.degradationThresholdPercent,
    minDataPoints: GATE_DEFAULTS.minDataPoints,
    coverageWindowMinutes: GATE_DEFAULTS.coverageWindowMinutes,
    errorRateFloorPercentagePoints: GATE_DEFAULTS.errorRateFloorPercentagePoints,
    baseline: baselineDescription(stage.name, batch, batchCount),
  };
  const scope = batchScope(stage.name, batch);
  const env = envTag(stage.name);
  return {
    stage: stage.name,
    batch,
    batchCount,
    agentVersion: stage.agent.version,
    batchHosts: batches[batch - 1].hosts.map((h) => h.name).sort(),
    nowMs,
    lastBatch: batch === batchCount,
    settings,
    signals,
    deployEvents: {
      tags: [env, batchTag(batch), `${PHASE_TAG}:start`],
      window: { fromMs: nowMs - (soakHours + GATE_DEFAULTS.eventLookbackExtraHours) * HOUR, toMs: nowMs },
    },
    coverage: {
      label: 'agents reporting in the batch',
      query: QUERIES.agentRunning(scope),
      window: { fromMs: nowMs - GATE_DEFAULTS.coverageWindowMinutes * MINUTE, toMs: nowMs },
    },
    monitors: {
      rollout: [env, batchTag(batch)],
      security: [env, checkTag('security')],
      appErrors: [env, checkTag('app-errors')],
    },
  };
}

/** The degradation comparisons, once the batch's deploy start is known. */
export interface DegradationQueries {
  readonly errorRate: { readonly batch: MetricQuery; readonly baseline: MetricQuery };
  readonly latency: { readonly batch: MetricQuery; readonly baseline: MetricQuery };
}

/**
 * Windows and queries of the degradation checks.
 *
 * The batch is observed from its deploy start (at most the last soak-hours
 * of it) until now. A batch with hosts after it is compared with those
 * hosts (not yet upgraded) over the same window. The last batch has no such
 * hosts; it is compared with itself over an equally long window ending at
 * its deploy start (before/after on the same hosts, so host mix and traffic
 * shape match; a window as long as the soak spans the same daily cycle).
 */
export function degradationQueries(plan: GatePlan, deployStartMs: number): DegradationQueries {
  const soakMs = plan.settings.soakHours * HOUR;
  const fromMs = soakMs > 0 ? Math.max(deployStartMs, plan.nowMs - soakMs) : deployStartMs;
  const after: Window = { fromMs: Math.min(fromMs, plan.nowMs), toMs: plan.nowMs };
  const scope = batchScope(plan.stage, plan.batch);
  const later = baselineScope(plan.stage, plan.batch, plan.batchCount);
  const baseScope = later ?? scope;
  const length = after.toMs - after.fromMs;
  const baseWindow: Window = later === undefined ? { fromMs: deployStartMs - length, toMs: deployStartMs } : after;
  const baseLabel = later === undefined ? 'baseline: the batch before its upgrade' : 'baseline: hosts not yet upgraded';
  return {
    errorRate: {
      batch: { label: 'batch', query: QUERIES.errorRatio(scope, plan.signals.apmOperation), window: after },
      baseline: { label: baseLabel, query: QUERIES.errorRatio(baseScope, plan.signals.apmOperation), window: baseWindow },
    },
    latency: {
      batch: { label: 'batch', query: QUERIES.latency(scope, plan.signals), window: after },
      baseline: { label: baseLabel, query: QUERIES.latency(baseScope, plan.signals), window: baseWindow },
    },
  };
}
