/**
 * What the Datadog API promises to answer, checked. Each parser takes a
 * response body (and its content type) and returns the gate's own types, or
 * throws a BadResponseError naming what was wrong: a body that is not JSON
 * (an HTML error page from a proxy, a truncated answer), or JSON of another
 * shape. A bad response is never read as "no data". Pure.
 *
 * Shapes: `.generator/schemas/v1/openapi.yaml` of
 * DataDog/datadog-api-client-typescript (MetricsQueryResponse, Monitor,
 * EventListResponse, EventCreateResponse), checked against the recorded
 * answers in test/fixtures/datadog/ (SOURCES.md).
 */
import { printable } from './redact';
import type { DeployEvent, MonitorMute, MonitorState, Series } from './types';

/** A 2xx answer that is not what the API promises. The message says what was wrong; the caller names the endpoint. */
export class BadResponseError extends Error {
  constructor(
    message: string,
    /** The start of the body, for the message (the caller cleans it: it came from the server). */
    public readonly excerpt: string,
  ) {
    super(message);
    this.name = 'BadResponseError';
  }
}

/** The body as JSON, when it is JSON and says so. */
export function parseJsonBody(text: string, contentType: string | undefined): unknown {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const excerpt = text.slice(0, 120);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new BadResponseError(`expected application/json, got ${type === '' ? 'no content type' : printable(type, 60)}`, excerpt);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BadResponseError(`malformed JSON (${(e as Error).message})`, excerpt);
  }
}

/** GET /api/v1/query: `{status: "ok", series: [{pointlist: [[ms, value|null], ...], tag_set?, scope?, interval?}, ...]}`. */
export function parseQueryResponse(body: unknown): Series[] {
  const res = object(body, 'the body');
  const status = optionalString(res.status, 'status');
  const error = optionalString(res.error, 'error');
  if (status === 'error' || (error !== undefined && error !== '')) {
    throw new QueryError(error ?? optionalString(res.message, 'message') ?? 'status error');
  }
  if (status !== undefined && status !== 'ok') throw new BadResponseError(`status: got ${JSON.stringify(printable(status, 40))}, expected "ok"`, '');
  const series = array(res.series, 'series');
  return series.map((raw, i): Series => {
    const where = `series[${i}]`;
    const s = object(raw, where);
    const pointlist = array(s.pointlist, `${where}.pointlist`);
    const points = pointlist.map((p, j): [number, number | null] => {
      const pair = array(p, `${where}.pointlist[${j}]`);
      if (pair.length !== 2) throw new BadResponseError(`${where}.pointlist[${j}]: got ${pair.length} elements, expected [timestamp, value]`, '');
      const [t, v] = pair;
      if (typeof t !== 'number' || !Number.isFinite(t))
        throw new BadResponseError(`${where}.pointlist[${j}][0]: got ${kind(t)}, expected a timestamp in ms`, '');
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new BadResponseError(`${where}.pointlist[${j}][1]: got ${kind(v)}, expected a number or null`, '');
      }
      return [t, v];
    });
    const tagSet = s.tag_set === undefined || s.tag_set === null ? undefined : strings(s.tag_set, `${where}.tag_set`);
    const scope = optionalString(s.scope, `${where}.scope`);
    const tags = tagSet ?? (scope === undefined ? [] : scope.split(',').filter((t) => t !== '*' && t !== ''));
    const interval = s.interval;
    if (interval !== undefined && interval !== null && (typeof interval !== 'number' || !(interval > 0))) {
      throw new BadResponseError(`${where}.interval: got ${kind(interval)}, expected seconds`, '');
    }
    return { tags, points, ...(typeof interval === 'number' ? { intervalMs: interval * 1000 } : {}) };
  });
}

/** A query the API answered with `status: "error"` (a bad query, not a bad response). */
export class QueryError extends Error {
  constructor(readonly detail: string) {
    super(`query failed: ${detail}`);
    this.name = 'QueryError';
  }
}

/** GET /api/v1/monitor: an array of monitors, each with `id`, `name`, `overall_state`, `tags`, and (with_downtimes) `matching_downtimes`. */
export function parseMonitorList(body: unknown): MonitorState[] {
  return array(body, 'the body').map((raw, i): MonitorState => {
    const where = `[${i}]`;
    const m = object(raw, where);
    const id = m.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new BadResponseError(`${where}.id: got ${kind(id)}, expected an integer`, '');
    const name = m.name;
    if (typeof name !== 'string') throw new BadResponseError(`${where}.name: got ${kind(name)}, expected a string`, '');
    const state = m.overall_state;
    if (typeof state !== 'string' || state === '')
      throw new BadResponseError(`${where}.overall_state: got ${kind(state)}, expected a monitor state such as "OK"`, '');
    const tags = m.tags === undefined || m.tags === null ? [] : strings(m.tags, `${where}.tags`);
    const mutes: MonitorMute[] = [];
    if (m.matching_downtimes !== undefined && m.matching_downtimes !== null) {
      array(m.matching_downtimes, `${where}.matching_downtimes`).forEach((d, j) => {
        const w = `${where}.matching_downtimes[${j}]`;
        const dt = object(d, w);
        if (typeof dt.id !== 'number') throw new BadResponseError(`${w}.id: got ${kind(dt.id)}, expected an integer`, '');
        const scope = dt.scope === undefined || dt.scope === null ? ['*'] : strings(dt.scope, `${w}.scope`);
        mutes.push({
          kind: 'downtime',
          id: dt.id,
          scope: scope.join(',') || '*',
          startMs: seconds(dt.start, `${w}.start`),
          endMs: seconds(dt.end, `${w}.end`),
        });
      });
    }
    if (m.options !== undefined && m.options !== null) {
      const options = object(m.options, `${where}.options`);
      if (options.silenced !== undefined && options.silenced !== null) {
        const silenced = object(options.silenced, `${where}.options.silenced`);
        for (const scope of Object.keys(silenced).sort()) {
          mutes.push({ kind: 'silenced', scope, startMs: null, endMs: seconds(silenced[scope], `${where}.options.silenced.${scope}`) });
        }
      }
    }
    return { id, name, state, tags, mutes };
  });
}

/** GET /api/v1/events: `{events: [{id|id_str, title, date_happened (s), tags}, ...], status?}`. */
export function parseEventList(body: unknown): DeployEvent[] {
  const res = object(body, 'the body');
  return array(res.events, 'events').map((raw, i): DeployEvent => {
    const where = `events[${i}]`;
    const e = object(raw, where);
    const date = e.date_happened;
    if (typeof date !== 'number' || !Number.isSafeInteger(date))
      throw new BadResponseError(`${where}.date_happened: got ${kind(date)}, expected POSIX seconds`, '');
    const title = e.title === undefined || e.title === null ? '' : e.title;
    if (typeof title !== 'string') throw new BadResponseError(`${where}.title: got ${kind(title)}, expected a string`, '');
    return { id: eventId(e, where), title, happenedAtMs: date * 1000, tags: e.tags === undefined || e.tags === null ? [] : strings(e.tags, `${where}.tags`) };
  });
}

/** POST /api/v1/events (202): `{status: "ok", event: {id, id_str, ...}}`; the event's id. */
export function parseEventCreated(body: unknown): { id: string } {
  const res = object(body, 'the body');
  const status = optionalString(res.status, 'status');
  if (status !== undefined && status !== 'ok') throw new BadResponseError(`status: got ${JSON.stringify(printable(status, 40))}, expected "ok"`, '');
  return { id: eventId(object(res.event, 'event'), 'event') };
}

/**
 * An event's id: `id_str` when present (v1 ids exceed 2^53: the recorded
 * 6327818702635911562 comes back as the number 6327818702635911000), else a
 * safe integer `id`. Digits only.
 */
function eventId(e: Record<string, unknown>, where: string): string {
  if (e.id_str !== undefined && e.id_str !== null) {
    if (typeof e.id_str !== 'string' || !/^\d{1,20}$/.test(e.id_str))
      throw new BadResponseError(`${where}.id_str: got ${kind(e.id_str)}, expected a decimal id`, '');
    return e.id_str;
  }
  if (typeof e.id === 'number' && Number.isSafeInteger(e.id) && e.id >= 0) return String(e.id);
  throw new BadResponseError(`${where}.id: got ${kind(e.id)}, expected an integer id`, '');
}

export function object(x: unknown, where: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new BadResponseError(`${where}: got ${kind(x)}, expected an object`, '');
  return x as Record<string, unknown>;
}

export function array(x: unknown, where: string): unknown[] {
  if (!Array.isArray(x)) throw new BadResponseError(`${where}: got ${kind(x)}, expected an array`, '');
  return x;
}

export function strings(x: unknown, where: string): string[] {
  const a = array(x, where);
  a.forEach((v, i) => {
    if (typeof v !== 'string') throw new BadResponseError(`${where}[${i}]: got ${kind(v)}, expected a string`, '');
  });
  return a as string[];
}

export function optionalString(x: unknown, where: string): string | undefined {
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'string') throw new BadResponseError(`${where}: got ${kind(x)}, expected a string`, '');
  return x;
}

/** POSIX seconds (or null) as ms. */
function seconds(x: unknown, where: string): number | null {
  if (x === undefined || x === null) return null;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new BadResponseError(`${where}: got ${kind(x)}, expected POSIX seconds or null`, '');
  return x * 1000;
}

/** What a JSON value is, for a message (never the value itself: it came from the server). */
export function kind(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number') return Number.isInteger(x) ? 'an integer' : 'a number';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}
