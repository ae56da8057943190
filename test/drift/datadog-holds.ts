/**
 * What Datadog holds after an apply of a stage's plan, for the drift tests:
 * each planned monitor as the provider writes it (constructs/monitoring/
 * stage-monitoring.ts: composite parts by their Datadog ids, burn-rate
 * alerts naming their SLO's id, thresholds under `options.thresholds`), with
 * made-up ids, as the fake API serves it and as `terraform show -json`
 * records it.
 */
import { mapCompositeIds } from '../../model/monitoring/query';
import { SLO_ID_REF, teamMonitorId } from '../../plan/monitoring/planned';
import type { PlannedMonitor } from '../../plan/monitoring/planned';
import type { FakeMonitor } from '../support/fake-datadog';

const FIRST_ID = 4_100_000;

/** Datadog id of the planned monitor at `index`. */
export const idOf = (index: number): number => FIRST_ID + index;

/** The fake's monitors for `planned`, as applied. */
export function applied(planned: readonly PlannedMonitor[]): FakeMonitor[] {
  const teamIds = new Map(planned.map((p, i) => [teamMonitorId(p.key), idOf(i)]));
  return planned.map((p, i) => ({
    id: idOf(i),
    name: p.name,
    type: p.datadogType,
    query: (p.kind === 'composite' ? mapCompositeIds(p.query, (ref) => String(teamIds.get(ref))) : p.query).replace(
      SLO_ID_REF,
      `0f6a${String(i).padStart(28, '0')}`,
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

/** `terraform show -json` of the stage after the apply (the monitors only). */
export function showJson(planned: readonly PlannedMonitor[]): string {
  return JSON.stringify({
    format_version: '1.0',
    terraform_version: '1.11.4',
    values: {
      root_module: {
        resources: planned.map((p, i) => ({
          address: `datadog_monitor.monitoring_${p.key}_${String(i).padStart(8, '0')}`,
          mode: 'managed',
          type: 'datadog_monitor',
          name: `monitoring_${p.key}`,
          provider_name: 'registry.terraform.io/datadog/datadog',
          schema_version: 0,
          values: { id: String(idOf(i)), name: p.name, type: p.datadogType },
        })),
      },
    },
  });
}
