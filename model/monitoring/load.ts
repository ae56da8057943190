/**
 * Load and validate `monitors/**` of a configuration directory: team files
 * (`monitors/<team>.yaml`, any depth), dashboard JSON they point at, and
 * `monitors/policy.yaml`. Every problem is collected, located and returned;
 * the caller throws one ConfigError.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Problem } from '../errors';
import { MANAGED_BY_KEY } from '../names';
import { TAG_KEY } from '../patterns';
import { BATCH_TAG, CHECK_TAG } from '../signals';
import { validateSource } from '../validate';
import { parseYaml, problemAt, YamlSource } from '../yaml-source';
import { tierProblem } from './burn-rate';
import { lastWindow, parseDuration } from './duration';
import {
  compositeIds,
  isWellFormedQuery,
  MonitorType,
  placeholdersIn,
  PLACEHOLDERS,
  QUERY_EXAMPLES,
  queryThreshold,
} from './query';
import {
  DashboardSpec,
  MonitorSpec,
  NotifySpec,
  POLICY_FILE,
  PolicyFile,
  PolicyFileSchema,
  SloSpec,
  TeamFile,
  TeamFileSchema,
} from './schema';
import type {
  DashboardDef,
  MonitorDef,
  MonitorStageOverride,
  MonitoringConfig,
  MonitoringPolicy,
  Notify,
  SloDef,
  SloTarget,
  SourceRef,
  Thresholds,
} from './types';

/** Folder of the monitoring definitions inside a configuration directory. */
export const MONITORS_DIR = 'monitors';

/** What the loader needs to know about the stage files. */
export interface MonitoringContext {
  /** Stage names (from the stage file names), for per-stage override keys. */
  readonly stages: readonly string[];
  /** Teams of the stage files (host teams and stage owners). */
  readonly knownTeams: readonly string[];
}

/** Tag keys set from fields, never from `tags:`. */
const RESERVED_TAG_KEYS = ['env', 'service', 'team', MANAGED_BY_KEY, BATCH_TAG, CHECK_TAG];

/** Read `configDir/monitors/**` (YAML and the JSON files they reference) and validate it. */
export function loadMonitoring(configDir: string, ctx: MonitoringContext): { monitoring: MonitoringConfig; problems: Problem[] } {
  const root = path.join(configDir, MONITORS_DIR);
  const files: Record<string, string> = {};
  if (fs.existsSync(root) && fs.statSync(root).isDirectory()) {
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ya?ml|json)$/.test(e.name)) files[path.relative(configDir, p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(root);
  }
  return loadMonitoringFiles(files, ctx);
}

/**
 * Validate monitoring files given as relative path -> text (YAML team files,
 * `monitors/policy.yaml`, and dashboard JSON). Pure: no I/O.
 */
export function loadMonitoringFiles(files: Readonly<Record<string, string>>, ctx: MonitoringContext): { monitoring: MonitoringConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const policyPath = `${MONITORS_DIR}/${POLICY_FILE}`;
  const policy = loadPolicy(policyPath, files[policyPath], ctx, problems);
  const monitors: MonitorDef[] = [];
  const slos: SloDef[] = [];
  const dashboards: DashboardDef[] = [];
  const yamlFiles = Object.keys(files)
    .filter((f) => /\.ya?ml$/.test(f) && f !== policyPath)
    .sort();
  for (const file of yamlFiles) {
    const parsed = parseYaml(file, files[file]);
    if (!parsed.source) {
      problems.push(...parsed.problems);
      continue;
    }
    const src = parsed.source;
    const res = validateSource(TeamFileSchema, src);
    if (!res.value) {
      problems.push(...res.problems);
      continue;
    }
    const tf = res.value;
    const fileProblems = fileLevelProblems(src, tf, ctx);
    problems.push(...fileProblems);
    tf.monitors.forEach((m, i) => {
      const def = toMonitor(src, tf, m, i, ctx, problems);
      if (def) monitors.push(def);
    });
    tf.slos.forEach((s, i) => {
      const def = toSlo(src, tf, s, i, ctx, problems);
      if (def) slos.push(def);
    });
    tf.dashboards.forEach((d, i) => {
      const def = toDashboard(src, tf, d, i, files, ctx, problems);
      if (def) dashboards.push(def);
    });
  }
  problems.push(...duplicateIds('monitor', monitors), ...duplicateIds('SLO', slos), ...duplicateIds('dashboard', dashboards));
  problems.push(...referenceProblems(monitors, slos));
  const byId = <T extends { id: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    monitoring: {
      files: [...yamlFiles, ...(files[policyPath] !== undefined ? [policyPath] : [])].sort(),
      policy,
      monitors: byId(monitors),
      slos: byId(slos),
      dashboards: byId(dashboards),
      knownTeams: [...new Set(ctx.knownTeams)].sort(),
    },
    problems,
  };
}

function loadPolicy(file: string, text: string | undefined, ctx: MonitoringContext, problems: Problem[]): MonitoringPolicy {
  const fallback = PolicyFileSchema.parse({});
  const emptySource: SourceRef = { file, line: 1, path: '', fieldLines: {} };
  if (text === undefined) return toPolicy(fallback, emptySource);
  const parsed = parseYaml(file, text);
  if (!parsed.source) {
    problems.push(...parsed.problems);
    return toPolicy(fallback, emptySource);
  }
  const src = parsed.source;
  // An empty file is an empty policy.
  const res = validateSource(PolicyFileSchema, src.data === null ? { ...src, data: {} } : src);
  if (!res.value) {
    problems.push(...res.problems);
    return toPolicy(fallback, emptySource);
  }
  const p = res.value;
  problems.push(...tagProblems(src, ['tags'], p.tags), ...tagProblems(src, ['rollout', 'tags'], p.rollout.tags));
  problems.push(...stageKeyProblems(src, ['rollout', 'stages'], p.rollout.stages, ctx));
  for (const k of ['agentCpuPercent', 'agentMemoryMb'] as const) {
    if (p.rollout[k].warning >= p.rollout[k].critical) {
      problems.push(problemAt(src, ['rollout', k, 'warning'], `a warning below the critical threshold (${p.rollout[k].critical})`));
    }
  }
  return toPolicy(p, sourceRef(src, []));
}

function toPolicy(p: PolicyFile, source: SourceRef): MonitoringPolicy {
  const r = p.rollout;
  return {
    requiredTags: [...new Set(p.requiredTags)].sort(),
    tags: sortedRecord(p.tags),
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

/** Checks of a team file's own fields. */
function fileLevelProblems(src: YamlSource, tf: TeamFile, ctx: MonitoringContext): Problem[] {
  return [...tagProblems(src, ['tags'], tf.tags), ...stageKeyProblems(src, ['stages'], tf.stages, ctx)];
}

function toMonitor(src: YamlSource, tf: TeamFile, m: MonitorSpec, i: number, ctx: MonitoringContext, problems: Problem[]): MonitorDef | undefined {
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
    if (m.thresholds !== undefined) out.push(problemAt(src, [...at, 'thresholds'], 'no thresholds on a composite monitor (it alerts when its expression holds)'));
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
  if (out.length > 0) {
    problems.push(...out);
    return undefined;
  }
  const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : (parseDuration(d) as number));
  const notify = toNotify(m.notify ?? tf.notify);
  const stages: Record<string, MonitorStageOverride> = {};
  for (const stage of [...new Set([...Object.keys(tf.stages), ...Object.keys(m.stages)])].sort()) {
    const own = m.stages[stage] ?? {};
    const fileStage = tf.stages[stage] ?? {};
    // The definition's own routing beats the file's: its stage override, its base, the file's stage, the file's base.
    const n = own.notify ?? (m.notify === undefined ? fileStage.notify : undefined);
    const enabled = own.enabled ?? fileStage.enabled;
    stages[stage] = {
      ...(enabled !== undefined ? { enabled } : {}),
      ...(own.priority !== undefined ? { priority: own.priority } : {}),
      ...(own.thresholds !== undefined ? { thresholds: compact(own.thresholds) } : {}),
      ...(n !== undefined ? { notify: toNotify(n) } : {}),
      ...(own.query !== undefined ? { query: own.query.trim() } : {}),
    };
  }
  const team = m.team ?? tf.team;
  const service = m.service ?? tf.service;
  return {
    id: m.id,
    name: m.name,
    type: m.type,
    query: m.query.trim(),
    message: m.message.trim(),
    ...(m.runbook !== undefined ? { runbook: m.runbook } : {}),
    ...(team !== undefined ? { team } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(m.priority !== undefined ? { priority: m.priority } : {}),
    thresholds: compact(th),
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

function toSlo(src: YamlSource, tf: TeamFile, s: SloSpec, i: number, ctx: MonitoringContext, problems: Problem[]): SloDef | undefined {
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
      out.push(problemAt(src, [...at, f], 'a metric query without a time window or threshold, such as sum:trace.http.request.hits{env:${env},service:web}.as_count()'));
    }
  }
  if (s.timeSlice) out.push(...textProblems(src, [...at, 'timeSlice', 'query'], s.timeSlice.query));
  out.push(...targetProblems(src, [...at, 'targets'], s.targets));
  Object.entries(s.stages).forEach(([stage, o]) => {
    if (o.targets) out.push(...targetProblems(src, [...at, 'stages', stage, 'targets'], o.targets));
  });
  const timeframes = s.targets.map((t) => t.timeframe);
  const primary = s.primaryTimeframe ?? (timeframes.includes('30d') ? '30d' : timeframes[0]);
  if (!timeframes.includes(primary)) out.push(problemAt(src, [...at, 'primaryTimeframe'], `one of the SLO's target timeframes (${timeframes.join(', ')})`));
  const tiers = s.burnRate.tiers.map((t) => ({
    severity: t.severity,
    burnRate: t.burnRate,
    longWindowMinutes: parseDuration(t.longWindow) as number,
    shortWindowMinutes: parseDuration(t.shortWindow) as number,
  }));
  const primaryTarget = s.targets.find((t) => t.timeframe === primary);
  if (s.burnRate.enabled && primaryTarget) {
    tiers.forEach((t, j) => {
      const why = tierProblem(t, primaryTarget.target);
      if (why) out.push(problemAt(src, [...at, 'burnRate', 'tiers', j], `${why} (target ${primaryTarget.target}% over ${primary})`, describeTier(t)));
    });
  }
  if (out.length > 0) {
    problems.push(...out);
    return undefined;
  }
  const stages: Record<string, { enabled?: boolean; targets?: SloTarget[]; notify?: Notify }> = {};
  for (const stage of [...new Set([...Object.keys(tf.stages), ...Object.keys(s.stages)])].sort()) {
    const own = s.stages[stage] ?? {};
    const fileStage = tf.stages[stage] ?? {};
    const n = own.notify ?? (s.notify === undefined ? fileStage.notify : undefined);
    const enabled = own.enabled ?? fileStage.enabled;
    stages[stage] = {
      ...(enabled !== undefined ? { enabled } : {}),
      ...(own.targets !== undefined ? { targets: sortTargets(own.targets) } : {}),
      ...(n !== undefined ? { notify: toNotify(n) } : {}),
    };
  }
  const team = s.team ?? tf.team;
  const service = s.service ?? tf.service;
  return {
    id: s.id,
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
    primaryTimeframe: primary,
    burnRate: { enabled: s.burnRate.enabled, tiers },
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

function sortTargets(targets: SloSpec['targets']): SloTarget[] {
  const order = { '7d': 0, '30d': 1, '90d': 2 } as const;
  return [...targets]
    .sort((a, b) => order[a.timeframe] - order[b.timeframe])
    .map((t) => ({ timeframe: t.timeframe, target: t.target, ...(t.warning !== undefined ? { warning: t.warning } : {}) }));
}

function toDashboard(
  src: YamlSource,
  tf: TeamFile,
  d: DashboardSpec,
  i: number,
  files: Readonly<Record<string, string>>,
  ctx: MonitoringContext,
  problems: Problem[],
): DashboardDef | undefined {
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
      if (!Array.isArray(definition.widgets)) out.push(problemAt(src, [...at, 'file'], 'dashboard JSON with a "widgets" list', `${rel} without widgets`));
      if (definition.layout_type !== 'ordered' && definition.layout_type !== 'free') {
        out.push(problemAt(src, [...at, 'file'], 'dashboard JSON with "layout_type": "ordered" or "free"', `${rel} with layout_type ${JSON.stringify(definition.layout_type ?? null)}`));
      }
      const tfSeq = /\$\{|%\{/.exec(files[rel]);
      if (tfSeq) out.push(problemAt(src, [...at, 'file'], 'no "${" or "%{" in dashboard JSON (Terraform would read them as interpolation)', `${rel} containing "${tfSeq[0]}"`));
    } catch (e) {
      out.push(problemAt(src, [...at, 'file'], 'a dashboard JSON object as exported from Datadog', `${rel}: invalid JSON (${(e as Error).message.split('\n')[0]})`));
    }
  }
  const title = d.title ?? (typeof definition?.title === 'string' ? definition.title : undefined);
  if (definition && (title === undefined || title.trim() === '')) out.push(problemAt(src, [...at, 'title'], 'a title (here or in the JSON)'));
  if (out.length > 0 || !definition || title === undefined) {
    problems.push(...out);
    return undefined;
  }
  const stages: Record<string, { enabled?: boolean }> = {};
  for (const stage of [...new Set([...Object.keys(tf.stages), ...Object.keys(d.stages)])].sort()) {
    const enabled = d.stages[stage]?.enabled ?? tf.stages[stage]?.enabled;
    stages[stage] = enabled !== undefined ? { enabled } : {};
  }
  const team = d.team ?? tf.team;
  return {
    id: d.id,
    title: title.trim(),
    ...(team !== undefined ? { team } : {}),
    file: rel,
    definition,
    enabled: d.enabled,
    stages,
    source: sourceRef(src, at),
  };
}

/** Ids must be unique across every file (they are Terraform addresses and references). */
function duplicateIds(kind: string, defs: ReadonlyArray<{ id: string; source: SourceRef }>): Problem[] {
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

/** Composite queries and monitor SLOs must name monitors that exist. */
function referenceProblems(monitors: readonly MonitorDef[], slos: readonly SloDef[]): Problem[] {
  const byId = new Map(monitors.map((m) => [m.id, m]));
  const out: Problem[] = [];
  for (const m of monitors) {
    if (m.type !== 'composite') continue;
    for (const id of compositeIds(m.query)) {
      const target = byId.get(id);
      if (!target) out.push(at(m.source, 'query', JSON.stringify(id), `ids of monitors in ${MONITORS_DIR}/ (${JSON.stringify(id)} is none)`));
      else if (target.type === 'composite') out.push(at(m.source, 'query', `${JSON.stringify(id)} (a composite)`, 'ids of non-composite monitors (Datadog does not nest composites)'));
    }
  }
  const metricTypes: readonly MonitorType[] = ['metric', 'query', 'anomaly'];
  for (const s of slos) {
    for (const id of s.monitorIds ?? []) {
      const target = byId.get(id);
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
function tagProblems(src: YamlSource, at: ReadonlyArray<string | number>, tags: Readonly<Record<string, string>>): Problem[] {
  const out: Problem[] = [];
  for (const key of Object.keys(tags)) {
    if (!TAG_KEY.pattern.test(key)) out.push(problemAt(src, [...at, key], TAG_KEY.expected, JSON.stringify(key)));
    else if (RESERVED_TAG_KEYS.includes(key)) {
      out.push(problemAt(src, [...at, key], `a tag key other than ${RESERVED_TAG_KEYS.join(', ')} (set from the stage, fields and the rollout)`, JSON.stringify(key)));
    }
  }
  return out;
}

/** Per-stage override keys must name stages of the configuration. */
function stageKeyProblems(src: YamlSource, at: ReadonlyArray<string | number>, stages: Readonly<Record<string, unknown>>, ctx: MonitoringContext): Problem[] {
  return Object.keys(stages)
    .filter((s) => !ctx.stages.includes(s))
    .map((s) => ({ ...problemAt(src, [...at, s], `a stage of stacks/stages (${[...ctx.stages].sort().join(', ')})`, JSON.stringify(s)), line: src.lineOfKey(at as PropertyKey[], s) }));
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

function toNotify(n: NotifySpec): Notify {
  const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];
  return { alert: uniq(n.alert), warning: uniq(n.warning), noData: uniq(n.noData ?? n.alert) };
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Where a definition is, with the line of each of its fields. */
function sourceRef(src: YamlSource, at: ReadonlyArray<string | number>): SourceRef {
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
