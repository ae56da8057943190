/**
 * One Datadog monitor (API v1 `Monitor`, as `GET /api/v1/monitor/{id}` and
 * the UI's "Export monitor" give it) as a team-file monitor (pure).
 *
 * Fields: datadog-api-client-typescript packages/datadog-api-client-v1/models/Monitor.ts
 * and MonitorOptions.ts; server-set ones (id, org_id, created, modified,
 * creator, overall_state, ...) are dropped; options this tool sends itself
 * (include_tags) or Datadog deprecated (locked, silenced, new_host_delay) are
 * dropped when they hold their default; any other option the team-file schema
 * (model/monitoring/schema.ts) has no field for is reported, not kept.
 */
import { parseLastWindow } from '../model/monitoring/duration';
import { isWellFormedQuery, MonitorType, usesAsCount } from '../model/monitoring/query';
import { DATADOG_ROLE_ID } from '../model/patterns';
import { durationOf, isObject, numberOf, splitTags, withEnvPlaceholder, withoutStagePrefix } from './common';
import { parseMessage } from './message';

/** Fields the Datadog API sets and returns; never part of a definition. */
export const SERVER_SET_MONITOR_FIELDS = [
  'id',
  'org_id',
  'created',
  'created_at',
  'modified',
  'deleted',
  'creator',
  'overall_state',
  'overall_state_modified',
  'matching_downtimes',
  'multi',
  'state',
  'draft_status',
] as const;

/** Options dropped when they hold the value shown (Datadog's default, or what this tool sends anyway). */
const DEFAULT_OPTIONS: Readonly<Record<string, (v: unknown) => boolean>> = {
  include_tags: (v) => v === true, // the construct always sends include_tags: true
  notify_audit: (v) => v === false || v === null,
  locked: (v) => v === false || v === null, // deprecated for restricted_roles
  silenced: (v) => v === null || (isObject(v) && Object.keys(v).length === 0), // muting: use downtimes
  timeout_h: (v) => v === null || numberOf(v) === 0,
  escalation_message: (v) => v === null || v === '',
  renotify_interval: (v) => v === null || numberOf(v) === 0,
  no_data_timeframe: (v) => v === null,
  new_host_delay: (v) => v === null || numberOf(v) === 300, // deprecated for new_group_delay; 300 is its default
  on_missing_data: (v) => v === null || v === 'default',
  notification_preset_name: (v) => v === null || v === 'show_all',
  renotify_statuses: (v) => v === null,
  renotify_occurrences: (v) => v === null,
  evaluation_delay: (v) => v === null || numberOf(v) === 0,
  new_group_delay: (v) => v === null,
  require_full_window: () => false, // decided below
};

/** Datadog monitor type -> the kind a team file declares (anomaly: a query alert with anomalies()). */
function kindOf(type: unknown, query: string): MonitorType | undefined {
  switch (type) {
    case 'metric alert':
      return 'metric';
    case 'query alert':
      return /\banomalies\(/.test(query) ? 'anomaly' : 'query';
    case 'service check':
      return 'service-check';
    case 'log alert':
      return 'log';
    case 'composite':
      return 'composite';
    default:
      return undefined;
  }
}

/** A monitor in team-file shape (keys in the order a person reads them), and its owner. */
export interface ImportedMonitor {
  readonly spec: Record<string, unknown>;
  readonly team?: string;
  readonly service?: string;
  /** Routing, kept apart so the file can share it. */
  readonly notify?: { alert: string[]; warning: string[]; noData?: string[] };
}

/**
 * Convert one monitor; undefined (with a note) when its type has no
 * team-file kind. `id` is the definition id chosen by the caller;
 * `compositeIds` maps Datadog ids of monitors in the same import to theirs.
 */
export function importMonitor(
  raw: Record<string, unknown>,
  id: string,
  stage: string,
  compositeIds: ReadonlyMap<string, string>,
  note: (field: string, text: string) => void,
): ImportedMonitor | undefined {
  const rawQuery = typeof raw.query === 'string' ? raw.query.trim() : '';
  const kind = kindOf(raw.type, rawQuery);
  if (!kind) {
    note(
      'type',
      `type ${JSON.stringify(raw.type)} has no team-file kind (metric, query, anomaly, service-check, log, composite): not imported` +
        (raw.type === 'slo alert' ? "; an SLO's burn-rate alerts come from its burnRate tiers" : ''),
    );
    return undefined;
  }
  const env = (t: string): string => withEnvPlaceholder(t, stage);
  let query = env(rawQuery);
  if (kind === 'composite') {
    query = query.replace(/\b\d+\b/g, (n) => {
      const ref = compositeIds.get(n);
      if (!ref) note('query', `composite names monitor ${n}, which is not in this import: import it too (its definition id replaces the number)`);
      return ref ?? n;
    });
  }
  const options = isObject(raw.options) ? raw.options : {};
  const tags = splitTags(raw.tags, note);
  const message = parseMessage(typeof raw.message === 'string' ? raw.message : '');
  if (tags.env !== undefined && tags.env !== stage)
    note('tags', `tag env:${tags.env} differs from the stage imported from (${stage}); the stage's env tag replaces it`);
  if (message.owner?.stage !== undefined && message.owner.stage !== stage)
    note('message', `the message's owner line names stage ${message.owner.stage}, not ${stage}`);
  const team = tags.team ?? message.owner?.team;
  const service = tags.service ?? message.owner?.service;

  const spec: Record<string, unknown> = { id, name: env(withoutStagePrefix(String(raw.name ?? id), stage)), type: kind, query };
  const thresholds = thresholdsOf(options.thresholds, note);
  if (kind !== 'composite' && Object.keys(thresholds).length > 0) spec.thresholds = thresholds;
  const windows = isObject(options.threshold_windows) ? options.threshold_windows : undefined;
  if (windows && kind === 'anomaly') {
    const trigger = parseLastWindow(String(windows.trigger_window ?? ''));
    const recovery = parseLastWindow(String(windows.recovery_window ?? ''));
    if (trigger !== undefined && recovery !== undefined) spec.thresholdWindows = { trigger: durationOf(trigger), recovery: durationOf(recovery) };
    else note('options.threshold_windows', `${JSON.stringify(windows)}: not windows such as last_15m; not kept`);
  }
  const notifyNoData = options.notify_no_data === true;
  if (notifyNoData) {
    const tf = numberOf(options.no_data_timeframe);
    spec.noData = { notify: true, ...(tf !== undefined && durationOf(tf) ? { timeframe: durationOf(tf) } : {}) };
  }
  const renotify = numberOf(options.renotify_interval);
  if (renotify !== undefined && renotify > 0) {
    const statuses = Array.isArray(options.renotify_statuses) ? options.renotify_statuses.filter((s) => typeof s === 'string') : undefined;
    const occurrences = numberOf(options.renotify_occurrences);
    const escalation = typeof options.escalation_message === 'string' && options.escalation_message.trim() !== '' ? env(options.escalation_message) : undefined;
    spec.renotify = {
      interval: durationOf(renotify),
      ...(statuses && statuses.length > 0 ? { statuses } : {}),
      ...(occurrences !== undefined ? { occurrences } : {}),
      ...(escalation !== undefined ? { message: escalation } : {}),
    };
  }
  for (const [field, key] of [
    ['evaluation_delay', 'evaluationDelay'],
    ['new_group_delay', 'newGroupDelay'],
  ] as const) {
    const seconds = numberOf(options[field]);
    if (seconds === undefined || seconds === 0) continue;
    if (seconds % 60 === 0 && durationOf(seconds / 60)) spec[key] = durationOf(seconds / 60);
    else note(`options.${field}`, `${seconds} s is not a whole number of minutes (team files take 5m, 1h...); not kept`);
  }
  const rfw = options.require_full_window;
  if (typeof rfw === 'boolean' && (kind === 'metric' || kind === 'query' || kind === 'anomaly')) {
    // What plan/monitoring/stage-plan.ts sends when the file says nothing: false for .as_count() queries, else the provider's true.
    const derived = !usesAsCount(query);
    if (rfw !== derived) spec.requireFullWindow = rfw;
  }
  const priority = numberOf(raw.priority);
  if (priority !== undefined) spec.priority = priority;
  if (team !== undefined) spec.team = team;
  if (service !== undefined) spec.service = service;
  if (message.runbook !== undefined) spec.runbook = message.runbook;
  spec.message = env(message.body);
  if (Object.keys(tags.tags).length > 0) spec.tags = tags.tags;
  const roles = Array.isArray(raw.restricted_roles) ? raw.restricted_roles.filter((r): r is string => typeof r === 'string') : [];
  const badRoles = roles.filter((r) => !DATADOG_ROLE_ID.pattern.test(r));
  if (badRoles.length > 0) note('restricted_roles', `${JSON.stringify(badRoles)}: not Datadog role ids (UUIDs); not kept`);
  if (roles.length > badRoles.length) spec.restrictedRoles = roles.filter((r) => DATADOG_ROLE_ID.pattern.test(r));
  if (tags.check === 'app-errors') spec.rolloutCheck = 'app-errors';
  else if (tags.check !== undefined) note('tags', `tag rollout_check:${tags.check}: set by the rollout's own monitors; not kept`);

  const known = new Set(['thresholds', 'threshold_windows', 'notify_no_data']);
  for (const [k, v] of Object.entries(options)) {
    if (known.has(k) || DEFAULT_OPTIONS[k]?.(v) || ['renotify_statuses', 'renotify_occurrences', 'escalation_message', 'no_data_timeframe'].includes(k))
      continue;
    if (['evaluation_delay', 'new_group_delay', 'renotify_interval', 'require_full_window'].includes(k)) continue;
    note(`options.${k}`, `${JSON.stringify(v)}: team files have no field for it; not kept (the first apply removes it from the monitor)`);
  }
  const handled = new Set<string>([...SERVER_SET_MONITOR_FIELDS, 'name', 'type', 'query', 'message', 'tags', 'options', 'priority', 'restricted_roles']);
  for (const [k, v] of Object.entries(raw)) {
    if (handled.has(k) || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (k === 'restriction_policy' && isObject(v) && Array.isArray(v.bindings) && v.bindings.length === 0) continue;
    note(k, `${JSON.stringify(v)}: team files have no field for it; not kept`);
  }
  if (!isWellFormedQuery(kind, query))
    note('query', `not the query shape validation accepts for a ${kind} monitor: fix it in the team file (rollout validate says how)`);

  const routing = routingOf(message.routed, message.bare, thresholds.warning !== undefined, notifyNoData);
  return { spec, ...(team !== undefined ? { team } : {}), ...(service !== undefined ? { service } : {}), ...(routing ? { notify: routing } : {}) };
}

/** options.thresholds in team-file names; what is not a number is noted. */
function thresholdsOf(raw: unknown, note: (field: string, text: string) => void): Record<string, number> {
  const names: Record<string, string> = {
    critical: 'critical',
    warning: 'warning',
    critical_recovery: 'criticalRecovery',
    warning_recovery: 'warningRecovery',
    ok: 'ok',
    unknown: 'unknown',
  };
  const out: Record<string, number> = {};
  if (!isObject(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    const n = numberOf(v);
    if (v === null) continue;
    if (names[k] === undefined || n === undefined) note(`options.thresholds.${k}`, `${JSON.stringify(v)}: not a threshold team files hold; not kept`);
    else out[names[k]] = n;
  }
  return out;
}

/** The `notify` of a monitor from its routing blocks and bare handles (bare handles hear of every state). */
function routingOf(
  routed: { alert: readonly string[]; warning: readonly string[]; noData: readonly string[] },
  bare: readonly string[],
  warnings: boolean,
  noData: boolean,
): { alert: string[]; warning: string[]; noData?: string[] } | undefined {
  const uniq = (...lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())];
  const alert = uniq(routed.alert, bare);
  const warning = uniq(routed.warning, warnings ? bare : []);
  const nd = uniq(routed.noData, noData ? bare : []);
  if (alert.length === 0 && warning.length === 0 && nd.length === 0) return undefined;
  // noData defaults to the alert handles (model/monitoring/schema.ts NotifySchema).
  const same = nd.length === alert.length && nd.every((h, i) => h === alert[i]);
  return { alert, warning, ...(same || !noData ? {} : { noData: nd }) };
}
