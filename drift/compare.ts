/**
 * Drift (pure): what synth declares for a stage's monitors against what
 * Datadog holds, and what the Terraform state says was created. SLOs and
 * dashboards are matched the same way (match.ts; slo.ts, dashboard.ts), and
 * their findings have the same kinds.
 *
 * Which live monitor is which planned one:
 *   - with the state: the state's monitor whose name is the planned name
 *     gives the id (Terraform wrote that name last), and the live monitor of
 *     that id is the one, whatever it is called now;
 *   - without it: the live monitor carrying `managed-by:observability-rollout`
 *     and the stage's env tag, with the planned name.
 * Findings:
 *   - changed: a field differs (name, type, query, message, tags, priority,
 *     thresholds, no-data settings): edited in the UI (or by the API);
 *   - deleted: the state has its id and Datadog answers 404; without the
 *     state, no managed monitor has its name (deleted, renamed, or not
 *     applied yet: the report says it cannot tell which);
 *   - not applied: declared, not in the state (the next apply creates it);
 *   - orphaned: managed-by and the stage's env tag, but not declared (a UI
 *     clone copies the tags; or removed from code and not destroyed);
 *   - lookalike: no managed-by tag, but the name of a declared monitor or
 *     the stage's `[<stage>] ` prefix (a hand-made copy that will not follow
 *     the code).
 * Values from the server are cleaned and bounded before they are reported
 * (gate/redact.ts `printable`).
 */
import { mapCompositeIds } from '../model/monitoring/query';
import { MANAGED_BY_TAG } from '../model/names';
import { envTag } from '../model/signals';
import { Exact } from '../gate/exact';
import { printable } from '../gate/redact';
import { SLO_ID_REF, sloKey, teamMonitorId } from '../plan/monitoring/planned';
import type { PlannedMonitor } from '../plan/monitoring/planned';
import { LiveMonitor, THRESHOLD_KEYS, ThresholdKey } from './live';
import { differences, tagDrift } from './differences';
import type { StateMonitor } from './state';

/** One field that differs: what synth declares and what Datadog holds (printable, bounded). */
export interface FieldDrift {
  readonly field: string;
  readonly declared: string;
  readonly live: string;
}

/** What a finding is about; monitor ids are numbers, SLO and dashboard ids strings. */
export type DriftObject = 'monitor' | 'slo' | 'dashboard';

type Id = number | string;
export type Finding =
  | {
      readonly object: DriftObject;
      readonly kind: 'changed';
      readonly key: string;
      readonly id: Id;
      readonly name: string;
      readonly fields: readonly FieldDrift[];
    }
  | { readonly object: DriftObject; readonly kind: 'deleted'; readonly key: string; readonly id: Id; readonly name: string }
  | { readonly object: DriftObject; readonly kind: 'missing'; readonly key: string; readonly name: string }
  | { readonly object: DriftObject; readonly kind: 'not-applied'; readonly key: string; readonly name: string }
  | { readonly object: DriftObject; readonly kind: 'orphaned'; readonly id: Id; readonly name: string; readonly inState: boolean }
  | { readonly object: DriftObject; readonly kind: 'lookalike'; readonly id: Id; readonly name: string; readonly why: string };

export type FindingKind = Finding['kind'];

/** Kinds that are drift (exit 1); `not-applied` is a pending change, not drift. */
export const DRIFT_KINDS: readonly FindingKind[] = ['changed', 'deleted', 'missing', 'orphaned', 'lookalike'];

export interface DriftInput {
  readonly stage: string;
  readonly planned: readonly PlannedMonitor[];
  /** Every live monitor read (by the stage's env tag, managed-by, the stage prefix, and ids of the state). */
  readonly live: readonly LiveMonitor[];
  /** The state's monitors; undefined when no state was given. */
  readonly state?: readonly StateMonitor[];
  /** Ids of the state that Datadog answered 404 for. */
  readonly gone?: readonly number[];
  /** Live id of each declared SLO found (plan key `slo-<id>` -> id): a burn-rate alert must name its SLO's. */
  readonly liveSloIdOf?: ReadonlyMap<string, string>;
}

export interface DriftResult {
  readonly findings: readonly Finding[];
  /** Declared monitors found live and equal. */
  readonly inSync: number;
  readonly declared: number;
  readonly liveRead: number;
  /** Datadog id of each team monitor found live (definition id -> monitor id): monitor SLOs name them. */
  readonly liveIdOfTeam: ReadonlyMap<string, number>;
}

/** Compare a stage's declared monitors with Datadog (and the state, when given). */
export function compareMonitors(input: DriftInput): DriftResult {
  const { stage, planned } = input;
  const liveById = new Map(input.live.map((m) => [m.id, m]));
  const gone = new Set(input.gone ?? []);
  const findings: Finding[] = [];
  const matched = new Map<string, LiveMonitor>(); // planned key -> live
  const claimed = new Set<number>();
  const env = envTag(stage);

  // 1. Match.
  for (const p of planned) {
    if (input.state !== undefined) {
      const s = input.state.find((x) => x.name === p.name);
      if (s === undefined) {
        findings.push({ object: 'monitor', kind: 'not-applied', key: p.key, name: p.name });
        continue;
      }
      claimed.add(s.id);
      const live = liveById.get(s.id);
      if (live === undefined || gone.has(s.id)) findings.push({ object: 'monitor', kind: 'deleted', key: p.key, id: s.id, name: p.name });
      else matched.set(p.key, live);
    } else {
      const live = input.live.find((m) => m.name === p.name && m.tags.includes(MANAGED_BY_TAG) && m.tags.includes(env) && !claimed.has(m.id));
      if (live === undefined) {
        findings.push({ object: 'monitor', kind: 'missing', key: p.key, name: p.name });
        continue;
      }
      claimed.add(live.id);
      matched.set(p.key, live);
    }
  }

  // 2. Compare the matched ones. Composite queries name the live ids of their parts; burn-rate queries the SLO's id.
  const liveIdOfTeam = new Map<string, number>();
  for (const p of planned) {
    const l = matched.get(p.key);
    if (p.origin === 'team' && l !== undefined) liveIdOfTeam.set(teamMonitorId(p.key), l.id);
  }
  let inSync = 0;
  for (const p of planned) {
    const l = matched.get(p.key);
    if (l === undefined) continue;
    const fields = fieldDrift(p, l, liveIdOfTeam, input.liveSloIdOf);
    if (fields.length === 0) inSync++;
    else findings.push({ object: 'monitor', kind: 'changed', key: p.key, id: l.id, name: p.name, fields });
  }

  // 3. Live monitors nobody declared.
  const stateIds = new Set((input.state ?? []).map((s) => s.id));
  const plannedNames = new Set(planned.map((p) => p.name));
  const prefix = `[${stage}] `;
  for (const l of [...input.live].sort((a, b) => a.id - b.id)) {
    if (claimed.has(l.id)) continue;
    if (l.tags.includes(MANAGED_BY_TAG)) {
      if (l.tags.includes(env)) findings.push({ object: 'monitor', kind: 'orphaned', id: l.id, name: printable(l.name), inState: stateIds.has(l.id) });
      continue;
    }
    const why = plannedNames.has(l.name)
      ? 'has the name of a declared monitor'
      : l.name.startsWith(prefix)
        ? `named with the stage prefix "${prefix.trim()}"`
        : planned.some((p) => sameQuery(p.query, l.query))
          ? 'has the query of a declared monitor'
          : undefined;
    if (why !== undefined) findings.push({ object: 'monitor', kind: 'lookalike', id: l.id, name: printable(l.name), why });
  }
  return { findings, inSync, declared: planned.length, liveRead: input.live.length, liveIdOfTeam };
}

/** The fields of `l` that differ from what `p` declares. */
export function fieldDrift(
  p: PlannedMonitor,
  l: LiveMonitor,
  liveIdOfTeam: ReadonlyMap<string, number> = new Map(),
  liveSloIdOf: ReadonlyMap<string, string> = new Map(),
): FieldDrift[] {
  const out: FieldDrift[] = [];
  const add = (field: string, declared: string, live: string): void => {
    out.push({ field, declared: printable(declared, 300), live: printable(live, 300) });
  };
  if (l.name !== p.name) add('name', p.name, l.name);
  if (l.type !== p.datadogType) add('type', p.datadogType, l.type);
  // A composite whose part was not found cannot be compared (the part is reported as missing or deleted).
  const partsKnown = p.kind !== 'composite' || p.refs.monitors.every((ref) => liveIdOfTeam.has(ref));
  // A burn-rate alert names its SLO's live id when the SLO was found; else any id stands (the SLO is reported as missing or deleted).
  const sloId = p.refs.slo !== undefined ? liveSloIdOf.get(sloKey(p.refs.slo)) : undefined;
  const declaredQuery =
    p.kind === 'composite'
      ? mapCompositeIds(p.query, (ref) => String(liveIdOfTeam.get(ref) ?? ref))
      : sloId !== undefined
        ? p.query.split(SLO_ID_REF).join(sloId)
        : p.query;
  if (partsKnown && !sameQuery(declaredQuery, l.query)) add('query', declaredQuery, l.query);
  out.push(...differences('message', p.message.trimEnd(), l.message.trimEnd()));
  const tags = tagDrift(p.tags, l.tags);
  if (tags) add('tags', tags.declared, tags.live);
  if ((p.priority ?? null) !== l.priority) add('priority', String(p.priority ?? 'none'), String(l.priority ?? 'none'));
  if (p.kind !== 'composite') {
    const declared = declaredThresholds(p);
    for (const k of THRESHOLD_KEYS) {
      const d = declared[k];
      const v = l.thresholds[k];
      if (d === undefined && v === undefined) continue;
      if (d === undefined || v === undefined || Exact.of(d).cmp(Exact.of(v)) !== 0)
        add(`thresholds.${k}`, d === undefined ? 'none' : String(d), v === undefined ? 'none' : String(v));
    }
  }
  if (p.kind !== 'composite' && p.kind !== 'slo' && l.notifyNoData !== null && l.notifyNoData !== p.notifyNoData)
    add('notify_no_data', String(p.notifyNoData), String(l.notifyNoData));
  if (p.notifyNoData && p.noDataTimeframeMinutes !== undefined && l.noDataTimeframe !== p.noDataTimeframeMinutes) {
    add('no_data_timeframe', String(p.noDataTimeframeMinutes), String(l.noDataTimeframe ?? 'none'));
  }
  return out;
}

function declaredThresholds(p: PlannedMonitor): Partial<Record<ThresholdKey, number>> {
  const t = p.thresholds;
  const out: Partial<Record<ThresholdKey, number>> = {};
  if (t.critical !== undefined) out.critical = t.critical;
  if (t.criticalRecovery !== undefined) out.critical_recovery = t.criticalRecovery;
  if (t.warning !== undefined) out.warning = t.warning;
  if (t.warningRecovery !== undefined) out.warning_recovery = t.warningRecovery;
  if (t.ok !== undefined) out.ok = t.ok;
  if (t.unknown !== undefined) out.unknown = t.unknown;
  return out;
}

/**
 * Whether two queries are the same, up to whitespace (the provider trims a
 * query; YAML folding and Datadog's formatting differ in spaces only), with
 * the SLO id placeholder of a burn-rate query standing for any id.
 */
export function sameQuery(declared: string, live: string): boolean {
  const norm = (q: string): string =>
    q
      .replace(/\s+/g, ' ')
      .replace(/\s*([(),{}:<>=*/+-])\s*/g, '$1')
      .trim();
  if (!declared.includes(SLO_ID_REF)) return norm(declared) === norm(live);
  const pattern = norm(declared)
    .split(SLO_ID_REF)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[A-Za-z0-9_-]+');
  return new RegExp(`^${pattern}$`).test(norm(live));
}
