/**
 * Validation of the files under `monitors/` (pure): every check of a team
 * file, a definition and the references between definitions, each returning
 * located problems. load-monitoring.ts runs them; convert.ts turns what passed into the
 * model.
 */
import * as path from 'path';
import type { Problem } from '../errors';
import { MANAGED_BY_KEY } from '../names';
import { TAG_KEY } from '../patterns';
import { BATCH_TAG, CHECK_TAG } from '../signals';
import { parseYaml, problemAt, YamlSource } from '../yaml-source';
import { tierProblem } from './burn-rate';
import { burnRateTiers, primaryTimeframeOf } from './convert';
import { MONITORS_DIR } from './files';
import { compositeIds, isWellFormedQuery, MonitorType, placeholdersIn, PLACEHOLDERS, QUERY_EXAMPLES, queryThreshold } from './query';
import type { DashboardSpec, MonitorSpec, SloSpec, TeamFile } from './schema';
import type { MonitorDef, SloDef, SourceRef, Thresholds } from './types';

/** What the checks need to know about the stage files. */
export interface MonitoringContext {
  /** Stage names (from the stage file names), for per-stage override keys. */
  readonly stages: readonly string[];
  /** Teams of the stage files (host teams and stage owners). */
  readonly knownTeams: readonly string[];
}

/** Tag keys set from fields, never from `tags:`. */
const RESERVED_TAG_KEYS = ['env', 'service', 'team', MANAGED_BY_KEY, BATCH_TAG, CHECK_TAG];

/** Checks of a team file's own fields. */
export function fileLevelProblems(src: YamlSource, tf: TeamFile, ctx: MonitoringContext): Problem[] {
  return [...tagProblems(src, ['tags'], tf.tags), ...stageKeyProblems(src, ['stages'], tf.stages, ctx)];
}

/** Everything wrong with one monitor of a team file (`monitors.<i>`). */
export function monitorProblems(src: YamlSource, m: MonitorSpec, i: number, ctx: MonitoringContext): Problem[] {
  const at = ['monitors', i];
  const out: Problem[] = [];
  out.push(...tagProblems(src, [...at, 'tags'], m.tags), ...stageKeyProblems(src, [...at, 'stages'], m.stages, ctx));
  for (const [field, value] of [
    ['name', m.name],
    ['message', m.message],
    ['query', m.query],
  ] as const) {
    out.push(...textProblems(src, [...at, field], value));
  }
  if (!isWellFormedQuery(m.type, m.query)) out.push(problemAt(src, [...at, 'query'], QUERY_EXAMPLES[m.type]));
  for (const [stage, o] of Object.entries(m.stages)) {
    if (o.query === undefined) continue;
    out.push(...textProblems(src, [...at, 'stages', stage, 'query'], o.query));
    if (!isWellFormedQuery(m.type, o.query)) out.push(problemAt(src, [...at, 'stages', stage, 'query'], QUERY_EXAMPLES[m.type]));
  }
  const th = m.thresholds ?? {};
  if (m.type === 'composite') {
    if (m.thresholds !== undefined)
      out.push(problemAt(src, [...at, 'thresholds'], 'no thresholds on a composite monitor (it alerts when its expression holds)'));
  } else if (th.critical === undefined) {
    out.push(problemAt(src, [...at, 'thresholds', 'critical'], `a critical threshold for a ${m.type} monitor`));
  }
  if (m.type === 'anomaly') {
    for (const k of ['critical', 'warning', 'criticalRecovery', 'warningRecovery'] as const) {
      const v = th[k];
      if (v !== undefined && (v < 0 || v > 1)) out.push(problemAt(src, [...at, 'thresholds', k], 'a share of anomalous points from 0 to 1'));
    }
  } else if (m.thresholdWindows !== undefined) {
    out.push(problemAt(src, [...at, 'thresholdWindows'], 'threshold windows only on anomaly monitors'));
  }
  if (m.type !== 'service-check') {
    for (const k of ['ok', 'unknown'] as const) {
      if (th[k] !== undefined) out.push(problemAt(src, [...at, 'thresholds', k], `no ${k} threshold (only service checks have one)`));
    }
  }
  if (th.critical !== undefined && m.type !== 'composite' && m.type !== 'service-check') {
    const order = thresholdOrderProblem(m.query, th);
    if (order) out.push(problemAt(src, [...at, 'thresholds', order.field], order.expected));
  }
  Object.entries(m.stages).forEach(([stage, o]) => {
    if (o.thresholds !== undefined && m.type === 'composite') {
      out.push(problemAt(src, [...at, 'stages', stage, 'thresholds'], 'no thresholds on a composite monitor'));
    }
  });
  return out;
}

/**
 * Datadog rejects thresholds in the wrong order: for `>` alerts
 * warning < critical and recovery below its trigger; for `<` the reverse.
 */
export function thresholdOrderProblem(query: string, th: Thresholds): { field: keyof Thresholds; expected: string } | undefined {
  const q = queryThreshold(query);
  if (!q || th.critical === undefined) return undefined;
  const above = q.comparator === '>' || q.comparator === '>=';
  const before = (a: number, b: number): boolean => (above ? a < b : a > b);
  const word = above ? 'below' : 'above';
  if (th.warning !== undefined && !before(th.warning, th.critical)) {
    return { field: 'warning', expected: `a warning threshold ${word} the critical threshold (${th.critical}) for a "${q.comparator}" query` };
  }
  if (th.criticalRecovery !== undefined && !before(th.criticalRecovery, th.critical)) {
    return { field: 'criticalRecovery', expected: `a critical recovery ${word} the critical threshold (${th.critical})` };
  }
  if (th.warningRecovery !== undefined && th.warning !== undefined && !before(th.warningRecovery, th.warning)) {
    return { field: 'warningRecovery', expected: `a warning recovery ${word} the warning threshold (${th.warning})` };
  }
  return undefined;
}

/** Everything wrong with one SLO of a team file (`slos.<i>`). */
export function sloProblems(src: YamlSource, s: SloSpec, i: number, ctx: MonitoringContext): Problem[] {
  const at = ['slos', i];
  const out: Problem[] = [];
  out.push(...tagProblems(src, [...at, 'tags'], s.tags), ...stageKeyProblems(src, [...at, 'stages'], s.stages, ctx));
  out.push(...textProblems(src, [...at, 'name'], s.name));
  const fields: Record<SloSpec['type'], Array<keyof SloSpec>> = {
    metric: ['numerator', 'denominator'],
    monitor: ['monitors'],
    'time-slice': ['timeSlice'],
  };
  for (const [type, own] of Object.entries(fields) as Array<[SloSpec['type'], Array<keyof SloSpec>]>) {
    for (const f of own) {
      if (type === s.type && s[f] === undefined) out.push(problemAt(src, [...at, f], `a ${f} for a ${s.type} SLO`));
      if (type !== s.type && s[f] !== undefined) out.push(problemAt(src, [...at, f], `no ${f} on a ${s.type} SLO (only ${type} SLOs have one)`));
    }
  }
  for (const f of ['numerator', 'denominator'] as const) {
    const q = s[f];
    if (q === undefined) continue;
    out.push(...textProblems(src, [...at, f], q));
    if (!/^[a-z0-9_.]+:[A-Za-z0-9_.]+\{.*\}/.test(q.trim()) || !/^[^<>]*$/.test(q) || !balancedBraces(q)) {
      out.push(
        problemAt(src, [...at, f], 'a metric query without a time window or threshold, such as sum:trace.http.request.hits{env:${env},service:web}.as_count()'),
      );
    }
  }
  if (s.timeSlice) out.push(...textProblems(src, [...at, 'timeSlice', 'query'], s.timeSlice.query));
  out.push(...targetProblems(src, [...at, 'targets'], s.targets));
  Object.entries(s.stages).forEach(([stage, o]) => {
    if (o.targets) out.push(...targetProblems(src, [...at, 'stages', stage, 'targets'], o.targets));
  });
  const timeframes = s.targets.map((t) => t.timeframe);
  const primary = primaryTimeframeOf(s);
  if (!timeframes.includes(primary)) out.push(problemAt(src, [...at, 'primaryTimeframe'], `one of the SLO's target timeframes (${timeframes.join(', ')})`));
  const tiers = burnRateTiers(s);
  const primaryTarget = s.targets.find((t) => t.timeframe === primary);
  if (s.burnRate.enabled && primaryTarget) {
    tiers.forEach((t, j) => {
      const why = tierProblem(t, primaryTarget.target);
      if (why) out.push(problemAt(src, [...at, 'burnRate', 'tiers', j], `${why} (target ${primaryTarget.target}% over ${primary})`, describeTier(t)));
    });
  }
  return out;
}

/** A dashboard entry's JSON file, read from `files` and checked; `definition` and `title` are set only when it passed. */
export function dashboardSource(
  src: YamlSource,
  d: DashboardSpec,
  i: number,
  files: Readonly<Record<string, string>>,
  ctx: MonitoringContext,
  fileRestrictedRoles: readonly string[] = [],
): { rel: string; definition?: Record<string, unknown>; title?: string; problems: Problem[] } {
  const at = ['dashboards', i];
  const out: Problem[] = [...stageKeyProblems(src, [...at, 'stages'], d.stages, ctx)];
  const rel = path.posix.normalize(path.posix.join(path.posix.dirname(src.file), d.file));
  let definition: Record<string, unknown> | undefined;
  if (!rel.startsWith(`${MONITORS_DIR}/`) || files[rel] === undefined) {
    out.push(problemAt(src, [...at, 'file'], `a JSON file under ${MONITORS_DIR}/ (relative to ${src.file})`));
  } else {
    try {
      const parsed = JSON.parse(files[rel]) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      definition = parsed as Record<string, unknown>;
      if (!Array.isArray(definition.widgets)) out.push(problemAt(src, [...at, 'file'], 'dashboard JSON with a "widgets" array', `${rel} without widgets`));
      if (definition.layout_type !== 'ordered' && definition.layout_type !== 'free') {
        out.push(
          problemAt(
            src,
            [...at, 'file'],
            'dashboard JSON with "layout_type": "ordered" or "free"',
            `${rel} with layout_type ${JSON.stringify(definition.layout_type ?? null)}`,
          ),
        );
      }
      const readOnly = readOnlyProblem(definition, d, fileRestrictedRoles);
      if (readOnly) out.push(problemAt(src, [...at, 'file'], readOnly, `${rel} with "is_read_only": true`));
      const tfSeq = /\$\{|%\{/.exec(files[rel]);
      if (tfSeq)
        out.push(
          problemAt(src, [...at, 'file'], 'no "${" or "%{" in dashboard JSON (Terraform would read them as interpolation)', `${rel} containing "${tfSeq[0]}"`),
        );
    } catch (e) {
      const got = (e as Error).message === 'not an object' ? `${rel}: JSON that is not an object` : `${rel}: invalid JSON${jsonErrorAt(files[rel])}`;
      out.push(problemAt(src, [...at, 'file'], 'a dashboard JSON object as exported from Datadog', got));
    }
  }
  const title = d.title ?? (typeof definition?.title === 'string' ? definition.title : undefined);
  if (definition && (title === undefined || title.trim() === '')) out.push(problemAt(src, [...at, 'title'], 'a title (here or in the JSON)'));
  if (out.length > 0 || !definition || title === undefined) return { rel, problems: out };
  return { rel, definition, title, problems: [] };
}

/**
 * An exported `"is_read_only": true` means "only the author and
 * administrators may edit". Datadog deprecated the field for restricted roles
 * (`restricted_roles` wins when both are sent), and the generated JSON never
 * sends it, so the meaning survives only as restricted roles: from the JSON,
 * the dashboard entry or the file. Without any, say so instead of silently
 * making the dashboard editable by everyone.
 */
function readOnlyProblem(definition: Record<string, unknown>, d: DashboardSpec, fileRoles: readonly string[]): string | undefined {
  if (definition.is_read_only !== true) return undefined;
  const jsonRoles = Array.isArray(definition.restricted_roles) && definition.restricted_roles.length > 0;
  if (jsonRoles || (d.restrictedRoles ?? []).length > 0 || fileRoles.length > 0) return undefined;
  return (
    'restrictedRoles: [<Datadog role id>, ...] on the dashboard entry (or the file) naming who may edit it: Datadog replaced the deprecated ' +
    '"is_read_only" by restricted roles, and dropping it would make the dashboard editable by everyone; or remove "is_read_only" from the JSON'
  );
}

function describeTier(t: { severity: string; burnRate: number; longWindowMinutes: number; shortWindowMinutes: number }): string {
  return `${t.severity} at ${t.burnRate}x over ${t.longWindowMinutes}m/${t.shortWindowMinutes}m`;
}

function targetProblems(src: YamlSource, at: ReadonlyArray<string | number>, targets: SloSpec['targets']): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  targets.forEach((t, j) => {
    if (seen.has(t.timeframe)) out.push(problemAt(src, [...at, j, 'timeframe'], 'one target per timeframe'));
    seen.add(t.timeframe);
    if (t.warning !== undefined && t.warning <= t.target) {
      out.push(problemAt(src, [...at, j, 'warning'], `a warning above the target (${t.target}) and below 100`));
    }
  });
  return out;
}

/** Ids must be unique across every file (they are Terraform addresses and references). */
export function duplicateIds(kind: string, defs: ReadonlyArray<{ id: string; source: SourceRef }>): Problem[] {
  const first = new Map<string, SourceRef>();
  const out: Problem[] = [];
  for (const d of defs) {
    const prev = first.get(d.id);
    if (prev) {
      out.push({
        file: d.source.file,
        line: d.source.fieldLines.id ?? d.source.line,
        path: `${d.source.path}.id`,
        got: JSON.stringify(d.id),
        expected: `a ${kind} id not used before (${prev.file}:${prev.fieldLines.id ?? prev.line} has it)`,
      });
    } else first.set(d.id, d.source);
  }
  return out;
}

/**
 * Where JSON.parse stopped, in lines: V8's message quotes the text instead of
 * a position, so the YAML parser (JSON is YAML's flow style) locates it.
 */
function jsonErrorAt(text: string): string {
  const first = parseYaml('json', text).problems[0];
  return first === undefined ? ' (not strict JSON: a comment, a trailing comma or single quotes?)' : ` at line ${first.line}`;
}

/** Composite queries and monitor SLOs must name monitors that exist. */
export function referenceProblems(monitors: readonly MonitorDef[], slos: readonly SloDef[], failedIds: ReadonlySet<string> = new Set()): Problem[] {
  const byId = new Map(monitors.map((m) => [m.id, m]));
  const out: Problem[] = [];
  for (const m of monitors) {
    if (m.type !== 'composite') continue;
    for (const id of compositeIds(m.query)) {
      const target = byId.get(id);
      if (!target && failedIds.has(id)) continue; // reported where it is defined
      if (!target) out.push(at(m.source, 'query', JSON.stringify(id), `ids of monitors in ${MONITORS_DIR}/ (${JSON.stringify(id)} is none)`));
      else if (target.type === 'composite')
        out.push(at(m.source, 'query', `${JSON.stringify(id)} (a composite)`, 'ids of non-composite monitors (Datadog does not nest composites)'));
    }
  }
  const metricTypes: readonly MonitorType[] = ['metric', 'query', 'anomaly'];
  for (const s of slos) {
    for (const id of s.monitorIds ?? []) {
      const target = byId.get(id);
      if (!target && failedIds.has(id)) continue;
      if (!target) out.push(at(s.source, 'monitors', JSON.stringify(id), `ids of monitors in ${MONITORS_DIR}/`));
      else if (s.burnRate.enabled && !metricTypes.includes(target.type)) {
        out.push(
          at(
            s.source,
            'monitors',
            `${JSON.stringify(id)} (a ${target.type} monitor)`,
            'only metric, query or anomaly monitors in an SLO with burn-rate alerts (Datadog supports burn rates on nothing else); or burnRate.enabled: false',
          ),
        );
      }
    }
  }
  return out;
}

function at(source: SourceRef, field: string, got: string, expected: string): Problem {
  return { file: source.file, line: source.fieldLines[field] ?? source.line, path: `${source.path}.${field}`, got, expected };
}

/** Tag keys are lowercase and never one set from a field. */
export function tagProblems(src: YamlSource, at: ReadonlyArray<string | number>, tags: Readonly<Record<string, string>>): Problem[] {
  const out: Problem[] = [];
  for (const key of Object.keys(tags)) {
    if (!TAG_KEY.pattern.test(key)) out.push(problemAt(src, [...at, key], TAG_KEY.expected, JSON.stringify(key)));
    else if (RESERVED_TAG_KEYS.includes(key)) {
      out.push(
        problemAt(src, [...at, key], `a tag key other than ${RESERVED_TAG_KEYS.join(', ')} (set from the stage, fields and the rollout)`, JSON.stringify(key)),
      );
    }
  }
  return out;
}

/** Per-stage override keys must name stages of the configuration. */
export function stageKeyProblems(
  src: YamlSource,
  at: ReadonlyArray<string | number>,
  stages: Readonly<Record<string, unknown>>,
  ctx: MonitoringContext,
): Problem[] {
  return Object.keys(stages)
    .filter((s) => !ctx.stages.includes(s))
    .map((s) => ({
      ...problemAt(src, [...at, s], `a stage of stacks/stages (${[...ctx.stages].sort().join(', ')})`, JSON.stringify(s)),
      line: src.lineOfKey(at as PropertyKey[], s),
    }));
}

/** Only the known placeholders, and nothing Terraform would interpolate. */
function textProblems(src: YamlSource, at: ReadonlyArray<string | number>, text: string): Problem[] {
  const out: Problem[] = [];
  for (const p of placeholdersIn(text)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(p)) {
      out.push(problemAt(src, at, `only the placeholders ${PLACEHOLDERS.map((x) => `\${${x}}`).join(', ')}`, `"\${${p}}"`));
    }
  }
  if (text.includes('%{')) out.push(problemAt(src, at, 'no "%{" (Terraform would read it as a template directive)', '"%{"'));
  return out;
}

function balancedBraces(q: string): boolean {
  let depth = 0;
  for (const c of q) {
    if (c === '{' || c === '(') depth++;
    if (c === '}' || c === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Renames and adoptions of one kind of definition: a previous id may not be
 * a live id (Terraform would find the old address still declared) nor claimed
 * by two definitions (two objects cannot move to one); an adopted Datadog id
 * belongs to one definition per stage, under a stage that exists.
 */
export function lineageProblems(
  kind: string,
  defs: ReadonlyArray<{ id: string; previousIds?: readonly string[]; importIds?: Readonly<Record<string, string>>; source: SourceRef }>,
  stages: readonly string[],
): Problem[] {
  const live = new Map(defs.map((d) => [d.id, d.source]));
  const claimed = new Map<string, SourceRef>();
  const adopted = new Map<string, SourceRef>();
  const out: Problem[] = [];
  const where = (s: SourceRef): string => `${s.file}:${s.fieldLines.id ?? s.line}`;
  for (const d of defs) {
    (d.previousIds ?? []).forEach((prev, j) => {
      const p = {
        file: d.source.file,
        line: d.source.fieldLines.previousIds ?? d.source.line,
        path: `${d.source.path}.previousIds.${j}`,
        got: JSON.stringify(prev),
      };
      const owner = live.get(prev);
      const before = claimed.get(prev);
      if (owner) out.push({ ...p, expected: `a ${kind} id no definition uses now (${where(owner)} has it: rename that one, or drop it from previousIds)` });
      else if (before) out.push({ ...p, expected: `a previous ${kind} id of one definition only (${where(before)} lists it too)` });
      else claimed.set(prev, d.source);
    });
    for (const [stage, datadogId] of Object.entries(d.importIds ?? {})) {
      const p = { file: d.source.file, line: d.source.fieldLines[`importIds.${stage}`] ?? d.source.line, path: `${d.source.path}.importIds.${stage}` };
      const key = `${stage} ${datadogId}`;
      const before = adopted.get(key);
      if (!stages.includes(stage)) out.push({ ...p, got: JSON.stringify(stage), expected: `a stage of stacks/stages (${[...stages].sort().join(', ')})` });
      else if (before)
        out.push({
          ...p,
          got: JSON.stringify(datadogId),
          expected: `a Datadog ${kind} adopted by one definition per stage (${where(before)} adopts it in ${stage})`,
        });
      else adopted.set(key, d.source);
    }
  }
  return out;
}
