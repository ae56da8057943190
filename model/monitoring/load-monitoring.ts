/**
 * Load `monitors/**` of a configuration directory: team files
 * (`monitors/<team>.yaml`, any depth), the dashboard JSON they point at, and
 * `monitors/policy.yaml`. files.ts reads, problems.ts validates, convert.ts
 * builds the model; every problem is collected, located and returned, and
 * the caller throws one ConfigError.
 */
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
import { POLICY_FILE, PolicyFileSchema, TeamFileSchema } from './schema';
import type { DashboardDef, MonitorDef, MonitoringConfig, MonitoringPolicy, SloDef, SourceRef } from './types';

export { MONITORS_DIR } from './files';
export type { MonitoringContext } from './problems';

/** Read `configDir/monitors/**` (YAML and the JSON files they reference) and validate it. */
export function loadMonitoring(configDir: string, ctx: MonitoringContext): { monitoring: MonitoringConfig; problems: Problem[] } {
  return loadMonitoringFiles(readMonitoringFiles(configDir), ctx);
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
    problems.push(...fileLevelProblems(src, tf, ctx));
    tf.monitors.forEach((m, i) => {
      const found = monitorProblems(src, m, i, ctx);
      if (found.length > 0) problems.push(...found);
      else monitors.push(toMonitorDef(src, tf, m, i));
    });
    tf.slos.forEach((s, i) => {
      const found = sloProblems(src, s, i, ctx);
      if (found.length > 0) problems.push(...found);
      else slos.push(toSloDef(src, tf, s, i));
    });
    tf.dashboards.forEach((d, i) => {
      const json = dashboardSource(src, d, i, files, ctx, tf.restrictedRoles ?? []);
      if (json.definition && json.title !== undefined)
        dashboards.push(toDashboardDef(src, tf, d, i, { rel: json.rel, definition: json.definition, title: json.title }));
      else problems.push(...json.problems);
    });
  }
  problems.push(...duplicateIds('monitor', monitors), ...duplicateIds('SLO', slos), ...duplicateIds('dashboard', dashboards));
  problems.push(...referenceProblems(monitors, slos));
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
