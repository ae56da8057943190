/**
 * Drift of a stage's SLOs (pure): SLOs as Datadog holds them, parsed and
 * checked, and compared with the planned ones field by field.
 *
 * Shape: `ServiceLevelObjective` of `.generator/schemas/v1/openapi.yaml`
 * (DataDog/datadog-api-client-typescript), as recorded in
 * test/fixtures/datadog/v1-slo-*.json (SOURCES.md): `GET /api/v1/slo` answers
 * `{data: [SLO...]}`, `GET /api/v1/slo/{id}` `{data: SLO}`; an SLO has `id`
 * (string), `name`, `type` (metric, monitor, time_slice), `description`
 * (nullable), `tags`, `thresholds[]` (`timeframe`, `target`, `warning`),
 * `timeframe`, `target_threshold`, `warning_threshold`, and per type `query`
 * (`numerator`, `denominator`), `monitor_ids` (integers) or
 * `sli_specification.time_slice` (`comparator`, `threshold`,
 * `query_interval_seconds`, `query.formulas[]`, `query.queries[]`). A body of
 * another shape is a BadResponseError: drift never reads it as "no SLO".
 *
 * The fields compared are the ones the construct writes
 * (constructs/monitoring/stage-monitoring.ts `sloConfig`): name, type,
 * description, query / monitor ids / time slice, every target, the primary
 * timeframe / target / warning, tags. Matching is the monitors' (compare.ts):
 * by the state's id, else by name among SLOs tagged managed-by and env.
 */
import { MANAGED_BY_TAG } from '../model/names';
import { envTag } from '../model/signals';
import { array, BadResponseError, kind, object, optionalString, strings } from '../gate/datadog-responses';
import { Exact } from '../gate/exact';
import { printable } from '../gate/redact';
import type { PlannedSlo } from '../plan/monitoring/planned';
import { sameQuery } from './compare';
import type { FieldDrift } from './compare';
import { differences, tagDrift } from './differences';
import { matchAndCompare, ObjectDrift } from './match';
import type { StateObject } from './state';

/** One SLO as Datadog holds it. */
export interface LiveSlo {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly query?: { readonly numerator: string; readonly denominator: string };
  readonly monitorIds?: readonly number[];
  readonly timeSlice?: { readonly query: string; readonly comparator: string; readonly threshold: number; readonly intervalSeconds: number | null };
  readonly thresholds: ReadonlyArray<{ readonly timeframe: string; readonly target: number; readonly warning?: number }>;
  readonly timeframe: string | null;
  readonly targetThreshold: number | null;
  readonly warningThreshold: number | null;
}

/** GET /api/v1/slo: `{data: [...]}`. */
export function parseLiveSloList(body: unknown): LiveSlo[] {
  const b = object(body, 'the body');
  return array(b.data, 'the body.data').map((s, i) => parseLiveSlo(s, `data[${i}]`));
}

/** GET /api/v1/slo/{id}: `{data: {...}}`. */
export function parseLiveSloResponse(body: unknown): LiveSlo {
  return parseLiveSlo(object(body, 'the body').data, 'data');
}

function bad(where: string, got: unknown, expected: string): BadResponseError {
  return new BadResponseError(`${where}: got ${kind(got)}, expected ${expected}`, '');
}

function num(x: unknown, where: string, nullable = true): number | null {
  if ((x === undefined || x === null) && nullable) return null;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(where, x, 'a number');
  return x;
}

/** One SLO object. */
export function parseLiveSlo(raw: unknown, where = 'data'): LiveSlo {
  const s = object(raw, where);
  if (typeof s.id !== 'string' || s.id === '') throw bad(`${where}.id`, s.id, 'an SLO id (a string)');
  const text = (field: string): string => {
    const v = optionalString(s[field], `${where}.${field}`);
    if (v === undefined) throw bad(`${where}.${field}`, s[field], 'a string');
    return v;
  };
  const thresholds = array(s.thresholds ?? [], `${where}.thresholds`).map((t, i) => {
    const o = object(t, `${where}.thresholds[${i}]`);
    if (typeof o.timeframe !== 'string') throw bad(`${where}.thresholds[${i}].timeframe`, o.timeframe, 'a timeframe (7d, 30d, 90d...)');
    const warning = num(o.warning, `${where}.thresholds[${i}].warning`);
    return { timeframe: o.timeframe, target: num(o.target, `${where}.thresholds[${i}].target`, false) as number, ...(warning !== null ? { warning } : {}) };
  });
  let query: LiveSlo['query'];
  if (s.query !== undefined && s.query !== null) {
    const q = object(s.query, `${where}.query`);
    const part = (f: string): string => {
      if (typeof q[f] !== 'string') throw bad(`${where}.query.${f}`, q[f], 'a metric query');
      return q[f] as string;
    };
    query = { numerator: part('numerator'), denominator: part('denominator') };
  }
  let monitorIds: number[] | undefined;
  if (s.monitor_ids !== undefined && s.monitor_ids !== null) {
    monitorIds = array(s.monitor_ids, `${where}.monitor_ids`).map((m, i) => {
      if (typeof m !== 'number' || !Number.isSafeInteger(m)) throw bad(`${where}.monitor_ids[${i}]`, m, 'a monitor id');
      return m;
    });
  }
  let timeSlice: LiveSlo['timeSlice'];
  const spec = s.sli_specification;
  if (spec !== undefined && spec !== null && object(spec, `${where}.sli_specification`).time_slice !== undefined) {
    const w = `${where}.sli_specification.time_slice`;
    const ts = object(object(spec, `${where}.sli_specification`).time_slice, w);
    const q = object(ts.query, `${w}.query`);
    const formulas = array(q.formulas, `${w}.query.formulas`).map((f, i) =>
      optionalString(object(f, `${w}.query.formulas[${i}]`).formula, `${w}.query.formulas[${i}].formula`),
    );
    const queries = array(q.queries, `${w}.query.queries`).map((x, i) => object(x, `${w}.query.queries[${i}]`));
    // One formula naming one metrics query is the shape this tool writes (sloConfig); another shape is shown as it is.
    const only = formulas.length === 1 && queries.length === 1 && formulas[0] === queries[0].name ? queries[0].query : undefined;
    if (typeof ts.comparator !== 'string') throw bad(`${w}.comparator`, ts.comparator, 'a comparator');
    timeSlice = {
      query: typeof only === 'string' ? only : JSON.stringify(q),
      comparator: ts.comparator,
      threshold: num(ts.threshold, `${w}.threshold`, false) as number,
      intervalSeconds: num(ts.query_interval_seconds, `${w}.query_interval_seconds`),
    };
  }
  if (s.timeframe !== undefined && s.timeframe !== null && typeof s.timeframe !== 'string') throw bad(`${where}.timeframe`, s.timeframe, 'a timeframe');
  return {
    id: s.id,
    name: text('name'),
    type: text('type'),
    description: optionalString(s.description, `${where}.description`) ?? '',
    tags: s.tags === undefined || s.tags === null ? [] : strings(s.tags, `${where}.tags`),
    ...(query ? { query } : {}),
    ...(monitorIds ? { monitorIds } : {}),
    ...(timeSlice ? { timeSlice } : {}),
    thresholds,
    timeframe: typeof s.timeframe === 'string' ? s.timeframe : null,
    targetThreshold: num(s.target_threshold, `${where}.target_threshold`),
    warningThreshold: num(s.warning_threshold, `${where}.warning_threshold`),
  };
}

export interface SloDriftInput {
  readonly stage: string;
  readonly planned: readonly PlannedSlo[];
  readonly live: readonly LiveSlo[];
  readonly state?: readonly StateObject[];
  /** Ids of the state that Datadog answered 404 for. */
  readonly gone?: readonly string[];
  /** Datadog id of each team monitor found live (definition id -> monitor id), for monitor SLOs. */
  readonly liveIdOfTeam?: ReadonlyMap<string, number>;
}

/** Compare a stage's declared SLOs with Datadog (and the state, when given). */
export function compareSlos(input: SloDriftInput): ObjectDrift {
  const { stage, planned } = input;
  const env = envTag(stage);
  return matchAndCompare({
    object: 'slo',
    stage,
    planned: planned.map((p) => ({ key: p.key, name: p.name, p })),
    live: input.live.map((l) => ({ id: l.id, name: l.name, l })),
    ...(input.state ? { state: input.state } : {}),
    gone: input.gone ?? [],
    managed: (l) => l.l.tags.includes(MANAGED_BY_TAG),
    ofStage: (l) => l.l.tags.includes(env),
    fields: (p, l) => sloFieldDrift(p.p, l.l, input.liveIdOfTeam ?? new Map()),
    lookalike: (l) =>
      input.planned.some(
        (p) =>
          p.query !== undefined &&
          l.l.query !== undefined &&
          sameQuery(p.query.numerator, l.l.query.numerator) &&
          sameQuery(p.query.denominator, l.l.query.denominator),
      )
        ? 'has the query of a declared SLO'
        : undefined,
  });
}

/** The fields of `l` that differ from what `p` declares. */
export function sloFieldDrift(p: PlannedSlo, l: LiveSlo, liveIdOfTeam: ReadonlyMap<string, number> = new Map()): FieldDrift[] {
  const out: FieldDrift[] = [];
  const add = (field: string, declared: string, live: string): void => {
    out.push({ field, declared: printable(declared, 300), live: printable(live, 300) });
  };
  const numbers = (field: string, d: number | undefined | null, v: number | undefined | null): void => {
    if ((d ?? undefined) === undefined && (v ?? undefined) === undefined) return;
    if (d === undefined || d === null || v === undefined || v === null || Exact.of(d).cmp(Exact.of(v)) !== 0)
      add(field, d === undefined || d === null ? 'none' : String(d), v === undefined || v === null ? 'none' : String(v));
  };
  if (l.name !== p.name) add('name', p.name, l.name);
  if (l.type !== p.type) add('type', p.type, l.type);
  out.push(...differences('description', p.description.trimEnd(), l.description.trimEnd()));
  if (p.query !== undefined) {
    if (!sameQuery(p.query.numerator, l.query?.numerator ?? '')) add('query.numerator', p.query.numerator, l.query?.numerator ?? 'none');
    if (!sameQuery(p.query.denominator, l.query?.denominator ?? '')) add('query.denominator', p.query.denominator, l.query?.denominator ?? 'none');
  }
  // A monitor SLO whose monitor was not found cannot be compared (the monitor is reported as missing or deleted).
  if (p.monitorIds !== undefined && p.monitorIds.every((m) => liveIdOfTeam.has(m))) {
    const declared = p.monitorIds.map((m) => liveIdOfTeam.get(m) as number).sort((a, b) => a - b);
    const live = [...(l.monitorIds ?? [])].sort((a, b) => a - b);
    if (declared.join(',') !== live.join(',')) add('monitor_ids', declared.join(', '), live.join(', ') || 'none');
  }
  if (p.timeSlice !== undefined) {
    const t = l.timeSlice;
    if (t === undefined) add('sli_specification.time_slice', p.timeSlice.query, 'none');
    else {
      if (!sameQuery(p.timeSlice.query, t.query)) add('time_slice.query', p.timeSlice.query, t.query);
      if (t.comparator !== p.timeSlice.comparator) add('time_slice.comparator', p.timeSlice.comparator, t.comparator);
      numbers('time_slice.threshold', p.timeSlice.threshold, t.threshold);
      numbers('time_slice.query_interval_seconds', p.timeSlice.intervalSeconds, t.intervalSeconds);
    }
  }
  const liveByTimeframe = new Map(l.thresholds.map((t) => [t.timeframe, t]));
  for (const d of p.targets) {
    const v = liveByTimeframe.get(d.timeframe);
    if (v === undefined) {
      add(`thresholds.${d.timeframe}`, `target ${d.target}${d.warning !== undefined ? `, warning ${d.warning}` : ''}`, 'none');
      continue;
    }
    numbers(`thresholds.${d.timeframe}.target`, d.target, v.target);
    numbers(`thresholds.${d.timeframe}.warning`, d.warning, v.warning);
  }
  for (const v of l.thresholds) {
    if (!p.targets.some((d) => d.timeframe === v.timeframe))
      add(`thresholds.${v.timeframe}`, 'none', `target ${v.target}${v.warning !== undefined ? `, warning ${v.warning}` : ''}`);
  }
  if (l.timeframe !== p.primary.timeframe) add('timeframe', p.primary.timeframe, l.timeframe ?? 'none');
  numbers('target_threshold', p.primary.target, l.targetThreshold);
  numbers('warning_threshold', p.primary.warning, l.warningThreshold);
  const tags = tagDrift(p.tags, l.tags);
  if (tags) add('tags', tags.declared, tags.live);
  return out;
}
