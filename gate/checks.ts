/**
 * The gate's checks: plain functions from observed data (and the clock value
 * in the plan) to a result. Missing or sparse data, and requests that failed,
 * make a check inconclusive; it never passes without data.
 *
 * Every decision is exact (gate/exact.ts): times in integer milliseconds,
 * percentages and means as fractions of the decimals Datadog sent; numbers
 * are rounded only to be shown. Versions compare as versions (gate/version.ts).
 */
import { AGENT_VERSION_TAG, ERROR_RATE_FLOOR, latencyLabel, SERVICE_TAG } from '../model/signals';
import { Exact, exactSum } from './exact';
import { GATE_DEFAULTS, GatePlan } from './gate-plan';
import { printable } from './redact';
import type {
  CheckResult,
  Comparison,
  DeployEvent,
  Fetched,
  Measurement,
  MetricObservation,
  MonitorMute,
  MonitorObservation,
  MonitorState,
  Observations,
  Series,
  Window,
} from './types';
import { compareVersions, sameVersion } from './version';
import { checkKindOf, coversMonitor, describeDowntime, Downtime, inForce, QUIET_RESTART_CHECKS, ROLLBACK_TRIGGER_CHECKS } from './downtimes';

const HOUR = 3_600_000;

/** Monitor states that block the rollout. */
export const BLOCKING_MONITOR_STATES: readonly string[] = ['Alert'];
/** Monitor states that mean the monitor could not tell (missing data is never GO). */
export const UNKNOWN_MONITOR_STATES: readonly string[] = ['No Data', 'Unknown', 'Skipped'];

// ---------------------------------------------------------------- soak time

/** The most recent deploy-start event of the plan's agent version, if any (ties: the larger event id, compared as a number). */
export function latestDeployStart(plan: GatePlan, events: readonly DeployEvent[]): DeployEvent | undefined {
  const wanted = [...plan.deployEvents.tags, `${AGENT_VERSION_TAG}:${plan.agentVersion}`];
  let best: DeployEvent | undefined;
  for (const e of events) {
    if (!wanted.every((t) => e.tags.includes(t))) continue;
    if (best === undefined || e.happenedAtMs > best.happenedAtMs || (e.happenedAtMs === best.happenedAtMs && compareIds(e.id, best.id) > 0)) best = e;
  }
  return best;
}

/** 1. Soak time: the batch's latest deploy start is at least its soak hours ago (compared in exact milliseconds). */
export function soakCheck(plan: GatePlan, events: Fetched<readonly DeployEvent[]>): CheckResult {
  const soak = plan.settings.soakHours;
  const query = `events with tags ${[...plan.deployEvents.tags, `${AGENT_VERSION_TAG}:${plan.agentVersion}`].join(',')}`;
  const base = { id: 'soak' as const, title: 'Soak time', threshold: soak, comparator: '>=' as const, unit: 'h' };
  if (!events.ok) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `could not read the deploy-start events: ${events.error}`,
      measurements: [{ label: 'deploy-start event', query, window: plan.deployEvents.window, value: null, unit: 'h', error: events.error }],
      details: [],
    };
  }
  const start = latestDeployStart(plan, events.value);
  if (start === undefined) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `no deploy-start event of agent ${plan.agentVersion} for this batch in the searched window; the soak time is unknown`,
      measurements: [{ label: 'deploy-start event', query, window: plan.deployEvents.window, value: null, unit: 'h', error: 'no matching event' }],
      details: [],
    };
  }
  const elapsedMs = plan.nowMs - start.happenedAtMs;
  const soakMs = Exact.of(soak).mul(Exact.int(HOUR));
  const ok = Exact.int(elapsedMs).cmp(soakMs) >= 0;
  const hours = Exact.ratio(elapsedMs, HOUR).toNumber();
  const readyAt = new Date(start.happenedAtMs + soakMs.toNumber()).toISOString();
  return {
    ...base,
    status: ok ? 'pass' : 'fail',
    observed: hours,
    summary: ok
      ? `${fmtDuration(elapsedMs)} since the batch's deploy start, at least the ${fmt(soak)} h soak time`
      : `only ${fmtDuration(elapsedMs)} since the batch's deploy start; the soak time is ${fmt(soak)} h (soaked at ${readyAt})`,
    measurements: [{ label: 'hours since deploy start', query, window: plan.deployEvents.window, value: hours, unit: 'h' }],
    details: [`deploy start: ${new Date(start.happenedAtMs).toISOString()} (event ${start.id}: ${printable(start.title)})`, `soaked at: ${readyAt}`],
  };
}

// ---------------------------------------------------------------- coverage

/** What one host's `datadog.agent.running` series said over the coverage window. */
export interface HostPresence {
  /** Version of its latest non-empty point (ties: the higher version, compared as versions: agents are never downgraded). */
  readonly version: string;
  readonly latestMs: number;
  /** How much of the window its points cover, ms (each point stands for its rollup interval, at least `spanFloorMs`). */
  readonly presentMs: number;
}

/**
 * Host -> its latest version and how much of `window` it reported through.
 * Only points with a value above 0 count; series without a host or version tag are ignored.
 */
export function agentPresence(series: readonly Series[], window: Window, spanFloorMs: number = GATE_DEFAULTS.coveragePointSpanMs): Map<string, HostPresence> {
  const byHost = new Map<string, { version: string; latestMs: number; spans: Array<[number, number]> }>();
  for (const s of series) {
    const host = tagValue(s.tags, 'host');
    const version = tagValue(s.tags, 'version');
    if (host === undefined || version === undefined) continue;
    const span = Math.max(s.intervalMs ?? 0, spanFloorMs);
    for (const [t, v] of s.points) {
      if (v === null || !(v > 0)) continue;
      let cur = byHost.get(host);
      if (cur === undefined) {
        cur = { version, latestMs: t, spans: [] };
        byHost.set(host, cur);
      } else if (t > cur.latestMs || (t === cur.latestMs && compareVersions(version, cur.version) > 0)) {
        cur.version = version;
        cur.latestMs = t;
      }
      cur.spans.push([Math.max(t, window.fromMs), Math.min(t + span, window.toMs)]);
    }
  }
  return new Map([...byHost].map(([h, x]) => [h, { version: x.version, latestMs: x.latestMs, presentMs: unionLength(x.spans) }]));
}

/** Host -> version of its latest non-empty `datadog.agent.running` point. */
export function agentVersionsByHost(series: readonly Series[], window: Window = { fromMs: -Infinity, toMs: Infinity }): Map<string, string> {
  return new Map([...agentPresence(series, window)].map(([h, p]) => [h, p.version]));
}

/**
 * 2. Coverage: at least (100 - maxFailedHostsPercent)% of the batch's hosts
 * (the inventory's, by name) report the stage's agent version, each through at
 * least half the window. Hosts not in the batch's inventory never count, so a
 * stray or renamed host cannot make up for a silent batch host.
 */
export function coverageCheck(plan: GatePlan, obs: MetricObservation): CheckResult {
  const required = plan.settings.requiredCoveragePercent;
  const expected = plan.batchHosts.length;
  const base = { id: 'coverage' as const, title: 'Coverage', threshold: required, comparator: '>=' as const, unit: '%' };
  const m = (value: number | null, extra: Partial<Measurement> = {}): Measurement => ({
    label: obs.query.label,
    query: obs.query.query,
    window: obs.query.window,
    value,
    unit: 'hosts',
    ...extra,
  });
  if (!obs.result.ok) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `could not query the agents: ${obs.result.error}`,
      measurements: [m(null, { error: obs.result.error })],
      details: [],
    };
  }
  if (expected === 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: 'the batch has no hosts; there is nothing to measure',
      measurements: [m(null)],
      details: [],
    };
  }
  const window = obs.query.window;
  const windowMs = window.toMs - window.fromMs;
  const presence = agentPresence(obs.result.value, window);
  const points = countPoints(obs.result.value);
  if (presence.size === 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `no agent of the batch reported in the last ${plan.settings.coverageWindowMinutes} minutes (empty series): no data, not a measurement`,
      measurements: [m(null, { points, error: 'empty series' })],
      details: [`expected ${expected} hosts: ${plan.batchHosts.join(', ')}`],
    };
  }
  const inBatch = new Set(plan.batchHosts);
  const minPresence = Exact.ratio(plan.settings.coverageMinPresencePercent, 100);
  const presentEnough = (p: HostPresence): boolean => Exact.int(p.presentMs).cmp(minPresence.mul(Exact.int(windowMs))) >= 0;
  const share = (p: HostPresence): string => `${fmt(windowMs > 0 ? (100 * p.presentMs) / windowMs : 0, 0)}% of the window`;
  const counted: string[] = [];
  const silent: string[] = [];
  const older: Array<[string, string]> = [];
  const newer: Array<[string, string]> = [];
  const missing: string[] = [];
  for (const h of plan.batchHosts) {
    const p = presence.get(h);
    if (p === undefined) missing.push(h);
    else if (!sameVersion(p.version, plan.agentVersion)) (compareVersions(p.version, plan.agentVersion) < 0 ? older : newer).push([h, p.version]);
    else if (!presentEnough(p)) silent.push(`${h} (${share(p)})`);
    else counted.push(h);
  }
  const strays = [...presence]
    .filter(([h]) => !inBatch.has(h))
    .map(([h, p]) => `${printable(h)} ${printable(p.version)}`)
    .sort();
  const byVersion = (a: [string, string], b: [string, string]): number => compareVersions(a[1], b[1]) || cmp(a[0], b[0]);
  const exactPercent = Exact.ratio(100 * counted.length, expected);
  const requiredExact = Exact.int(100).sub(Exact.of(plan.settings.maxFailedHostsPercent));
  const ok = exactPercent.cmp(requiredExact) >= 0;
  const percent = exactPercent.toNumber();
  const minShare = plan.settings.coverageMinPresencePercent;
  const details = [
    `expected hosts in the batch (inventory): ${expected}`,
    `on ${plan.agentVersion} through at least ${minShare}% of the window: ${counted.length}${counted.length > 0 ? ` (${counted.join(', ')})` : ''}`,
    ...(silent.length > 0 ? [`on ${plan.agentVersion} but silent for most of the window (not counted): ${silent.join(', ')}`] : []),
    ...(older.length > 0
      ? [
          `on an older version: ${older
            .sort(byVersion)
            .map(([h, v]) => `${h} ${printable(v)}`)
            .join(', ')}`,
        ]
      : []),
    ...(newer.length > 0
      ? [
          `on a newer version: ${newer
            .sort(byVersion)
            .map(([h, v]) => `${h} ${printable(v)}`)
            .join(', ')}`,
        ]
      : []),
    ...(missing.length > 0 ? [`batch hosts not reporting under their inventory name: ${missing.join(', ')}`] : []),
    ...(strays.length > 0 ? [`reporting but not in the batch's inventory (not counted): ${strays.join(', ')}`] : []),
  ];
  return {
    ...base,
    status: ok ? 'pass' : 'fail',
    observed: percent,
    summary:
      `${fmtVs(percent, required)}% of the batch's hosts (${counted.length}/${expected}) report agent ${plan.agentVersion} through at least ${minShare}% of the window; ` +
      `${ok ? 'at least' : 'below'} the required ${fmt(required, 6)}%`,
    measurements: [m(counted.length, { points })],
    details,
  };
}

// ---------------------------------------------------------------- monitors

/** Monitors carrying every tag of the filter (the API's filter is applied again, whatever its semantics). */
export function monitorsWithTags(monitors: readonly MonitorState[], tags: readonly string[]): MonitorState[] {
  return monitors.filter((mon) => tags.every((t) => mon.tags.includes(t))).sort((a, b) => a.id - b.id);
}

/** The mutes of a monitor in force at `nowMs`. */
export function activeMutes(mon: MonitorState, nowMs: number): MonitorMute[] {
  const active = (mon.mutes ?? []).filter((x) => (x.startMs === null || x.startMs <= nowMs) && (x.endMs === null || x.endMs > nowMs));
  // A v1 downtime shows twice (matching_downtimes and options.silenced): keep the downtime.
  const downtimes = active.filter((x) => x.kind === 'downtime');
  return [...downtimes, ...active.filter((x) => x.kind === 'silenced' && !downtimes.some((d) => d.scope === x.scope && d.endMs === x.endMs))];
}

function describeMute(x: MonitorMute): string {
  const what = x.kind === 'downtime' ? `downtime ${x.id ?? '?'}` : 'silenced';
  return `${what}, scope ${printable(x.scope)}, ${x.endMs === null ? 'no end' : `until ${new Date(x.endMs).toISOString()}`}`;
}

/**
 * 3./5. None of the monitors with these tags is in Alert (muted or not: a
 * muted monitor still evaluates, it only does not notify); none found, or any
 * without data, is inconclusive. Muted monitors are shown as muted.
 */
export function monitorsCheck(
  id: 'rollout-monitors' | 'security-monitors' | 'app-error-monitors',
  title: string,
  obs: MonitorObservation,
  nowMs: number,
): CheckResult {
  const query = `monitors with tags ${obs.tags.join(',')}`;
  const base = { id, title, threshold: 0, comparator: '<=' as const, unit: 'monitors in Alert' };
  if (!obs.result.ok) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `could not read the monitors: ${obs.result.error}`,
      measurements: [{ label: 'monitors in Alert', query, window: null, value: null, unit: 'monitors', error: obs.result.error }],
      details: [],
    };
  }
  const all = monitorsWithTags(obs.result.value, obs.tags);
  const alert = all.filter((x) => BLOCKING_MONITOR_STATES.includes(x.state));
  const unknown = all.filter((x) => UNKNOWN_MONITOR_STATES.includes(x.state));
  const muted = all.filter((x) => activeMutes(x, nowMs).length > 0);
  const isMuted = (x: MonitorState): boolean => muted.includes(x);
  const name = (x: MonitorState): string => `${x.id} "${printable(x.name)}"${isMuted(x) ? ' (muted)' : ''}`;
  const describe = (x: MonitorState): string => {
    const mutes = activeMutes(x, nowMs);
    return `monitor ${x.id} "${printable(x.name)}": ${printable(x.state)}${mutes.length > 0 ? `, muted (${mutes.map(describeMute).join('; ')})` : ''}`;
  };
  const details = all.map(describe);
  const mutedNote = muted.length > 0 ? `; muted: ${muted.map((x) => `${x.id} "${printable(x.name)}"`).join(', ')}` : '';
  const measurements: Measurement[] = [{ label: 'monitors in Alert', query, window: null, value: alert.length, unit: 'monitors' }];
  if (alert.length > 0) {
    return {
      ...base,
      status: 'fail',
      observed: alert.length,
      summary: `${alert.length} of ${plural(all.length, 'monitor')} in Alert: ${alert.map(name).join(', ')}`,
      measurements,
      details,
    };
  }
  if (all.length === 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `no monitor carries the tags ${obs.tags.join(', ')}; nothing watches this (are the observability stacks deployed?)`,
      measurements: [{ ...measurements[0], value: null, error: 'no monitors found' }],
      details,
    };
  }
  if (unknown.length > 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: 0,
      summary: `none in Alert, but ${unknown.length} of ${plural(all.length, 'monitor')} cannot tell (${unknown.map((x) => `${x.id} ${printable(x.state)}`).join(', ')})${mutedNote}`,
      measurements,
      details,
    };
  }
  return { ...base, status: 'pass', observed: 0, summary: `none of ${plural(all.length, 'monitor')} in Alert${mutedNote}`, measurements, details };
}

// ---------------------------------------------------------------- degradation

/** Mean of the non-empty points of every series, and how many there were (the mean as a double, for display). */
export function seriesMean(series: readonly Series[]): { mean: number | null; points: number } {
  const { mean, points } = exactSeriesMean(series);
  return { mean: mean === null ? null : mean.toNumber(), points };
}

/** Exact mean of the non-empty points of every series (null when there are none). */
export function exactSeriesMean(series: readonly Series[]): { mean: Exact | null; points: number } {
  const values: number[] = [];
  for (const s of series) for (const [, v] of s.points) if (v !== null && Number.isFinite(v)) values.push(v);
  return { mean: values.length === 0 ? null : exactSum(values).div(Exact.int(values.length)), points: values.length };
}

/** Relative change from `baseline` to `value`, in percent (null when only the baseline is zero). */
export function percentChange(value: number, baseline: number): number | null {
  const c = exactPercentChange(Exact.of(value), Exact.of(baseline));
  return c === null ? null : c.toNumber();
}

function exactPercentChange(value: Exact, baseline: Exact): Exact | null {
  if (baseline.isZero()) return value.isZero() ? Exact.int(0) : null;
  return value.sub(baseline).div(baseline).mul(Exact.int(100));
}

/** The non-empty points of `series` grouped by their `service` tag (`''`: series without one). */
export function seriesByService(series: readonly Series[]): Map<string, Series[]> {
  const out = new Map<string, Series[]>();
  for (const s of series) {
    const service = tagValue(s.tags, SERVICE_TAG) ?? '';
    const list = out.get(service);
    if (list) list.push(s);
    else out.set(service, [s]);
  }
  return out;
}

/** One service compared: its means on both sides and the outcome. */
interface ServiceComparison {
  readonly service: string;
  readonly batch: { readonly mean: Exact; readonly points: number };
  readonly baseline: { readonly mean: Exact; readonly points: number };
  /** Relative change in percent (null: from a zero baseline). */
  readonly change: Exact | null;
  /** Batch minus baseline. */
  readonly diff: Exact;
  readonly worse: boolean;
}

/** Whether `a` is a worse outcome than `b`: failing first, then the larger relative change (from zero is the largest), then the larger difference. */
function worseThan(a: ServiceComparison, b: ServiceComparison): boolean {
  if (a.worse !== b.worse) return a.worse;
  if (a.change === null || b.change === null) {
    if (a.change === null && b.change !== null) return true;
    if (a.change !== null && b.change === null) return false;
  } else {
    const c = a.change.cmp(b.change);
    if (c !== 0) return c > 0;
  }
  const d = a.diff.cmp(b.diff);
  return d !== 0 ? d > 0 : a.service < b.service;
}

/**
 * 4. Degradation of one signal: per service (the queries group by service),
 * each service present on both sides is compared with itself, and the worst
 * one decides: the batch is worse than its baseline by more than the stage's
 * threshold (relative). A service needs the minimum number of data points on
 * both sides to be compared; services on one side only are listed, not
 * compared (their traffic has no counterpart). For the error rate an increase
 * below the floor (in percentage points) is never a regression.
 */
export function degradationCheck(plan: GatePlan, signal: 'error-rate' | 'latency', cmpObs: Comparison | undefined, reasonMissing?: string): CheckResult {
  const id = signal === 'error-rate' ? ('degradation-error-rate' as const) : ('degradation-latency' as const);
  const latency = latencyLabel(plan.signals.latency);
  const title = signal === 'error-rate' ? 'Degradation: error rate' : `Degradation: ${latency}`;
  const threshold = plan.settings.degradationThresholdPercent;
  const unit = signal === 'error-rate' ? 'ratio' : 's';
  const base = { id, title, threshold, comparator: '<=' as const, unit: '% change' };
  if (cmpObs === undefined) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `not compared: ${reasonMissing ?? 'the comparison window is unknown'}`,
      measurements: [],
      details: [`baseline: ${plan.settings.baseline}`],
    };
  }
  const whole = (o: MetricObservation): Measurement => {
    if (!o.result.ok) return { label: o.query.label, query: o.query.query, window: o.query.window, value: null, unit, error: o.result.error };
    const { mean, points } = exactSeriesMean(o.result.value);
    return { label: o.query.label, query: o.query.query, window: o.query.window, value: mean === null ? null : mean.toNumber(), unit, points };
  };
  const details = [`baseline: ${plan.settings.baseline}`];
  const failed = [cmpObs.batch, cmpObs.baseline].filter((o) => !o.result.ok).map((o) => `${o.query.label}: ${(o.result as { error: string }).error}`);
  if (failed.length > 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `could not query ${failed.join('; ')}`,
      measurements: [whole(cmpObs.batch), whole(cmpObs.baseline)],
      details,
    };
  }
  const batchSeries = (cmpObs.batch.result as { value: readonly Series[] }).value;
  const baseSeries = (cmpObs.baseline.result as { value: readonly Series[] }).value;
  const batchBy = seriesByService(batchSeries);
  const baseBy = seriesByService(baseSeries);
  const common = [...batchBy.keys()].filter((k) => baseBy.has(k)).sort();
  const onlyBatch = [...batchBy.keys()].filter((k) => !baseBy.has(k) && k !== '').sort();
  const onlyBaseline = [...baseBy.keys()].filter((k) => !batchBy.has(k) && k !== '').sort();
  const oneSided = [
    ...(onlyBatch.length > 0 ? [`services only in the batch (not compared): ${onlyBatch.join(', ')}`] : []),
    ...(onlyBaseline.length > 0 ? [`services only in the baseline (not compared): ${onlyBaseline.join(', ')}`] : []),
  ];
  const min = plan.settings.minDataPoints;
  const limit = Exact.of(threshold);
  const compared: ServiceComparison[] = [];
  const sparse: string[] = [];
  const zeroBaseline: string[] = [];
  for (const service of common) {
    const b = exactSeriesMean(batchBy.get(service) as Series[]);
    const r = exactSeriesMean(baseBy.get(service) as Series[]);
    if (b.points < min || r.points < min || b.mean === null || r.mean === null) {
      sparse.push(`${service === '' ? '(no service tag)' : service}: batch ${b.points}, baseline ${r.points}`);
      continue;
    }
    const change = exactPercentChange(b.mean, r.mean);
    const diff = b.mean.sub(r.mean);
    if (signal === 'latency' && (change === null || r.mean.sign() <= 0)) {
      zeroBaseline.push(service);
      continue;
    }
    const worse =
      signal === 'error-rate'
        ? (change === null ? diff.sign() > 0 : change.cmp(limit) > 0) && diff.cmp(Exact.of(ERROR_RATE_FLOOR)) > 0
        : (change as Exact).cmp(limit) > 0;
    compared.push({ service, batch: { mean: b.mean, points: b.points }, baseline: { mean: r.mean, points: r.points }, change, diff, worse });
  }
  const notCompared = [
    ...(sparse.length > 0 ? [`not compared, fewer than ${min} data points on a side: ${sparse.join('; ')}`] : []),
    ...(zeroBaseline.length > 0 ? [`not compared, zero baseline latency: ${zeroBaseline.join(', ')}`] : []),
  ];
  if (compared.length === 0) {
    const measurements = [whole(cmpObs.batch), whole(cmpObs.baseline)];
    const inconclusive = (summary: string): CheckResult => ({
      ...base,
      status: 'inconclusive',
      observed: null,
      summary,
      measurements,
      details: [...details, ...oneSided],
    });
    if (zeroBaseline.length > 0 && sparse.length === 0) return inconclusive('the baseline latency is zero; no relative comparison is possible');
    if (common.length === 0 && countPoints(batchSeries) > 0 && countPoints(baseSeries) > 0) {
      return inconclusive(
        `no service reports on both sides to compare (batch: ${[...batchBy.keys()].sort().join(', ') || 'none'}; baseline: ${[...baseBy.keys()].sort().join(', ') || 'none'})`,
      );
    }
    if (common.length <= 1) {
      const service = common[0];
      const b = service === undefined ? countPoints(batchSeries) : exactSeriesMean(batchBy.get(service) as Series[]).points;
      const r = service === undefined ? countPoints(baseSeries) : exactSeriesMean(baseBy.get(service) as Series[]).points;
      const where = service === undefined || service === '' ? '' : ` in service ${service}`;
      return inconclusive(`too few data points to compare${where} (batch ${b}, baseline ${r}; at least ${min} each are required)`);
    }
    return inconclusive(`too few data points to compare in any service present on both sides (${sparse.join('; ')}; at least ${min} each are required)`);
  }
  const ranked = [...compared].sort((a, b) => (worseThan(a, b) ? -1 : worseThan(b, a) ? 1 : 0));
  const worst = ranked[0];
  const describe = (c: ServiceComparison): string => {
    const changeNum = c.change === null ? null : c.change.toNumber();
    if (signal === 'error-rate') {
      return (
        `error rate ${fmtPct(c.batch.mean.toNumber())} in the batch vs ${fmtPct(c.baseline.mean.toNumber())} baseline ` +
        `(${changeNum === null ? 'baseline zero' : `${signedVs(changeNum, threshold)}%`}, ${signed(c.diff.mul(Exact.int(100)).toNumber(), 3)} pp)`
      );
    }
    return `${latency} ${fmtSeconds(c.batch.mean.toNumber())} in the batch vs ${fmtSeconds(c.baseline.mean.toNumber())} baseline (${signedVs(changeNum as number, threshold)}%)`;
  };
  const verdictText = (c: ServiceComparison): string => (c.worse ? `worse by more than ${fmt(threshold)}%` : `within ${fmt(threshold)}%`);
  const where = worst.service === '' ? '' : ` for service ${worst.service}${compared.length > 1 ? `, the worst of ${compared.length} services compared` : ''}`;
  const measure = (c: ServiceComparison): Measurement[] => {
    const suffix = c.service === '' ? '' : ` (${SERVICE_TAG}:${c.service})`;
    return [
      {
        label: `${cmpObs.batch.query.label}${suffix}`,
        query: cmpObs.batch.query.query,
        window: cmpObs.batch.query.window,
        value: c.batch.mean.toNumber(),
        unit,
        points: c.batch.points,
      },
      {
        label: `${cmpObs.baseline.query.label}${suffix}`,
        query: cmpObs.baseline.query.query,
        window: cmpObs.baseline.query.window,
        value: c.baseline.mean.toNumber(),
        unit,
        points: c.baseline.points,
      },
    ];
  };
  const perService =
    compared.length === 1 && worst.service === '' ? [] : ranked.map((c) => `service ${c.service || '(no service tag)'}: ${describe(c)}: ${verdictText(c)}`);
  const floorNote = signal === 'error-rate' ? [`increases below ${plan.settings.errorRateFloorPercentagePoints} percentage points are not regressions`] : [];
  return {
    ...base,
    status: worst.worse ? 'fail' : 'pass',
    observed: worst.change === null ? null : worst.change.toNumber(),
    summary: `${describe(worst)}${where}: ${verdictText(worst)}`,
    measurements: ranked.flatMap(measure),
    details: [...details, ...floorNote, ...perService, ...notCompared, ...oneSided],
  };
}

// ---------------------------------------------------------------- downtimes

/**
 * 8. Downtimes on the gate's monitors (v2 downtimes in force, matched by
 * monitor id or monitor tags; the group scope is not evaluated, so one that
 * may silence some groups counts).
 *
 * - One covering a rollback trigger (error rate, latency, security,
 *   application errors: the monitors that must page when the batch hurts)
 *   fails the gate: while it holds, a regression pages nobody, so the soak
 *   was not watched; the rollout waits until it is removed and the batch has
 *   been watched. A downtime does not change a monitor's state (Datadog
 *   docs, Downtimes: "do not prevent monitor states transitions"), so the
 *   monitor checks still decide on what the monitors see.
 * - One covering only agent-health monitors (e.g. a quiet-restart downtime
 *   `rollout downtime cancel` could not remove) is reported, and passes: the
 *   gate reads those monitors' states itself, and the downtime ends on its own
 *   within MAX_QUIET_MINUTES.
 * - Downtimes or monitors that could not be read: inconclusive (a silenced
 *   trigger cannot be ruled out).
 */
export function downtimesCheck(downtimes: Fetched<readonly Downtime[]>, monitors: readonly MonitorObservation[], nowMs: number): CheckResult {
  const base = {
    id: 'downtimes' as const,
    title: 'Downtimes on the gate monitors',
    threshold: 0,
    comparator: '<=' as const,
    unit: 'rollback-trigger monitors under a downtime',
  };
  const query = 'GET /api/v2/downtime?current_only=true';
  const measurement = (value: number | null, error?: string): Measurement[] => [
    { label: 'rollback-trigger monitors under a downtime', query, window: null, value, unit: 'monitors', ...(error !== undefined ? { error } : {}) },
  ];
  if (!downtimes.ok) {
    const why = `could not read the downtimes: ${downtimes.error}`;
    return { ...base, status: 'inconclusive', observed: null, summary: why, measurements: measurement(null, why), details: [] };
  }
  // Monitors that could not be read already make their own check inconclusive; their downtimes are not known.
  const unread = monitors.filter((o) => !o.result.ok).map((o) => `monitors with tags ${o.tags.join(',')} could not be read: their downtimes are not known`);
  const all = new Map<number, MonitorState>();
  for (const o of monitors) if (o.result.ok) for (const m of monitorsWithTags(o.result.value, o.tags)) all.set(m.id, m);
  const active = downtimes.value.filter((d) => inForce(d, nowMs));
  const triggers: string[] = [];
  const health: string[] = [];
  const details: string[] = [];
  for (const d of active) {
    const covered = [...all.values()].filter((m) => coversMonitor(d, m)).sort((a, b) => a.id - b.id);
    if (covered.length === 0) continue;
    const trig = covered.filter((m) => ROLLBACK_TRIGGER_CHECKS.includes(checkKindOf(m.tags) as never));
    const names = (ms: MonitorState[]): string => ms.map((m) => `${m.id} "${printable(m.name)}"`).join(', ');
    if (trig.length > 0) triggers.push(...trig.map((m) => `${m.id}`));
    else health.push(...covered.map((m) => `${m.id}`));
    const kinds = [...new Set(covered.map((m) => checkKindOf(m.tags) ?? 'untagged'))].sort().join(', ');
    details.push(`${describeDowntime(d)} covers ${names(covered)} (${kinds})${trig.length > 0 ? ': a rollback trigger is silenced' : ''}`);
  }
  const triggerCount = new Set(triggers).size;
  if (triggerCount > 0) {
    return {
      ...base,
      status: 'fail',
      observed: triggerCount,
      summary: `${plural(triggerCount, 'rollback-trigger monitor')} under a downtime: a regression during the soak paged nobody; remove the downtime (and let the batch soak watched) before going on`,
      measurements: measurement(triggerCount),
      details: [...details.sort(), ...unread],
    };
  }
  const healthCount = new Set(health).size;
  return {
    ...base,
    status: 'pass',
    observed: 0,
    summary:
      healthCount === 0
        ? `no downtime in force covers the gate's monitors (${plural(active.length, 'downtime')} in force in the organization)`
        : `warning: ${plural(healthCount, 'agent-health monitor')} (${QUIET_RESTART_CHECKS.join(', ')}) under a downtime, no rollback trigger; the gate reads their states itself`,
    measurements: measurement(0),
    details: [...details.sort(), ...unread],
  };
}

// ---------------------------------------------------------------- all checks

/** Run every check on the observations; results in report order. */
export function evaluateChecks(plan: GatePlan, obs: Observations): CheckResult[] {
  const start = obs.deployEvents.ok ? latestDeployStart(plan, obs.deployEvents.value) : undefined;
  const missing = !obs.deployEvents.ok
    ? `the deploy-start events could not be read (${obs.deployEvents.error})`
    : start === undefined
      ? 'no deploy-start event, so the window since the upgrade is unknown'
      : undefined;
  return [
    soakCheck(plan, obs.deployEvents),
    coverageCheck(plan, obs.agentRunning),
    monitorsCheck('rollout-monitors', 'Rollout monitors', obs.rolloutMonitors, plan.nowMs),
    monitorsCheck('security-monitors', 'Security-signal monitors', obs.securityMonitors, plan.nowMs),
    degradationCheck(plan, 'error-rate', obs.errorRate, missing),
    degradationCheck(plan, 'latency', obs.latency, missing),
    monitorsCheck('app-error-monitors', 'Application error monitors', obs.appErrorMonitors, plan.nowMs),
    downtimesCheck(obs.downtimes, [obs.rolloutMonitors, obs.securityMonitors, obs.appErrorMonitors], plan.nowMs),
  ];
}

// ---------------------------------------------------------------- formatting helpers (shared with gate-report.ts); display only

/** A window as `from .. to` in ISO 8601 UTC. */
export function fmtWindow(w: Window | null): string {
  return w === null ? 'current state' : `${new Date(w.fromMs).toISOString()} .. ${new Date(w.toMs).toISOString()}`;
}

/** A number without trailing zeros, at most `digits` decimals. */
export function fmt(x: number, digits = 2): string {
  return String(round(x, digits));
}

/**
 * `x` for display next to the limit it was compared with: with as many
 * decimals as it takes (up to 12) for a value that differs from the limit not
 * to look equal to it (98.995% against 99% shows as 98.995, not 99).
 */
export function fmtVs(x: number, limit: number, digits = 2): string {
  if (x === limit) return fmt(x, digits);
  for (let d = digits; d <= 12; d++) if (round(x, d) !== round(limit, d)) return String(round(x, d));
  return String(x);
}

/** A duration, truncated (never overstated): `49 h`, `47 h 59 min 59 s`. */
export function fmtDuration(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  const s = Math.floor(rest / 1000);
  const parts = [`${h} h`, ...(min > 0 || s > 0 ? [`${min} min`] : []), ...(s > 0 ? [`${s} s`] : [])];
  return `${neg ? '-' : ''}${parts.join(' ')}`;
}

function signed(x: number, digits = 2): string {
  const r = round(x, digits);
  return r > 0 ? `+${r}` : String(r);
}

function signedVs(x: number, limit: number): string {
  const text = fmtVs(x, limit);
  return Number(text) > 0 ? `+${text}` : text;
}

function fmtPct(ratio: number): string {
  return `${fmt(ratio * 100, 3)}%`;
}

function fmtSeconds(s: number): string {
  return s < 1 ? `${fmt(s * 1000, 1)} ms` : `${fmt(s, 3)} s`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function tagValue(tags: readonly string[], key: string): string | undefined {
  const t = tags.find((x) => x.startsWith(`${key}:`));
  return t === undefined ? undefined : t.slice(key.length + 1);
}

function countPoints(series: readonly Series[]): number {
  return series.reduce((n, s) => n + s.points.filter(([, v]) => v !== null).length, 0);
}

/** Total length of the union of `[from, to)` spans (empty ones ignored). */
function unionLength(spans: Array<[number, number]>): number {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curFrom = -Infinity;
  let curTo = -Infinity;
  for (const [a, b] of sorted) {
    if (a > curTo) {
      if (curTo > curFrom) total += curTo - curFrom;
      curFrom = a;
      curTo = b;
    } else if (b > curTo) curTo = b;
  }
  if (curTo > curFrom) total += curTo - curFrom;
  return total;
}

/** Event ids compare as numbers when both are (as the API issues them), else by code points. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return cmp(a, b);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
