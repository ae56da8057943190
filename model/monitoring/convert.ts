/**
 * Conversion of validated team files and the policy file into the
 * monitoring model (pure): defaults resolved, text trimmed, durations in
 * minutes or seconds, records sorted, and the file-level settings (team,
 * service, tags, routing, per-stage overrides) folded into each definition.
 * Only called on input that problems.ts passed.
 */
import type { YamlSource } from '../yaml-source';
import type { BurnRateTier, SloTimeframe } from './burn-rate';
import { lastWindow, parseDuration } from './duration';
import type { DashboardSpec, MonitorSpec, NotifySpec, PolicyFile, SloSpec, TeamFile } from './schema';
import type { SignalSettings } from '../signals';
import type { DashboardDef, MonitorDef, MonitorStageOverride, MonitoringPolicy, Notify, SloDef, SloTarget, SourceRef } from './types';

/** A team monitor, as declared (placeholders not yet replaced). */
export function toMonitorDef(src: YamlSource, tf: TeamFile, m: MonitorSpec, i: number): MonitorDef {
  const at = ['monitors', i];
  const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : (parseDuration(d) as number));
  const notify = toNotify(m.notify ?? tf.notify);
  // The definition's own routing beats the file's: its stage override, its base, the file's stage, the file's base.
  const stages = mergeStageOverrides(tf, m.stages, m.notify !== undefined, (own): MonitorStageOverride => ({
    ...(own.priority !== undefined ? { priority: own.priority } : {}),
    ...(own.thresholds !== undefined ? { thresholds: compact(own.thresholds) } : {}),
    ...(own.query !== undefined ? { query: own.query.trim() } : {}),
  }));
  const team = m.team ?? tf.team;
  const service = m.service ?? tf.service;
  return {
    id: m.id,
    ...lineage(m),
    name: m.name,
    type: m.type,
    query: m.query.trim(),
    message: m.message.trim(),
    ...(m.runbook !== undefined ? { runbook: m.runbook } : {}),
    ...(team !== undefined ? { team } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(m.priority !== undefined ? { priority: m.priority } : {}),
    thresholds: compact(m.thresholds ?? {}),
    ...(m.thresholdWindows !== undefined
      ? {
          thresholdWindows: {
            trigger: lastWindow(parseDuration(m.thresholdWindows.trigger) as number),
            recovery: lastWindow(parseDuration(m.thresholdWindows.recovery) as number),
          },
        }
      : {}),
    noData: { notify: m.noData.notify, ...(m.noData.timeframe !== undefined ? { timeframeMinutes: ms(m.noData.timeframe) } : {}) },
    ...(m.renotify !== undefined
      ? {
          renotify: {
            intervalMinutes: ms(m.renotify.interval) as number,
            statuses: [...new Set(m.renotify.statuses)].sort(),
            ...(m.renotify.occurrences !== undefined ? { occurrences: m.renotify.occurrences } : {}),
            ...(m.renotify.message !== undefined ? { message: m.renotify.message.trim() } : {}),
          },
        }
      : {}),
    ...(m.evaluationDelay !== undefined ? { evaluationDelaySeconds: (ms(m.evaluationDelay) as number) * 60 } : {}),
    ...(m.newGroupDelay !== undefined ? { newGroupDelaySeconds: (ms(m.newGroupDelay) as number) * 60 } : {}),
    ...(m.requireFullWindow !== undefined ? { requireFullWindow: m.requireFullWindow } : {}),
    tags: sortedRecord({ ...tf.tags, ...m.tags }),
    restrictedRoles: [...new Set(m.restrictedRoles ?? tf.restrictedRoles ?? [])].sort(),
    notify,
    ...(m.rolloutCheck !== undefined ? { rolloutCheck: m.rolloutCheck } : {}),
    enabled: m.enabled,
    stages,
    suppress: m.suppress.map((s) => ({ rule: s.rule, reason: s.reason.trim() })),
    source: sourceRef(src, at),
  };
}

/** The rename and adoption fields of a definition, when set. */
function lineage(d: { previousIds?: string[]; importIds?: Record<string, string> }): { previousIds?: string[]; importIds?: Record<string, string> } {
  return {
    ...(d.previousIds !== undefined ? { previousIds: [...d.previousIds] } : {}),
    ...(d.importIds !== undefined ? { importIds: sortedRecord(d.importIds) } : {}),
  };
}

/** A team SLO, as declared. */
export function toSloDef(src: YamlSource, tf: TeamFile, s: SloSpec, i: number): SloDef {
  const at = ['slos', i];
  const stages = mergeStageOverrides(tf, s.stages, s.notify !== undefined, (own) => (own.targets !== undefined ? { targets: sortTargets(own.targets) } : {}));
  const team = s.team ?? tf.team;
  const service = s.service ?? tf.service;
  return {
    id: s.id,
    ...lineage(s),
    name: s.name,
    ...(s.description !== undefined ? { description: s.description.trim() } : {}),
    type: s.type,
    ...(s.type === 'metric' ? { query: { numerator: (s.numerator as string).trim(), denominator: (s.denominator as string).trim() } } : {}),
    ...(s.type === 'monitor' ? { monitorIds: [...(s.monitors as string[])] } : {}),
    ...(s.type === 'time-slice' && s.timeSlice
      ? {
          timeSlice: {
            query: s.timeSlice.query.trim(),
            comparator: s.timeSlice.comparator,
            threshold: s.timeSlice.threshold,
            intervalSeconds: (parseDuration(s.timeSlice.interval) as number) * 60,
          },
        }
      : {}),
    targets: sortTargets(s.targets),
    primaryTimeframe: primaryTimeframeOf(s),
    burnRate: { enabled: s.burnRate.enabled, tiers: burnRateTiers(s) },
    ...(s.runbook !== undefined ? { runbook: s.runbook } : {}),
    ...(team !== undefined ? { team } : {}),
    ...(service !== undefined ? { service } : {}),
    priority: s.priority,
    tags: sortedRecord({ ...tf.tags, ...s.tags }),
    restrictedRoles: [...new Set(tf.restrictedRoles ?? [])].sort(),
    notify: toNotify(s.notify ?? tf.notify),
    enabled: s.enabled,
    stages,
    suppress: s.suppress.map((x) => ({ rule: x.rule, reason: x.reason.trim() })),
    source: sourceRef(src, at),
  };
}

/** A team dashboard; `rel`, `definition` and `title` come from problems.ts's dashboardSource. */
export function toDashboardDef(
  src: YamlSource,
  tf: TeamFile,
  d: DashboardSpec,
  i: number,
  json: { rel: string; definition: Record<string, unknown>; title: string },
): DashboardDef {
  const at = ['dashboards', i];
  const { rel, definition, title } = json;
  const stages = mergeStageOverrides(tf, d.stages, true, () => ({}));
  const team = d.team ?? tf.team;
  // The dashboard's own roles; an exported is_read_only: true (deprecated) keeps its meaning through the file's roles.
  const roles = d.restrictedRoles ?? (definition.is_read_only === true ? (tf.restrictedRoles ?? []) : []);
  return {
    id: d.id,
    ...lineage(d),
    title: title.trim(),
    ...(team !== undefined ? { team } : {}),
    restrictedRoles: [...new Set(roles)].sort(),
    file: rel,
    definition,
    enabled: d.enabled,
    stages,
    source: sourceRef(src, at),
  };
}

/**
 * The per-stage overrides of one definition, with the file's folded in:
 * `enabled` from the definition's stage, else the file's stage; routing from
 * the definition's stage, else (only when the definition sets no routing of
 * its own) the file's stage; `own` adds what only the definition's stage can
 * set. One entry per stage either names.
 */
export function mergeStageOverrides<O extends { enabled?: boolean; notify?: NotifySpec }, R extends object>(
  tf: TeamFile,
  ownStages: Readonly<Record<string, O>>,
  ownRouting: boolean,
  own: (override: Partial<O>) => R,
): Record<string, R & { enabled?: boolean; notify?: Notify }> {
  const merged: Record<string, R & { enabled?: boolean; notify?: Notify }> = {};
  for (const stage of [...new Set([...Object.keys(tf.stages), ...Object.keys(ownStages)])].sort()) {
    const override: Partial<O> = ownStages[stage] ?? {};
    const fileStage = tf.stages[stage] ?? {};
    const notify = override.notify ?? (ownRouting ? undefined : fileStage.notify);
    const enabled = override.enabled ?? fileStage.enabled;
    merged[stage] = {
      ...(enabled !== undefined ? { enabled } : {}),
      ...own(override),
      ...(notify !== undefined ? { notify: toNotify(notify) } : {}),
    };
  }
  return merged;
}

/** The SLO's primary timeframe: as given, else 30d when it has a 30d target, else its first. */
export function primaryTimeframeOf(s: SloSpec): SloTimeframe {
  const timeframes = s.targets.map((t) => t.timeframe);
  return s.primaryTimeframe ?? (timeframes.includes('30d') ? '30d' : timeframes[0]);
}

/** The SLO's burn-rate tiers with windows in minutes. */
export function burnRateTiers(s: SloSpec): BurnRateTier[] {
  return s.burnRate.tiers.map((t) => ({
    severity: t.severity,
    burnRate: t.burnRate,
    longWindowMinutes: parseDuration(t.longWindow) as number,
    shortWindowMinutes: parseDuration(t.shortWindow) as number,
  }));
}

export function toPolicy(p: PolicyFile, source: SourceRef): MonitoringPolicy {
  const r = p.rollout;
  return {
    requiredTags: [...new Set(p.requiredTags)].sort(),
    tags: sortedRecord(p.tags),
    apm: { ...(p.apm.secondPrimaryTag !== undefined ? { secondPrimaryTag: p.apm.secondPrimaryTag } : {}) },
    rollout: {
      enabled: r.enabled,
      ...(r.team !== undefined ? { team: r.team } : {}),
      ...(r.runbook !== undefined ? { runbook: r.runbook } : {}),
      priority: r.priority,
      notify: toNotify(r.notify),
      tags: sortedRecord(r.tags),
      stages: Object.fromEntries(
        Object.entries(r.stages)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([stage, o]) => [
            stage,
            {
              ...(o.enabled !== undefined ? { enabled: o.enabled } : {}),
              ...(o.priority !== undefined ? { priority: o.priority } : {}),
              ...(o.notify !== undefined ? { notify: toNotify(o.notify) } : {}),
            },
          ]),
      ),
      apmOperation: r.apmOperation,
      latency: r.latency,
      comparisonWindowMinutes: parseDuration(r.comparisonWindow) as number,
      windowMinutes: parseDuration(r.window) as number,
      agentCpuPercent: { ...r.agentCpuPercent },
      agentMemoryMb: { ...r.agentMemoryMb },
      security: {
        enabled: r.security.enabled,
        logQuery: r.security.logQuery,
        algorithm: r.security.algorithm,
        deviations: r.security.deviations,
        alertWindowMinutes: parseDuration(r.security.alertWindow) as number,
      },
    },
    source,
  };
}

/** The APM signal settings of a policy: what the rollout monitors, the rollout dashboard and the gate query. */
export function policySignals(policy: MonitoringPolicy): SignalSettings {
  return { apmOperation: policy.rollout.apmOperation, latency: policy.rollout.latency };
}

export function sortTargets(targets: SloSpec['targets']): SloTarget[] {
  const order = { '7d': 0, '30d': 1, '90d': 2 } as const;
  return [...targets]
    .sort((a, b) => order[a.timeframe] - order[b.timeframe])
    .map((t) => ({ timeframe: t.timeframe, target: t.target, ...(t.warning !== undefined ? { warning: t.warning } : {}) }));
}

export function toNotify(n: NotifySpec): Notify {
  const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];
  return { alert: uniq(n.alert), warning: uniq(n.warning), noData: uniq(n.noData ?? n.alert) };
}

export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Where a definition is, with the line of each of its fields. */
export function sourceRef(src: YamlSource, at: ReadonlyArray<string | number>): SourceRef {
  const node = (at.length === 0 ? src.data : at.reduce<unknown>((cur, k) => (cur as Record<PropertyKey, unknown>)?.[k], src.data)) as Record<string, unknown>;
  const fieldLines: Record<string, number> = {};
  if (node && typeof node === 'object') {
    for (const k of Object.keys(node).sort()) {
      fieldLines[k] = src.lineOfKey(at as PropertyKey[], k);
      const v = node[k];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const k2 of Object.keys(v).sort()) fieldLines[`${k}.${k2}`] = src.lineOfKey([...at, k] as PropertyKey[], k2);
      }
    }
  }
  return { file: src.file, line: src.lineOf(at as PropertyKey[]), path: at.map(String).join('.'), fieldLines };
}
