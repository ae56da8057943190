/**
 * A local fake of the Datadog HTTP API, on 127.0.0.1 and an ephemeral port,
 * with only the endpoints the gate and the event command call, following the
 * public API's request and response shapes:
 *
 *   GET  /api/v1/query     ?from&to&query            timeseries points (v1)
 *   GET  /api/v1/monitor   ?monitor_tags&name&with_downtimes&page&page_size   monitors with overall_state, downtimes
 *   GET  /api/v1/monitor/{id}                       one monitor; 404 {"errors":["Monitor not found"]}
 *   GET  /api/v1/events    ?start&end&tags&unaggregated&page   events (v1), 1000 a page, newest first
 *   POST /api/v1/events    {title, text, tags, date_happened, alert_type, ...}   202
 *   GET  /api/v2/downtime  ?current_only&page[offset]&page[limit]   downtimes (v2), meta.page.total_filtered_count
 *   POST /api/v2/downtime  {data: {type: downtime, attributes: {scope, monitor_identifier, schedule, ...}}}   200
 *   DELETE /api/v2/downtime/{id}   204; 404 {"errors":["Downtime <id> not found"]}
 *   GET  /api/v1/slo       ?ids&query&tags_query&limit&offset   {data: [SLO], error, metadata.page}
 *   GET  /api/v1/slo/{id}                          {data: SLO, error}; 404 {"errors":["SLO not found: <id> not found"]}
 *   GET  /api/v1/dashboard ?count&start&filter[deleted]   {dashboards: [summary]}
 *   GET  /api/v1/dashboard/{id}                    the dashboard; 404 {"errors":["Dashboard with ID <id> not found"]}
 *
 * The v2 downtime answers follow the recordings of
 * DataDog/datadog-api-client-typescript, cassettes/v2/Downtimes_1733580485/
 * (Schedule-a-downtime-returns-OK-response, Cancel-a-downtime-returns-OK-response
 * and -Downtime-not-found-response, Get-all-downtimes-returns-OK-response-with-pagination;
 * test/fixtures/datadog/SOURCES.md): the same fields, in the same places.
 * The SLO and dashboard answers follow cassettes/v1/Service-Level-Objectives_139838558/
 * and cassettes/v1/Dashboards_1335235736/ of the same repository (Get-all-SLOs-
 * and Get-all-dashboards-returns-OK-response-with-pagination, Get-an-SLO-s-details-,
 * Get-a-dashboard-returns-OK-response; the 404 bodies of Delete-an-SLO-returns-
 * Not-found-response and Delete-a-dashboard-returns-OK-response): server-set
 * fields added (ids on widgets, creator, url, times), null where never set.
 *
 * Keys are checked (DD-API-KEY on every request, DD-APPLICATION-KEY on reads;
 * 403 otherwise) and never recorded. Behaviour is scriptable per route: a
 * queue of answers consumed one per request (429 with rate-limit headers, 500,
 * a redirect, a response that never comes, or a body served byte for byte,
 * e.g. one recorded from the real API: test/fixtures/datadog/), then a
 * standing answer (default: normal).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export type Route =
  | 'query'
  | 'monitors'
  | 'monitor:get'
  | 'events:list'
  | 'events:post'
  | 'downtimes:list'
  | 'downtimes:create'
  | 'downtimes:cancel'
  | 'slos'
  | 'slo:get'
  | 'dashboards'
  | 'dashboard:get';

/** An SLO the fake holds: the fields a client sends (API names); the server-set ones are added when served. */
export interface FakeSlo {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly [field: string]: unknown;
}

/** A dashboard the fake holds, as a client sends it (API names); ids, author, url and times are added when served. */
export interface FakeDashboard {
  readonly id: string;
  readonly title: string;
  readonly [field: string]: unknown;
}

/** A v2 downtime the fake holds (attributes as the API names them). */
export interface FakeDowntime {
  readonly id: string;
  scope: string;
  monitor_identifier: { monitor_tags: string[] } | { monitor_id: number };
  /** ISO 8601; end null: none. */
  schedule: { start: string; end: string | null };
  message: string | null;
  status: 'active' | 'scheduled' | 'ended' | 'canceled';
  canceled: string | null;
  mute_first_recovery_notification?: boolean;
  notify_end_states?: string[];
  notify_end_types?: string[];
}

/** How the fake answers one request. */
export type Behaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** This body, byte for byte, with this status and content type (default 200, application/json). */
  | { readonly kind: 'raw'; readonly body: string; readonly status?: number; readonly contentType?: string }
  | { readonly kind: 'hang' };

export const OK: Behaviour = { kind: 'ok' };
export const HANG: Behaviour = { kind: 'hang' };
/** 429 as Datadog sends it: the rate-limit headers, `X-RateLimit-Reset` seconds until the reset. */
export function rateLimited(resetSeconds = 1): Behaviour {
  return {
    kind: 'status',
    status: 429,
    headers: {
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Period': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(resetSeconds),
      'X-RateLimit-Name': 'query',
    },
    body: { errors: ['Rate limit of 100 requests in 60 seconds reached. Please try again later.'] },
  };
}
export function serverError(status = 500): Behaviour {
  return { kind: 'status', status, body: { errors: ['Internal Server Error'] } };
}
/** A redirect to `location` (which a client must not follow). */
export function redirect(location: string, status = 302): Behaviour {
  return { kind: 'status', status, headers: { Location: location }, body: { errors: ['moved'] } };
}
/** A body served as is (e.g. a recorded response), with its status and content type. */
export function raw(body: string, status = 200, contentType = 'application/json'): Behaviour {
  return { kind: 'raw', body, status, contentType };
}

/** A metric series the fake serves: its tags and a value per timestamp (seconds), null for a gap. */
export interface FakeSeries {
  readonly tags: readonly string[];
  readonly value: number | null | ((tSeconds: number) => number | null);
}

export interface FakeMonitor {
  readonly id: number;
  readonly name: string;
  readonly tags: readonly string[];
  /** Alert, Warn, No Data, OK, Ignored, Skipped, Unknown */
  readonly overall_state: string;
  readonly query?: string;
  /** Definition fields (drift reads them); defaults: query alert, empty message, no priority, critical 100. */
  readonly type?: string;
  readonly message?: string;
  readonly priority?: number | null;
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly notify_no_data?: boolean;
  readonly no_data_timeframe?: number | null;
  /** Active downtimes, listed as `matching_downtimes` when asked `with_downtimes=true` (seconds; end null: none). */
  readonly downtimes?: ReadonlyArray<{ readonly id: number; readonly start: number; readonly end: number | null; readonly scope: readonly string[] }>;
  /** `options.silenced` (v1 downtimes): scope -> end in seconds, or null. */
  readonly silenced?: Readonly<Record<string, number | null>>;
}

export interface FakeEvent {
  readonly id: number;
  readonly title: string;
  readonly text: string;
  /** Seconds since the epoch. */
  readonly date_happened: number;
  readonly tags: readonly string[];
  readonly alert_type?: string;
  readonly aggregation_key?: string;
  readonly source_type_name?: string;
}

/** A request as the fake saw it (keys reduced to whether they were right). */
export interface RecordedRequest {
  readonly method: string;
  readonly route: Route | 'unknown';
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly apiKeyOk: boolean;
  readonly appKeyOk: boolean;
  readonly answered: number | 'hang';
}

export interface FakeDatadogOptions {
  readonly apiKey: string;
  readonly appKey: string;
}

export class FakeDatadog {
  /** Base URL, `http://127.0.0.1:<port>/`. */
  url = '';
  monitors: FakeMonitor[] = [];
  events: FakeEvent[] = [];
  downtimes: FakeDowntime[] = [];
  slos: FakeSlo[] = [];
  dashboards: FakeDashboard[] = [];
  /** Recorded `GET /api/v1/dashboard/{id}` bodies, served byte for byte (listed after `dashboards`, by id). */
  recordedDashboards: string[] = [];
  /** The fake's clock for downtimes (ms since the epoch). */
  nowMs = Date.parse('2026-11-29T02:00:00Z');
  /** Series by exact query string; a query not here returns no series (an empty result, status ok). */
  metrics = new Map<string, FakeSeries[]>();
  /**
   * How the events `tags` filter matches: every tag (`all`) or any tag
   * (`any`); the API does not document which, and the gate must work with
   * either (with `any`, a busy stage fills pages with events of other batches).
   */
  eventTagsMatch: 'all' | 'any' = 'all';
  readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<Route, Behaviour[]>();
  private readonly standing = new Map<Route, Behaviour>();
  private readonly server: http.Server;
  private nextEventId = 5_100_000_001;

  constructor(private readonly opts: FakeDatadogOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.json(res, 500, { errors: [`fake: ${(e as Error).message}`] });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Answer the next requests on `route` with these behaviours, in order. */
  script(route: Route, ...behaviours: Behaviour[]): void {
    this.queues.set(route, [...(this.queues.get(route) ?? []), ...behaviours]);
  }

  /** Answer every request on `route` (after the scripted ones) this way. */
  always(route: Route, behaviour: Behaviour): void {
    this.standing.set(route, behaviour);
  }

  /** Forget data, scripts and recorded requests. */
  reset(): void {
    this.monitors = [];
    this.events = [];
    this.downtimes = [];
    this.slos = [];
    this.dashboards = [];
    this.recordedDashboards = [];
    this.metrics = new Map();
    this.eventTagsMatch = 'all';
    this.requests.length = 0;
    this.queues.clear();
    this.standing.clear();
  }

  requestsTo(route: Route): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const params = Object.fromEntries(u.searchParams.entries());
    const raw = await readBody(req);
    const route = routeOf(method, u.pathname);
    const apiKeyOk = req.headers['dd-api-key'] === this.opts.apiKey;
    const appKeyOk = req.headers['dd-application-key'] === this.opts.appKey;
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const record = (answered: number | 'hang'): void => {
      this.requests.push({ method, route, path: u.pathname, params, ...(body !== undefined ? { body } : {}), apiKeyOk, appKeyOk, answered });
    };
    if (route === 'unknown') {
      record(404);
      return this.json(res, 404, { errors: ['Not found'] });
    }
    if (!apiKeyOk || ((method === 'GET' || route.startsWith('downtimes')) && !appKeyOk)) {
      record(403);
      return this.json(res, 403, { errors: ['Forbidden'] });
    }
    const behaviour = this.queues.get(route)?.shift() ?? this.standing.get(route) ?? OK;
    if (behaviour.kind === 'hang') {
      record('hang');
      return; // never answered; close() drops the connection
    }
    if (behaviour.kind === 'status') {
      record(behaviour.status);
      return this.json(res, behaviour.status, behaviour.body ?? { errors: ['error'] }, behaviour.headers);
    }
    if (behaviour.kind === 'raw') {
      const status = behaviour.status ?? 200;
      record(status);
      res.writeHead(status, { 'content-type': behaviour.contentType ?? 'application/json' });
      res.end(behaviour.body);
      return;
    }
    const [status, payload] = this.answer(route, params, body, u.pathname);
    record(status);
    if (typeof payload === 'string') {
      res.writeHead(status, { 'content-type': 'application/json', ...rateLimitHeaders() });
      res.end(payload); // a recorded body, byte for byte
      return;
    }
    if (status === 204) {
      res.writeHead(204, rateLimitHeaders());
      res.end();
      return;
    }
    this.json(res, status, payload, rateLimitHeaders());
  }

  private answer(route: Route, p: Record<string, string>, body: unknown, pathname: string): [number, unknown] {
    switch (route) {
      case 'downtimes:list':
        return this.listDowntimes(p);
      case 'downtimes:create':
        return this.createDowntime(body);
      case 'downtimes:cancel':
        return this.cancelDowntime(decodeURIComponent(pathname.slice('/api/v2/downtime/'.length)));
      case 'query':
        return this.query(p);
      case 'monitors':
        return this.listMonitors(p);
      case 'monitor:get': {
        const id = Number(pathname.slice('/api/v1/monitor/'.length));
        const m = this.monitors.find((x) => x.id === id);
        return m === undefined ? [404, { errors: ['Monitor not found'] }] : [200, this.monitorJson(m, false)];
      }
      case 'events:list':
        return this.listEvents(p);
      case 'slos':
        return this.listSlos(p);
      case 'slo:get': {
        const id = decodeURIComponent(pathname.slice('/api/v1/slo/'.length));
        const x = this.slos.find((m) => m.id === id);
        return x === undefined ? [404, { errors: [`SLO not found: ${id} not found`] }] : [200, { data: sloJson(x), error: null }];
      }
      case 'dashboards':
        return this.listDashboards(p);
      case 'dashboard:get': {
        const id = decodeURIComponent(pathname.slice('/api/v1/dashboard/'.length));
        const d = this.dashboards.find((x) => x.id === id);
        if (d !== undefined) return [200, dashboardJson(d)];
        const recorded = this.recordedDashboards.find((text) => (JSON.parse(text) as { id?: unknown }).id === id);
        return recorded === undefined ? [404, { errors: [`Dashboard with ID ${id} not found`] }] : [200, recorded];
      }
      case 'events:post':
        return this.postEvent(body);
    }
  }

  private query(p: Record<string, string>): [number, unknown] {
    const missing = ['from', 'to', 'query'].filter((k) => p[k] === undefined);
    if (missing.length > 0) return [400, { errors: [`Missing required parameter(s): ${missing.join(', ')}`] }];
    const from = Number(p.from);
    const to = Number(p.to);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) return [400, { errors: ['from and to must be POSIX seconds with from <= to'] }];
    const interval = Math.max(20, Math.ceil((to - from) / 200));
    const first = Math.ceil(from / interval) * interval;
    const metric = /(?:^|[:(])([a-z_][\w.]*)\{/.exec(p.query)?.[1] ?? p.query;
    const groupBy =
      /\bby \{([^}]*)\}/
        .exec(p.query)?.[1]
        ?.split(',')
        .map((s) => s.trim()) ?? [];
    const series = (this.metrics.get(p.query) ?? []).map((s) => {
      const pointlist: Array<[number, number | null]> = [];
      for (let t = first; t <= to; t += interval) {
        const v = typeof s.value === 'function' ? s.value(t) : s.value;
        pointlist.push([t * 1000, v]);
      }
      return {
        metric,
        display_name: metric,
        expression: p.query,
        scope: s.tags.length > 0 ? s.tags.join(',') : '*',
        tag_set: [...s.tags],
        pointlist,
        start: pointlist.length > 0 ? pointlist[0][0] : from * 1000,
        end: pointlist.length > 0 ? pointlist[pointlist.length - 1][0] : to * 1000,
        interval,
        length: pointlist.length,
        aggr: /^(\w+):/.exec(p.query)?.[1] ?? null,
        unit: null,
        query_index: 0,
      };
    });
    return [
      200,
      {
        status: 'ok',
        res_type: 'time_series',
        resp_version: 1,
        query: p.query,
        from_date: from * 1000,
        to_date: to * 1000,
        group_by: groupBy,
        series,
        message: '',
      },
    ];
  }

  private listMonitors(p: Record<string, string>): [number, unknown] {
    // monitor_tags: treated as all-of (the gate filters again either way).
    const want = (p.monitor_tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    // name: a substring of the monitor's name, as the v1 API's `name` filter.
    const all = this.monitors
      .filter((m) => want.every((t) => m.tags.includes(t)) && (p.name === undefined || m.name.includes(p.name)))
      .sort((a, b) => a.id - b.id);
    const size = p.page_size !== undefined ? Number(p.page_size) : p.page !== undefined ? 100 : all.length;
    const page = p.page !== undefined ? Number(p.page) : 0;
    const slice = all.slice(page * size, page * size + size);
    const withDowntimes = p.with_downtimes === 'true';
    return [200, slice.map((m) => this.monitorJson(m, withDowntimes))];
  }

  private listSlos(p: Record<string, string>): [number, unknown] {
    // ids: any of; tags_query: one tag, exactly; query: a substring of the name (the spec says only "based on SLO names").
    const ids = p.ids?.split(',').map((x) => x.trim());
    const all = this.slos
      .filter((x) => (ids === undefined || ids.includes(x.id)) && (p.tags_query === undefined || x.tags.includes(p.tags_query)))
      .filter((x) => p.query === undefined || x.name.includes(p.query))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const limit = p.limit !== undefined ? Number(p.limit) : 1000;
    const offset = p.offset !== undefined ? Number(p.offset) : 0;
    const data = all.slice(offset, offset + limit).map(sloJson);
    return [200, { data, error: null, metadata: { page: { total_count: this.slos.length, total_filtered_count: all.length } } }];
  }

  private listDashboards(p: Record<string, string>): [number, unknown] {
    const served = [...this.dashboards.map(dashboardJson), ...this.recordedDashboards.map((text) => JSON.parse(text) as Record<string, unknown>)];
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>): number => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0);
    const all = p['filter[deleted]'] === 'true' ? [] : served.sort(byId);
    const count = p.count !== undefined ? Number(p.count) : 100;
    const start = p.start !== undefined ? Number(p.start) : 0;
    return [
      200,
      {
        dashboards: all.slice(start, start + count).map((full) => {
          const keys = ['id', 'title', 'description', 'layout_type', 'url', 'is_read_only', 'created_at', 'modified_at', 'author_handle'];
          return { ...Object.fromEntries(keys.map((k) => [k, full[k]])), deleted_at: null };
        }),
      },
    ];
  }

  private monitorJson(m: FakeMonitor, withDowntimes: boolean): Record<string, unknown> {
    return {
      id: m.id,
      name: m.name,
      type: m.type ?? 'query alert',
      query: m.query ?? 'avg(last_5m):avg:system.load.1{*} > 100',
      message: m.message ?? '',
      tags: [...m.tags],
      options: {
        notify_no_data: m.notify_no_data ?? false,
        ...(m.no_data_timeframe !== undefined ? { no_data_timeframe: m.no_data_timeframe } : {}),
        thresholds: { ...(m.thresholds ?? { critical: 100 }) },
        silenced: { ...(m.silenced ?? {}) },
      },
      overall_state: m.overall_state,
      overall_state_modified: '2025-01-01T00:00:00+00:00',
      created: '2025-01-01T00:00:00.000000+00:00',
      modified: '2025-01-01T00:00:00.000000+00:00',
      multi: false,
      priority: m.priority ?? null,
      restricted_roles: null,
      creator: { email: 'rollout@example.com', handle: 'rollout@example.com', name: 'Rollout' },
      matching_downtimes: withDowntimes
        ? (m.downtimes ?? []).map((d) => ({ id: d.id, active: true, monitor_id: m.id, start: d.start, end: d.end, scope: [...d.scope], groups: [] }))
        : [],
    };
  }

  private listEvents(p: Record<string, string>): [number, unknown] {
    if (p.start === undefined || p.end === undefined) return [400, { errors: ["The 'start' and 'end' parameters are required"] }];
    const start = Number(p.start);
    const end = Number(p.end);
    const want = (p.tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const page = p.page !== undefined ? Number(p.page) : 0;
    const events = this.events
      .filter((e) => e.date_happened >= start && e.date_happened <= end)
      .filter((e) => want.length === 0 || (this.eventTagsMatch === 'all' ? want.every((t) => e.tags.includes(t)) : want.some((t) => e.tags.includes(t))))
      .sort((a, b) => b.date_happened - a.date_happened || b.id - a.id)
      .slice(page * 1000, page * 1000 + 1000);
    return [200, { events: events.map(eventJson), status: 'ok' }];
  }

  private postEvent(body: unknown): [number, unknown] {
    const b = (body ?? {}) as Record<string, unknown>;
    const problems = ['title', 'text'].filter((k) => typeof b[k] !== 'string' || (b[k] as string) === '');
    if (problems.length > 0) return [400, { errors: [`Missing or empty required field(s): ${problems.join(', ')}`] }];
    const e: FakeEvent = {
      id: this.nextEventId,
      title: b.title as string,
      text: b.text as string,
      date_happened: typeof b.date_happened === 'number' ? b.date_happened : Math.floor(Date.now() / 1000),
      tags: Array.isArray(b.tags) ? (b.tags as string[]) : [],
      ...(typeof b.alert_type === 'string' ? { alert_type: b.alert_type } : {}),
      ...(typeof b.aggregation_key === 'string' ? { aggregation_key: b.aggregation_key } : {}),
      ...(typeof b.source_type_name === 'string' ? { source_type_name: b.source_type_name } : {}),
    };
    this.nextEventId += 1;
    this.events.push(e);
    return [202, { status: 'ok', event: eventJson(e) }];
  }

  /** Whether a downtime is in force at the fake's clock. */
  private current(d: FakeDowntime): boolean {
    if (d.status === 'canceled' || d.status === 'ended') return false;
    return Date.parse(d.schedule.start) <= this.nowMs && (d.schedule.end === null || Date.parse(d.schedule.end) > this.nowMs);
  }

  private listDowntimes(p: Record<string, string>): [number, unknown] {
    const all = this.downtimes.filter((d) => p.current_only !== 'true' || this.current(d));
    const offset = p['page[offset]'] !== undefined ? Number(p['page[offset]']) : 0;
    const limit = p['page[limit]'] !== undefined ? Number(p['page[limit]']) : 30;
    return [200, { data: all.slice(offset, offset + limit).map((d) => this.downtimeJson(d)), meta: { page: { total_filtered_count: all.length } } }];
  }

  private createDowntime(body: unknown): [number, unknown] {
    const data = (body as { data?: { type?: unknown; attributes?: Record<string, unknown> } } | undefined)?.data;
    const a = data?.attributes;
    if (data?.type !== 'downtime' || a === undefined) return [400, { errors: ['Invalid request body'] }];
    if (typeof a.scope !== 'string' || !/^\S+:/.test(a.scope)) return [400, { errors: ['All values must have a key'] }];
    const mi = a.monitor_identifier as { monitor_tags?: unknown; monitor_id?: unknown } | undefined;
    const tags = Array.isArray(mi?.monitor_tags) && mi.monitor_tags.every((t) => typeof t === 'string') ? (mi.monitor_tags as string[]) : undefined;
    if (tags === undefined && typeof mi?.monitor_id !== 'number') return [400, { errors: ['monitor_identifier: expected monitor_tags or monitor_id'] }];
    const schedule = (a.schedule ?? {}) as { start?: unknown; end?: unknown };
    if (schedule.end !== undefined && schedule.end !== null && (typeof schedule.end !== 'string' || Number.isNaN(Date.parse(schedule.end)))) {
      return [400, { errors: ['schedule.end: invalid date'] }];
    }
    const start = typeof schedule.start === 'string' ? schedule.start : new Date(this.nowMs).toISOString().replace('Z', '+00:00');
    const d: FakeDowntime = {
      id: `0000${String(this.downtimes.length + 1).padStart(4, '0')}-0187-11ee-bb05-da7ad0900002`,
      scope: a.scope,
      monitor_identifier: tags !== undefined ? { monitor_tags: tags } : { monitor_id: mi?.monitor_id as number },
      schedule: { start, end: typeof schedule.end === 'string' ? schedule.end : null },
      message: typeof a.message === 'string' ? a.message : null,
      status: 'active',
      canceled: null,
      mute_first_recovery_notification: a.mute_first_recovery_notification === true,
      notify_end_states: Array.isArray(a.notify_end_states) ? (a.notify_end_states as string[]) : ['warn', 'alert', 'no data'],
      notify_end_types: Array.isArray(a.notify_end_types) ? (a.notify_end_types as string[]) : ['expired'],
    };
    this.downtimes.push(d);
    return [200, { data: this.downtimeJson(d), included: [] }];
  }

  private cancelDowntime(id: string): [number, unknown] {
    const d = this.downtimes.find((x) => x.id === id);
    if (d === undefined) return [404, { errors: [`Downtime ${id} not found`] }];
    // Cancelling twice answers 204 again (the recorded Cancel-a-downtime-returns-OK-response does).
    d.status = 'canceled';
    d.canceled = new Date(this.nowMs).toISOString();
    return [204, undefined];
  }

  private downtimeJson(d: FakeDowntime): Record<string, unknown> {
    return {
      type: 'downtime',
      attributes: {
        display_timezone: 'UTC',
        scope: d.scope,
        notify_end_states: d.notify_end_states ?? ['warn', 'alert', 'no data'],
        message: d.message,
        created: d.schedule.start,
        status: d.status,
        modified: d.schedule.start,
        canceled: d.canceled,
        monitor_identifier: d.monitor_identifier,
        schedule: { end: d.schedule.end, start: d.schedule.start },
        notify_end_types: d.notify_end_types ?? ['expired'],
        mute_first_recovery_notification: d.mute_first_recovery_notification ?? false,
      },
      relationships: { monitor: { data: null }, created_by: { data: { type: 'users', id: '3ad549bf-eba0-11e9-a77a-0705486660d0' } } },
      id: d.id,
    };
  }

  private json(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  }
}

/** Start a fake on 127.0.0.1 and an ephemeral port. */
export async function startFakeDatadog(opts: FakeDatadogOptions): Promise<FakeDatadog> {
  const f = new FakeDatadog(opts);
  await f.listen();
  return f;
}

function routeOf(method: string, pathname: string): Route | 'unknown' {
  if (method === 'GET' && pathname === '/api/v1/query') return 'query';
  if (method === 'GET' && pathname === '/api/v1/monitor') return 'monitors';
  if (method === 'GET' && /^\/api\/v1\/monitor\/\d+$/.test(pathname)) return 'monitor:get';
  if (method === 'GET' && pathname === '/api/v1/events') return 'events:list';
  if (method === 'POST' && pathname === '/api/v1/events') return 'events:post';
  if (method === 'GET' && pathname === '/api/v2/downtime') return 'downtimes:list';
  if (method === 'POST' && pathname === '/api/v2/downtime') return 'downtimes:create';
  if (method === 'DELETE' && /^\/api\/v2\/downtime\/[^/]+$/.test(pathname)) return 'downtimes:cancel';
  if (method === 'GET' && pathname === '/api/v1/slo') return 'slos';
  if (method === 'GET' && /^\/api\/v1\/slo\/[^/]+$/.test(pathname)) return 'slo:get';
  if (method === 'GET' && pathname === '/api/v1/dashboard') return 'dashboards';
  if (method === 'GET' && /^\/api\/v1\/dashboard\/[^/]+$/.test(pathname)) return 'dashboard:get';
  return 'unknown';
}

/** An SLO as the API answers it: the recorded server-set fields added. */
function sloJson(x: FakeSlo): Record<string, unknown> {
  const thresholds = Array.isArray(x.thresholds)
    ? (x.thresholds as Array<Record<string, unknown>>).map((t) => ({
        ...t,
        target_display: String(t.target),
        ...(t.warning !== undefined ? { warning_display: String(t.warning) } : {}),
      }))
    : [];
  return {
    description: '',
    ...x,
    tags: [...x.tags],
    monitor_tags: [],
    thresholds,
    type_id: x.type === 'monitor' ? 0 : x.type === 'time_slice' ? 2 : 1,
    creator: { name: null, handle: 'frog@datadoghq.com', email: 'frog@datadoghq.com' },
    created_at: 1704322488,
    modified_at: 1704322488,
  };
}

/** A dashboard as the API answers it: server-set fields, an id on every widget, null for what was never set. */
function dashboardJson(d: FakeDashboard): Record<string, unknown> {
  let next = 7381515167611300;
  const withIds = (widgets: unknown): unknown =>
    Array.isArray(widgets)
      ? widgets.map((w: Record<string, unknown>) => {
          const def = w.definition as Record<string, unknown> | undefined;
          return { ...w, ...(def && Array.isArray(def.widgets) ? { definition: { ...def, widgets: withIds(def.widgets) } } : {}), id: next++ };
        })
      : widgets;
  return {
    description: null,
    author_handle: 'frog@datadoghq.com',
    author_name: null,
    layout_type: 'ordered',
    url: `/dashboard/${d.id}/${d.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    is_read_only: false,
    template_variables: null,
    notify_list: null,
    created_at: '2024-11-15T19:33:06.217022+00:00',
    modified_at: '2024-11-15T19:33:06.217022+00:00',
    restricted_roles: [],
    ...d,
    widgets: withIds(d.widgets ?? []),
  };
}

function eventJson(e: FakeEvent): Record<string, unknown> {
  return {
    id: e.id,
    id_str: String(e.id),
    title: e.title,
    text: e.text,
    date_happened: e.date_happened,
    tags: [...e.tags],
    alert_type: e.alert_type ?? 'info',
    priority: 'normal',
    source_type_name: e.source_type_name ?? 'my apps',
    url: `/event/event?id=${e.id}`,
    host: null,
    device_name: null,
    payload: '{}',
  };
}

function rateLimitHeaders(): Record<string, string> {
  return { 'X-RateLimit-Limit': '100', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '99', 'X-RateLimit-Reset': '60' };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
