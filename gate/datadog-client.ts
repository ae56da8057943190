/**
 * The gate's and the event command's only I/O: the Datadog API through the
 * official client (@datadog/datadog-api-client), with an HTTP transport of our
 * own plugged into it (`httpApi`) that
 *   - gives every request a timeout, and aborts everything at the gate's deadline;
 *   - retries 429 and 5xx (and network errors, timeouts) with backoff,
 *     honoring Retry-After / X-RateLimit-Reset (gate/retry.ts);
 *   - reports retries as progress;
 *   - never lets a key reach a message: keys travel only in request headers,
 *     and every error text is scrubbed of them.
 * The client's own retry is off; the transport's is the only one.
 */
import type * as client from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';
import { nextRetry, RetryPolicy } from './retry';
import type { DeployEvent, MonitorState, Series, Window } from './types';

/*
 * The client is loaded on first use, and only its common part and the three
 * v1 APIs the gate calls: the package's index loads every v1 and v2 API
 * (seconds), which every `rollout` command would pay for at start-up.
 * Paths of @datadog/datadog-api-client 1.64.0 (pinned in package.json).
 */
const PKG = '@datadog/datadog-api-client/dist/packages';
type V1Apis = {
  EventsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/EventsApi').EventsApi;
  MetricsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MetricsApi').MetricsApi;
  MonitorsApi: typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi').MonitorsApi;
};
let loaded: { common: typeof client; v1: V1Apis } | undefined;
function datadogClient(): { common: typeof client; v1: V1Apis } {
  if (loaded === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded = {
      common: require(`${PKG}/datadog-api-client-common`) as typeof client,
      v1: {
        EventsApi: (require(`${PKG}/datadog-api-client-v1/apis/EventsApi`) as Pick<V1Apis, 'EventsApi'>).EventsApi,
        MetricsApi: (require(`${PKG}/datadog-api-client-v1/apis/MetricsApi`) as Pick<V1Apis, 'MetricsApi'>).MetricsApi,
        MonitorsApi: (require(`${PKG}/datadog-api-client-v1/apis/MonitorsApi`) as Pick<V1Apis, 'MonitorsApi'>).MonitorsApi,
      },
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return loaded;
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

/** Remove every occurrence of the secrets from a text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * The transport plugged into the official client: fetch with a per-request
 * timeout, retries with backoff, the deadline. Only 2xx responses come back;
 * anything else is a DatadogRequestError with a clean message.
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
      const decision = nextRetry(attempt, outcome, this.opts.retry, {
        remainingMs: deadline.remainingMs(),
        nowMs: this.opts.now(),
        random: this.opts.random,
      });
      if (!decision.retry) {
        const detail = outcome.kind === 'response' ? errorDetail(outcome.body) : '';
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
  postEvent(e: EventToPost): Promise<{ id: string; url?: string }>;
}

const MONITOR_PAGE_SIZE = 1000;

/** The gate's and event command's Datadog API, through the official client. */
export function datadogApi(target: DatadogTarget, transport: TransportOptions): GateApi & EventApi {
  const config = clientConfiguration(target, transport);
  const { v1 } = datadogClient();
  const events = new v1.EventsApi(config);
  const metrics = new v1.MetricsApi(config);
  const monitors = new v1.MonitorsApi(config);
  const secrets = [target.apiKey, target.appKey];
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof DatadogRequestError) throw e;
      throw new DatadogRequestError(redact(`unexpected answer: ${describeError(e)}`, secrets));
    }
  };
  return {
    listEvents: (tags, window) =>
      guard(async () => {
        const res = await events.listEvents({
          start: Math.floor(window.fromMs / 1000),
          end: Math.ceil(window.toMs / 1000),
          tags: tags.join(','),
          unaggregated: true,
        });
        return (res.events ?? []).map((e): DeployEvent => ({
          id: e.idStr ?? (e.id === undefined ? '' : String(e.id)),
          title: e.title ?? '',
          happenedAtMs: (e.dateHappened ?? 0) * 1000,
          tags: e.tags ?? [],
        }));
      }),
    queryMetric: (query, window) =>
      guard(async () => {
        const res = await metrics.queryMetrics({ from: Math.floor(window.fromMs / 1000), to: Math.floor(window.toMs / 1000), query });
        if (res.status === 'error' || (res.error !== undefined && res.error !== '')) {
          throw new DatadogRequestError(redact(`query failed: ${res.error ?? res.message ?? 'status error'}`, secrets));
        }
        return (res.series ?? []).map((s): Series => ({
          tags: s.tagSet ?? (s.scope ? s.scope.split(',').filter((t) => t !== '*') : []),
          points: (s.pointlist ?? []).map(([t, v]): [number, number | null] => [t, typeof v === 'number' ? v : null]),
        }));
      }),
    listMonitors: (tags) =>
      guard(async () => {
        const out: MonitorState[] = [];
        for (let page = 0; ; page++) {
          const res = await monitors.listMonitors({ monitorTags: tags.join(','), page, pageSize: MONITOR_PAGE_SIZE });
          for (const m of res) {
            const raw = m.overallState as unknown;
            const state = typeof raw === 'string' ? raw : String((raw as { _data?: unknown } | undefined)?._data ?? 'Unknown');
            out.push({ id: m.id ?? 0, name: m.name ?? '', state, tags: m.tags ?? [] });
          }
          if (res.length < MONITOR_PAGE_SIZE) break;
        }
        return out;
      }),
    postEvent: (e) =>
      guard(async () => {
        const res = await events.createEvent({
          body: {
            title: e.title,
            text: e.text,
            tags: [...e.tags],
            dateHappened: Math.floor(e.happenedAtMs / 1000),
            alertType: e.alertType,
            aggregationKey: e.aggregationKey,
            sourceTypeName: 'observability-rollout',
          },
        });
        const ev = res.event;
        return { id: ev?.idStr ?? (ev?.id === undefined ? '' : String(ev.id)), ...(ev?.url ? { url: ev.url } : {}) };
      }),
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
