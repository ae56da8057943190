/**
 * Load `monitors/**` of a configuration directory: team files
 * (`monitors/<team>.yaml`, any depth), the dashboard JSON they point at, and
 * `monitors/policy.yaml`. files.ts reads, problems.ts validates, convert.ts
 * builds the model; every problem is collected, located and returned, and
 * the caller throws one ConfigError.
 */
import { z } from 'zod';
import type { Problem } from '../errors';
import { BATCH_TAG, latencyNeedsPrimaryTag } from '../signals';
import { validateSource } from '../validate';
import { parseYaml, problemAt } from '../yaml-source';
import {
  dashboardSource,
  duplicateIds,
  fileLevelProblems,
  lineageProblems,
  MonitoringContext,
  monitorProblems,
  referenceProblems,
  sloProblems,
  stageKeyProblems,
  tagProblems,
} from './problems';
import { sourceRef, toDashboardDef, toMonitorDef, toPolicy, toSloDef } from './convert';
import { MONITORS_DIR, readMonitoringFiles } from './files';
import { DashboardSchema, MonitorSchema, POLICY_FILE, PolicyFileSchema, SloSchema, TeamFile, TeamFileSchema } from './schema';
import type { DashboardDef, MonitorDef, MonitoringConfig, MonitoringPolicy, SloDef, SourceRef } from './types';

export { MONITORS_DIR } from './files';
export type { MonitoringContext } from './problems';

/** Read `configDir/monitors/**` (YAML and the JSON files they reference) and validate it. */
export function loadMonitoring(configDir: string, ctx: MonitoringContext): { monitoring: MonitoringConfig; problems: Problem[] } {
  const unreadable: Problem[] = [];
  const res = loadMonitoringFiles(readMonitoringFiles(configDir, unreadable), ctx);
  return { monitoring: res.monitoring, problems: [...unreadable, ...res.problems] };
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
  /** Ids of definitions that exist but failed a check: references to them are not also reported as unknown. */
  const failedIds = new Set<string>();
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
    problems.push(...res.problems);
    // The checks below run on whatever parsed, so one run reports a schema problem and the checks of the rest together.
    const tf = res.value ?? partialTeamFile(src.data);
    const raw = (key: 'monitors' | 'slos' | 'dashboards'): unknown[] => {
      const list = (src.data as Record<string, unknown> | null)?.[key];
      return Array.isArray(list) ? list : [];
    };
    problems.push(...fileLevelProblems(src, tf, ctx));
    eachParsed(raw('monitors'), MonitorSchema, tf.monitors, failedIds, (m, i) => {
      const found = monitorProblems(src, m, i, ctx);
      if (found.length > 0) {
        problems.push(...found);
        failedIds.add(m.id);
      } else monitors.push(toMonitorDef(src, tf, m, i));
    });
    eachParsed(raw('slos'), SloSchema, tf.slos, failedIds, (s, i) => {
      const found = sloProblems(src, s, i, ctx);
      if (found.length > 0) problems.push(...found);
      else slos.push(toSloDef(src, tf, s, i));
    });
    eachParsed(raw('dashboards'), DashboardSchema, tf.dashboards, failedIds, (d, i) => {
      const json = dashboardSource(src, d, i, files, ctx, tf.restrictedRoles ?? []);
      if (json.definition && json.title !== undefined)
        dashboards.push(toDashboardDef(src, tf, d, i, { rel: json.rel, definition: json.definition, title: json.title }));
      else problems.push(...json.problems);
    });
  }
  problems.push(...duplicateIds('monitor', monitors), ...duplicateIds('SLO', slos), ...duplicateIds('dashboard', dashboards));
  problems.push(...referenceProblems(monitors, slos, failedIds));
  problems.push(
    ...lineageProblems('monitor', monitors, ctx.stages),
    ...lineageProblems('SLO', slos, ctx.stages),
    ...lineageProblems('dashboard', dashboards, ctx.stages),
  );
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

/**
 * The fields of a team file that pass their schema, the others at their
 * defaults (a team file whose schema failed is reported already; this only
 * feeds the remaining checks).
 */
function partialTeamFile(data: unknown): TeamFile {
  const raw = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(TeamFileSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(raw[key]);
    out[key] = r.success ? r.data : (schema as z.ZodType).safeParse(undefined).data;
  }
  return out as TeamFile;
}

/**
 * Call `fn` for each definition of a list that passed its schema, with its
 * index in the file. `parsed` is the list when the whole file passed;
 * otherwise each raw item is parsed alone, and the id of one that failed
 * goes into `failedIds`.
 */
function eachParsed<T>(raw: readonly unknown[], schema: z.ZodType<T>, parsed: readonly T[], failedIds: Set<string>, fn: (item: T, i: number) => void): void {
  if (parsed.length === raw.length) {
    parsed.forEach(fn);
    return;
  }
  raw.forEach((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) fn(r.data, i);
    else {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') failedIds.add(id);
    }
  });
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
  if (latencyNeedsPrimaryTag(p.rollout.latency) && p.apm.secondPrimaryTag !== BATCH_TAG) {
    problems.push(
      problemAt(
        src,
        ['rollout', 'latency'],
        `latency: mean, or apm.secondPrimaryTag: ${BATCH_TAG} once an organization administrator made ${BATCH_TAG} the APM second primary tag ` +
          `(APM > Settings; one per organization, at most 30 values): ${p.rollout.latency} reads the trace.<span> distribution, which carries no host tags, ` +
          `so a ${BATCH_TAG} filter on it matches nothing`,
        `${p.rollout.latency} with ${p.apm.secondPrimaryTag === undefined ? 'no apm.secondPrimaryTag' : `apm.secondPrimaryTag: ${p.apm.secondPrimaryTag}`}`,
      ),
    );
  }
  for (const k of ['agentCpuPercent', 'agentMemoryMb'] as const) {
    if (p.rollout[k].warning >= p.rollout[k].critical) {
      problems.push(problemAt(src, ['rollout', k, 'warning'], `a warning below the critical threshold (${p.rollout[k].critical})`));
    }
  }
  return toPolicy(p, sourceRef(src, []));
}
