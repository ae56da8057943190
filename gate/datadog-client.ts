/**
 * The only Datadog I/O of the gate, `rollout event`, `rollout downtime` and
 * `rollout drift` (monitors, SLOs, dashboards): the Datadog API through the
 * official client (@datadog/datadog-api-client), with an HTTP transport of our
 * own plugged into it (`httpApi`) that
 *   - gives every request a timeout, and aborts everything at the gate's deadline;
 *   - retries 429 and 5xx (and network errors, timeouts) with backoff,
 *     honoring Retry-After / X-RateLimit-Reset (gate/retry.ts);
 *   - reports retries as progress;
 *   - never follows a redirect: a 3xx is an error, so the keys (request
 *     headers) never leave for another origin;
 *   - never lets a key reach a message: keys travel only in request headers,
 *     and every error text is scrubbed of them; whatever the server sent is
 *     cleaned before it is shown (gate/redact.ts).
 * The client's own retry is off; the transport's is the only one.
 *
 * The official client builds each request (its request factories: paths,
 * query parameters, auth headers); the answers are checked by our own parsers
 * (gate/datadog-responses.ts) rather than the client's deserializer, which
 * passes malformed bodies through (an HTML page becomes an object with
 * character keys, a missing `series` an empty list): a response that is not
 * what the API promises is a bad response naming the endpoint, never "no data".
 */
import type * as client from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';
import { BadResponseError, parseEventCreated, parseEventList, parseJsonBody, parseMonitorList, parseQueryResponse, QueryError } from './datadog-responses';
import { redact, serverText } from './redact';
import { nextRetry, RetryPolicy } from './retry';
import type { DeployEvent, MonitorState, Series, Window } from './types';
import { Downtime, DowntimeRequest, parseDowntimeCreated, parseDowntimeList } from './downtimes';

export { redact } from './redact';

/*
 * The client is loaded on first use, and only its common part and the three
 * v1 APIs the gate calls: the package's index loads every v1 and v2 API
 * (seconds), which every `rollout` command would pay for at start-up.
 * Paths of @datadog/datadog-api-client 1.64.0 (pinned in package.json).
 */
const PKG = '@datadog/datadog-api-client/dist/packages';
type V1Apis = {
  EventsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/EventsApi').EventsApiRequestFactory;
  MetricsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MetricsApi').MetricsApiRequestFactory;
  MonitorsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi').MonitorsApiRequestFactory;
  /** `rollout import --from-api` and `rollout drift` (objectReads); loading both adds a few ms once MonitorsApi is loaded. */
  DashboardsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/DashboardsApi').DashboardsApiRequestFactory;
  SloApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/ServiceLevelObjectivesApi').ServiceLevelObjectivesApiRequestFactory;
};
let loaded: { common: typeof client; v1: V1Apis } | undefined;
function datadogClient(): { common: typeof client; v1: V1Apis } {
  if (loaded === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded = {
      common: require(`${PKG}/datadog-api-client-common`) as typeof client,
      v1: {
        EventsApi: (require(`${PKG}/datadog-api-client-v1/apis/EventsApi`) as { EventsApiRequestFactory: V1Apis['EventsApi'] }).EventsApiRequestFactory,
        MetricsApi: (require(`${PKG}/datadog-api-client-v1/apis/MetricsApi`) as { MetricsApiRequestFactory: V1Apis['MetricsApi'] }).MetricsApiRequestFactory,
        MonitorsApi: (require(`${PKG}/datadog-api-client-v1/apis/MonitorsApi`) as { MonitorsApiRequestFactory: V1Apis['MonitorsApi'] })
          .MonitorsApiRequestFactory,
        DashboardsApi: (require(`${PKG}/datadog-api-client-v1/apis/DashboardsApi`) as { DashboardsApiRequestFactory: V1Apis['DashboardsApi'] })
          .DashboardsApiRequestFactory,
        SloApi: (require(`${PKG}/datadog-api-client-v1/apis/ServiceLevelObjectivesApi`) as { ServiceLevelObjectivesApiRequestFactory: V1Apis['SloApi'] })
          .ServiceLevelObjectivesApiRequestFactory,
      },
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return loaded;
}

/**
 * The three v2 downtime requests (DowntimesApi: listDowntimes, createDowntime,
 * cancelDowntime), built the way its request factory builds them: the
 * configuration's server, `makeRequestContext`, the same headers and the
 * client's own `applySecurityAuthentication` for the keys. Not the factory
 * itself: loading it loads the whole v2 model serializer (2.0 s measured with
 * node, against 0.3 s for the v1 monitors API; far more inside jest), which
 * every gate run would pay for three small requests. The body is the
 * DowntimeCreateRequest in the API's field names, as the recorded cassettes
 * send it (cassettes/v2/Downtimes_1733580485/Schedule-a-downtime-returns-OK-response).
 */
const downtimeRequests = {
  list(config: client.Configuration, offset: number, limit: number): client.RequestContext {
    const r = config.getServer('v2.DowntimesApi.listDowntimes').makeRequestContext('/api/v2/downtime', datadogClient().common.HttpMethod.GET);
    r.setHeaderParam('Accept', 'application/json');
    r.setQueryParam('current_only', 'true', '');
    r.setQueryParam('page[offset]', String(offset), '');
    r.setQueryParam('page[limit]', String(limit), '');
    return authenticated(config, r);
  },
  create(config: client.Configuration, d: DowntimeRequest): client.RequestContext {
    const r = config.getServer('v2.DowntimesApi.createDowntime').makeRequestContext('/api/v2/downtime', datadogClient().common.HttpMethod.POST);
    r.setHeaderParam('Accept', 'application/json');
    r.setHeaderParam('Content-Type', 'application/json');
    r.setBody(JSON.stringify(downtimeCreateBody(d)));
    return authenticated(config, r);
  },
  cancel(config: client.Configuration, id: string): client.RequestContext {
    const path = `/api/v2/downtime/${encodeURIComponent(id)}`;
    const r = config.getServer('v2.DowntimesApi.cancelDowntime').makeRequestContext(path, datadogClient().common.HttpMethod.DELETE);
    r.setHeaderParam('Accept', '*/*');
    return authenticated(config, r);
  },
};

/** The DowntimeCreateRequest body of a quiet-restart downtime (field names of the v2 API). */
export function downtimeCreateBody(d: DowntimeRequest): unknown {
  return {
    data: {
      type: 'downtime',
      attributes: {
        scope: d.scope,
        monitor_identifier: { monitor_tags: [...d.monitorTags] },
        // No start: "If not provided, the downtime starts the moment it is created" (DowntimeScheduleOneTimeCreateUpdateRequest).
        schedule: { end: new Date(d.endMs).toISOString() },
        message: d.message,
        display_timezone: 'UTC',
        mute_first_recovery_notification: true,
        notify_end_states: ['alert', 'no data', 'warn'],
        notify_end_types: ['canceled', 'expired'],
      },
    },
  };
}

function authenticated(config: client.Configuration, r: client.RequestContext): client.RequestContext {
  r.setHttpConfig(config.httpConfig);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { applySecurityAuthentication } = require(`${PKG}/datadog-api-client-common/configuration`) as {
    applySecurityAuthentication: (c: client.Configuration, r: client.RequestContext, m: string[]) => void;
  };
  applySecurityAuthentication(config, r, ['apiKeyAuth', 'appKeyAuth']);
  return r;
}

/** Where and as whom to call Datadog. */
export interface DatadogTarget {
  /** API base URL, e.g. `https://api.us5.datadoghq.com/`. */
  readonly apiUrl: string;
  readonly apiKey: string;
  /** Needed to read (events, monitors, metrics); not to post events. */
  readonly appKey?: string;
}

/** How requests behave. */
export interface TransportOptions {
  readonly requestTimeoutMs: number;
  readonly deadline: Deadline;
  readonly retry: RetryPolicy;
  /** Jitter source in [0, 1). */
  readonly random: () => number;
  /** Wall clock (ms since the epoch), for Retry-After dates. */
  readonly now: () => number;
  /** Progress lines (stderr), e.g. a retry. */
  readonly progress: (line: string) => void;
}

/** A request that failed for good: after retries, on a final status, or at the deadline. */
export class DatadogRequestError extends Error {
  constructor(
    message: string,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'DatadogRequestError';
  }
}

/** The whole run's time budget: a monotonic timer and an AbortSignal that fires when it runs out. */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;

  constructor(public readonly totalMs: number) {
    this.endsAt = performance.now() + totalMs;
    this.timer = setTimeout(() => this.controller.abort(new DatadogRequestError(this.message())), totalMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }

  expired(): boolean {
    return this.controller.signal.aborted || this.remainingMs() <= 0;
  }

  message(): string {
    return `the deadline of ${fmtSeconds(this.totalMs)} was reached`;
  }

  /** Stop the timer (the run is over). */
  dispose(): void {
    clearTimeout(this.timer);
  }
}

/**
 * The transport plugged into the official client: fetch with a per-request
 * timeout, retries with backoff, the deadline, no redirects. Only 2xx
 * responses come back; anything else is a DatadogRequestError with a clean
 * message.
 */
export class GateHttpLibrary implements client.HttpLibrary {
  constructor(
    private readonly opts: TransportOptions,
    private readonly secrets: readonly (string | undefined)[],
  ) {}

  async send(request: client.RequestContext): Promise<client.ResponseContext> {
    const method = request.getHttpMethod().toString();
    const url = new URL(request.getUrl());
    const what = `${method} ${url.pathname}`;
    const { deadline } = this.opts;
    for (let attempt = 1; ; attempt++) {
      if (deadline.expired()) throw new DatadogRequestError(`${what}: ${deadline.message()}`);
      const remaining = deadline.remainingMs();
      // When the deadline comes first, the request's timeout is the deadline (the two timers may fire in either order).
      const deadlineBound = remaining <= this.opts.requestTimeoutMs;
      const timeoutMs = Math.max(1, Math.ceil(Math.min(this.opts.requestTimeoutMs, remaining)));
      const perRequest = AbortSignal.timeout(timeoutMs);
      let outcome: { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer } | { kind: 'error'; message: string };
      try {
        const resp = await fetch(url, {
          method,
          headers: request.getHeaders(),
          body: request.getBody() as string | undefined,
          signal: AbortSignal.any([deadline.signal, perRequest]),
          // A redirect is answered, not followed: the keys are in the headers, and go to the configured API only.
          redirect: 'manual',
        });
        const body = Buffer.from(await resp.arrayBuffer());
        const headers: Record<string, string> = {};
        resp.headers.forEach((v, k) => {
          headers[k] = v;
        });
        outcome = { kind: 'response', status: resp.status, headers, body };
      } catch (e) {
        if (deadline.signal.aborted || (deadlineBound && perRequest.aborted)) throw new DatadogRequestError(`${what}: ${deadline.message()}`);
        const message = perRequest.aborted ? `no answer within the request timeout of ${fmtSeconds(timeoutMs)}` : `request failed: ${describeError(e)}`;
        outcome = { kind: 'error', message: this.clean(message) };
      }
      if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status <= 299) {
        const body = outcome.body;
        return new (datadogClient().common.ResponseContext)(outcome.status, outcome.headers, {
          text: async () => body.toString('utf8'),
          binary: async () => body,
        });
      }
      if (outcome.kind === 'response' && outcome.status >= 300 && outcome.status <= 399) {
        throw new DatadogRequestError(
          `${what}: HTTP ${outcome.status} is a redirect, which is never followed (the keys go to ${url.origin} only; check --api-url / DD_SITE)`,
          outcome.status,
        );
      }
      const decision = nextRetry(attempt, outcome, this.opts.retry, {
        remainingMs: deadline.remainingMs(),
        nowMs: this.opts.now(),
        random: this.opts.random,
      });
      if (!decision.retry) {
        const detail = outcome.kind === 'response' ? serverText(errorDetail(outcome.body), this.secrets, 300) : '';
        throw new DatadogRequestError(
          this.clean(`${what}: ${decision.why}${detail ? `: ${detail}` : ''}`),
          outcome.kind === 'response' ? outcome.status : undefined,
        );
      }
      this.opts.progress(`${what}: ${decision.why}; retrying in ${fmtSeconds(decision.delayMs)} (attempt ${attempt + 1} of ${this.opts.retry.maxAttempts})`);
      await sleep(decision.delayMs, deadline.signal);
    }
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }
}

/** The official client's configuration for a target, with our transport and no client-side retry. */
export function clientConfiguration(target: DatadogTarget, transport: TransportOptions): client.Configuration {
  const base = target.apiUrl.replace(/\/+$/, '');
  const { common } = datadogClient();
  return common.createConfiguration({
    baseServer: new common.BaseServerConfiguration(base, {}),
    authMethods: { apiKeyAuth: target.apiKey, ...(target.appKey !== undefined ? { appKeyAuth: target.appKey } : {}) },
    httpApi: new GateHttpLibrary(transport, [target.apiKey, target.appKey]),
    enableRetry: false,
    httpConfig: { compress: false },
  });
}

/** What the gate reads from Datadog. */
export interface GateApi {
  listEvents(tags: readonly string[], window: Window): Promise<DeployEvent[]>;
  queryMetric(query: string, window: Window): Promise<Series[]>;
  listMonitors(tags: readonly string[]): Promise<MonitorState[]>;
  /** Downtimes in force now (GET /api/v2/downtime?current_only=true), every page. */
  listDowntimes(): Promise<Downtime[]>;
}

/** What `rollout drift` reads: whole monitor definitions, parsed by the caller's parser (drift/live.ts). */
export interface MonitorReadApi {
  /** GET /api/v1/monitor filtered by monitor tags (all of them) or a name substring, every page. */
  listMonitorBodies<T>(filter: { readonly monitorTags?: readonly string[]; readonly name?: string }, parse: (body: unknown) => T[]): Promise<T[]>;
  /** GET /api/v1/monitor/{id}; undefined when the API says 404 (deleted). */
  getMonitorBody<T>(id: number, parse: (body: unknown) => T): Promise<T | undefined>;
}

/**
 * What `rollout import --from-api` reads: one page (or one dashboard) at a
 * time, the JSON body as the API sent it (status 200 and JSON checked here;
 * the shapes and the paging are import/from-api.ts's). Parameters as
 * openapi.yaml of DataDog/datadog-api-client-go (.generator/schemas/v1) names them.
 */
export interface ObjectPagesApi {
  /** GET /api/v1/monitor?page&page_size[&monitor_tags] (ListMonitors; page_size at most 1000). */
  monitorPage(page: number, pageSize: number, monitorTags?: string): Promise<unknown>;
  /** GET /api/v1/slo?limit&offset[&tags_query] (ListSLOs). */
  sloPage(offset: number, limit: number, tagsQuery?: string): Promise<unknown>;
  /** GET /api/v1/dashboard?count&start (ListDashboards: summaries, no widgets). */
  dashboardPage(start: number, count: number): Promise<unknown>;
  /** GET /api/v1/dashboard/{id} (GetDashboard); undefined when the API says 404 (deleted since it was listed). */
  dashboard(id: string): Promise<unknown>;
}

/**
 * What `rollout drift` reads of SLOs and dashboards, parsed by the caller's
 * parsers (drift/slo.ts, drift/dashboard.ts). Every list is read to its last
 * page; a 404 on a read by id is `undefined` (deleted).
 */
export interface ObjectReadApi {
  /** GET /api/v1/slo filtered by one tag (`tags_query`) or a name query (`query`), every page (`limit`/`offset`). */
  listSloBodies<T>(filter: { readonly tagsQuery?: string; readonly query?: string }, parse: (body: unknown) => T[]): Promise<T[]>;
  /** GET /api/v1/slo/{slo_id}. */
  getSloBody<T>(id: string, parse: (body: unknown) => T): Promise<T | undefined>;
  /** GET /api/v1/dashboard (custom dashboards, not deleted), every page (`count`/`start`). */
  listDashboardBodies<T>(parse: (body: unknown) => T[]): Promise<T[]>;
  /** GET /api/v1/dashboard/{dashboard_id}. */
  getDashboardBody<T>(id: string, parse: (body: unknown) => T): Promise<T | undefined>;
}

/** What `rollout downtime` does to Datadog (v2 downtimes). */
export interface DowntimeApi {
  listDowntimes(): Promise<Downtime[]>;
  /** Schedule a downtime from now until its end; resolves to it as created. */
  createDowntime(d: DowntimeRequest): Promise<Downtime>;
  /** Cancel a downtime; `gone` when the API says it does not exist (already cancelled or never was). */
  cancelDowntime(id: string): Promise<'cancelled' | 'gone'>;
}

/** A deployment event to post. */
export interface EventToPost {
  readonly title: string;
  readonly text: string;
  readonly tags: readonly string[];
  readonly happenedAtMs: number;
  readonly alertType: 'info' | 'success';
  readonly aggregationKey: string;
}

/** What the event command writes to Datadog. */
export interface EventApi {
  /** Post the event; resolves to its id (digits only, checked). */
  postEvent(e: EventToPost): Promise<{ id: string }>;
}

const MONITOR_PAGE_SIZE = 1000;
/** SLOs read per page: the `limit` parameter's default and the page drift asks for (GET /api/v1/slo, openapi.yaml). */
export const SLO_PAGE_SIZE = 1000;
/** Dashboards read per page: the `count` parameter's default (GET /api/v1/dashboard, openapi.yaml). */
export const DASHBOARD_PAGE_SIZE = 100;
/** Pages of SLOs or dashboards read at most (100,000 SLOs, 10,000 dashboards); more fails closed. */
const MAX_OBJECT_PAGES = 100;
/** Downtimes read per page (`page[limit]`; the API's default is 30). */
const DOWNTIME_PAGE_SIZE = 100;
/** Pages of downtimes read at most (10,000 downtimes in force); more fails closed. */
const MAX_DOWNTIME_PAGES = 100;
/** The v1 events endpoint's page: "By default 1000 results are returned per request" (the `page` parameter, openapi.yaml). */
const EVENT_PAGE_SIZE = 1000;
/** Pages of events read at most; more means the window holds more than 25,000 matching events, and the search fails closed. */
export const MAX_EVENT_PAGES = 25;

/**
 * The gate's and event command's Datadog API: requests built by the official
 * client, sent through our transport, answers checked by our parsers.
 *
 * Events: `GET /api/v1/events` "returns a maximum of 1000 most recent
 * results ... You can also use the page parameter to specify which set of
 * 1000 results to return" (`page`, 0-based, "can only be used when either
 * unaggregated or exclude_aggregate is set to true"; openapi.yaml of
 * DataDog/datadog-api-client-typescript, /api/v1/events GET). So the gate
 * asks with `unaggregated=true` and reads page after page until one is not
 * full: however busy the stream, the deploy-start event cannot fall off the
 * first page. The `tags` filter narrows the pages (the gate filters again,
 * whatever its semantics); `sources` is not used, because whether it matches
 * the `source_type_name` we post is not documented.
 */
export function datadogApi(
  target: DatadogTarget,
  transport: TransportOptions,
): GateApi & EventApi & DowntimeApi & MonitorReadApi & ObjectPagesApi & ObjectReadApi {
  const config = clientConfiguration(target, transport);
  const { v1 } = datadogClient();
  const events = new v1.EventsApi(config);
  const metrics = new v1.MetricsApi(config);
  const monitors = new v1.MonitorsApi(config);
  const secrets = [target.apiKey, target.appKey];
  /** Send a request the client built; check the status and the body; name the endpoint in any error. */
  const call = async <T>(build: Promise<client.RequestContext>, status: number, parse: (body: unknown) => T, noBody = false): Promise<T> => {
    let what = 'request';
    try {
      const request = await build;
      what = `${request.getHttpMethod().toString()} ${new URL(request.getUrl()).pathname}`;
      const response = await config.httpApi.send(request);
      const text = await response.body.text();
      if (response.httpStatusCode !== status) {
        throw new BadResponseError(`HTTP ${response.httpStatusCode}, expected ${status}`, text.slice(0, 120));
      }
      return parse(noBody ? undefined : parseJsonBody(text, response.headers['content-type']));
    } catch (e) {
      if (e instanceof DatadogRequestError) throw e;
      if (e instanceof BadResponseError) {
        const excerpt = e.excerpt.trim() === '' ? '' : `: "${serverText(e.excerpt, secrets, 80)}"`;
        throw new DatadogRequestError(`${what}: bad response: ${redact(e.message, secrets)}${excerpt}`);
      }
      if (e instanceof QueryError) throw new DatadogRequestError(`${what}: query failed: ${serverText(e.detail, secrets)}`);
      throw new DatadogRequestError(redact(`${what}: unexpected error: ${describeError(e)}`, secrets));
    }
  };
  return {
    listEvents: async (tags, window) => {
      const start = Math.floor(window.fromMs / 1000);
      const end = Math.ceil(window.toMs / 1000);
      const out: DeployEvent[] = [];
      const seen = new Set<string>();
      for (let page = 0; ; page++) {
        const batch = await call(events.listEvents(start, end, undefined, undefined, tags.join(','), true, undefined, page), 200, parseEventList);
        if (page > 0 && batch.length > 0 && batch.every((e) => seen.has(e.id))) {
          throw new DatadogRequestError(`GET /api/v1/events: bad response: page ${page} repeats events of earlier pages; the events cannot all be read`);
        }
        for (const e of batch) {
          if (seen.has(e.id)) continue;
          seen.add(e.id);
          out.push(e);
        }
        if (batch.length < EVENT_PAGE_SIZE) return out;
        if (page + 1 >= MAX_EVENT_PAGES) {
          throw new DatadogRequestError(
            `GET /api/v1/events: more than ${MAX_EVENT_PAGES * EVENT_PAGE_SIZE} events match ${tags.join(',')} in the window; not all could be read, so the latest deploy start is not known`,
          );
        }
      }
    },
    queryMetric: (query, window) =>
      call(metrics.queryMetrics(Math.floor(window.fromMs / 1000), Math.floor(window.toMs / 1000), query), 200, parseQueryResponse),
    listMonitors: async (tags) => {
      const out: MonitorState[] = [];
      for (let page = 0; ; page++) {
        const res = await call(
          monitors.listMonitors(undefined, undefined, undefined, tags.join(','), true, undefined, page, MONITOR_PAGE_SIZE),
          200,
          parseMonitorList,
        );
        out.push(...res);
        if (res.length < MONITOR_PAGE_SIZE) return out;
      }
    },
    listMonitorBodies: async (filter, parse) => {
      const out = [];
      for (let page = 0; ; page++) {
        const tags = filter.monitorTags?.join(',');
        const res = await call(monitors.listMonitors(undefined, filter.name, undefined, tags, false, undefined, page, MONITOR_PAGE_SIZE), 200, parse);
        out.push(...res);
        if (res.length < MONITOR_PAGE_SIZE) return out;
      }
    },
    getMonitorBody: async (id, parse) => {
      try {
        return await call(monitors.getMonitor(id), 200, parse);
      } catch (e) {
        if (e instanceof DatadogRequestError && e.status === 404) return undefined;
        throw e;
      }
    },
    ...objectReads(config, call),
    listDowntimes: async () => {
      // page[offset] / page[limit] (DowntimesApi.listDowntimes); meta.page.total_filtered_count says how many there are.
      // The next offset is the count read so far, whatever page size the server chose.
      const out: Downtime[] = [];
      const seen = new Set<string>();
      let offset = 0;
      for (let page = 0; ; page++) {
        if (page >= MAX_DOWNTIME_PAGES) {
          throw new DatadogRequestError(`GET /api/v2/downtime: more than ${MAX_DOWNTIME_PAGES} pages of downtimes in force; not all could be read`);
        }
        const res = await call(Promise.resolve(downtimeRequests.list(config, offset, DOWNTIME_PAGE_SIZE)), 200, parseDowntimeList);
        offset += res.downtimes.length;
        for (const d of res.downtimes) {
          if (seen.has(d.id)) continue;
          seen.add(d.id);
          out.push(d);
        }
        const more = res.total !== undefined ? offset < res.total : res.downtimes.length === DOWNTIME_PAGE_SIZE;
        if (!more || res.downtimes.length === 0) return out;
      }
    },
    createDowntime: (d) => call(Promise.resolve(downtimeRequests.create(config, d)), 200, parseDowntimeCreated),
    cancelDowntime: async (id) => {
      try {
        await call(Promise.resolve(downtimeRequests.cancel(config, id)), 204, () => undefined, true);
        return 'cancelled';
      } catch (e) {
        if (e instanceof DatadogRequestError && e.status === 404) return 'gone';
        throw e;
      }
    },
    monitorPage: (page, pageSize, monitorTags) =>
      call(monitors.listMonitors(undefined, undefined, undefined, monitorTags, false, undefined, page, pageSize), 200, (b) => b),
    postEvent: (e) =>
      call(
        events.createEvent({
          title: e.title,
          text: e.text,
          tags: [...e.tags],
          dateHappened: Math.floor(e.happenedAtMs / 1000),
          alertType: e.alertType,
          aggregationKey: e.aggregationKey,
          sourceTypeName: 'observability-rollout',
        }),
        202,
        parseEventCreated,
      ),
  };
}

/**
 * SLO and dashboard reads (`rollout drift`, and page by page `rollout import --from-api`). Contracts,
 * `.generator/schemas/v1/openapi.yaml` of DataDog/datadog-api-client-typescript
 * (operations ListSLOs, GetSLO, ListDashboards, GetDashboard) and its
 * recorded cassettes (test/fixtures/datadog/SOURCES.md):
 *   - `GET /api/v1/slo`: `tags_query` "filter results based on a single SLO
 *     tag", `query` "filter results based on SLO names", `limit` (default
 *     1000) and `offset`. The recorded `metadata.page` totals do not add up
 *     (total_filtered_count 2 for 3 SLOs read as 2 + 1), so the pages are read
 *     until a short one, with the offset advanced by what was read;
 *   - `GET /api/v1/dashboard`: "only return custom created or cloned
 *     dashboards", `count` (default 100) and `start`; no total, so again
 *     until a short page. `filter[shared]` is left out (true would keep the
 *     shared ones only); `filter[deleted]` too (true lists the deleted ones only);
 *   - `GET /api/v1/slo/{slo_id}` and `GET /api/v1/dashboard/{dashboard_id}`:
 *     404 when there is no such object (recorded: "SLO not found: <id> not
 *     found", "Dashboard with ID <id> not found").
 */
function objectReads(
  config: client.Configuration,
  call: <T>(build: Promise<client.RequestContext>, status: number, parse: (body: unknown) => T) => Promise<T>,
): ObjectReadApi & Omit<ObjectPagesApi, 'monitorPage'> {
  const { v1 } = datadogClient();
  const slos = new v1.SloApi(config);
  const dashboards = new v1.DashboardsApi(config);
  const pages = async <T>(what: string, size: number, read: (offset: number) => Promise<T[]>): Promise<T[]> => {
    const out: T[] = [];
    for (let page = 0; ; page++) {
      if (page >= MAX_OBJECT_PAGES) throw new DatadogRequestError(`${what}: more than ${MAX_OBJECT_PAGES} pages of ${size}; not all could be read`);
      const res = await read(out.length);
      out.push(...res);
      if (res.length < size) return out;
    }
  };
  const orGone = async <T>(read: Promise<T>): Promise<T | undefined> => {
    try {
      return await read;
    } catch (e) {
      if (e instanceof DatadogRequestError && e.status === 404) return undefined;
      throw e;
    }
  };
  return {
    listSloBodies: (filter, parse) =>
      pages('GET /api/v1/slo', SLO_PAGE_SIZE, (offset) =>
        call(slos.listSLOs(undefined, filter.query, filter.tagsQuery, undefined, SLO_PAGE_SIZE, offset), 200, parse),
      ),
    getSloBody: (id, parse) => orGone(call(slos.getSLO(id), 200, parse)),
    listDashboardBodies: (parse) =>
      pages('GET /api/v1/dashboard', DASHBOARD_PAGE_SIZE, (start) =>
        call(dashboards.listDashboards(undefined, undefined, DASHBOARD_PAGE_SIZE, start), 200, parse),
      ),
    getDashboardBody: (id, parse) => orGone(call(dashboards.getDashboard(id), 200, parse)),
    // `rollout import --from-api`: one page (or dashboard) at a time, the body as sent; the paging is import/from-api.ts's.
    sloPage: (offset, limit, tagsQuery) => call(slos.listSLOs(undefined, undefined, tagsQuery, undefined, limit, offset), 200, (b) => b),
    dashboardPage: (start, count) => call(dashboards.listDashboards(undefined, undefined, count, start), 200, (b) => b),
    dashboard: (id) => orGone(call(dashboards.getDashboard(id), 200, (b) => b)),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function errorDetail(body: Buffer): string {
  const text = body.toString('utf8').trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) return parsed.errors.map(String).join('; ').slice(0, 300);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const c = cause instanceof Error ? `: ${cause.message}` : '';
    return `${e.message}${c}`;
  }
  return String(e);
}

function fmtSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}
