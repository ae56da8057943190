/**
 * Load and validate the stage files of a configuration directory.
 *
 * Layout of a configuration directory (the repo itself is one):
 *   stacks/stages/<stage>.yaml   one file per stage
 *   monitors/**                  monitors, SLOs and dashboards (model/monitoring)
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, Problem } from './errors';
import { stableHash } from './hash';
import { loadMonitoring } from './monitoring/load-monitoring';
import { resolveStage } from './monitoring/resolve';
import { Host, RolloutConfig, Stage } from './stage';
import { StageFile, StageFileSchema } from './stage-schema';
import { validateSource } from './validate';
import { parseYaml, problemAt, YamlSource } from './yaml-source';

/** Folder of the stage files inside a configuration directory. */
export const STAGES_DIR = path.join('stacks', 'stages');

/** Load every stage of `configDir`; throws one ConfigError listing every problem. */
export function loadConfig(configDir: string): RolloutConfig {
  const dir = path.join(configDir, STAGES_DIR);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError([{ file: STAGES_DIR, line: 1, path: '', got: 'no such directory', expected: `a directory of stage files in ${configDir}` }]);
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new ConfigError([{ file: STAGES_DIR, line: 1, path: '', got: 'no stage files', expected: 'at least one <stage>.yaml' }]);
  }
  const problems: Problem[] = [];
  const stages: Stage[] = [];
  const sources = new Map<string, YamlSource>();
  for (const f of files) {
    const rel = path.join(STAGES_DIR, f).split(path.sep).join('/');
    const res = parseStage(rel, fs.readFileSync(path.join(dir, f), 'utf8'));
    problems.push(...res.problems);
    if (res.stage && res.source) {
      stages.push(res.stage);
      sources.set(res.stage.name, res.source);
    }
  }
  problems.push(...crossStageProblems(stages, sources));
  // Monitoring is validated even when a stage file is not, so one run reports everything.
  const stageNames = files.map((f) => f.replace(/\.ya?ml$/, ''));
  const knownTeams = stages.flatMap((s) => [s.owner, ...s.hosts.map((h) => h.team)]);
  const { monitoring, problems: monitoringProblems } = loadMonitoring(configDir, { stages: stageNames, knownTeams });
  if (monitoringProblems.length === 0) for (const st of stageNames) monitoringProblems.push(...resolveStage(monitoring, st).problems);
  if (problems.length > 0 || monitoringProblems.length > 0) {
    const what = monitoringProblems.length === 0 ? 'stage configuration' : problems.length === 0 ? 'monitoring configuration' : 'configuration';
    throw new ConfigError([...problems, ...monitoringProblems], what);
  }
  return { dir: configDir, stages: stages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), monitoring };
}

/** Parse and validate one stage file's text (exposed for tests and tools). */
export function parseStage(file: string, text: string): { stage?: Stage; source?: YamlSource; problems: Problem[] } {
  const parsed = parseYaml(file, text);
  if (!parsed.source) return { problems: parsed.problems };
  const source = parsed.source;
  const { value, problems } = validateSource(StageFileSchema, source);
  if (!value) return { problems };
  const more = stageProblems(value, source);
  if (more.length > 0) return { problems: more };
  return { stage: toModel(value, file), source, problems: [] };
}

/** Checks that span several fields of one stage file. */
function stageProblems(s: StageFile, src: YamlSource): Problem[] {
  const out: Problem[] = [];
  const expectedName = path.basename(src.file).replace(/\.ya?ml$/, '');
  if (s.stage !== expectedName) out.push(problemAt(src, ['stage'], `"${expectedName}" (the file name)`));

  const pct = s.rollout.batchPercentages;
  const sum = pct.reduce((a, b) => a + b, 0);
  if (sum !== 100) out.push(problemAt(src, ['rollout', 'batchPercentages'], 'percentages that sum to 100', `${JSON.stringify(pct)} (sum ${sum})`));
  if (s.rollout.soakHours.length !== pct.length) {
    out.push(problemAt(src, ['rollout', 'soakHours'], `one soak time per batch (${pct.length} values)`));
  }

  const seen = new Map<string, number>();
  s.hosts.forEach((h, i) => {
    const first = seen.get(h.name);
    if (first !== undefined) out.push(problemAt(src, ['hosts', i, 'name'], `a host name not used before (hosts.${first} has it)`));
    else seen.set(h.name, i);
    if (h.batch !== undefined && h.batch > pct.length) {
      out.push(problemAt(src, ['hosts', i, 'batch'], `a batch from 1 to ${pct.length}`));
    }
    if (h.managed) {
      if (h.address !== undefined) {
        out.push(problemAt(src, ['hosts', i, 'address'], 'no address on a managed host (it comes from Terraform outputs)'));
      }
      if (h.subnetId === undefined && s.network.subnetIds.length === 0) {
        out.push(problemAt(src, ['hosts', i, 'subnetId'], 'a subnet id, here or in network.subnetIds'));
      }
    } else {
      if (h.address === undefined) out.push(problemAt(src, ['hosts', i, 'address'], 'an address for an existing host (or managed: true)'));
      for (const k of ['instanceType', 'subnetId'] as const) {
        if (h[k] !== undefined) out.push(problemAt(src, ['hosts', i, k], `no ${k} on an existing host (only managed hosts have one)`));
      }
    }
  });
  return out;
}

/** Checks across stages: no two stages may share a state key. */
function crossStageProblems(stages: readonly Stage[], sources: Map<string, YamlSource>): Problem[] {
  const out: Problem[] = [];
  const owner = new Map<string, string>();
  for (const st of stages) {
    const id = `${st.state.bucket}/${st.state.keyPrefix}`;
    const other = owner.get(id);
    const src = sources.get(st.name);
    if (other !== undefined && src) {
      out.push(problemAt(src, ['state', 'keyPrefix'], `a key prefix not used by stage ${other}`, JSON.stringify(st.state.keyPrefix)));
    } else owner.set(id, st.name);
  }
  return out;
}

function toModel(s: StageFile, file: string): Stage {
  const hosts: Host[] = s.hosts
    .map((h): Host => {
      // Spread by a hash of the name, not by position: reordering the file must not move hosts.
      const subnets = s.network.subnetIds;
      const subnet = h.managed ? (h.subnetId ?? subnets[stableHash(h.name) % subnets.length]) : undefined;
      return {
        name: h.name,
        service: h.service,
        team: h.team,
        criticality: h.criticality,
        managed: h.managed,
        tags: Object.fromEntries(Object.entries(h.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
        ...(h.address !== undefined ? { address: h.address } : {}),
        ...(h.managed ? { instanceType: h.instanceType ?? s.fleet.instanceType, subnetId: subnet } : {}),
        ...(h.batch !== undefined ? { batch: h.batch } : {}),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    name: s.stage,
    sourceFile: file,
    region: s.region,
    owner: s.owner,
    state: {
      bucket: s.state.bucket,
      lockTable: s.state.lockTable,
      keyPrefix: s.state.keyPrefix ?? `stages/${s.stage}`,
      ...(s.state.kmsKeyId !== undefined ? { kmsKeyId: s.state.kmsKeyId } : {}),
    },
    datadog: { site: s.datadog.site, apiUrl: s.datadog.apiUrl ?? `https://api.${s.datadog.site}/` },
    agent: { ...s.agent },
    rollout: {
      batchPercentages: [...s.rollout.batchPercentages],
      soakHours: [...s.rollout.soakHours],
      maxFailedHostsPercent: s.rollout.maxFailedHostsPercent,
      degradationThresholdPercent: s.rollout.degradationThresholdPercent,
    },
    network: { vpcId: s.network.vpcId, subnetIds: [...s.network.subnetIds], datadogEgressCidrs: [...s.network.datadogEgressCidrs] },
    fleet: { ...s.fleet },
    ...(s.ci !== undefined ? { ci: { githubRepository: s.ci.githubRepository, environment: s.ci.environment ?? s.stage } } : {}),
    hosts,
  };
}
