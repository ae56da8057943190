/**
 * One drift run: read what Datadog holds for a stage (through an injected
 * MonitorReadApi, so tests use the fake API or a stub), compare it with the
 * plan, build the report. Fail closed: any read that fails after retries
 * makes the run throw, and the command reports drift as unknown (never "no
 * drift").
 */
import { MANAGED_BY_TAG } from '../model/names';
import { envTag } from '../model/signals';
import type { MonitorReadApi } from '../gate/datadog-client';
import type { PlannedMonitor } from '../plan/monitoring/planned';
import { compareMonitors, DRIFT_KINDS, DriftResult } from './compare';
import { LiveMonitor, parseLiveMonitor, parseLiveMonitors } from './live';
import type { StateMonitor } from './state';

export interface DriftReport extends DriftResult {
  readonly kind: 'observability-rollout/drift-report';
  readonly version: 1;
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
}

export interface DriftRunOptions {
  readonly api: MonitorReadApi;
  readonly stage: string;
  readonly planned: readonly PlannedMonitor[];
  readonly state?: { readonly file: string; readonly monitors: readonly StateMonitor[] };
  readonly nowMs: number;
  readonly apiUrl: string;
  readonly toolVersion: string;
  readonly configCommit: string | null;
  readonly progress: (line: string) => void;
}

/** Read, compare, report. Throws when Datadog could not be read. */
export async function runDrift(o: DriftRunOptions): Promise<DriftReport> {
  const { api, stage, progress } = o;
  progress(`drift: reading the monitors of stage ${stage}: env tag, managed-by tag, "[${stage}]" names`);
  const [byEnv, byManaged, byName] = await Promise.all([
    api.listMonitorBodies({ monitorTags: [envTag(stage)] }, parseLiveMonitors),
    api.listMonitorBodies({ monitorTags: [MANAGED_BY_TAG] }, parseLiveMonitors),
    api.listMonitorBodies({ name: `[${stage}]` }, parseLiveMonitors),
  ]);
  const live = new Map<number, LiveMonitor>();
  for (const m of [...byEnv, ...byManaged, ...byName]) live.set(m.id, m);
  // The managed-by listing covers every stage: keep this stage's, and any the state names.
  const stateIds = new Set((o.state?.monitors ?? []).map((s) => s.id));
  for (const [id, m] of live) {
    if (m.tags.includes(envTag(stage)) || m.name.startsWith(`[${stage}]`) || stateIds.has(id)) continue;
    live.delete(id);
  }
  const gone: number[] = [];
  const unseen = [...stateIds].filter((id) => !live.has(id)).sort((a, b) => a - b);
  if (unseen.length > 0)
    progress(
      `drift: ${unseen.length} monitor${unseen.length === 1 ? '' : 's'} of the state in no listing; reading ${unseen.length === 1 ? 'it' : 'them'} by id`,
    );
  for (const id of unseen) {
    const m = await api.getMonitorBody(id, (b) => parseLiveMonitor(b));
    if (m === undefined) gone.push(id);
    else live.set(id, m);
  }
  progress(`drift: ${live.size} live monitors read, ${o.planned.length} declared${o.state ? `, ${o.state.monitors.length} in the state` : ''}`);
  const result = compareMonitors({ stage, planned: o.planned, live: [...live.values()], ...(o.state ? { state: o.state.monitors } : {}), gone });
  const counts: Record<string, number> = {};
  for (const f of result.findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return {
    kind: 'observability-rollout/drift-report',
    version: 1,
    stage,
    drift: result.findings.some((f) => DRIFT_KINDS.includes(f.kind)),
    checkedAt: new Date(o.nowMs).toISOString(),
    apiUrl: o.apiUrl,
    matchedBy: o.state ? 'state' : 'names',
    stateFile: o.state?.file ?? null,
    toolVersion: o.toolVersion,
    configCommit: o.configCommit,
    counts,
    ...result,
  };
}
