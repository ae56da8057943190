/**
 * The gate's checks: plain functions from observed data (and the clock value
 * in the plan) to a result. Missing or sparse data, and requests that failed,
 * make a check inconclusive; it never passes without data.
 */
import { AGENT_VERSION_TAG } from '../model/signals';
import type { GatePlan } from './gate-plan';
import type {
  CheckResult,
  Comparison,
  DeployEvent,
  Fetched,
  Measurement,
  MetricObservation,
  MonitorObservation,
  MonitorState,
  Observations,
  Series,
  Window,
} from './types';

const HOUR = 3_600_000;

/** Monitor states that block the rollout. */
export const BLOCKING_MONITOR_STATES: readonly string[] = ['Alert'];
/** Monitor states that mean the monitor could not tell (missing data is never GO). */
export const UNKNOWN_MONITOR_STATES: readonly string[] = ['No Data', 'Unknown', 'Skipped'];

// ---------------------------------------------------------------- soak time

/** The most recent deploy-start event of the plan's agent version, if any. */
export function latestDeployStart(plan: GatePlan, events: readonly DeployEvent[]): DeployEvent | undefined {
  const wanted = [...plan.deployEvents.tags, `${AGENT_VERSION_TAG}:${plan.agentVersion}`];
  let best: DeployEvent | undefined;
  for (const e of events) {
    if (!wanted.every((t) => e.tags.includes(t))) continue;
    if (best === undefined || e.happenedAtMs > best.happenedAtMs || (e.happenedAtMs === best.happenedAtMs && e.id > best.id)) best = e;
  }
  return best;
}

/** 1. Soak time: the batch's latest deploy start is at least its soak hours ago. */
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
  const hours = round((plan.nowMs - start.happenedAtMs) / HOUR, 2);
  const ok = hours >= soak;
  const readyAt = new Date(start.happenedAtMs + soak * HOUR).toISOString();
  return {
    ...base,
    status: ok ? 'pass' : 'fail',
    observed: hours,
    summary: ok
      ? `${fmt(hours, 1)} h since the batch's deploy start, at least the ${fmt(soak)} h soak time`
      : `only ${fmt(hours, 1)} h since the batch's deploy start; the soak time is ${fmt(soak)} h (soaked at ${readyAt})`,
    measurements: [{ label: 'hours since deploy start', query, window: plan.deployEvents.window, value: hours, unit: 'h' }],
    details: [`deploy start: ${new Date(start.happenedAtMs).toISOString()} (event ${start.id}: ${start.title})`, `soaked at: ${readyAt}`],
  };
}

// ---------------------------------------------------------------- coverage

/** Host -> version of its latest non-empty `datadog.agent.running` point. */
export function agentVersionsByHost(series: readonly Series[]): Map<string, string> {
  const latest = new Map<string, { t: number; version: string }>();
  for (const s of series) {
    const host = tagValue(s.tags, 'host');
    const version = tagValue(s.tags, 'version');
    if (host === undefined || version === undefined) continue;
    for (const [t, v] of s.points) {
      if (v === null || !(v > 0)) continue;
      const cur = latest.get(host);
      if (cur === undefined || t > cur.t || (t === cur.t && version > cur.version)) latest.set(host, { t, version });
    }
  }
  return new Map([...latest].map(([h, x]) => [h, x.version]));
}

/** 2. Coverage: at least (100 - maxFailedHostsPercent)% of the batch's hosts report the stage's agent version. */
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
  const versions = agentVersionsByHost(obs.result.value);
  const points = countPoints(obs.result.value);
  if (versions.size === 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `no agent of the batch reported in the last ${plan.settings.coverageWindowMinutes} minutes (empty series): no data, not a measurement`,
      measurements: [m(null, { points, error: 'empty series' })],
      details: [`expected ${expected} hosts: ${plan.batchHosts.join(', ')}`],
    };
  }
  const onTarget = [...versions]
    .filter(([, v]) => v === plan.agentVersion)
    .map(([h]) => h)
    .sort();
  const other = [...versions].filter(([, v]) => v !== plan.agentVersion).sort(([a], [b]) => cmp(a, b));
  const percent = round(Math.min(100, (100 * onTarget.length) / expected), 2);
  const ok = percent >= required;
  const details = [
    `expected hosts in the batch: ${expected}`,
    `on ${plan.agentVersion}: ${onTarget.length}${onTarget.length > 0 ? ` (${onTarget.join(', ')})` : ''}`,
    ...(other.length > 0 ? [`on another version: ${other.map(([h, v]) => `${h} ${v}`).join(', ')}`] : []),
  ];
  const missingByName = plan.batchHosts.filter((h) => !versions.has(h));
  if (missingByName.length > 0 && missingByName.length < expected)
    details.push(`batch hosts not reporting under their inventory name: ${missingByName.join(', ')}`);
  return {
    ...base,
    status: ok ? 'pass' : 'fail',
    observed: percent,
    summary: `${fmt(percent, 2)}% of the batch's hosts (${onTarget.length}/${expected}) report agent ${plan.agentVersion}; ${ok ? 'at least' : 'below'} the required ${fmt(required, 2)}%`,
    measurements: [m(onTarget.length, { points })],
    details,
  };
}

// ---------------------------------------------------------------- monitors

/** Monitors carrying every tag of the filter (the API's filter is applied again, whatever its semantics). */
export function monitorsWithTags(monitors: readonly MonitorState[], tags: readonly string[]): MonitorState[] {
  return monitors.filter((mon) => tags.every((t) => mon.tags.includes(t))).sort((a, b) => a.id - b.id);
}

/** 3./5. None of the monitors with these tags is in Alert; none found, or any without data, is inconclusive. */
export function monitorsCheck(id: 'rollout-monitors' | 'security-monitors' | 'app-error-monitors', title: string, obs: MonitorObservation): CheckResult {
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
  const describe = (x: MonitorState): string => `monitor ${x.id} "${x.name}": ${x.state}`;
  const details = all.map(describe);
  const measurements: Measurement[] = [{ label: 'monitors in Alert', query, window: null, value: alert.length, unit: 'monitors' }];
  if (alert.length > 0) {
    return {
      ...base,
      status: 'fail',
      observed: alert.length,
      summary: `${alert.length} of ${plural(all.length, 'monitor')} in Alert: ${alert.map((x) => `${x.id} "${x.name}"`).join(', ')}`,
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
      summary: `none in Alert, but ${unknown.length} of ${plural(all.length, 'monitor')} cannot tell (${unknown.map((x) => `${x.id} ${x.state}`).join(', ')})`,
      measurements,
      details,
    };
  }
  return { ...base, status: 'pass', observed: 0, summary: `none of ${plural(all.length, 'monitor')} in Alert`, measurements, details };
}

// ---------------------------------------------------------------- degradation

/** Mean of the non-empty points of every series, and how many there were. */
export function seriesMean(series: readonly Series[]): { mean: number | null; points: number } {
  let sum = 0;
  let n = 0;
  for (const s of series) {
    for (const [, v] of s.points) {
      if (v === null || !Number.isFinite(v)) continue;
      sum += v;
      n++;
    }
  }
  return { mean: n === 0 ? null : sum / n, points: n };
}

/** Relative change from `baseline` to `value`, in percent (null when only the baseline is zero). */
export function percentChange(value: number, baseline: number): number | null {
  if (baseline === 0) return value === 0 ? 0 : null;
  return ((value - baseline) / baseline) * 100;
}

/**
 * 4. Degradation of one signal: the batch is worse than its baseline by more
 * than the stage's threshold (relative). Both sides need the minimum number of
 * data points. For the error rate an increase below the floor (in percentage
 * points) is never a regression.
 */
export function degradationCheck(plan: GatePlan, signal: 'error-rate' | 'latency', cmpObs: Comparison | undefined, reasonMissing?: string): CheckResult {
  const id = signal === 'error-rate' ? ('degradation-error-rate' as const) : ('degradation-latency' as const);
  const title = signal === 'error-rate' ? 'Degradation: error rate' : 'Degradation: p95 latency';
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
  const side = (o: MetricObservation): { m: Measurement; mean: number | null; points: number } => {
    if (!o.result.ok) {
      return { m: { label: o.query.label, query: o.query.query, window: o.query.window, value: null, unit, error: o.result.error }, mean: null, points: 0 };
    }
    const { mean, points } = seriesMean(o.result.value);
    return {
      m: { label: o.query.label, query: o.query.query, window: o.query.window, value: mean === null ? null : round(mean, 9), unit, points },
      mean,
      points,
    };
  };
  const b = side(cmpObs.batch);
  const r = side(cmpObs.baseline);
  const measurements = [b.m, r.m];
  const details = [`baseline: ${plan.settings.baseline}`];
  const failed = [cmpObs.batch, cmpObs.baseline].filter((o) => !o.result.ok).map((o) => `${o.query.label}: ${(o.result as { error: string }).error}`);
  if (failed.length > 0) {
    return { ...base, status: 'inconclusive', observed: null, summary: `could not query ${failed.join('; ')}`, measurements, details };
  }
  const min = plan.settings.minDataPoints;
  if (b.points < min || r.points < min || b.mean === null || r.mean === null) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: `too few data points to compare (batch ${b.points}, baseline ${r.points}; at least ${min} each are required)`,
      measurements,
      details,
    };
  }
  const change = percentChange(b.mean, r.mean);
  if (signal === 'error-rate') {
    const diffPp = (b.mean - r.mean) * 100;
    const floor = plan.settings.errorRateFloorPercentagePoints;
    const relWorse = change === null ? b.mean > r.mean : change > threshold;
    const worse = relWorse && diffPp > floor;
    const observed = change === null ? null : round(change, 2);
    const text =
      `error rate ${fmtPct(b.mean)} in the batch vs ${fmtPct(r.mean)} baseline ` +
      `(${change === null ? 'baseline zero' : `${signed(change)}%`}, ${signed(diffPp, 3)} pp)`;
    if (worse) {
      return {
        ...base,
        status: 'fail',
        observed,
        summary: `${text}: worse by more than ${fmt(threshold)}%`,
        measurements,
        details: [...details, `increases below ${floor} percentage points are not regressions`],
      };
    }
    return {
      ...base,
      status: 'pass',
      observed,
      summary: `${text}: within ${fmt(threshold)}%`,
      measurements,
      details: [...details, `increases below ${floor} percentage points are not regressions`],
    };
  }
  if (change === null || r.mean <= 0) {
    return {
      ...base,
      status: 'inconclusive',
      observed: null,
      summary: 'the baseline latency is zero; no relative comparison is possible',
      measurements,
      details,
    };
  }
  const observed = round(change, 2);
  const text = `p95 latency ${fmtSeconds(b.mean)} in the batch vs ${fmtSeconds(r.mean)} baseline (${signed(change)}%)`;
  return observed > threshold
    ? { ...base, status: 'fail', observed, summary: `${text}: worse by more than ${fmt(threshold)}%`, measurements, details }
    : { ...base, status: 'pass', observed, summary: `${text}: within ${fmt(threshold)}%`, measurements, details };
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
    monitorsCheck('rollout-monitors', 'Rollout monitors', obs.rolloutMonitors),
    monitorsCheck('security-monitors', 'Security-signal monitors', obs.securityMonitors),
    degradationCheck(plan, 'error-rate', obs.errorRate, missing),
    degradationCheck(plan, 'latency', obs.latency, missing),
    monitorsCheck('app-error-monitors', 'Application error monitors', obs.appErrorMonitors),
  ];
}

// ---------------------------------------------------------------- formatting helpers (shared with report.ts)

/** A window as `from .. to` in ISO 8601 UTC. */
export function fmtWindow(w: Window | null): string {
  return w === null ? 'current state' : `${new Date(w.fromMs).toISOString()} .. ${new Date(w.toMs).toISOString()}`;
}

/** A number without trailing zeros, at most `digits` decimals. */
export function fmt(x: number, digits = 2): string {
  return String(round(x, digits));
}

function signed(x: number, digits = 2): string {
  const r = round(x, digits);
  return r > 0 ? `+${r}` : String(r);
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

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
