/**
 * Quiet restarts (pure): the Datadog downtimes that keep a batch's Agent
 * restarts from paging, which monitors a downtime covers, and the v2
 * downtime answers, checked.
 *
 * API (Datadog v2 downtimes, https://docs.datadoghq.com/api/latest/downtimes/,
 * request and response shapes of DataDog/datadog-api-client-typescript
 * 1.62.0, models DowntimeCreateRequestAttributes, DowntimeMonitorIdentifierTags,
 * DowntimeScheduleOneTimeCreateUpdateRequest, DowntimeResponseAttributes, and
 * the cassettes under cassettes/v2/Downtimes_1733580485/ copied into
 * test/fixtures/datadog/, SOURCES.md):
 *   - `monitor_identifier.monitor_tags`: "The resulting downtime applies to
 *     monitors that match **all** provided monitor tags" (`["*"]`: every
 *     monitor). So one downtime targets one check kind of one batch.
 *   - `scope`: "Must follow the common search syntax": we write
 *     `host:"a" OR host:"b"` (the recorded answers quote host values).
 *   - `schedule.end`: a one-time schedule's end (ISO 8601); `start` null is now.
 *   - `notify_end_types` ["canceled", "expired"] with `notify_end_states`
 *     ["alert", "no data", "warn"]: a monitor still failing when the downtime
 *     is cancelled or runs out notifies then (a host that never came back
 *     still pages, once the batch is over); `mute_first_recovery_notification`
 *     keeps the restart's own recovery quiet.
 *
 * Which monitors: the per-host agent-health monitors of the batch
 * (plan/monitoring/rollout-monitors.ts): `agent-running` (the
 * `datadog.agent.up` service check by host, which a restarting Agent fails)
 * and `agent-overhead` (CPU and memory by host, which an Agent starting up
 * spikes). Not `coverage`: it is a batch aggregate with no host groups, and its
 * `max(last_N)` over the window does not dip for a restart of seconds. Never
 * the gate's rollback triggers (error rate, latency, security, application
 * errors): QUIET_RESTART_CHECKS and ROLLBACK_TRIGGER_CHECKS are disjoint,
 * checked by a test.
 */
import { MANAGED_BY_TAG } from '../model/names';
import { batchTag, CHECK_TAG, CheckKind, checkTag, envTag } from '../model/signals';
import { array, BadResponseError, kind, object, optionalString, strings } from './datadog-responses';
import { printable } from './redact';

/** Check kinds whose monitors a quiet-restart downtime covers. */
export const QUIET_RESTART_CHECKS: readonly CheckKind[] = ['agent-running', 'agent-overhead'];
/** Check kinds that are the gate's rollback triggers: never under a downtime of ours, and a downtime on one fails the gate. */
export const ROLLBACK_TRIGGER_CHECKS: readonly CheckKind[] = ['error-rate', 'latency', 'security', 'app-errors'];

/** Longest quiet-restart downtime, minutes: a batch's upgrade takes minutes and its rollback under 15. */
export const MAX_QUIET_MINUTES = 120;
export const DEFAULT_QUIET_MINUTES = 30;

/** A downtime to create. */
export interface DowntimeRequest {
  readonly scope: string;
  readonly monitorTags: readonly string[];
  readonly message: string;
  /** When it ends, ms since the epoch (it starts now). */
  readonly endMs: number;
}

/** A downtime as the v2 API reports it. */
export interface Downtime {
  readonly id: string;
  readonly scope: string;
  /** `monitor_identifier.monitor_tags` (absent when it names one monitor). */
  readonly monitorTags?: readonly string[];
  /** `monitor_identifier.monitor_id`. */
  readonly monitorId?: number;
  /** `active`, `scheduled`, `ended`, `canceled`. */
  readonly status: string;
  readonly message: string | null;
  /** The current (or one-time) window, ms since the epoch; null: open. */
  readonly startMs: number | null;
  readonly endMs: number | null;
}

/** The marker in a quiet-restart downtime's message: how `rollout downtime cancel` and the gate recognise ours. */
export function quietRestartMarker(stage: string, batch: number): string {
  return `[observability-rollout quiet-restart ${envTag(stage)} ${batchTag(batch)}]`;
}

/** `host:"a" OR host:"b"`: exactly these hosts. */
export function hostScope(hosts: readonly string[]): string {
  return [...new Set(hosts)]
    .sort()
    .map((h) => `host:"${h}"`)
    .join(' OR ');
}

/** Host names a scope may carry (what the stage schema and Ansible allow; no quote, space or parenthesis). */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The downtimes that keep batch `batch` of `stage` quiet while `hosts` restart their Agent, for `minutes` from `nowMs`. */
export function quietRestartDowntimes(p: {
  readonly stage: string;
  readonly batch: number;
  readonly hosts: readonly string[];
  readonly nowMs: number;
  readonly minutes: number;
}): DowntimeRequest[] {
  if (p.hosts.length === 0) throw new Error('quietRestartDowntimes: no hosts');
  const bad = p.hosts.find((h) => !HOST_NAME.test(h));
  if (bad !== undefined) throw new Error(`quietRestartDowntimes: host ${JSON.stringify(bad)} is not a host name`);
  const endMs = p.nowMs + p.minutes * 60_000;
  return QUIET_RESTART_CHECKS.map((check) => ({
    scope: hostScope(p.hosts),
    monitorTags: [envTag(p.stage), batchTag(p.batch), checkTag(check), MANAGED_BY_TAG],
    message:
      `${quietRestartMarker(p.stage, p.batch)} Agent upgrade of batch ${p.batch} of ${p.stage} (${p.hosts.length} hosts): ` +
      `${check} monitors muted until ${new Date(endMs).toISOString()} at the latest; cancelled when the batch finishes or fails. ` +
      'A monitor still failing then notifies.',
    endMs,
  }));
}

/** Whether `d` is one of ours for `stage` and `batch` (its marker). */
export function isQuietRestartOf(d: Downtime, stage: string, batch: number): boolean {
  return (d.message ?? '').startsWith(quietRestartMarker(stage, batch));
}

/** Whether `d` is in force at `nowMs` (status active, or its window holds `nowMs`). */
export function inForce(d: Downtime, nowMs: number): boolean {
  if (d.status === 'canceled' || d.status === 'ended') return false;
  if (d.status === 'active') return true;
  return (d.startMs === null || d.startMs <= nowMs) && (d.endMs === null || d.endMs > nowMs);
}

/**
 * Whether `d` applies to a monitor with this id and these tags: it names the
 * monitor, or the monitor carries all its monitor tags (`*` matches any). The
 * group scope is not evaluated: a downtime that may silence some groups counts.
 */
export function coversMonitor(d: Downtime, monitor: { readonly id: number; readonly tags: readonly string[] }): boolean {
  if (d.monitorId !== undefined) return d.monitorId === monitor.id;
  const tags = d.monitorTags ?? [];
  return tags.length > 0 && tags.every((t) => t === '*' || monitor.tags.includes(t));
}

/** The check kind of a monitor (`rollout_check:<kind>` tag), if any. */
export function checkKindOf(tags: readonly string[]): string | undefined {
  const t = tags.find((x) => x.startsWith(`${CHECK_TAG}:`));
  return t === undefined ? undefined : t.slice(CHECK_TAG.length + 1);
}

/** One line about a downtime, fit to print (its fields came from the server). */
export function describeDowntime(d: Downtime): string {
  const what = d.monitorId !== undefined ? `monitor ${d.monitorId}` : `monitor tags ${(d.monitorTags ?? []).map((t) => printable(t, 80)).join(',')}`;
  const end = d.endMs === null ? 'no end' : `until ${new Date(d.endMs).toISOString()}`;
  return `downtime ${printable(d.id, 64)} (${what}; scope ${printable(d.scope, 160)}; ${end})`;
}

// ---------------------------------------------------------------- responses

/** GET /api/v2/downtime: `{data: [downtime...], meta: {page: {total_filtered_count}}}`. */
export function parseDowntimeList(body: unknown): { downtimes: Downtime[]; total?: number } {
  const res = object(body, 'the body');
  const data = array(res.data, 'data').map((d, i) => parseDowntime(d, `data[${i}]`));
  const meta = res.meta === undefined || res.meta === null ? undefined : object(res.meta, 'meta');
  const page = meta?.page === undefined || meta.page === null ? undefined : object(meta.page, 'meta.page');
  const total = page?.total_filtered_count;
  if (total !== undefined && total !== null && (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0)) {
    throw new BadResponseError(`meta.page.total_filtered_count: got ${kind(total)}, expected a count`, '');
  }
  return { downtimes: data, ...(typeof total === 'number' ? { total } : {}) };
}

/** POST /api/v2/downtime (200): `{data: downtime}`. */
export function parseDowntimeCreated(body: unknown): Downtime {
  return parseDowntime(object(body, 'the body').data, 'data');
}

function parseDowntime(raw: unknown, where: string): Downtime {
  const d = object(raw, where);
  const id = d.id;
  if (typeof id !== 'string' || id === '') throw new BadResponseError(`${where}.id: got ${kind(id)}, expected a downtime id`, '');
  if (d.type !== 'downtime') throw new BadResponseError(`${where}.type: got ${kind(d.type)}, expected "downtime"`, '');
  const a = object(d.attributes, `${where}.attributes`);
  const scope = optionalString(a.scope, `${where}.attributes.scope`) ?? '*';
  const status = optionalString(a.status, `${where}.attributes.status`);
  if (status === undefined || status === '') throw new BadResponseError(`${where}.attributes.status: got ${kind(a.status)}, expected a downtime status`, '');
  const mi = object(a.monitor_identifier, `${where}.attributes.monitor_identifier`);
  let identifier: { monitorTags: string[] } | { monitorId: number };
  if (mi.monitor_id !== undefined && mi.monitor_id !== null) {
    if (typeof mi.monitor_id !== 'number' || !Number.isSafeInteger(mi.monitor_id)) {
      throw new BadResponseError(`${where}.attributes.monitor_identifier.monitor_id: got ${kind(mi.monitor_id)}, expected an integer`, '');
    }
    identifier = { monitorId: mi.monitor_id };
  } else {
    identifier = { monitorTags: strings(mi.monitor_tags, `${where}.attributes.monitor_identifier.monitor_tags`) };
  }
  const schedule = a.schedule === undefined || a.schedule === null ? {} : object(a.schedule, `${where}.attributes.schedule`);
  // A recurring schedule reports its current window as current_downtime; a one-time one its start and end.
  const window =
    schedule.current_downtime !== undefined && schedule.current_downtime !== null
      ? object(schedule.current_downtime, `${where}.attributes.schedule.current_downtime`)
      : schedule;
  const w = window === schedule ? `${where}.attributes.schedule` : `${where}.attributes.schedule.current_downtime`;
  return {
    id,
    scope,
    ...identifier,
    status,
    message: optionalString(a.message, `${where}.attributes.message`) ?? null,
    startMs: isoTime(window.start, `${w}.start`),
    endMs: isoTime(window.end, `${w}.end`),
  };
}

function isoTime(x: unknown, where: string): number | null {
  if (x === undefined || x === null) return null;
  const t = typeof x === 'string' ? Date.parse(x) : NaN;
  if (Number.isNaN(t)) throw new BadResponseError(`${where}: got ${kind(x)}, expected an ISO 8601 time or null`, '');
  return t;
}
