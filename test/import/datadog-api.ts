/**
 * What Datadog holds after applying a synthesized stack, in the API's own
 * JSON (test helper): each datadog_monitor, datadog_service_level_objective
 * and datadog_dashboard_json of a cdk.tf.json, mapped the way
 * terraform-provider-datadog 3.82.0 builds its API request
 * (datadog/resource_datadog_monitor.go `buildMonitorStruct`,
 * resource_datadog_service_level_objective.go `buildServiceLevelObjectiveStructs`),
 * with the server-set fields a `GET` adds (shape of the recorded answers in
 * test/fixtures/datadog/v1-monitor-list-page0.json) and a Datadog id per object.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface LiveObjects {
  readonly monitors: Json[];
  readonly slos: Json[];
  readonly dashboards: Json[];
  /** Terraform address -> Datadog id. */
  readonly ids: ReadonlyMap<string, string>;
}

const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
const TOKEN = /\$\{(datadog_[a-z_]+\.[^.}]+)\.id\}/g;

/** The objects a stack creates, as `GET /api/v1/monitor`, `/api/v1/slo` and `/api/v1/dashboard/{id}` return them. */
export function liveObjects(stack: Json): LiveObjects {
  const ids = new Map<string, string>();
  let next = 7000001;
  const res = (stack.resource ?? {}) as Json;
  for (const type of ['datadog_monitor', 'datadog_service_level_objective', 'datadog_dashboard_json']) {
    for (const name of Object.keys(res[type] ?? {}).sort()) {
      const n = next++;
      ids.set(`${type}.${name}`, type === 'datadog_monitor' ? String(n) : type === 'datadog_dashboard_json' ? `abc-${n}` : `${n}`.padStart(32, '0'));
    }
  }
  const resolve = (text: string): string => text.replace(TOKEN, (_m, addr: string) => ids.get(addr) as string);
  const monitors = Object.entries((res.datadog_monitor ?? {}) as Json).map(([name, m]) => {
    const th = m.monitor_thresholds as Json | undefined;
    const options: Json = {
      include_tags: m.include_tags,
      notify_audit: false,
      silenced: {},
      new_host_delay: 300,
      ...(th ? { thresholds: Object.fromEntries(Object.entries(th).map(([k, v]) => [k, num(v)])) } : {}),
      ...(m.monitor_threshold_windows
        ? { threshold_windows: { trigger_window: m.monitor_threshold_windows.trigger_window, recovery_window: m.monitor_threshold_windows.recovery_window } }
        : {}),
      notify_no_data: m.notify_no_data ?? false,
      ...(m.no_data_timeframe !== undefined ? { no_data_timeframe: m.no_data_timeframe } : {}),
      ...(m.renotify_interval !== undefined ? { renotify_interval: m.renotify_interval } : {}),
      ...(m.renotify_statuses !== undefined ? { renotify_statuses: m.renotify_statuses } : {}),
      ...(m.renotify_occurrences !== undefined ? { renotify_occurrences: m.renotify_occurrences } : {}),
      ...(m.escalation_message !== undefined ? { escalation_message: m.escalation_message } : {}),
      ...(m.evaluation_delay !== undefined ? { evaluation_delay: m.evaluation_delay } : {}),
      ...(m.new_group_delay !== undefined ? { new_group_delay: m.new_group_delay } : {}),
      require_full_window: m.require_full_window ?? true,
    };
    return {
      id: Number(ids.get(`datadog_monitor.${name}`)),
      org_id: 321813,
      type: m.type,
      name: m.name,
      message: m.message,
      tags: m.tags,
      query: resolve(m.query),
      options,
      multi: false,
      created: '2026-11-01T10:00:00.000000+00:00',
      modified: '2026-11-01T10:00:00.000000+00:00',
      deleted: null,
      restricted_roles: m.restricted_roles ?? null,
      priority: num(m.priority) ?? null,
      overall_state: 'OK',
      creator: { name: null, handle: 'terraform@acme.example', email: 'terraform@acme.example', id: 1445416 },
      matching_downtimes: [],
    };
  });
  const slos = Object.entries((res.datadog_service_level_objective ?? {}) as Json).map(([name, s]) => {
    const ts = s.sli_specification?.time_slice as Json | undefined;
    return {
      id: ids.get(`datadog_service_level_objective.${name}`),
      name: s.name,
      description: s.description,
      type: s.type,
      tags: s.tags,
      thresholds: s.thresholds,
      timeframe: s.timeframe,
      target_threshold: s.target_threshold,
      ...(s.warning_threshold !== undefined ? { warning_threshold: s.warning_threshold } : {}),
      ...(s.query ? { query: { numerator: s.query.numerator, denominator: s.query.denominator } } : {}),
      ...(s.monitor_ids ? { monitor_ids: (s.monitor_ids as string[]).map((t) => Number(resolve(String(t)))) } : {}),
      ...(ts
        ? {
            sli_specification: {
              time_slice: {
                comparator: ts.comparator,
                threshold: ts.threshold,
                query_interval_seconds: ts.query_interval_seconds,
                query: {
                  formulas: [{ formula: ts.query.formula.formula_expression }],
                  queries: (ts.query.query as Json[]).map((q) => ({ ...q.metric_query })),
                },
              },
            },
          }
        : {}),
      creator: { name: null, handle: 'terraform@acme.example', email: 'terraform@acme.example' },
      created_at: 1762000000,
      modified_at: 1762000000,
    };
  });
  const dashboards = Object.entries((res.datadog_dashboard_json ?? {}) as Json).map(([name, d]) => {
    const id = ids.get(`datadog_dashboard_json.${name}`) as string;
    return {
      ...(JSON.parse(d.dashboard as string) as Json),
      id,
      author_handle: 'terraform@acme.example',
      created_at: '2026-11-01T10:00:00.000000+00:00',
      modified_at: '2026-11-01T10:00:00.000000+00:00',
      url: `/dashboard/${id}/x`,
    };
  });
  return { monitors, slos, dashboards, ids };
}
