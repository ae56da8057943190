import { DashboardJson } from '@cdktf/provider-datadog/lib/dashboard-json';
import { LogsMetric } from '@cdktf/provider-datadog/lib/logs-metric';
import { Monitor, MonitorConfig } from '@cdktf/provider-datadog/lib/monitor';
import { ServiceLevelObjective, ServiceLevelObjectiveConfig } from '@cdktf/provider-datadog/lib/service-level-objective';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { Thresholds } from '../../model/monitoring/types';
import { formatNumber, mapCompositeIds } from '../../model/monitoring/query';
import { PlannedMonitor, PlannedSlo, SLO_ID_REF, StagePlan, teamMonitorId } from '../../plan/monitoring/planned';
import { addLineage } from './refactor-blocks';
import { validateStageMonitoringProps } from './validate-stage-monitoring-props';

/** Props of one stage's monitors, SLOs and dashboards. */
export interface StageMonitoringProps {
  /** The stage's monitoring plan (plan/monitoring/stage-plan.ts), already judged by the rule pack (policy/). */
  readonly plan: StagePlan;
}

/**
 * A stage's Datadog monitoring, mapped 1:1 from its plan: the teams'
 * monitors (validate on), SLOs with their burn-rate alerts, dashboards as
 * normalized JSON, and the monitors, log-based metric and dashboard generated
 * from the rollout. Planning and the rule pack run before, once per synth
 * (stacks/app.ts); this construct only maps plan objects to resources.
 */
export class StageMonitoring extends Construct {
  /** What was created, as plain data. */
  public readonly plan: StagePlan;
  /** Monitors by plan key. */
  public readonly monitors: Readonly<Record<string, Monitor>>;
  /** SLOs by plan key. */
  public readonly slos: Readonly<Record<string, ServiceLevelObjective>>;
  /** Dashboards by plan key. */
  public readonly dashboards: Readonly<Record<string, DashboardJson>>;

  constructor(scope: Construct, id: string, props: StageMonitoringProps) {
    super(scope, id);
    validateStageMonitoringProps(id, props);
    const plan = props.plan;
    this.plan = plan;

    const monitors: Record<string, Monitor> = {};
    const teamById = new Map<string, Monitor>();
    const add = (m: PlannedMonitor, query: string): Monitor => {
      const res = new Monitor(this, m.key, monitorConfig(m, query));
      monitors[m.key] = res;
      addLineage(res, m);
      if (m.origin === 'team') teamById.set(teamMonitorId(m.key), res);
      return res;
    };
    // Plain monitors first: composites and monitor SLOs refer to them.
    for (const m of plan.monitors) if (m.origin === 'team' && m.kind !== 'composite') add(m, m.query);
    for (const m of plan.monitors) {
      if (m.origin === 'team' && m.kind === 'composite')
        add(
          m,
          mapCompositeIds(m.query, (ref) => (teamById.get(ref) as Monitor).id),
        );
    }
    const slos: Record<string, ServiceLevelObjective> = {};
    for (const s of plan.slos) {
      slos[s.id] = new ServiceLevelObjective(this, s.key, sloConfig(s, teamById));
      addLineage(slos[s.id], s);
    }
    for (const m of plan.monitors) {
      if (m.origin === 'burn-rate') add(m, m.query.replace(SLO_ID_REF, (slos[m.refs.slo as string] as ServiceLevelObjective).id));
      if (m.origin === 'rollout') add(m, m.query);
    }
    for (const lm of plan.logsMetrics) {
      new LogsMetric(this, lm.key, {
        name: lm.name,
        compute: { aggregationType: 'count' },
        filter: { query: lm.query },
        groupBy: lm.groupBy.map((g) => ({ path: g.path, tagName: g.tagName })),
      });
    }
    const dashboards: Record<string, DashboardJson> = {};
    for (const d of plan.dashboards) {
      dashboards[d.key] = new DashboardJson(this, d.key, { dashboard: d.json });
      addLineage(dashboards[d.key], d);
    }
    this.monitors = monitors;
    this.slos = Object.fromEntries(plan.slos.map((s) => [s.key, slos[s.id]]));
    this.dashboards = dashboards;
  }
}

function thresholds(t: Thresholds): MonitorConfig['monitorThresholds'] | undefined {
  const s = (n: number | undefined): string | undefined => (n === undefined ? undefined : formatNumber(n));
  const out = {
    critical: s(t.critical),
    criticalRecovery: s(t.criticalRecovery),
    warning: s(t.warning),
    warningRecovery: s(t.warningRecovery),
    ok: s(t.ok),
    unknown: s(t.unknown),
  };
  const set = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  return Object.keys(set).length === 0 ? undefined : set;
}

/** The provider config of one planned monitor (`query` with references resolved). */
function monitorConfig(m: PlannedMonitor, query: string): MonitorConfig {
  const th = m.kind === 'composite' ? undefined : thresholds(m.thresholds);
  return {
    name: m.name,
    type: m.datadogType,
    query,
    message: m.message,
    tags: [...m.tags],
    ...(m.priority !== undefined ? { priority: String(m.priority) } : {}),
    ...(th ? { monitorThresholds: th } : {}),
    ...(m.thresholdWindows ? { monitorThresholdWindows: { triggerWindow: m.thresholdWindows.trigger, recoveryWindow: m.thresholdWindows.recovery } } : {}),
    ...(m.restrictedRoles.length > 0 ? { restrictedRoles: [...m.restrictedRoles] } : {}),
    ...(m.kind !== 'composite' && m.kind !== 'slo' ? { notifyNoData: m.notifyNoData } : {}),
    ...(m.notifyNoData && m.noDataTimeframeMinutes !== undefined ? { noDataTimeframe: m.noDataTimeframeMinutes } : {}),
    ...(m.renotify
      ? {
          renotifyInterval: m.renotify.intervalMinutes,
          renotifyStatuses: [...m.renotify.statuses],
          ...(m.renotify.occurrences !== undefined ? { renotifyOccurrences: m.renotify.occurrences } : {}),
          ...(m.renotify.message !== undefined ? { escalationMessage: m.renotify.message } : {}),
        }
      : {}),
    ...(m.evaluationDelaySeconds !== undefined ? { evaluationDelay: m.evaluationDelaySeconds } : {}),
    ...(m.newGroupDelaySeconds !== undefined ? { newGroupDelay: m.newGroupDelaySeconds } : {}),
    ...(m.requireFullWindow !== undefined ? { requireFullWindow: m.requireFullWindow } : {}),
    includeTags: true,
    validate: true,
  };
}

/** The provider config of one planned SLO. */
function sloConfig(s: PlannedSlo, monitorsById: ReadonlyMap<string, Monitor>): ServiceLevelObjectiveConfig {
  return {
    name: s.name,
    type: s.type,
    description: s.description,
    ...(s.query ? { query: { numerator: s.query.numerator, denominator: s.query.denominator } } : {}),
    ...(s.monitorIds ? { monitorIds: s.monitorIds.map((id) => Token.asNumber((monitorsById.get(id) as Monitor).id)) } : {}),
    ...(s.timeSlice
      ? {
          sliSpecification: {
            timeSlice: {
              comparator: s.timeSlice.comparator,
              threshold: s.timeSlice.threshold,
              queryIntervalSeconds: s.timeSlice.intervalSeconds,
              query: {
                formula: { formulaExpression: 'query1' },
                query: [{ metricQuery: { dataSource: 'metrics', name: 'query1', query: s.timeSlice.query } }],
              },
            },
          },
        }
      : {}),
    thresholds: s.targets.map((t) => ({ timeframe: t.timeframe, target: t.target, ...(t.warning !== undefined ? { warning: t.warning } : {}) })),
    timeframe: s.primary.timeframe,
    targetThreshold: s.primary.target,
    ...(s.primary.warning !== undefined ? { warningThreshold: s.primary.warning } : {}),
    tags: [...s.tags],
    // Monitor SLOs refer to monitors created in the same apply; the API cannot validate those at plan time.
    ...(s.type !== 'monitor' ? { validate: true } : {}),
  };
}
