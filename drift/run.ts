/**
 * One drift run: read what Datadog holds for a stage (through an injected
 * MonitorReadApi & ObjectReadApi, so tests use the fake API or a stub),
 * compare it with the plan (monitors, SLOs, dashboards), build the report.
 * Fail closed: any read that fails after retries makes the run throw, and the
 * command reports drift as unknown (never "no drift").
 */
import { MANAGED_BY_TAG } from '../model/names';
import { envTag } from '../model/signals';
import type { MonitorReadApi, ObjectReadApi } from '../gate/datadog-client';
import type { StagePlan } from '../plan/monitoring/planned';
import { compareMonitors, DRIFT_KINDS, DriftObject, Finding } from './compare';
import { compareDashboards, LiveDashboard, parseDashboardList, parseLiveDashboard } from './dashboard';
import { LiveMonitor, parseLiveMonitor, parseLiveMonitors } from './live';
import { compareSlos, LiveSlo, parseLiveSloList, parseLiveSloResponse } from './slo';
import type { DriftState } from './state';

/** Counts of one kind of object. */
export interface ObjectCounts {
  readonly declared: number;
  /** Declared and found live as declared. */
  readonly inSync: number;
  /** Live objects read. */
  readonly liveRead: number;
}

export interface DriftReport {
  readonly kind: 'observability-rollout/drift-report';
  readonly version: 2;
  readonly stage: string;
  readonly drift: boolean;
  readonly checkedAt: string;
  readonly apiUrl: string;
  /** Where matching came from: the state file, or names and tags only. */
  readonly matchedBy: 'state' | 'names';
  readonly stateFile: string | null;
  readonly toolVersion: string;
  readonly configCommit: string | null;
  /** Findings by kind. */
  readonly counts: Readonly<Record<string, number>>;
  /** Totals over monitors, SLOs and dashboards. */
  readonly declared: number;
  readonly inSync: number;
  readonly liveRead: number;
  /** The same, per kind of object. */
  readonly objects: Readonly<Record<DriftObject, ObjectCounts>>;
  /** Monitors, then SLOs, then dashboards. */
  readonly findings: readonly Finding[];
}

export interface DriftRunOptions {
  readonly api: MonitorReadApi & ObjectReadApi;
  readonly stage: string;
  readonly plan: Pick<StagePlan, 'monitors' | 'slos' | 'dashboards'>;
  readonly state?: { readonly file: string } & DriftState;
  readonly nowMs: number;
  readonly apiUrl: string;
  readonly toolVersion: string;
  readonly configCommit: string | null;
  readonly progress: (line: string) => void;
}

const s = (n: number, word: string, plural = `${word}s`): string => `${n} ${n === 1 ? word : plural}`;

/** Read, compare, report. Throws when Datadog could not be read. */
export async function runDrift(o: DriftRunOptions): Promise<DriftReport> {
  const { stage, progress } = o;
  const [monitors, slos, dashboards] = await settled([readMonitors(o), readSlos(o), readDashboards(o)] as const);
  progress(
    `drift: read ${s(monitors.live.length, 'monitor')}, ${s(slos.live.length, 'SLO')}, ${s(dashboards.live.length, 'dashboard')}; ` +
      `${o.plan.monitors.length + o.plan.slos.length + o.plan.dashboards.length} declared${o.state ? `, ${o.state.monitors.length + o.state.slos.length + o.state.dashboards.length} in the state` : ''}`,
  );
  // Monitor SLOs name monitors' live ids and burn-rate alerts SLOs' live ids: monitors are matched first (matching needs no SLO),
  // then SLOs compared with the monitors' ids, then monitors compared with the SLOs' ids.
  const monitorInput = { stage, planned: o.plan.monitors, live: monitors.live, ...(o.state ? { state: o.state.monitors } : {}), gone: monitors.gone };
  const sl = compareSlos({
    stage,
    planned: o.plan.slos,
    live: slos.live,
    ...(o.state ? { state: o.state.slos } : {}),
    gone: slos.gone,
    liveIdOfTeam: compareMonitors(monitorInput).liveIdOfTeam,
  });
  const m = compareMonitors({ ...monitorInput, liveSloIdOf: sl.liveIdOf });
  const d = compareDashboards({
    stage,
    planned: o.plan.dashboards,
    live: dashboards.live,
    ...(o.state ? { state: o.state.dashboards } : {}),
    gone: dashboards.gone,
  });
  const findings = [...m.findings, ...sl.findings, ...d.findings];
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  const objects = {
    monitor: { declared: m.declared, inSync: m.inSync, liveRead: m.liveRead },
    slo: { declared: sl.declared, inSync: sl.inSync, liveRead: sl.liveRead },
    dashboard: { declared: d.declared, inSync: d.inSync, liveRead: d.liveRead },
  };
  const sum = (k: keyof ObjectCounts): number => objects.monitor[k] + objects.slo[k] + objects.dashboard[k];
  return {
    kind: 'observability-rollout/drift-report',
    version: 2,
    stage,
    drift: findings.some((f) => DRIFT_KINDS.includes(f.kind)),
    checkedAt: new Date(o.nowMs).toISOString(),
    apiUrl: o.apiUrl,
    matchedBy: o.state ? 'state' : 'names',
    stateFile: o.state?.file ?? null,
    toolVersion: o.toolVersion,
    configCommit: o.configCommit,
    counts,
    declared: sum('declared'),
    inSync: sum('inSync'),
    liveRead: sum('liveRead'),
    objects,
    findings,
  };
}

/**
 * Every read settled, then the first failure thrown: a run that fails leaves
 * no read behind it still sending requests (Promise.all would return at the
 * first failure while the others go on).
 */
async function settled<T extends readonly unknown[]>(reads: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(reads);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Ids of `ids` not in `have`, read one by one: the live ones, and the ones Datadog answered 404 for. */
async function byId<T, I extends number | string>(
  ids: readonly I[],
  have: ReadonlySet<I>,
  read: (id: I) => Promise<T | undefined>,
): Promise<{ found: T[]; gone: I[] }> {
  const found: T[] = [];
  const gone: I[] = [];
  for (const id of [...ids].filter((x) => !have.has(x)).sort()) {
    const x = await read(id);
    if (x === undefined) gone.push(id);
    else found.push(x);
  }
  return { found, gone };
}

/** Monitors: by the stage's env tag, managed-by (kept when of the stage), the `[<stage>]` name; the state's others by id. */
async function readMonitors(o: DriftRunOptions): Promise<{ live: LiveMonitor[]; gone: number[] }> {
  const { api, stage } = o;
  o.progress(`drift: reading the monitors of stage ${stage}: env tag, managed-by tag, "[${stage}]" names`);
  const [byEnv, byManaged, byName] = await settled([
    api.listMonitorBodies({ monitorTags: [envTag(stage)] }, parseLiveMonitors),
    api.listMonitorBodies({ monitorTags: [MANAGED_BY_TAG] }, parseLiveMonitors),
    api.listMonitorBodies({ name: `[${stage}]` }, parseLiveMonitors),
  ]);
  const live = new Map<number, LiveMonitor>();
  for (const m of [...byEnv, ...byManaged, ...byName]) live.set(m.id, m);
  // The managed-by listing covers every stage: keep this stage's, and any the state names.
  const stateIds = (o.state?.monitors ?? []).map((x) => x.id);
  for (const [id, m] of live) if (!m.tags.includes(envTag(stage)) && !m.name.startsWith(`[${stage}]`) && !stateIds.includes(id)) live.delete(id);
  const rest = await byId(stateIds, new Set(live.keys()), (id) => api.getMonitorBody(id, (b) => parseLiveMonitor(b)));
  if (rest.found.length + rest.gone.length > 0) progress(o, rest.found.length + rest.gone.length, 'monitor');
  for (const m of rest.found) live.set(m.id, m);
  return { live: [...live.values()], gone: rest.gone };
}

/** SLOs: as monitors, `tags_query` one tag at a time (env, managed-by) and `query` the `[<stage>]` name; the state's others by id. */
async function readSlos(o: DriftRunOptions): Promise<{ live: LiveSlo[]; gone: string[] }> {
  const { api, stage } = o;
  o.progress(`drift: reading the SLOs of stage ${stage}: env tag, managed-by tag, "[${stage}]" names`);
  const [byEnv, byManaged, byName] = await settled([
    api.listSloBodies({ tagsQuery: envTag(stage) }, parseLiveSloList),
    api.listSloBodies({ tagsQuery: MANAGED_BY_TAG }, parseLiveSloList),
    api.listSloBodies({ query: `[${stage}]` }, parseLiveSloList),
  ]);
  const live = new Map<string, LiveSlo>();
  for (const x of [...byEnv, ...byManaged, ...byName]) live.set(x.id, x);
  // Each listing is filtered again: the name query's matching is not specified beyond "based on SLO names".
  const stateIds = (o.state?.slos ?? []).map((x) => x.id);
  for (const [id, x] of live) if (!x.tags.includes(envTag(stage)) && !x.name.startsWith(`[${stage}]`) && !stateIds.includes(id)) live.delete(id);
  const rest = await byId(stateIds, new Set(live.keys()), (id) => api.getSloBody(id, parseLiveSloResponse));
  if (rest.found.length + rest.gone.length > 0) progress(o, rest.found.length + rest.gone.length, 'SLO');
  for (const x of rest.found) live.set(x.id, x);
  return { live: [...live.values()], gone: rest.gone };
}

/**
 * Dashboards: the list has no tags and no filter but shared/deleted, so every
 * page is read; those titled `[<stage>] ...` or with a declared title, and the
 * state's, are read by id (their JSON). A listed one that is gone by the time
 * it is read is not there.
 */
async function readDashboards(o: DriftRunOptions): Promise<{ live: LiveDashboard[]; gone: string[] }> {
  const { api, stage } = o;
  o.progress(`drift: reading the dashboards list, then the "[${stage}]" ones`);
  const list = await api.listDashboardBodies(parseDashboardList);
  const titles = new Set(o.plan.dashboards.map((p) => p.title));
  const stateIds = (o.state?.dashboards ?? []).map((x) => x.id);
  const wanted = [...new Set([...list.filter((x) => x.title.startsWith(`[${stage}] `) || titles.has(x.title)).map((x) => x.id), ...stateIds])];
  const read = await byId(wanted, new Set(), (id) => api.getDashboardBody(id, parseLiveDashboard));
  return { live: read.found, gone: read.gone.filter((id) => stateIds.includes(id)) };
}

function progress(o: DriftRunOptions, n: number, what: string): void {
  o.progress(`drift: ${s(n, `${what} of the state`, `${what}s of the state`)} in no listing; read by id`);
}
