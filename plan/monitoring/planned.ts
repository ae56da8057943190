/**
 * The planned resources of a stage's monitoring (plain data) and the small
 * helpers every planner shares. See plan.ts.
 */
import type { MonitorType, Notify, SloTarget, SourceRef, Suppression, Thresholds } from '../../model/monitoring/types';
import { envTag, MANAGED_BY_TAG } from '../../model/signals';

/** Datadog monitor types this tool creates. */
export type DatadogMonitorType = 'metric alert' | 'query alert' | 'service check' | 'log alert' | 'composite' | 'slo alert';

/** Where a burn-rate query names its SLO; the construct puts the SLO's id there. */
export const SLO_ID_REF = '__SLO_ID__';

/** One monitor of the stage, as Datadog will get it. */
export interface PlannedMonitor {
  /** Construct id, unique in the stage (`monitor-web-5xx`, `slo-checkout-availability-burn-1-page`, `rollout-batch1-coverage`). */
  readonly key: string;
  /** Construct ids this resource had before, oldest first (renames: Terraform `moved` blocks). */
  readonly previousKeys?: readonly string[];
  /** Datadog id of the existing object this stage adopts (a Terraform `import` block). */
  readonly importId?: string;
  readonly origin: 'team' | 'burn-rate' | 'rollout';
  readonly stage: string;
  /** Kind for the rules: the declared type, or `slo` for burn-rate alerts. */
  readonly kind: MonitorType | 'slo';
  readonly datadogType: DatadogMonitorType;
  readonly name: string;
  /** Final query; composites name monitor ids, burn-rate alerts hold SLO_ID_REF. */
  readonly query: string;
  /** The team's text, before runbook, owner and routing were added. */
  readonly body: string;
  readonly message: string;
  readonly thresholds: Thresholds;
  readonly thresholdWindows?: { readonly trigger: string; readonly recovery: string };
  readonly priority?: number;
  /** Sorted `key:value` tags (env, service, team, managed-by always). */
  readonly tags: readonly string[];
  readonly restrictedRoles: readonly string[];
  readonly notifyNoData: boolean;
  readonly noDataTimeframeMinutes?: number;
  readonly renotify?: { readonly intervalMinutes: number; readonly statuses: readonly string[]; readonly occurrences?: number; readonly message?: string };
  readonly evaluationDelaySeconds?: number;
  readonly newGroupDelaySeconds?: number;
  readonly requireFullWindow?: boolean;
  readonly team?: string;
  readonly service?: string;
  readonly runbook?: string;
  readonly notify: Notify;
  /** Team monitor ids a composite combines; the SLO id a burn-rate alert watches. */
  readonly refs: { readonly monitors: readonly string[]; readonly slo?: string };
  readonly suppress: readonly Suppression[];
  /** The definition (or policy file) this monitor comes from. */
  readonly source: SourceRef;
  /** Prefix of rule field names inside the source (`rollout.` for the policy file). */
  readonly fieldPrefix: string;
}

/** One SLO of the stage. */
export interface PlannedSlo {
  readonly key: string;
  /** Construct ids this resource had before, oldest first (renames: Terraform `moved` blocks). */
  readonly previousKeys?: readonly string[];
  /** Datadog id of the existing object this stage adopts (a Terraform `import` block). */
  readonly importId?: string;

  readonly id: string;
  readonly stage: string;
  readonly name: string;
  readonly description: string;
  readonly type: 'metric' | 'monitor' | 'time_slice';
  readonly query?: { readonly numerator: string; readonly denominator: string };
  /** Team monitor ids. */
  readonly monitorIds?: readonly string[];
  readonly timeSlice?: { readonly query: string; readonly comparator: string; readonly threshold: number; readonly intervalSeconds: number };
  readonly targets: readonly SloTarget[];
  readonly primary: SloTarget;
  readonly tags: readonly string[];
  readonly source: SourceRef;
}

/** The log-based metric behind the security signal. */
export interface PlannedLogsMetric {
  readonly key: string;
  readonly name: string;
  readonly query: string;
  readonly groupBy: ReadonlyArray<{ readonly path: string; readonly tagName: string }>;
}

/** A dashboard of the stage: normalized dashboard JSON. */
export interface PlannedDashboard {
  readonly key: string;
  /** Construct ids this resource had before, oldest first (renames: Terraform `moved` blocks). */
  readonly previousKeys?: readonly string[];
  /** Datadog id of the existing object this stage adopts (a Terraform `import` block). */
  readonly importId?: string;

  readonly title: string;
  /** Normalized JSON (server-set fields stripped, keys sorted). */
  readonly json: string;
  /** The definition it comes from (absent for the generated rollout dashboard). */
  readonly source?: SourceRef;
}

/** Everything one stage's observability stack creates in Datadog, sorted by key. */
export interface StagePlan {
  readonly stage: string;
  readonly monitors: readonly PlannedMonitor[];
  readonly slos: readonly PlannedSlo[];
  readonly dashboards: readonly PlannedDashboard[];
  readonly logsMetrics: readonly PlannedLogsMetric[];
}

/** Datadog monitor type of each declared kind. */
export const DATADOG_TYPES: Record<MonitorType, DatadogMonitorType> = {
  metric: 'metric alert',
  query: 'query alert',
  anomaly: 'query alert',
  'service-check': 'service check',
  log: 'log alert',
  composite: 'composite',
};

/** Construct id of a team monitor. */
export function teamMonitorKey(id: string): string {
  return `monitor-${id}`;
}

/** Definition id of a team monitor from its construct id (inverse of teamMonitorKey). */
export function teamMonitorId(key: string): string {
  return key.replace(/^monitor-/, '');
}

/** Construct id of an SLO. */
export function sloKey(id: string): string {
  return `slo-${id}`;
}

/** `env:`, `service:`, `team:`, managed-by, then the extra tags; sorted, unique. */
export function tagList(
  stage: string,
  service: string | undefined,
  team: string | undefined,
  extra: Readonly<Record<string, string>>,
  more: readonly string[] = [],
): string[] {
  const tags = [
    envTag(stage),
    ...(service !== undefined ? [`service:${service}`] : []),
    ...(team !== undefined ? [`team:${team}`] : []),
    MANAGED_BY_TAG,
    ...Object.entries(extra).map(([k, v]) => `${k}:${v}`),
    ...more,
  ];
  return [...new Set(tags)].sort();
}

/** The rename and adoption fields of a planned resource of `def` in `stage` (`keyOf` maps a definition id to the construct id). */
export function lineageIn(
  def: { readonly previousIds?: readonly string[]; readonly importIds?: Readonly<Record<string, string>> },
  stage: string,
  keyOf: (id: string) => string,
): { previousKeys?: string[]; importId?: string } {
  const importId = def.importIds?.[stage];
  return {
    ...(def.previousIds && def.previousIds.length > 0 ? { previousKeys: def.previousIds.map(keyOf) } : {}),
    ...(importId !== undefined ? { importId } : {}),
  };
}
