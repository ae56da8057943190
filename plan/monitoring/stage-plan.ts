/**
 * The plan of one stage's monitoring (pure, no cdktf): every monitor, SLO,
 * dashboard and log-based metric the stage's observability stack creates,
 * with final names, queries, messages and tags. The rules check this plan
 * and the construct maps it 1:1 to provider resources.
 */
import { ConfigError } from '../../model/errors';
import { compositeIds, usesAsCount } from '../../model/monitoring/query';
import { resolveStage } from '../../model/monitoring/resolve';
import type { MonitoringConfig, SloTarget, StageMonitorDef, StageSloDef } from '../../model/monitoring/types';
import type { Stage } from '../../model/stage';
import { checkTag } from '../../model/signals';
import { burnRateMonitors } from './burn-rate-monitors';
import { stageDashboards } from './dashboards';
import { buildMessage } from './message';
import { DATADOG_TYPES, lineageIn, PlannedMonitor, PlannedSlo, sloKey, StagePlan, tagList, teamMonitorKey } from './planned';
import { rolloutMonitoring } from './rollout-monitors';

export * from './planned';

/** The monitoring plan of `stage`; throws a ConfigError if the definitions do not resolve (loadConfig reports that first). */
export function planStage(stage: Stage, monitoring: MonitoringConfig): StagePlan {
  const { definitions, problems } = resolveStage(monitoring, stage.name);
  if (problems.length > 0) throw new ConfigError(problems, 'monitoring configuration');
  const team = definitions.monitors.map((m) => teamMonitor(m, monitoring));
  const slos = definitions.slos.map((s) => plannedSlo(s, monitoring));
  const burn = definitions.slos.flatMap((s) => burnRateMonitors(s, monitoring));
  const rollout = rolloutMonitoring(stage, monitoring, definitions.slos.length > 0);
  const dashboards = [...stageDashboards(definitions.dashboards), ...rollout.dashboards];
  const byKey = <T extends { key: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    stage: stage.name,
    monitors: byKey([...team, ...burn, ...rollout.monitors]),
    slos: byKey(slos),
    dashboards: byKey(dashboards),
    logsMetrics: byKey([...rollout.logsMetrics]),
  };
}

function teamMonitor(m: StageMonitorDef, monitoring: MonitoringConfig): PlannedMonitor {
  const warnings = m.thresholds.warning !== undefined;
  return {
    key: teamMonitorKey(m.id),
    ...lineageIn(m, m.stage, teamMonitorKey),
    origin: 'team',
    stage: m.stage,
    kind: m.type,
    datadogType: DATADOG_TYPES[m.type],
    name: `[${m.stage}] ${m.name}`,
    query: m.query,
    body: m.message,
    message: buildMessage({
      body: m.message,
      ...(m.runbook !== undefined ? { runbook: m.runbook } : {}),
      ...(m.team !== undefined ? { team: m.team } : {}),
      ...(m.service !== undefined ? { service: m.service } : {}),
      stage: m.stage,
      notify: m.notify,
      warnings,
      noData: m.noData.notify,
    }),
    thresholds: m.thresholds,
    ...(m.thresholdWindows ? { thresholdWindows: m.thresholdWindows } : {}),
    ...(m.priority !== undefined ? { priority: m.priority } : {}),
    tags: tagList(m.stage, m.service, m.team, { ...monitoring.policy.tags, ...m.tags }, m.rolloutCheck ? [checkTag(m.rolloutCheck)] : []),
    restrictedRoles: m.restrictedRoles,
    notifyNoData: m.noData.notify,
    ...(m.noData.timeframeMinutes !== undefined ? { noDataTimeframeMinutes: m.noData.timeframeMinutes } : {}),
    ...(m.renotify ? { renotify: m.renotify } : {}),
    ...(m.evaluationDelaySeconds !== undefined ? { evaluationDelaySeconds: m.evaluationDelaySeconds } : {}),
    ...(m.newGroupDelaySeconds !== undefined ? { newGroupDelaySeconds: m.newGroupDelaySeconds } : {}),
    ...requireFullWindow(m),
    ...(m.team !== undefined ? { team: m.team } : {}),
    ...(m.service !== undefined ? { service: m.service } : {}),
    ...(m.runbook !== undefined ? { runbook: m.runbook } : {}),
    notify: m.notify,
    refs: { monitors: m.type === 'composite' ? compositeIds(m.query) : [] },
    suppress: m.suppress,
    source: m.source,
    fieldPrefix: '',
  };
}

/**
 * `require_full_window` of a team monitor: the definition's, else `false` for
 * a metric monitor counting with `.as_count()`. The provider defaults to
 * `true` (docs/sources/datadog-contract.md 4b), and a full window of a sparse
 * count (errors, hits of a quiet service) rarely comes: the monitor would
 * skip evaluations and keep its state. Other monitors keep the provider's.
 */
function requireFullWindow(m: StageMonitorDef): { requireFullWindow?: boolean } {
  if (m.requireFullWindow !== undefined) return { requireFullWindow: m.requireFullWindow };
  const metric = m.type === 'metric' || m.type === 'query' || m.type === 'anomaly';
  return metric && usesAsCount(m.query) ? { requireFullWindow: false } : {};
}

function plannedSlo(s: StageSloDef, monitoring: MonitoringConfig): PlannedSlo {
  const primary = s.targets.find((t) => t.timeframe === s.primaryTimeframe) as SloTarget;
  const owner = [s.team ? `team ${s.team}` : undefined, s.service ? `service ${s.service}` : undefined].filter(Boolean).join(', ');
  const description = [
    s.description,
    s.runbook ? `Runbook: ${s.runbook}` : undefined,
    `Owner: ${owner ? `${owner}, ` : ''}stage ${s.stage}. Managed by observability-rollout (${s.source.file}).`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    key: sloKey(s.id),
    ...lineageIn(s, s.stage, sloKey),
    id: s.id,
    stage: s.stage,
    name: `[${s.stage}] ${s.name}`,
    description,
    type: s.type === 'time-slice' ? 'time_slice' : s.type,
    ...(s.query ? { query: s.query } : {}),
    ...(s.monitorIds ? { monitorIds: s.monitorIds } : {}),
    ...(s.timeSlice ? { timeSlice: s.timeSlice } : {}),
    targets: s.targets,
    primary,
    tags: tagList(s.stage, s.service, s.team, { ...monitoring.policy.tags, ...s.tags }),
    source: s.source,
  };
}
