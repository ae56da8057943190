/**
 * `rollout validate` is the single gate: every class of problem synth can
 * raise (a stack's or construct's props check, the batch split behind the
 * inventories, the rule pack) is reported first by what validate runs
 * (cli/commands/validate.ts: loadConfig, then assertMonitoringRules), with
 * file:line. Each case is a broken configuration; the test shows that
 * validate names it at file:line, and that synth, given the same problem
 * past the model (parseStage of each file alone, or the model edited the
 * way the file is), really fails on it.
 */
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, formatProblem } from '../../model/errors';
import { loadConfig, parseStage } from '../../model/load-config';
import { loadMonitoringFiles } from '../../model/monitoring/load-monitoring';
import type { RolloutConfig, Stage } from '../../model/stage';
import { renderInventory } from '../../inventory/stage-inventory';
import { assertMonitoringRules } from '../../policy/rule-pack';
import { buildStacks } from '../../stacks/app';
import { minimalStageYaml, mustReplace, tempConfig } from '../support/fixtures';

const DEV = minimalStageYaml('dev');
const PROD = minimalStageYaml('prod');
const CI = (repo: string, env?: string): string => `ci:\n  githubRepository: ${repo}\n${env === undefined ? '' : `  environment: ${env}\n`}hosts:`;
const withCi = (text: string, repo: string, env?: string): string => mustReplace(text, 'hosts:', CI(repo, env));
const inState = (text: string, line: string): string => mustReplace(text, '  lockTable: acme-tflock\n', `  lockTable: acme-tflock\n${line}\n`);
const inRollout = (text: string, lines: string): string => mustReplace(text, 'network:', `rollout:\n${lines}\nnetwork:`);

/** A team file whose one monitor pages (a PagerDuty handle) and has no runbook. */
const PAGING_WITHOUT_RUNBOOK = [
  'team: platform-team',
  'notify:',
  "  alert: ['@pagerduty-platform']",
  'monitors:',
  '  - id: load-high',
  '    name: Load high',
  '    type: metric',
  '    query: avg(last_5m):avg:system.load.1{env:${env}} > 4',
  '    thresholds: { critical: 4 }',
  '',
].join('\n');

/** What `rollout validate` runs. */
function validate(dir: string): void {
  const config = loadConfig(dir);
  assertMonitoringRules(config);
}

/** What `rollout synth` runs after loading: the stacks and each stage's inventory. */
function synth(stages: readonly Stage[], monitorFiles: Record<string, string> = {}): void {
  const names = stages.map((s) => s.name);
  const { monitoring, problems } = loadMonitoringFiles(monitorFiles, { stages: names, knownTeams: stages.map((s) => s.owner) });
  if (problems.length > 0) throw new Error(problems.map(formatProblem).join('\n'));
  const config: RolloutConfig = { dir: '.', stages: [...stages], monitoring };
  buildStacks(Testing.app(), config);
  for (const s of stages) renderInventory(s);
}

/** `dir` with `files` (relative path -> text) added. */
function withFiles(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Each file parsed alone (its own checks pass), so the model holds a problem only checks across files see. */
function eachAlone(files: Record<string, string>): Stage[] {
  return Object.entries(files).map(([name, text]) => {
    const res = parseStage(`stacks/stages/${name}`, text);
    if (!res.stage) throw new Error(`${name} fails alone: ${res.problems.map(formatProblem).join('; ')}`);
    return res.stage;
  });
}

interface Case {
  /** Stage files (name -> text). */
  readonly files: Record<string, string>;
  /** Files under the configuration directory besides the stage files (`monitors/<team>.yaml` -> text). */
  readonly monitors?: Record<string, string>;
  /** Where validate must report it: `file:line path`. */
  readonly at: string;
  /** Part of the error synth raises on it. */
  readonly raises: string;
  /** The same problem past the model: the valid stages (dev and prod) edited; absent: `files` each parsed alone. */
  readonly past?: (stages: Stage[]) => Stage[];
}

const editDev = (edit: (s: Stage) => Stage) => (stages: Stage[]) => stages.map((s) => (s.name === 'dev' ? edit(s) : s));

/** Every class of problem synth raises, by where synth raises it. */
const CASES: Record<string, Case> = {
  // stacks/state-stack.ts and stacks/github-stack.ts: one AWS provider for every state bucket.
  'fails when stages are in different regions (the state stack keeps every state bucket in one region)': {
    files: { 'dev.yaml': DEV, 'prod.yaml': mustReplace(PROD, 'region: us-east-1', 'region: eu-west-1') },
    at: 'stacks/stages/prod.yaml:2 region',
    raises: 'expected one region for all state buckets',
  },
  // stacks/state-stack.ts: the stages of one bucket agree on how it is stored.
  'fails when stages sharing a bucket name different lock tables': {
    files: { 'dev.yaml': DEV, 'prod.yaml': mustReplace(PROD, 'lockTable: acme-tflock', 'lockTable: acme-prod-lock') },
    at: 'stacks/stages/prod.yaml:6 state.lockTable',
    raises: 'got lockTable acme-prod-lock',
  },
  'fails when stages sharing a bucket name different KMS keys': {
    files: { 'dev.yaml': DEV, 'prod.yaml': inState(PROD, '  kmsKeyId: alias/prod-state') },
    at: 'stacks/stages/prod.yaml:7 state.kmsKeyId',
    raises: 'kmsKeyId alias/prod-state',
  },
  'fails when only one of the stages sharing a bucket creates its KMS key': {
    files: { 'dev.yaml': DEV, 'prod.yaml': inState(PROD, '  createKmsKey: true') },
    at: 'stacks/stages/prod.yaml:7 state.createKmsKey',
    raises: 'kmsKeyId alias/observability-rollout-state-acme-tfstate',
  },
  'fails when stages sharing a bucket log it to different access-log buckets': {
    files: { 'dev.yaml': DEV, 'prod.yaml': inState(PROD, '  accessLogBucket: acme-logs') },
    at: 'stacks/stages/prod.yaml:7 state.accessLogBucket',
    raises: 'like the other stages using bucket acme-tfstate',
  },
  'fails when stages sharing a bucket lock it differently': {
    files: { 'dev.yaml': DEV, 'prod.yaml': inState(PROD, '  locking: dynamodb') },
    at: 'stacks/stages/prod.yaml:7 state.locking',
    raises: 'locking dynamodb, expected',
  },
  // constructs/state-backend (StateStorage, the S3 backend).
  'fails when the state bucket logs into itself': {
    files: { 'dev.yaml': inState(DEV, '  accessLogBucket: acme-tfstate'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:7 state.accessLogBucket',
    raises: 'expected a bucket other than the state bucket',
    past: (stages) => stages.map((s) => ({ ...s, state: { ...s.state, accessLogBucket: s.state.bucket } })),
  },
  'fails when a stage both creates a KMS key and names one': {
    files: { 'dev.yaml': inState(inState(DEV, '  createKmsKey: true'), '  kmsKeyId: arn:aws:kms:us-east-1:123456789012:key/abcd'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:8 state.createKmsKey',
    raises: 'the alias/NAME the created key gets',
    past: (stages) => stages.map((s) => ({ ...s, state: { ...s.state, createKmsKey: true, kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd' } })),
  },
  'fails when DynamoDB locking has no lock table': {
    files: { 'dev.yaml': mustReplace(DEV, '  lockTable: acme-tflock\n', ''), 'prod.yaml': mustReplace(PROD, '  lockTable: acme-tflock\n', '') },
    at: 'stacks/stages/dev.yaml:4 state.lockTable',
    raises: 'takes a DynamoDB lock',
    past: (stages) => stages.map((s) => ({ ...s, state: { ...s.state, locking: 'both', lockTable: undefined } }) as unknown as Stage),
  },
  // stacks/github-stack.ts: the github stack's state key.
  'fails when a stage keeps its state under the bootstrap prefix': {
    files: { 'dev.yaml': inState(withCi(DEV, 'acme/infra'), '  keyPrefix: bootstrap'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:7 state.keyPrefix',
    raises: 'does not contain bootstrap/github.tfstate',
    past: () =>
      eachAlone({ 'dev.yaml': withCi(DEV, 'acme/infra'), 'prod.yaml': PROD }).map((s) =>
        s.name === 'dev' ? { ...s, state: { ...s.state, keyPrefix: 'bootstrap' } } : s,
      ),
  },
  // constructs/github-environments: one owner, environment names unique across stages.
  'fails when stages with a ci section deploy from repositories of different owners': {
    files: { 'dev.yaml': withCi(DEV, 'acme/infra'), 'prod.yaml': withCi(PROD, 'other/infra') },
    at: 'stacks/stages/prod.yaml:10 ci.githubRepository',
    raises: 'expected repositories of one owner',
  },
  'fails when two stages in different repositories share a GitHub environment name': {
    files: { 'dev.yaml': withCi(DEV, 'acme/infra', 'shared'), 'prod.yaml': withCi(PROD, 'acme/other', 'Shared') },
    at: 'stacks/stages/prod.yaml:11 ci.environment',
    raises: 'got "Shared", expected a GitHub environment no other stage uses',
  },
  'fails when an environment collides with another stage’s soak environment': {
    files: { 'dev.yaml': withCi(DEV, 'acme/infra'), 'prod.yaml': withCi(PROD, 'acme/infra', 'dev-soak-1') },
    at: 'stacks/stages/prod.yaml:11 ci.environment',
    raises: 'got "dev-soak-1", expected a GitHub environment no other stage uses',
  },
  'fails when an environment name with its soak suffix is longer than GitHub allows': {
    files: { 'dev.yaml': withCi(DEV, 'acme/infra', 'e'.repeat(250)), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:11 ci.environment',
    raises: 'expected a GitHub environment name',
    past: editDev((s) => ({ ...s, ci: { githubRepository: 'acme/infra', environment: 'e'.repeat(250) } })),
  },
  'fails when a soak is not a whole number of minutes (a GitHub wait timer)': {
    files: { 'dev.yaml': inRollout(withCi(DEV, 'acme/infra'), '  soakHours: [48, 48, 0.001]'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:8 rollout.soakHours.2',
    raises: 'in whole minutes',
    past: editDev((s) => ({ ...s, ci: { githubRepository: 'acme/infra', environment: 'dev' }, rollout: { ...s.rollout, soakHours: [48, 48, 0.001] } })),
  },
  'fails when a stage names more than six reviewers': {
    files: {
      'dev.yaml': mustReplace(withCi(DEV, 'acme/infra'), 'hosts:', '  reviewers:\n    users: [a1, a2, a3, a4, a5, a6, a7]\nhosts:'),
      'prod.yaml': PROD,
    },
    at: 'stacks/stages/dev.yaml:11 ci.reviewers',
    raises: '1 to 6 teams and users together',
    past: editDev((s) => ({
      ...s,
      ci: { githubRepository: 'acme/infra', environment: 'dev', reviewers: { teams: [], users: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'] } },
    })),
  },
  'fails when there is not one soak time per batch': {
    files: { 'dev.yaml': inRollout(withCi(DEV, 'acme/infra'), '  soakHours: [48, 48]'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:8 rollout.soakHours',
    raises: 'one soak time per batch (3 values)',
    past: editDev((s) => ({ ...s, ci: { githubRepository: 'acme/infra', environment: 'dev' }, rollout: { ...s.rollout, soakHours: [48, 48] } })),
  },
  // constructs/agent-access: one security group rule per CIDR, named after it.
  'fails when an egress CIDR is listed twice': {
    files: {
      'dev.yaml': mustReplace(DEV, '  vpcId: vpc-0123abcd', '  vpcId: vpc-0123abcd\n  datadogEgressCidrs: [203.0.113.0/24, 203.0.113.0/24]'),
      'prod.yaml': PROD,
    },
    at: 'stacks/stages/dev.yaml:9 network.datadogEgressCidrs.1',
    raises: 'expected no duplicates',
    past: editDev((s) => ({ ...s, network: { ...s.network, datadogEgressCidrs: ['203.0.113.0/24', '203.0.113.0/24'] } })),
  },
  'fails when a proxy CIDR is listed twice': {
    files: {
      'dev.yaml': mustReplace(
        DEV,
        '  vpcId: vpc-0123abcd',
        '  vpcId: vpc-0123abcd\n  egressProxy:\n    url: http://proxy.internal:3128\n    cidrs: [10.1.0.0/24, 10.1.0.0/24]',
      ),
      'prod.yaml': PROD,
    },
    at: 'stacks/stages/dev.yaml:11 network.egressProxy.cidrs.1',
    raises: "There is already a Construct with name 'egress-proxy-3128-10-1-0-0-24'",
    past: editDev((s) => ({
      ...s,
      network: { ...s.network, egressProxy: { url: 'http://proxy.internal:3128', port: 3128, cidrs: ['10.1.0.0/24', '10.1.0.0/24'] } },
    })),
  },
  // constructs/fleet.
  'fails when a managed host has no subnet': {
    files: { 'dev.yaml': mustReplace(DEV, 'address: 10.0.0.1', 'managed: true'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:10 hosts.0.subnetId',
    raises: 'expected a subnet for a managed host',
    past: editDev((s) => ({ ...s, hosts: s.hosts.map((h) => ({ ...h, managed: true, address: undefined, instanceType: 't3.medium' })) }) as Stage),
  },
  'fails when two hosts share a name': {
    files: { 'dev.yaml': `${DEV}  - { name: dev-web-01, service: web, team: storefront, criticality: low, address: 10.0.0.2 }\n`, 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:11 hosts.1.name',
    raises: 'expected a unique host name',
    past: editDev((s) => ({ ...s, hosts: [s.hosts[0], { ...s.hosts[0], address: '10.0.0.2' }] })),
  },
  // model/batches.ts, behind the inventories synth writes.
  'fails when a host is pinned to a batch the stage does not have': {
    files: { 'dev.yaml': mustReplace(DEV, 'address: 10.0.0.1', 'address: 10.0.0.1, batch: 4'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:10 hosts.0.batch',
    raises: 'expected a batch from 1 to 3',
    past: editDev((s) => ({ ...s, hosts: s.hosts.map((h) => ({ ...h, batch: 4 })) })),
  },
  'fails when batch percentages do not sum to 100': {
    files: { 'dev.yaml': inRollout(DEV, '  batchPercentages: [30, 30, 30]'), 'prod.yaml': PROD },
    at: 'stacks/stages/dev.yaml:8 rollout.batchPercentages',
    raises: 'expected positive whole numbers summing to 100',
    past: editDev((s) => ({ ...s, rollout: { ...s.rollout, batchPercentages: [30, 30, 30] } })),
  },
  // policy/rule-pack.ts, which buildStacks runs over the plans.
  'fails when a rule of the pack fails (a paging monitor without a runbook, ROLLOUT-M001)': {
    files: { 'dev.yaml': DEV, 'prod.yaml': PROD },
    monitors: { 'monitors/platform.yaml': PAGING_WITHOUT_RUNBOOK },
    at: 'monitors/platform.yaml:5 monitors.0.runbook',
    raises: 'without a runbook',
    past: (stages) => stages,
  },
};

describe('validate reports first every class of problem synth raises', () => {
  test.each(Object.entries(CASES))('%s', (_name, c) => {
    let err: unknown;
    try {
      validate(withFiles(tempConfig(c.files), c.monitors ?? {}));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as ConfigError).problems.map(formatProblem);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${c.at.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: got `))]));

    const stages = c.past ? c.past(eachAlone({ 'dev.yaml': DEV, 'prod.yaml': PROD })) : eachAlone(c.files);
    let synthError = '';
    try {
      synth(stages, c.monitors);
    } catch (e) {
      synthError = e instanceof Error ? e.message : String(e);
    }
    expect(synthError).toContain(c.raises);
  });

  test('the valid stages of the table synthesize (so each case fails for its own problem)', () => {
    expect(() => validate(tempConfig({ 'dev.yaml': withCi(DEV, 'acme/infra'), 'prod.yaml': withCi(PROD, 'acme/infra') }))).not.toThrow();
    expect(() => synth(eachAlone({ 'dev.yaml': withCi(DEV, 'acme/infra'), 'prod.yaml': withCi(PROD, 'acme/infra') }))).not.toThrow();
  });
});
