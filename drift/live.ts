/**
 * Monitors as Datadog holds them (GET /api/v1/monitor, GET /api/v1/monitor/{id}),
 * with the fields drift compares, checked. Pure.
 *
 * Shape: `Monitor` of `.generator/schemas/v1/openapi.yaml`
 * (DataDog/datadog-api-client-typescript), as recorded in
 * test/fixtures/datadog/v1-monitor-list-page0.json (SOURCES.md): `id`, `name`,
 * `type`, `query`, `message`, `tags`, `priority` (null when none),
 * `options.thresholds`, `options.notify_no_data`, `options.no_data_timeframe`.
 * A body of another shape is a BadResponseError (the caller names the
 * endpoint): drift never reads a bad answer as "nothing there".
 */
import { array, BadResponseError, kind, object, optionalString, strings } from '../gate/datadog-responses';

/** Threshold names of `options.thresholds`, in the API's spelling. */
export const THRESHOLD_KEYS = ['critical', 'critical_recovery', 'warning', 'warning_recovery', 'ok', 'unknown'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

/** One monitor as Datadog holds it. */
export interface LiveMonitor {
  readonly id: number;
  readonly name: string;
  readonly type: string;
  readonly query: string;
  readonly message: string;
  readonly tags: readonly string[];
  readonly priority: number | null;
  readonly thresholds: Readonly<Partial<Record<ThresholdKey, number>>>;
  readonly notifyNoData: boolean | null;
  readonly noDataTimeframe: number | null;
}

/** GET /api/v1/monitor: an array of monitors. */
export function parseLiveMonitors(body: unknown): LiveMonitor[] {
  return array(body, 'the body').map((m, i) => parseLiveMonitor(m, `[${i}]`));
}

/** One monitor (GET /api/v1/monitor/{id}, or an element of the list). */
export function parseLiveMonitor(raw: unknown, where = 'the body'): LiveMonitor {
  const m = object(raw, where);
  const id = m.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new BadResponseError(`${where}.id: got ${kind(id)}, expected an integer`, '');
  const text = (field: string): string => {
    const v = optionalString(m[field], `${where}.${field}`);
    if (v === undefined) throw new BadResponseError(`${where}.${field}: got ${kind(m[field])}, expected a string`, '');
    return v;
  };
  const priority = m.priority;
  if (priority !== undefined && priority !== null && (typeof priority !== 'number' || !Number.isInteger(priority))) {
    throw new BadResponseError(`${where}.priority: got ${kind(priority)}, expected an integer or null`, '');
  }
  const options = m.options === undefined || m.options === null ? {} : object(m.options, `${where}.options`);
  const th = options.thresholds === undefined || options.thresholds === null ? {} : object(options.thresholds, `${where}.options.thresholds`);
  const thresholds: Partial<Record<ThresholdKey, number>> = {};
  for (const k of THRESHOLD_KEYS) {
    const v = th[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadResponseError(`${where}.options.thresholds.${k}: got ${kind(v)}, expected a number`, '');
    thresholds[k] = v;
  }
  const bool = (v: unknown, f: string): boolean | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'boolean') throw new BadResponseError(`${where}.options.${f}: got ${kind(v)}, expected a boolean`, '');
    return v;
  };
  const noData = options.no_data_timeframe;
  if (noData !== undefined && noData !== null && (typeof noData !== 'number' || !Number.isFinite(noData))) {
    throw new BadResponseError(`${where}.options.no_data_timeframe: got ${kind(noData)}, expected minutes`, '');
  }
  return {
    id,
    name: text('name'),
    type: text('type'),
    query: text('query'),
    message: optionalString(m.message, `${where}.message`) ?? '',
    tags: m.tags === undefined || m.tags === null ? [] : strings(m.tags, `${where}.tags`),
    priority: typeof priority === 'number' ? priority : null,
    thresholds,
    notifyNoData: bool(options.notify_no_data, 'notify_no_data'),
    noDataTimeframe: typeof noData === 'number' ? noData : null,
  };
}
