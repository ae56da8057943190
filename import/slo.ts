/**
 * One Datadog SLO (API v1 `ServiceLevelObjective`, as `GET /api/v1/slo/{id}`
 * returns it under `data`) as a team-file SLO (pure). Fields:
 * datadog-api-client-typescript packages/datadog-api-client-v1/models/ServiceLevelObjective.ts,
 * SLOThreshold.ts, SLOTimeSliceCondition.ts, SLOTimeSliceQuery.ts ("exactly
 * one formula").
 *
 * Burn-rate alerts are monitors of their own in Datadog; an imported SLO has
 * `burnRate: { enabled: false }` so the first apply creates nothing, and the
 * report says how to turn them on.
 */
import { SLO_TIMEFRAMES } from '../model/monitoring/burn-rate';
import { isObject, numberOf, splitTags, withEnvPlaceholder, withoutStagePrefix } from './common';

/**
 * Fields the Datadog API sets and returns. `type_id` mirrors `type` ("Always
 * included in service level objective responses. Ignored in create/update
 * requests": SLOTypeNumeric, .generator/schemas/v1/openapi.yaml of
 * DataDog/datadog-api-client-go; every SLO of the recorded `GET /api/v1/slo` pages has it).
 */
export const SERVER_SET_SLO_FIELDS = ['id', 'creator', 'created_at', 'modified_at', 'monitor_tags', 'configured_alert_ids', 'type_id'] as const;

export interface ImportedSlo {
  readonly spec: Record<string, unknown>;
  readonly team?: string;
  readonly service?: string;
}

/** Convert one SLO; undefined (with a note) when it cannot be a team-file SLO. `monitorIds` maps Datadog monitor ids of this import to definition ids. */
export function importSlo(
  raw: Record<string, unknown>,
  id: string,
  stage: string,
  monitorIds: ReadonlyMap<string, string>,
  note: (field: string, text: string) => void,
): ImportedSlo | undefined {
  const env = (t: string): string => withEnvPlaceholder(t, stage);
  const type = raw.type === 'time_slice' ? 'time-slice' : raw.type;
  if (type !== 'metric' && type !== 'monitor' && type !== 'time-slice') {
    note('type', `type ${JSON.stringify(raw.type)}: not a metric, monitor or time_slice SLO; not imported`);
    return undefined;
  }
  const tags = splitTags(raw.tags, note);
  const { description, runbook, owner } = descriptionOf(typeof raw.description === 'string' ? raw.description : '');
  const team = tags.team ?? owner?.team;
  const service = tags.service ?? owner?.service;
  const spec: Record<string, unknown> = { id, name: env(withoutStagePrefix(String(raw.name ?? id), stage)) };
  if (description !== '') spec.description = env(description);
  spec.type = type;
  if (type === 'metric') {
    const q = isObject(raw.query) ? raw.query : {};
    spec.numerator = env(String(q.numerator ?? '').trim());
    spec.denominator = env(String(q.denominator ?? '').trim());
  } else if (type === 'monitor') {
    const ids = Array.isArray(raw.monitor_ids) ? raw.monitor_ids.map(String) : [];
    const missing = ids.filter((m) => !monitorIds.has(m));
    if (missing.length > 0) note('monitor_ids', `monitors ${missing.join(', ')} are not in this import: import them too (a monitor SLO names definition ids)`);
    spec.monitors = ids.map((m) => monitorIds.get(m) ?? m);
    if (Array.isArray(raw.groups) && raw.groups.length > 0) note('groups', `${JSON.stringify(raw.groups)}: team files have no field for SLO groups; not kept`);
  } else {
    const ts = timeSliceOf(raw.sli_specification);
    if (!ts) {
      note('sli_specification', 'not one metrics query under one formula naming it: team files hold that shape only; not imported');
      return undefined;
    }
    spec.timeSlice = { ...ts, query: env(ts.query) };
  }
  const targets: Array<Record<string, unknown>> = [];
  for (const t of Array.isArray(raw.thresholds) ? raw.thresholds : []) {
    if (!isObject(t)) continue;
    const target = numberOf(t.target);
    const warning = numberOf(t.warning);
    if (!(SLO_TIMEFRAMES as readonly string[]).includes(String(t.timeframe)) || target === undefined) {
      note('thresholds', `${JSON.stringify(t)}: team files hold targets over ${SLO_TIMEFRAMES.join(', ')}; not kept`);
      continue;
    }
    targets.push({ timeframe: t.timeframe, target, ...(warning !== undefined ? { warning } : {}) });
  }
  spec.targets = targets;
  const timeframes = targets.map((t) => t.timeframe);
  const primary = typeof raw.timeframe === 'string' ? raw.timeframe : undefined;
  const implied = timeframes.includes('30d') ? '30d' : timeframes[0];
  if (primary !== undefined && timeframes.includes(primary) && primary !== implied) spec.primaryTimeframe = primary;
  spec.burnRate = { enabled: false };
  if (team !== undefined) spec.team = team;
  if (service !== undefined) spec.service = service;
  if (runbook !== undefined) spec.runbook = runbook;
  if (Object.keys(tags.tags).length > 0) spec.tags = tags.tags;
  const handled = new Set<string>([
    ...SERVER_SET_SLO_FIELDS,
    'name',
    'description',
    'type',
    'query',
    'monitor_ids',
    'groups',
    'sli_specification',
    'thresholds',
    'timeframe',
    'target_threshold',
    'warning_threshold',
    'tags',
  ]);
  for (const [k, v] of Object.entries(raw)) {
    if (!handled.has(k) && v !== null && !(Array.isArray(v) && v.length === 0)) note(k, `${JSON.stringify(v)}: team files have no field for it; not kept`);
  }
  return { spec, ...(team !== undefined ? { team } : {}), ...(service !== undefined ? { service } : {}) };
}

/** The description without the lines plan/monitoring/stage-plan.ts adds (`Runbook: ...`, `Owner: ... Managed by observability-rollout (...)`). */
function descriptionOf(text: string): { description: string; runbook?: string; owner?: { team?: string; service?: string } } {
  let runbook: string | undefined;
  let owner: { team?: string; service?: string } | undefined;
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const rb = /^Runbook: (https:\/\/\S+)$/.exec(line.trim());
    const own = /^Owner: (?:team ([a-z0-9-]+), )?(?:service ([a-z0-9-]+), )?stage [a-z0-9]+\. Managed by observability-rollout \([^)]*\)\.$/.exec(line.trim());
    if (rb && runbook === undefined) runbook = rb[1];
    else if (own) owner = { ...(own[1] ? { team: own[1] } : {}), ...(own[2] ? { service: own[2] } : {}) };
    else kept.push(line);
  }
  return { description: kept.join('\n').trim(), ...(runbook !== undefined ? { runbook } : {}), ...(owner ? { owner } : {}) };
}

/** `sli_specification.time_slice` with one metrics query under one formula naming it. */
function timeSliceOf(spec: unknown): { query: string; comparator: string; threshold: number; interval: string } | undefined {
  const ts = isObject(spec) && isObject(spec.time_slice) ? spec.time_slice : undefined;
  const q = ts && isObject(ts.query) ? ts.query : undefined;
  const formulas = q && Array.isArray(q.formulas) ? q.formulas : [];
  const queries = q && Array.isArray(q.queries) ? q.queries : [];
  const only = queries.length === 1 && isObject(queries[0]) ? queries[0] : undefined;
  const formula = formulas.length === 1 && isObject(formulas[0]) ? formulas[0].formula : undefined;
  const threshold = numberOf(ts?.threshold);
  const seconds = numberOf(ts?.query_interval_seconds) ?? 300;
  if (!ts || !only || only.data_source !== 'metrics' || typeof only.query !== 'string' || formula !== only.name) return undefined;
  if (!['>', '>=', '<', '<='].includes(String(ts.comparator)) || threshold === undefined || (seconds !== 60 && seconds !== 300)) return undefined;
  return { query: only.query, comparator: String(ts.comparator), threshold, interval: seconds === 60 ? '1m' : '5m' };
}
