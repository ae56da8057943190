/**
 * Risk that follows impact, for monitors and SLOs (pure). Loosening or
 * deleting a paging monitor or an SLO in prod is high; tightening is lower;
 * the same change outside prod is one class lower. Whether a threshold is
 * looser or tighter depends on the query's comparator: for `>` / `>=` a higher
 * threshold alerts later (looser), for `<` / `<=` a lower one does; an SLO
 * target lowered is looser. A monitor pages when its message notifies a
 * PagerDuty handle or its priority is 1 or 2 (policy/rules/m001).
 */
import { isPagingHandle, isPagingPriority } from '../../model/monitoring/routing';
import { isProductionStage, Risk, TAGS } from './risk';
import type { RiskClass } from './types';
import { isPlainObject } from './values';

/** Which way a change moves an alert. */
export type Effect = 'loosened' | 'tightened';

/** What a monitoring resource is, for the rules. */
export interface MonitoringFacts {
  readonly stage: string;
  /** `monitor` (datadog_monitor) or `SLO` (datadog_service_level_objective). */
  readonly kind: 'monitor' | 'SLO';
  /** Pages on either side (SLOs always count: their burn-rate alerts page). */
  readonly paging: boolean;
}

/** Notification handles (`@pagerduty-payments`, `@slack-ops`) in a monitor message. */
export function notificationHandles(message: unknown): string[] {
  if (typeof message !== 'string') return [];
  return [...new Set(message.match(/@[A-Za-z0-9_.+-]+(?:@[A-Za-z0-9_.-]+)?/g) ?? [])].sort();
}

/** A number, or a number in a string (the provider keeps thresholds as strings). */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Does a monitor configuration page (a PagerDuty handle in its messages, or priority 1-2)? */
export function isPagingMonitor(config: unknown): boolean {
  if (!isPlainObject(config)) return false;
  if (isPagingPriority(numberOf(config.priority))) return true;
  return [config.message, config.escalation_message].some((m) => notificationHandles(m).some(isPagingHandle));
}

/** A query's trailing comparison: `... > 2` gives `>`, 2 and the query before it. Service checks count failures (`>`). */
export function queryComparison(query: unknown): { op: '>' | '>=' | '<' | '<='; value?: number; rest: string } | undefined {
  if (typeof query !== 'string') return undefined;
  const m = /^([\s\S]*?)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/.exec(query);
  if (m) return { op: m[2] as '>' | '>=' | '<' | '<=', value: Number(m[3]), rest: m[1] };
  if (/\.count_by_status\(\)\s*$/.test(query)) return { op: '>', rest: query };
  return undefined;
}

/** Which way moving a threshold from `before` to `after` goes under comparator `op`; undefined when it does not move or cannot be told. */
export function thresholdEffect(op: string | undefined, before: number | undefined, after: number | undefined): Effect | undefined {
  if (op === undefined) return undefined;
  // A threshold that goes away alerts less; a new one alerts more.
  if (before !== undefined && after === undefined) return 'loosened';
  if (before === undefined && after !== undefined) return 'tightened';
  if (before === undefined || after === undefined || before === after) return undefined;
  const higherIsLooser = op === '>' || op === '>=';
  return after > before === higherIsLooser ? 'loosened' : 'tightened';
}

const THRESHOLD = /^monitor_thresholds(?:\[0\])?\.(critical|warning|critical_recovery|warning_recovery)$/;

/**
 * The effect of one attribute change of a monitor; `base` and `head` are the
 * monitor's whole configuration on each side. Undefined when the change has
 * no direction (a new query, a renamed monitor).
 */
export function monitorAttributeEffect(path: string, before: unknown, after: unknown, base: unknown, head: unknown): Effect | undefined {
  const bc = isPlainObject(base) ? base : {};
  const hc = isPlainObject(head) ? head : {};
  if (THRESHOLD.test(path)) {
    const qb = queryComparison(bc.query);
    const qh = queryComparison(hc.query);
    if (!qb || !qh || qb.op !== qh.op) return undefined;
    return thresholdEffect(qh.op, numberOf(before), numberOf(after));
  }
  if (path === 'query') {
    const qb = queryComparison(before);
    const qh = queryComparison(after);
    if (!qb || !qh || qb.op !== qh.op || qb.rest !== qh.rest) return undefined;
    return thresholdEffect(qh.op, qb.value, qh.value);
  }
  if (path === 'message' || path === 'escalation_message' || path === 'priority') {
    const was = isPagingMonitor(bc);
    const is = isPagingMonitor(hc);
    return was && !is ? 'loosened' : !was && is ? 'tightened' : undefined;
  }
  if (path === 'notify_no_data') return before === true && after !== true ? 'loosened' : before !== true && after === true ? 'tightened' : undefined;
  return undefined;
}

/** The effect of one attribute change of an SLO: a lower target or warning is looser. */
export function sloAttributeEffect(path: string, before: unknown, after: unknown): Effect | undefined {
  if (!/^(thresholds(\[[^\]]+\])?\.(target|warning)|target_threshold|warning_threshold)$/.test(path)) return undefined;
  const b = numberOf(before);
  const a = numberOf(after);
  if (b === undefined || a === undefined || a === b) return undefined;
  return a < b ? 'loosened' : 'tightened';
}

/** The class of a monitoring change: see the module comment. */
export function impactClass(prod: boolean, paging: boolean, effect: Effect | 'deleted' | 'added' | undefined): RiskClass {
  if (effect === 'loosened' || effect === 'deleted') return prod ? (paging ? 'high' : 'medium') : paging ? 'medium' : 'low';
  if (effect === 'tightened' || effect === 'added') return prod && paging ? 'medium' : 'low';
  return prod ? 'medium' : 'low';
}

/** `a paging monitor in prod`, `an SLO outside prod`. */
function what(f: MonitoringFacts): string {
  const article = f.kind === 'SLO' ? 'an' : 'a';
  const paging = f.kind === 'monitor' && f.paging ? 'a paging ' : `${article} `;
  return `${paging}${f.kind} ${isProductionStage(f.stage) ? 'in prod' : 'outside prod'}`;
}

/** Risk of an attribute change with a known effect, or of an undirected change described by `topic` (`monitor thresholds`). */
export function monitoringRisk(f: MonitoringFacts, effect: Effect | undefined, topic: string): Risk {
  const prod = isProductionStage(f.stage);
  const risk = impactClass(prod, f.paging, effect);
  if (effect) return { risk, why: `${effect === 'loosened' ? 'loosens' : 'tightens'} ${what(f)}` };
  return { risk, why: prod ? topic : `${topic} (outside prod)` };
}

/** Risk of a monitor or SLO created, destroyed or replaced. */
export function monitoringLifecycleRisk(f: MonitoringFacts, kind: 'added' | 'removed' | 'replaced'): Risk {
  const prod = isProductionStage(f.stage);
  const effect = kind === 'added' ? 'added' : 'deleted';
  const verb = kind === 'added' ? 'adds' : kind === 'removed' ? 'deletes' : 'replaces (deletes and re-creates)';
  return { risk: impactClass(prod, f.paging, effect), why: `${verb} ${what(f)}` };
}

/** Is `type` a monitor or an SLO (the resources impact.ts judges)? */
export function monitoringKind(type: string): MonitoringFacts['kind'] | undefined {
  if (/^datadog_monitor($|_json$)/.test(type)) return 'monitor';
  if (type === 'datadog_service_level_objective') return 'SLO';
  return undefined;
}

/** Risk of one attribute change of a monitor or SLO, and its effect; `base` and `head` are the whole configurations. */
export function monitoringAttributeRisk(
  f: MonitoringFacts,
  path: string,
  before: unknown,
  after: unknown,
  base: unknown,
  head: unknown,
): Risk & { readonly effect?: Effect } {
  if (TAGS.test(path)) return { risk: 'low', why: 'tags' };
  if (path === 'description') return { risk: 'low', why: 'descriptions' };
  if (f.kind === 'SLO') {
    const effect = sloAttributeEffect(path, before, after);
    const topic = /^(thresholds|target_threshold|warning_threshold|timeframe)/.test(path) ? 'SLO targets' : 'SLOs';
    return { ...monitoringRisk(f, effect, topic), ...(effect ? { effect } : {}) };
  }
  const effect = monitorAttributeEffect(path, before, after, base, head);
  if (path === 'message' && !effect) {
    const routed = notificationHandles(before).join(' ') !== notificationHandles(after).join(' ');
    return routed ? monitoringRisk(f, undefined, 'notification routing') : { risk: 'low', why: 'message text' };
  }
  const topic = /^(monitor_thresholds|monitor_threshold_windows|query)/.test(path)
    ? 'monitor thresholds'
    : /^(message|priority|notify_|renotify|escalation_message|notification_preset)/.test(path)
      ? 'notification routing'
      : 'monitors';
  return { ...monitoringRisk(f, effect, topic), ...(effect ? { effect } : {}) };
}
