/**
 * Per-stage resolution (pure): which definitions a stage gets and with what
 * values. Every stage gets every enabled definition; a definition's
 * `stages.<stage>` override wins over the file's, which wins over the
 * definition's base values. A new critical threshold is written into the
 * query, so the two never disagree. `${env}`, `${service}`, `${team}` are
 * replaced here.
 */
import type { Problem } from '../errors';
import { tierProblem } from './burn-rate';
import { thresholdOrderProblem } from './problems';
import { compositeIds, substitute, withQueryThreshold } from './query';
import type { DashboardDef, MonitorDef, MonitoringConfig, SloDef, SourceRef, StageDashboardDef, StageDefinitions, StageMonitorDef, StageSloDef } from './types';

/** A definition without its per-stage fields (`stages`, `enabled`). */
function withoutStageFields<T extends { stages: unknown; enabled: unknown }>(def: T): Omit<T, 'stages' | 'enabled'> {
  const { stages: _stages, enabled: _enabled, ...base } = def;
  void _stages;
  void _enabled;
  return base;
}

/** Merge one monitor's overrides for `stage` (no validation). */
export function resolveMonitor(def: MonitorDef, stage: string): { enabled: boolean; monitor: StageMonitorDef } {
  const o = def.stages[stage] ?? {};
  const thresholds = { ...def.thresholds, ...(o.thresholds ?? {}) };
  let query = o.query ?? def.query;
  if (o.query === undefined && o.thresholds?.critical !== undefined) query = withQueryThreshold(query, o.thresholds.critical);
  const values = { env: stage, service: def.service, team: def.team };
  const base = withoutStageFields(def);
  return {
    enabled: o.enabled ?? def.enabled,
    monitor: {
      ...base,
      stage,
      name: substitute(def.name, values),
      query: substitute(query, values),
      message: substitute(def.message, values),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      thresholds,
      notify: o.notify ?? def.notify,
      ...(def.renotify?.message !== undefined ? { renotify: { ...def.renotify, message: substitute(def.renotify.message, values) } } : {}),
    },
  };
}

/** Merge one SLO's overrides for `stage`. */
export function resolveSlo(def: SloDef, stage: string): { enabled: boolean; slo: StageSloDef } {
  const o = def.stages[stage] ?? {};
  const values = { env: stage, service: def.service, team: def.team };
  const base = withoutStageFields(def);
  return {
    enabled: o.enabled ?? def.enabled,
    slo: {
      ...base,
      stage,
      name: substitute(def.name, values),
      ...(def.description !== undefined ? { description: substitute(def.description, values) } : {}),
      ...(def.query ? { query: { numerator: substitute(def.query.numerator, values), denominator: substitute(def.query.denominator, values) } } : {}),
      ...(def.timeSlice ? { timeSlice: { ...def.timeSlice, query: substitute(def.timeSlice.query, values) } } : {}),
      targets: o.targets ?? def.targets,
      notify: o.notify ?? def.notify,
    },
  };
}

/** Whether a dashboard is in `stage`, and its stage view. */
export function resolveDashboard(def: DashboardDef, stage: string): { enabled: boolean; dashboard: StageDashboardDef } {
  const { stages, enabled, ...base } = def;
  return { enabled: stages[stage]?.enabled ?? enabled, dashboard: { ...base, stage } };
}

/** Everything `stage` gets, and what is wrong with it once merged. */
export function resolveStage(monitoring: MonitoringConfig, stage: string): { definitions: StageDefinitions; problems: Problem[] } {
  const problems: Problem[] = [];
  const monitors: StageMonitorDef[] = [];
  const enabledIds = new Set<string>();
  for (const def of monitoring.monitors) {
    const { enabled, monitor } = resolveMonitor(def, stage);
    if (!enabled) continue;
    enabledIds.add(def.id);
    monitors.push(monitor);
    for (const [field, text] of [
      ['name', monitor.name],
      ['query', monitor.query],
      ['message', monitor.message],
    ] as const) {
      if (text.includes('${service}'))
        problems.push(at(def.source, field, stage, '"${service}" with no service', 'a service (here or in the file) for ${service}'));
      if (text.includes('${team}')) problems.push(at(def.source, field, stage, '"${team}" with no team', 'a team (here or in the file) for ${team}'));
    }
    if (def.type !== 'composite' && def.type !== 'service-check' && def.stages[stage]?.thresholds) {
      const order = thresholdOrderProblem(monitor.query, monitor.thresholds);
      if (order)
        problems.push(
          at(def.source, `stages.${stage}`, stage, JSON.stringify(monitor.thresholds), order.expected, `stages.${stage}.thresholds.${order.field}`),
        );
    }
  }
  const byId = new Map(monitors.map((m) => [m.id, m]));
  for (const m of monitors) {
    if (m.type !== 'composite') continue;
    for (const id of compositeIds(m.query)) {
      if (!enabledIds.has(id))
        problems.push(
          at(
            m.source,
            'query',
            stage,
            `${JSON.stringify(id)}, disabled in ${stage}`,
            `monitors enabled in every stage the composite is in (disable the composite in ${stage} too)`,
          ),
        );
    }
  }
  const slos: StageSloDef[] = [];
  for (const def of monitoring.slos) {
    const { enabled, slo } = resolveSlo(def, stage);
    if (!enabled) continue;
    slos.push(slo);
    for (const id of slo.monitorIds ?? []) {
      if (!byId.has(id))
        problems.push(at(def.source, 'monitors', stage, `${JSON.stringify(id)}, disabled in ${stage}`, `monitors enabled in every stage the SLO is in`));
    }
    const primary = slo.targets.find((t) => t.timeframe === slo.primaryTimeframe);
    if (!primary) {
      problems.push(
        at(
          def.source,
          `stages.${stage}`,
          stage,
          `targets without ${slo.primaryTimeframe}`,
          `a target for the primary timeframe ${slo.primaryTimeframe}`,
          `stages.${stage}.targets`,
        ),
      );
    } else if (slo.burnRate.enabled && def.stages[stage]?.targets) {
      slo.burnRate.tiers.forEach((t, j) => {
        const why = tierProblem(t, primary.target);
        if (why)
          problems.push(
            at(
              def.source,
              `stages.${stage}`,
              stage,
              `burn-rate tier ${j + 1} (${t.burnRate}x)`,
              `${why} (target ${primary.target}%)`,
              `stages.${stage}.targets`,
            ),
          );
      });
    }
  }
  const dashboards: StageDashboardDef[] = [];
  for (const def of monitoring.dashboards) {
    const { enabled, dashboard } = resolveDashboard(def, stage);
    if (enabled) dashboards.push(dashboard);
  }
  return { definitions: { stage, monitors, slos, dashboards }, problems };
}

function at(source: SourceRef, field: string, stage: string, got: string, expected: string, pathField = field): Problem {
  return {
    file: source.file,
    line: source.fieldLines[field] ?? source.line,
    path: `${source.path}.${pathField}`,
    got: `${got} (stage ${stage})`,
    expected,
  };
}
