/**
 * One gate run: plan, read everything from Datadog (through a GateApi, in
 * parallel where the order allows), evaluate the checks, build the report.
 * The API is an argument, so this runs against a stub as well as against
 * Datadog; the clock value is an argument too.
 */
import type { SignalSettings } from '../model/signals';
import type { Stage } from '../model/stage';
import { evaluateChecks, latestDeployStart } from './checks';
import type { GateApi } from './datadog-client';
import { degradationQueries, planGate } from './gate-plan';
import type { Comparison, Fetched, GateReport, MetricObservation, MetricQuery, MonitorObservation, Observations, Provenance } from './types';
import { buildReport } from './verdict';

export interface GateRunOptions {
  readonly api: GateApi;
  /** The clock value the gate evaluates at (ms since the epoch). */
  readonly nowMs: number;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
  /** For the report (no credentials in it): the API URL the requests go to, where it came from, this tool's version, the configuration's commit. */
  readonly provenance: Provenance;
  readonly soft: boolean;
  /** The APM operation and latency mode of monitors/policy.yaml (default: the policy defaults), so the gate asks what the monitors ask. */
  readonly signals?: SignalSettings;
}

/** Run the gate of `batch` of `stage`. Never throws for an API failure: it becomes an inconclusive check. */
export async function runGate(stage: Stage, batch: number, opts: GateRunOptions): Promise<GateReport> {
  const plan = planGate(stage, batch, opts.nowMs, opts.signals);
  const { api, progress } = opts;
  progress(
    `gate: stage ${plan.stage}, batch ${plan.batch} of ${plan.batchCount} (${plan.batchHosts.length} hosts), agent ${plan.agentVersion}, ` +
      `at ${new Date(plan.nowMs).toISOString()}, against ${opts.provenance.apiUrl}`,
  );

  const metric = (q: MetricQuery): Promise<MetricObservation> => fetched(api.queryMetric(q.query, q.window)).then((result) => ({ query: q, result }));
  const monitors = (tags: readonly string[]): Promise<MonitorObservation> => fetched(api.listMonitors(tags)).then((result) => ({ tags, result }));
  const step = <T>(label: string, p: Promise<T>, describe: (x: T) => string): Promise<T> =>
    p.then((x) => {
      progress(`gate: ${label}: ${describe(x)}`);
      return x;
    });
  const outcome = (r: Fetched<readonly unknown[]>, noun: string): string => (r.ok ? `${r.value.length} ${noun}` : `failed (${r.error})`);

  progress('gate: reading deploy events, agents, monitors');
  const eventsP = step('deploy events', fetched(api.listEvents(plan.deployEvents.tags, plan.deployEvents.window)), (r) => outcome(r, 'events'));
  const coverageP = step('agents', metric(plan.coverage), (o) => outcome(o.result, 'series'));
  const rolloutP = step('rollout monitors', monitors(plan.monitors.rollout), (o) => outcome(o.result, 'monitors'));
  const securityP = step('security monitors', monitors(plan.monitors.security), (o) => outcome(o.result, 'monitors'));
  const appP = step('application error monitors', monitors(plan.monitors.appErrors), (o) => outcome(o.result, 'monitors'));
  const downtimesP = step('downtimes in force', fetched(api.listDowntimes()), (r) => outcome(r, 'downtimes'));

  const comparisonsP = eventsP.then(async (events) => {
    const start = events.ok ? latestDeployStart(plan, events.value) : undefined;
    if (start === undefined) return { errorRate: undefined, latency: undefined };
    const q = degradationQueries(plan, start.happenedAtMs);
    progress('gate: comparing error rate and latency with the baseline');
    const pair = async (x: { batch: MetricQuery; baseline: MetricQuery }): Promise<Comparison> => {
      const [b, r] = await Promise.all([metric(x.batch), metric(x.baseline)]);
      return { batch: b, baseline: r };
    };
    const [errorRate, latency] = await Promise.all([
      step('error rate', pair(q.errorRate), (c) => `${outcome(c.batch.result, 'series')} / ${outcome(c.baseline.result, 'series')}`),
      step('latency', pair(q.latency), (c) => `${outcome(c.batch.result, 'series')} / ${outcome(c.baseline.result, 'series')}`),
    ]);
    return { errorRate, latency };
  });

  const [deployEvents, agentRunning, rolloutMonitors, securityMonitors, appErrorMonitors, comparisons, downtimes] = await Promise.all([
    eventsP,
    coverageP,
    rolloutP,
    securityP,
    appP,
    comparisonsP,
    downtimesP,
  ]);
  const observations: Observations = {
    downtimes,
    deployEvents,
    agentRunning,
    rolloutMonitors,
    securityMonitors,
    appErrorMonitors,
    ...(comparisons.errorRate ? { errorRate: comparisons.errorRate } : {}),
    ...(comparisons.latency ? { latency: comparisons.latency } : {}),
  };
  return buildReport(plan, evaluateChecks(plan, observations), { ...opts.provenance, soft: opts.soft });
}

/** A promise's value, or its error as a message. */
export async function fetched<T>(p: Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
