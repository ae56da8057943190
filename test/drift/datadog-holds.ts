/**
 * What Datadog holds after an apply of a stage's plan, for the drift tests:
 * each planned monitor, SLO and dashboard as the provider writes it
 * (constructs/monitoring/stage-monitoring.ts: composite parts by their
 * Datadog ids, burn-rate alerts naming their SLO's id, thresholds under
 * `options.thresholds`; SLO targets under `thresholds` plus the primary
 * `timeframe`/`target_threshold`/`warning_threshold`, monitor SLOs by monitor
 * id; dashboards as their JSON), with made-up ids, as the fake API holds it
 * and as `terraform show -json` records it.
 */
import { mapCompositeIds } from '../../model/monitoring/query';
import { SLO_ID_REF, teamMonitorId } from '../../plan/monitoring/planned';
import type { PlannedDashboard, PlannedMonitor, PlannedSlo } from '../../plan/monitoring/planned';
import type { FakeDashboard, FakeMonitor, FakeSlo } from '../support/fake-datadog';

const FIRST_ID = 4_100_000;

/** Datadog id of the planned monitor at `index`. */
export const idOf = (index: number): number => FIRST_ID + index;

/** The fake's monitors for `planned`, as applied. */
export function applied(planned: readonly PlannedMonitor[], slos?: readonly PlannedSlo[]): FakeMonitor[] {
  const teamIds = new Map(planned.map((p, i) => [teamMonitorId(p.key), idOf(i)]));
  return planned.map((p, i) => ({
    id: idOf(i),
    name: p.name,
    type: p.datadogType,
    query: (p.kind === 'composite' ? mapCompositeIds(p.query, (ref) => String(teamIds.get(ref))) : p.query).replace(
      SLO_ID_REF,
      slos !== undefined ? sloIdOf(slos.findIndex((x) => x.id === p.refs.slo)) : `0f6a${String(i).padStart(28, '0')}`,
    ),
    message: p.message,
    tags: [...p.tags],
    priority: p.priority ?? null,
    thresholds: Object.fromEntries(
      (
        [
          ['critical', p.thresholds.critical],
          ['critical_recovery', p.thresholds.criticalRecovery],
          ['warning', p.thresholds.warning],
          ['warning_recovery', p.thresholds.warningRecovery],
          ['ok', p.thresholds.ok],
          ['unknown', p.thresholds.unknown],
        ] as const
      ).filter(([, v]) => v !== undefined && p.kind !== 'composite') as Array<[string, number]>,
    ),
    notify_no_data: p.notifyNoData,
    no_data_timeframe: p.notifyNoData ? (p.noDataTimeframeMinutes ?? null) : null,
    overall_state: 'OK',
  }));
}

/** Datadog id of the planned SLO at `index` (32 hex digits, as recorded). */
export const sloIdOf = (index: number): string => `5100${String(index).padStart(28, '0')}`;

/** Datadog id of the planned dashboard at `index` (`abc-def-ghi`, as recorded). */
export const dashboardIdOf = (index: number): string => `d${String(index).padStart(2, '0')}-drf-obj`;

/** The fake's SLOs for `plan`, as applied (monitor SLOs name the applied monitors' ids). */
export function appliedSlos(plan: { readonly monitors: readonly PlannedMonitor[]; readonly slos: readonly PlannedSlo[] }): FakeSlo[] {
  const teamIds = new Map(plan.monitors.map((p, i) => [teamMonitorId(p.key), idOf(i)]));
  return plan.slos.map((s, i) => ({
    id: sloIdOf(i),
    name: s.name,
    type: s.type,
    description: s.description,
    tags: [...s.tags],
    thresholds: s.targets.map((t) => ({ timeframe: t.timeframe, target: t.target, ...(t.warning !== undefined ? { warning: t.warning } : {}) })),
    timeframe: s.primary.timeframe,
    target_threshold: s.primary.target,
    ...(s.primary.warning !== undefined ? { warning_threshold: s.primary.warning } : {}),
    ...(s.query ? { query: { numerator: s.query.numerator, denominator: s.query.denominator } } : {}),
    ...(s.monitorIds ? { monitor_ids: s.monitorIds.map((m) => teamIds.get(m)) } : {}),
    ...(s.timeSlice
      ? {
          sli_specification: {
            time_slice: {
              comparator: s.timeSlice.comparator,
              query: { formulas: [{ formula: 'query1' }], queries: [{ data_source: 'metrics', name: 'query1', query: s.timeSlice.query }] },
              threshold: s.timeSlice.threshold,
              query_interval_seconds: s.timeSlice.intervalSeconds,
            },
          },
        }
      : {}),
  }));
}

/** The fake's dashboards for `planned`, as applied (the declared JSON; the fake adds what the server sets). */
export function appliedDashboards(planned: readonly PlannedDashboard[]): FakeDashboard[] {
  return planned.map((d, i) => ({ ...(JSON.parse(d.json) as Record<string, unknown>), id: dashboardIdOf(i), title: d.title }));
}

/** `terraform show -json` of the stage after the apply (monitors, and SLOs and dashboards when given). */
export function showJson(
  plan:
    | readonly PlannedMonitor[]
    | { readonly monitors: readonly PlannedMonitor[]; readonly slos: readonly PlannedSlo[]; readonly dashboards: readonly PlannedDashboard[] },
): string {
  const monitors = 'monitors' in plan ? plan.monitors : (plan as readonly PlannedMonitor[]);
  const slos = 'slos' in plan ? plan.slos : [];
  const dashboards = 'dashboards' in plan ? plan.dashboards : [];
  const resource = (type: string, key: string, i: number, values: Record<string, unknown>): Record<string, unknown> => ({
    address: `${type}.monitoring_${key}_${String(i).padStart(8, '0')}`,
    mode: 'managed',
    type,
    name: `monitoring_${key}`,
    provider_name: 'registry.terraform.io/datadog/datadog',
    schema_version: 0,
    values,
  });
  return JSON.stringify({
    format_version: '1.0',
    terraform_version: '1.11.4',
    values: {
      root_module: {
        resources: [
          ...monitors.map((p, i) => resource('datadog_monitor', p.key, i, { id: String(idOf(i)), name: p.name, type: p.datadogType })),
          ...slos.map((s, i) => resource('datadog_service_level_objective', s.key, i, { id: sloIdOf(i), name: s.name, type: s.type })),
          ...dashboards.map((d, i) =>
            resource('datadog_dashboard_json', d.key, i, { id: dashboardIdOf(i), dashboard: d.json, url: `/dashboard/${dashboardIdOf(i)}` }),
          ),
        ],
      },
    },
  });
}
