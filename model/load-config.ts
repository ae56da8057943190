/**
 * Load and validate the stage files of a configuration directory.
 *
 * Layout of a configuration directory (the repo itself is one):
 *   stacks/stages/<stage>.yaml   one file per stage
 *   monitors/**                  monitors, SLOs and dashboards (model/monitoring)
 */
import * as fs from 'fs';
import * as path from 'path';
import { isIPv6 } from 'net';
import { z } from 'zod';
import { listConfigDir, readConfigFile } from './config-files';
import { ConfigError, Problem } from './errors';
import { stableHash } from './hash';
import { acceptedAwsRegions } from './aws-regions';
import { BOOTSTRAP_KEY_PREFIX, stateKeyAlias } from './names';
import { loadMonitoring } from './monitoring/load-monitoring';
import { resolveStage } from './monitoring/resolve';
import { CiSettings, Host, locksWithDynamoDb, RolloutConfig, RolloutPolicy, soakEnvironmentName, Stage, StateLocation } from './stage';
import { GITHUB_MAX_REVIEWERS, GITHUB_MAX_WAIT_TIMER_MINUTES, HostSchema, RolloutSchema, StageFile, StageFileSchema } from './stage-schema';
import { validateSource } from './validate';
import { parseYaml, problemAt, YamlSource } from './yaml-source';

/** Folder of the stage files inside a configuration directory. */
export const STAGES_DIR = path.join('stacks', 'stages');

/** Load every stage of `configDir`; throws one ConfigError listing every problem. */
export function loadConfig(configDir: string): RolloutConfig {
  const dir = path.join(configDir, STAGES_DIR);
  const expectedDir = `a directory of stage files in ${configDir}`;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError([{ file: STAGES_DIR, line: 1, path: '', got: fs.existsSync(dir) ? 'a file' : 'no such directory', expected: expectedDir }]);
  }
  const listed = listConfigDir(dir, STAGES_DIR, expectedDir);
  if ('problem' in listed) throw new ConfigError([listed.problem]);
  const files = listed.names.filter((f) => /\.ya?ml$/.test(f)).sort();
  if (files.length === 0) {
    throw new ConfigError([{ file: STAGES_DIR, line: 1, path: '', got: 'no stage files', expected: 'at least one <stage>.yaml' }]);
  }
  const problems: Problem[] = [];
  const stages: Stage[] = [];
  const parsed: ParsedStage[] = [];
  const byStage = new Map<string, string>();
  for (const f of files) {
    const stageName = f.replace(/\.ya?ml$/, '');
    const rel = path.join(STAGES_DIR, f).split(path.sep).join('/');
    const other = byStage.get(stageName);
    if (other !== undefined) {
      problems.push({
        file: rel,
        line: 1,
        path: '',
        got: `a second file for stage ${stageName}`,
        expected: `one file per stage (${STAGES_DIR}/${other} defines ${stageName} already)`,
      });
      continue;
    }
    byStage.set(stageName, f);
    const read = readConfigFile(path.join(dir, f), rel, `a stage file (YAML) for stage ${stageName}`);
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const res = parseStage(rel, read.text);
    problems.push(...res.problems);
    if (res.stage) stages.push(res.stage);
    if (res.parsed && res.source) parsed.push({ name: stageName, fields: res.parsed, src: res.source });
  }
  problems.push(...crossStageProblems(parsed));
  problems.push(...crossStageCiProblems(parsed));
  // Monitoring is validated even when a stage file is not, so one run reports everything.
  const stageNames = [...byStage.keys()];
  const knownTeams = parsed.flatMap(({ fields: s }) => [...(s.owner !== undefined ? [s.owner] : []), ...(s.hosts ?? []).flatMap((h) => (h ? [h.team] : []))]);
  const { monitoring, problems: monitoringProblems } = loadMonitoring(configDir, { stages: stageNames, knownTeams });
  if (monitoringProblems.length === 0) for (const st of stageNames) monitoringProblems.push(...resolveStage(monitoring, st).problems);
  if (problems.length > 0 || monitoringProblems.length > 0) {
    const what = monitoringProblems.length === 0 ? 'stage configuration' : problems.length === 0 ? 'monitoring configuration' : 'configuration';
    throw new ConfigError([...problems, ...monitoringProblems], what);
  }
  return { dir: configDir, stages: stages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), monitoring };
}

/**
 * The fields of a stage file that passed their schema: a field (or a host)
 * that failed is absent, so the cross-field checks still run on the rest
 * and one run reports every problem.
 */
export type PartialStageFile = Partial<Omit<StageFile, 'hosts'>> & {
  /** Hosts by their index in the file; a host that failed its schema is undefined. */
  hosts?: (StageFile['hosts'][number] | undefined)[];
};

/** One stage file as the cross-stage checks see it. */
interface ParsedStage {
  /** Stage name from the file name. */
  readonly name: string;
  readonly fields: PartialStageFile;
  readonly src: YamlSource;
}

/** Parse and validate one stage file's text (exposed for tests and tools). */
export function parseStage(file: string, text: string): { stage?: Stage; source?: YamlSource; parsed?: PartialStageFile; problems: Problem[] } {
  const parsedYaml = parseYaml(file, text);
  if (!parsedYaml.source) return { problems: parsedYaml.problems };
  const source = parsedYaml.source;
  const { value, problems } = validateSource(StageFileSchema, source);
  const parsed = value ?? partialStageFile(source.data);
  const more = stageProblems(parsed, source);
  if (value === undefined || more.length > 0) return { source, parsed, problems: [...problems, ...more] };
  return { stage: toModel(value, file), source, parsed, problems: [] };
}

/** The top-level fields (and hosts) of `data` that pass their own schema. */
function partialStageFile(data: unknown): PartialStageFile {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  const raw = data as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(StageFileSchema.shape)) {
    if (key === 'hosts') continue;
    const r = (schema as z.ZodType).safeParse(raw[key]);
    if (r.success) out[key] = r.data;
  }
  if (Array.isArray(raw.hosts)) {
    out.hosts = raw.hosts.map((h) => {
      const r = HostSchema.safeParse(h);
      return r.success ? r.data : undefined;
    });
  }
  return out as PartialStageFile;
}

/** Checks that span several fields of one stage file; each runs when the fields it reads parsed. */
function stageProblems(s: PartialStageFile, src: YamlSource): Problem[] {
  const out: Problem[] = [];
  const expectedName = path.basename(src.file).replace(/\.ya?ml$/, '');
  if (s.stage !== undefined && s.stage !== expectedName) out.push(problemAt(src, ['stage'], `"${expectedName}" (the file name)`));

  const regions = acceptedAwsRegions();
  if (s.region !== undefined && !regions.has(s.region)) {
    out.push(problemAt(src, ['region'], `a known AWS region such as us-east-1 (a region AWS opened since: add it to ROLLOUT_EXTRA_AWS_REGIONS)`));
  }
  const dd = s.datadog;
  if (dd?.apiUrl !== undefined && dd.apiUrl !== `https://api.${dd.site}/`) {
    out.push(problemAt(src, ['datadog', 'apiUrl'], `https://api.${dd.site}/, the API of datadog.site ${dd.site} (or leave apiUrl out)`));
  }
  if (s.state !== undefined) out.push(...stateProblems(s.state, expectedName, src));
  const network = s.network;
  const proxy = network?.egressProxy;
  if (proxy !== undefined && !(proxyPort(proxy.url) >= 1 && proxyPort(proxy.url) <= 65535)) {
    out.push(problemAt(src, ['network', 'egressProxy', 'url'], 'a proxy port from 1 to 65535'));
  }
  // Each CIDR is one security group rule named after it (constructs/agent-access): a repeat would be a second rule of the same name.
  if (network !== undefined) out.push(...repeated(src, ['network', 'datadogEgressCidrs'], network.datadogEgressCidrs, 'a CIDR not listed before'));
  if (proxy !== undefined) out.push(...repeated(src, ['network', 'egressProxy', 'cidrs'], proxy.cidrs, 'a CIDR not listed before'));

  const pct = s.rollout?.batchPercentages;
  if (s.rollout !== undefined && pct !== undefined) {
    const sum = pct.reduce((a, b) => a + b, 0);
    if (sum !== 100) out.push(problemAt(src, ['rollout', 'batchPercentages'], 'percentages that sum to 100', `${JSON.stringify(pct)} (sum ${sum})`));
    if (s.rollout.soakHours.length !== pct.length) {
      out.push(problemAt(src, ['rollout', 'soakHours'], `one soak time per batch (${pct.length} values)`));
    }
  }

  const seen = new Map<string, number>();
  const addresses = new Map<string, number>();
  (s.hosts ?? []).forEach((h, i) => {
    if (h === undefined) return;
    const first = seen.get(h.name);
    if (first !== undefined) out.push(problemAt(src, ['hosts', i, 'name'], `a host name not used before (hosts.${first} has it)`));
    else seen.set(h.name, i);
    if (h.address !== undefined) {
      const key = canonicalAddress(h.address);
      const sameAddress = addresses.get(key);
      if (sameAddress !== undefined)
        out.push(problemAt(src, ['hosts', i, 'address'], `an address no other host of the stage has (hosts.${sameAddress} has it)`));
      else addresses.set(key, i);
    }
    if (h.batch !== undefined && pct !== undefined && h.batch > pct.length) {
      out.push(problemAt(src, ['hosts', i, 'batch'], `a batch from 1 to ${pct.length}`));
    }
    if (h.managed) {
      if (h.address !== undefined) {
        out.push(problemAt(src, ['hosts', i, 'address'], 'no address on a managed host (it comes from Terraform outputs)'));
      }
      if (h.subnetId === undefined && network !== undefined && network.subnetIds.length === 0) {
        out.push(problemAt(src, ['hosts', i, 'subnetId'], 'a subnet id, here or in network.subnetIds'));
      }
    } else {
      if (h.address === undefined) out.push(problemAt(src, ['hosts', i, 'address'], 'an address for an existing host (or managed: true)'));
      for (const k of ['instanceType', 'subnetId'] as const) {
        if (h[k] !== undefined) out.push(problemAt(src, ['hosts', i, k], `no ${k} on an existing host (only managed hosts have one)`));
      }
    }
  });
  out.push(...executorProblems(s, src));
  if (s.ci !== undefined) out.push(...ciProblems(s.ci, expectedName, s.rollout?.soakHours, src));
  return out;
}

/** Checks of the `state` section. */
function stateProblems(state: StageFile['state'], stage: string, src: YamlSource): Problem[] {
  const out: Problem[] = [];
  const keyPrefix = state.keyPrefix ?? `stages/${stage}`;
  if (keyPrefix === BOOTSTRAP_KEY_PREFIX || keyPrefix.startsWith(`${BOOTSTRAP_KEY_PREFIX}/`)) {
    // The stage's CI roles may write everything under its prefix: that would include the bootstrap stacks' state.
    out.push(problemAt(src, ['state', 'keyPrefix'], `a key prefix outside ${BOOTSTRAP_KEY_PREFIX}/ (the bootstrap stacks keep their state there)`));
  }
  if (state.createKmsKey && state.kmsKeyId !== undefined) {
    out.push(
      problemAt(src, ['state', 'createKmsKey'], 'either createKmsKey: true (the state stack makes the key) or kmsKeyId (an existing key), not both', 'true'),
    );
  }
  if (state.accessLogBucket === state.bucket) {
    out.push(problemAt(src, ['state', 'accessLogBucket'], 'a bucket other than the state bucket (logging into itself logs its own log writes)'));
  }
  if (state.lockTable === undefined && locksWithDynamoDb(state.locking)) {
    out.push(problemAt(src, ['state', 'lockTable'], `a DynamoDB lock table (state.locking "${state.locking}" locks with DynamoDB; only "s3" needs none)`));
  }
  return out;
}

/** A problem at each item of `values` that repeats an earlier one. */
function repeated(src: YamlSource, at: readonly PropertyKey[], values: readonly string[], expected: string): Problem[] {
  const first = new Map<string, number>();
  const out: Problem[] = [];
  values.forEach((v, i) => {
    const j = first.get(v);
    if (j !== undefined) out.push(problemAt(src, [...at, i], `${expected} (item ${j} is the same)`));
    else first.set(v, i);
  });
  return out;
}

/** One spelling per address: IPv6 in its canonical form (`2001:DB8:0::1` is `2001:db8::1`), names lowercased. */
function canonicalAddress(address: string): string {
  if (!isIPv6(address)) return address.toLowerCase();
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address.toLowerCase();
  }
}

/**
 * Checks of `rollout.executor` and what it needs: with `ssm`, every existing
 * host names its EC2 instance (the infra stack tags it with its batch, which
 * the batch's association targets), no instance twice, and releasedBatches
 * counts batches the stage has; the ssm-only settings are refused with
 * `ansible`, where they would silently do nothing.
 */
function executorProblems(s: PartialStageFile, src: YamlSource): Problem[] {
  const out: Problem[] = [];
  if (s.rollout === undefined) return out;
  const { executor, releasedBatches, ssmMaxConcurrency } = s.rollout;
  const batches = s.rollout.batchPercentages.length;
  if (executor !== 'ssm') {
    if (releasedBatches !== undefined)
      out.push(
        problemAt(
          src,
          ['rollout', 'releasedBatches'],
          'no releasedBatches with executor ansible (the deploy workflow releases batch by batch; set executor: ssm)',
        ),
      );
    if (ssmMaxConcurrency !== undefined)
      out.push(
        problemAt(src, ['rollout', 'ssmMaxConcurrency'], 'no ssmMaxConcurrency with executor ansible (ansible.cfg forks limit a push; set executor: ssm)'),
      );
  } else if (releasedBatches === undefined) {
    out.push(
      problemAt(
        src,
        ['rollout', 'releasedBatches'],
        `how many batches the release has reached, 0 to ${batches} (with executor ssm the batches not reached are rolled back, so it is never implied)`,
        'missing',
      ),
    );
  } else if (releasedBatches > batches) {
    out.push(problemAt(src, ['rollout', 'releasedBatches'], `a number of batches from 0 to ${batches} (the stage has ${batches} batches)`));
  }
  const instances = new Map<string, number>();
  (s.hosts ?? []).forEach((h, i) => {
    if (h === undefined) return;
    if (h.managed && h.instanceId !== undefined) {
      out.push(problemAt(src, ['hosts', i, 'instanceId'], 'no instanceId on a managed host (the infra stack creates its instance)'));
    } else if (!h.managed && h.instanceId === undefined && executor === 'ssm') {
      out.push(
        problemAt(
          src,
          ['hosts', i, 'instanceId'],
          `the EC2 instance id of existing host ${h.name} (rollout.executor is ssm: the stack tags the instance with its batch)`,
          'missing',
        ),
      );
    }
    if (h.instanceId === undefined) return;
    const first = instances.get(h.instanceId);
    if (first !== undefined) out.push(problemAt(src, ['hosts', i, 'instanceId'], `an instance id no other host of the stage has (hosts.${first} has it)`));
    else instances.set(h.instanceId, i);
  });
  return out;
}

/**
 * Checks across stages, each at the line of the stage that disagrees with
 * the first stage (by file name) that set the value:
 * - no two stages share a state key;
 * - the stages of one bucket agree on how it is stored and locked: the
 *   `state` stack creates one bucket (and lock table, and KMS key) per
 *   bucket name and keeps its own state there, locked like them
 *   (stacks/state-stack.ts);
 * - every stage is in one region: the `state` and `github` stacks keep every
 *   state bucket and their own state with one AWS provider, in one region.
 */
function crossStageProblems(stages: readonly ParsedStage[]): Problem[] {
  const out: Problem[] = [];
  const owner = new Map<string, string>();
  const firstOfBucket = new Map<string, ParsedStage & { fields: { state: StageFile['state'] } }>();
  let firstRegion: { name: string; region: string } | undefined;
  for (const st of stages) {
    const { fields: s, src } = st;
    if (s.region !== undefined) {
      if (firstRegion === undefined) firstRegion = { name: st.name, region: s.region };
      else if (s.region !== firstRegion.region) {
        const expected = `${firstRegion.region} like stage ${firstRegion.name}: the state stack keeps every stage's state bucket and lock table in one region`;
        out.push(problemAt(src, ['region'], expected));
      }
    }
    const state = s.state;
    if (state === undefined) continue;
    const keyPrefix = state.keyPrefix ?? `stages/${st.name}`;
    const id = `${state.bucket}/${keyPrefix}`;
    const other = owner.get(id);
    if (other !== undefined) out.push(problemAt(src, ['state', 'keyPrefix'], `a key prefix not used by stage ${other}`, JSON.stringify(keyPrefix)));
    else owner.set(id, st.name);
    const first = firstOfBucket.get(state.bucket);
    if (first === undefined) {
      firstOfBucket.set(state.bucket, { ...st, fields: { ...s, state } });
      continue;
    }
    for (const field of ['locking', 'lockTable', 'kmsKeyId', 'createKmsKey', 'accessLogBucket'] as const) {
      const want = first.fields.state[field];
      if (state[field] === want) continue;
      const expected = `${want === undefined ? 'none' : JSON.stringify(want)} like stage ${first.name}, which shares bucket ${state.bucket}`;
      out.push(problemAt(src, ['state', field], expected, state[field] === undefined ? 'none' : JSON.stringify(state[field])));
    }
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
        ...(h.instanceId !== undefined ? { instanceId: h.instanceId } : {}),
        ...(h.batch !== undefined ? { batch: h.batch } : {}),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    name: s.stage,
    sourceFile: file,
    region: s.region,
    owner: s.owner,
    state: toStateLocation(s),
    datadog: { site: s.datadog.site, apiUrl: s.datadog.apiUrl ?? `https://api.${s.datadog.site}/` },
    agent: { ...s.agent },
    rollout: toRolloutPolicy(s.rollout),
    network: {
      vpcId: s.network.vpcId,
      subnetIds: [...s.network.subnetIds],
      datadogEgressCidrs: [...s.network.datadogEgressCidrs],
      ...(s.network.egressProxy !== undefined
        ? { egressProxy: { url: s.network.egressProxy.url, port: proxyPort(s.network.egressProxy.url), cidrs: [...s.network.egressProxy.cidrs] } }
        : {}),
    },
    fleet: { ...s.fleet },
    ...(s.ci !== undefined ? { ci: toCiSettings(s.ci, s.stage) } : {}),
    hosts,
  };
}

/** The rollout policy of a stage file's rollout section (releasedBatches resolved: 0 when absent). */
function toRolloutPolicy(r: StageFile['rollout']): RolloutPolicy {
  return {
    batchPercentages: [...r.batchPercentages],
    soakHours: [...r.soakHours],
    maxFailedHostsPercent: r.maxFailedHostsPercent,
    degradationThresholdPercent: r.degradationThresholdPercent,
    executor: r.executor,
    releasedBatches: r.releasedBatches ?? 0,
    ...(r.ssmMaxConcurrency !== undefined ? { ssmMaxConcurrency: r.ssmMaxConcurrency } : {}),
  };
}

/** The rollout policy of a stage file without a rollout section: every default (for stages built in code). */
export function defaultRolloutPolicy(): RolloutPolicy {
  return toRolloutPolicy(RolloutSchema.parse({}));
}

/** The TCP port of a proxy URL (WHATWG URL leaves the scheme's default port empty). */
function proxyPort(url: string): number {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Number.NaN; // a port over 65535: stageProblems reports it
  }
  return parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

/** The state section of the model; stageProblems has ensured a lock table wherever DynamoDB locks. */
function toStateLocation(s: StageFile): StateLocation {
  const { bucket, locking, lockTable, createKmsKey, accessLogBucket } = s.state;
  const kmsKeyId = createKmsKey ? stateKeyAlias(bucket) : s.state.kmsKeyId;
  const common = {
    bucket,
    keyPrefix: s.state.keyPrefix ?? `stages/${s.stage}`,
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
    createKmsKey,
    ...(accessLogBucket !== undefined ? { accessLogBucket } : {}),
  };
  if (locking === 's3') return { ...common, locking, ...(lockTable !== undefined ? { lockTable } : {}) };
  if (lockTable === undefined) throw new Error(`${s.stage}: state.lockTable is missing with locking "${locking}" (stageProblems reports this)`);
  return { ...common, locking, lockTable };
}

/**
 * Checks of the `ci` section: the reviewers GitHub accepts (at least one when
 * the key is there, at most six, none twice), environment names that stay
 * valid with their `-soak-<n>` suffix, and soak times that are wait timers
 * GitHub accepts (whole minutes, at most 43,200). Sources: GitHub Docs,
 * "Deployments and environments" (required reviewers, wait timer),
 * https://docs.github.com/actions/reference/deployments-and-environments.
 */
function ciProblems(ci: NonNullable<StageFile['ci']>, stage: string, soakHours: readonly number[] | undefined, src: YamlSource): Problem[] {
  const out: Problem[] = [];
  const reviewers = ci.reviewers;
  if (reviewers !== undefined) {
    const count = reviewers.teams.length + reviewers.users.length;
    if (count === 0) out.push(problemAt(src, ['ci', 'reviewers'], 'at least one team or user (or no reviewers key: no required reviewers)', 'no reviewers'));
    if (count > GITHUB_MAX_REVIEWERS) {
      out.push(problemAt(src, ['ci', 'reviewers'], `at most ${GITHUB_MAX_REVIEWERS} teams and users together (GitHub's limit)`, `${count} reviewers`));
    }
    for (const kind of ['teams', 'users'] as const) {
      const seen = new Set<string>();
      reviewers[kind].forEach((name, i) => {
        const key = name.toLowerCase(); // GitHub logins and slugs are case-insensitive
        if (seen.has(key)) out.push(problemAt(src, ['ci', 'reviewers', kind, i], `a ${kind === 'teams' ? 'team' : 'user'} not listed before`));
        seen.add(key);
      });
    }
  }
  const environment = ci.environment ?? stage;
  const longest = soakEnvironmentName(environment, soakHours?.length ?? 1);
  if (longest.length > 255) {
    out.push(
      problemAt(
        src,
        ['ci', 'environment'],
        `an environment name of at most ${255 - (longest.length - environment.length)} characters (${longest} must fit GitHub's 255)`,
      ),
    );
  }
  (soakHours ?? []).forEach((hours, i) => {
    const minutes = hours * 60;
    const env = soakEnvironmentName(environment, i + 1);
    if (!Number.isInteger(minutes)) {
      out.push(
        problemAt(src, ['rollout', 'soakHours', i], `a whole number of minutes (the wait timer of GitHub environment ${env} is soakHours × 60 = ${minutes})`),
      );
    } else if (minutes > GITHUB_MAX_WAIT_TIMER_MINUTES) {
      out.push(
        problemAt(
          src,
          ['rollout', 'soakHours', i],
          `at most ${GITHUB_MAX_WAIT_TIMER_MINUTES / 60} hours (the wait timer of GitHub environment ${env} would be ${minutes} minutes; GitHub allows at most ${GITHUB_MAX_WAIT_TIMER_MINUTES})`,
        ),
      );
    }
  });
  return out;
}

/**
 * Checks across stages' `ci` sections. The `github` stack manages the
 * environments of every stage with one GitHub provider, so of one owner
 * (constructs/github-environments: one `owner` per provider), and names each
 * environment's resources after it: no environment name (GitHub compares them
 * case-insensitively) may belong to two stages, whatever their repository.
 */
function crossStageCiProblems(stages: readonly ParsedStage[]): Problem[] {
  const out: Problem[] = [];
  const ownerOf = new Map<string, string>();
  let firstOwner: { stage: string; owner: string } | undefined;
  for (const st of stages) {
    const ci = st.fields.ci;
    if (ci === undefined) continue;
    const repoOwner = ci.githubRepository.split('/')[0];
    if (firstOwner === undefined) firstOwner = { stage: st.name, owner: repoOwner };
    else if (repoOwner.toLowerCase() !== firstOwner.owner.toLowerCase()) {
      const expected = `a repository of ${firstOwner.owner} like stage ${firstOwner.stage} (the github stack manages one owner's repositories)`;
      out.push(problemAt(st.src, ['ci', 'githubRepository'], expected));
    }
    const environment = ci.environment ?? st.name;
    const soaks = st.fields.rollout?.soakHours.length ?? 0;
    const names = [environment, ...Array.from({ length: soaks }, (_, i) => soakEnvironmentName(environment, i + 1))];
    for (const name of names) {
      const key = name.toLowerCase();
      const other = ownerOf.get(key);
      if (other === undefined) ownerOf.set(key, st.name);
      else if (other !== st.name) {
        const expected = `an environment whose names (${environment}, ${environment}-soak-<n>) no other stage uses (stage ${other} has ${name})`;
        out.push(problemAt(st.src, ['ci', 'environment'], expected, JSON.stringify(environment)));
        break;
      }
    }
  }
  return out;
}

/** The model's `ci` section: environment defaulted to the stage name, reviewers only when some are named. */
function toCiSettings(ci: NonNullable<StageFile['ci']>, stage: string): CiSettings {
  const reviewers = ci.reviewers;
  const named = reviewers !== undefined && reviewers.teams.length + reviewers.users.length > 0;
  return {
    githubRepository: ci.githubRepository,
    environment: ci.environment ?? stage,
    ...(named ? { reviewers: { teams: [...reviewers.teams], users: [...reviewers.users] } } : {}),
  };
}
