import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { App, Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../model/errors';
import { loadConfig, parseStage } from '../../model/load-config';
import type { RolloutConfig, Stage } from '../../model/stage';
import { buildStacks } from '../../stacks/app';
import { GITHUB_STACK, GITHUB_STATE_KEY, GithubStack } from '../../stacks/github-stack';
import { StateStack } from '../../stacks/state-stack';
import { exampleConfig, minimalStageYaml, mustReplace, REPO, tempConfig } from '../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const synthText = (stages: readonly Stage[]): string => Testing.synth(new GithubStack(Testing.app() as App, GITHUB_STACK, { stages }));
const synthJson = (stages: readonly Stage[]): Json => JSON.parse(synthText(stages)) as Json;

/** The example configuration with `prod.yaml` edited by `edit`. */
function withProd(edit: (text: string) => string): RolloutConfig {
  const dir = tempConfig({
    'dev.yaml': fs.readFileSync(path.join(REPO, 'stacks/stages/dev.yaml'), 'utf8'),
    'test.yaml': fs.readFileSync(path.join(REPO, 'stacks/stages/test.yaml'), 'utf8'),
    'prod.yaml': edit(fs.readFileSync(path.join(REPO, 'stacks/stages/prod.yaml'), 'utf8')),
  });
  return loadConfig(dir);
}

/** The message of the ConfigError `fn` throws. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

describe('github stack', () => {
  const sentinel = 'ghp_sentinelTokenFromTheEnvironment0123456789';
  const saved = process.env.GITHUB_TOKEN;
  let text: string;
  let json: Json;
  beforeAll(() => {
    process.env.GITHUB_TOKEN = sentinel;
    text = synthText(exampleConfig().stages);
    json = JSON.parse(text) as Json;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.GITHUB_TOKEN;
    else process.env.GITHUB_TOKEN = saved;
  });

  test('keeps its state beside the bootstrap state: same bucket, region, encryption and locking as the state stack, key bootstrap/github.tfstate', () => {
    const state = JSON.parse(Testing.synth(new StateStack(Testing.app() as App, 'state', { stages: exampleConfig().stages }))) as Json;
    expect(json.terraform.backend).toEqual({ s3: { ...state.terraform.backend.s3, key: GITHUB_STATE_KEY } });
    expect(json.terraform.backend.s3).toEqual(
      expect.objectContaining({ bucket: 'acme-observability-rollout-tfstate', key: 'bootstrap/github.tfstate', region: 'us-east-1', encrypt: true }),
    );
  });

  test("has the GitHub provider for the repository's owner, pinned, and no token: not in the provider, a variable or anywhere in the JSON", () => {
    expect(text).toHaveProviderWithProperties(GithubProvider, { owner: 'acme' });
    expect(json.provider).toEqual({ github: [{ owner: 'acme' }] });
    expect(json.terraform.required_providers).toEqual({ github: { source: 'integrations/github', version: '6.9.0' } });
    expect(json.variable).toBeUndefined();
    expect(json.output).toBeUndefined();
    expect(text).not.toContain(sentinel);
    expect(text).not.toMatch(/token|GITHUB_TOKEN|gh[pousr]_[A-Za-z0-9]/i);
  });

  test('holds no AWS provider or resource: only GitHub environments, their branch policies and the reviewer lookups', () => {
    expect(Object.keys(json.provider)).toEqual(['github']);
    expect(Object.keys(json.resource).sort()).toEqual(['github_repository_environment', 'github_repository_environment_deployment_policy']);
    expect(Object.keys(json.data)).toEqual(['github_team']);
    expect(text).not.toMatch(/"aws_/);
  });

  test('for the example stages: 12 environments, 12 branch policies and one team lookup (prod reviewers: team cab)', () => {
    const count = (o: Json | undefined): number => Object.keys(o ?? {}).length;
    expect([
      count(json.resource.github_repository_environment),
      count(json.resource.github_repository_environment_deployment_policy),
      count(json.data.github_team),
      count(json.data.github_user),
    ]).toEqual([12, 12, 1, 0]);
    const waits = Object.fromEntries((Object.values(json.resource.github_repository_environment) as Json[]).map((e) => [e.environment, e.wait_timer ?? 0]));
    expect(waits).toEqual({
      dev: 0,
      'dev-soak-1': 2880,
      'dev-soak-2': 2880,
      'dev-soak-3': 4320,
      test: 0,
      'test-soak-1': 2880,
      'test-soak-2': 2880,
      'test-soak-3': 4320,
      prod: 0,
      'prod-soak-1': 2880,
      'prod-soak-2': 2880,
      'prod-soak-3': 4320,
    });
  });

  test('no CI role can change its state: only the plan role reads bootstrap/ (to plan it in a pull request), and no role names the bucket root', () => {
    const state = JSON.parse(Testing.synth(new StateStack(Testing.app() as App, 'state', { stages: exampleConfig().stages }))) as Json;
    const statements = (Object.values(state.data.aws_iam_policy_document) as Json[]).flatMap((d) => (d.statement ?? []) as Json[]);
    const s3 = statements.filter((st) => ((st.resources ?? []) as string[]).some((r) => r.includes(':s3:::')));
    expect(s3.length).toBeGreaterThan(0);
    for (const st of s3) {
      for (const r of st.resources as string[]) {
        expect(r).not.toMatch(/:s3:::[^/]+\/\*$/);
        if (/:s3:::[^/]+\/bootstrap\//.test(r) && st.effect === 'Allow') expect([st.sid, st.actions]).toEqual(['ReadBootstrapState', ['s3:GetObject']]);
      }
    }
  });

  test('the whole stack (snapshot)', () => {
    expect(text).toMatchSnapshot();
  });
});

describe('github stack: stages with and without ci', () => {
  test('a stage without a ci section gets nothing', () => {
    const config = withProd((t) => mustReplace(t, /\nci:\n(?: {2}.*\n)+/, '\n'));
    expect(config.stages.find((s) => s.name === 'prod')?.ci).toBeUndefined();
    const envs = (Object.values(synthJson(config.stages).resource.github_repository_environment) as Json[]).map((e) => e.environment).sort();
    expect(envs).toEqual(['dev', 'dev-soak-1', 'dev-soak-2', 'dev-soak-3', 'test', 'test-soak-1', 'test-soak-2', 'test-soak-3']);
  });

  test('buildStacks adds no github stack when no stage has a ci section', () => {
    const res = parseStage('stacks/stages/dev.yaml', minimalStageYaml('dev'));
    if (!res.stage) throw new Error(JSON.stringify(res.problems));
    const app = Testing.app();
    buildStacks(app, { ...exampleConfig(), stages: [res.stage] });
    expect(app.node.children.map((c) => c.node.id)).toEqual(['state', 'dev-infra', 'dev-observability']);
  });

  test('fails when no stage has a ci section', () => {
    const res = parseStage('stacks/stages/dev.yaml', minimalStageYaml('dev'));
    if (!res.stage) throw new Error(JSON.stringify(res.problems));
    expect(() => synthJson([res.stage as Stage])).toThrow(
      'GithubStack github: stages: got no stage with a ci section, expected at least one (buildStacks adds this stack only then)',
    );
  });

  test("fails when a stage's key prefix would give its CI roles this stack's state", () => {
    // The stage files refuse it first (model/load-config.ts); the stack refuses it too when handed such a stage directly.
    expect(
      configError(() =>
        withProd((t) =>
          mustReplace(t, '  lockTable: acme-observability-rollout-tflock\n', '  lockTable: acme-observability-rollout-tflock\n  keyPrefix: bootstrap\n'),
        ),
      ),
    ).toContain('state.keyPrefix: got "bootstrap", expected a key prefix outside bootstrap/');
    const stages = exampleConfig().stages.map((s) => (s.name === 'prod' ? { ...s, state: { ...s.state, keyPrefix: 'bootstrap' } } : s));
    expect(() => synthJson(stages)).toThrow(
      'GithubStack github: stage prod state.keyPrefix: got bootstrap, expected a prefix that does not contain bootstrap/github.tfstate',
    );
  });
});

describe('stage files: the ci section (file:line path: got X, expected Y)', () => {
  test('the example prod stage names the cab team; dev and test name no reviewer', () => {
    const byName = Object.fromEntries(exampleConfig().stages.map((s) => [s.name, s.ci]));
    expect(byName.prod).toEqual({ githubRepository: 'acme/observability-rollout', environment: 'prod', reviewers: { teams: ['cab'], users: [] } });
    expect(byName.dev).toEqual({ githubRepository: 'acme/observability-rollout', environment: 'dev' });
    expect(byName.test).toEqual({ githubRepository: 'acme/observability-rollout', environment: 'test' });
  });

  test('fails when a soak is longer than a GitHub wait timer allows (720 hours = 43200 minutes)', () => {
    const msg = configError(() => withProd((t) => mustReplace(t, 'soakHours: [48, 48, 72]', 'soakHours: [48, 48, 721]')));
    expect(msg).toBe('invalid stage configuration: 1 problem\n  stacks/stages/prod.yaml:19 rollout.soakHours.2: got 721, expected a number <= 720');
  });

  test('fails when a soak of a stage with a ci section is not a whole number of minutes', () => {
    const msg = configError(() => withProd((t) => mustReplace(t, 'soakHours: [48, 48, 72]', 'soakHours: [48, 0.01, 72]')));
    expect(msg).toBe(
      'invalid stage configuration: 1 problem\n  stacks/stages/prod.yaml:19 rollout.soakHours.1: got 0.01, expected a whole number of minutes (the wait timer of GitHub environment prod-soak-2 is soakHours × 60 = 0.6)',
    );
  });

  test('fails when a reviewer has an unknown format: an @org/team handle, a numeric id, an @login, a reviewer object', () => {
    const msg = configError(() =>
      withProd((t) => mustReplace(t, '    teams: [cab]\n', '    teams: ["@acme/cab", 1234567, { type: Team, id: 5 }]\n    users: ["@octocat"]\n')),
    );
    expect(msg.split('\n')).toEqual([
      'invalid stage configuration: 4 problems',
      `  stacks/stages/prod.yaml:32 ci.reviewers.teams.0: got "@acme/cab", expected a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)`,
      `  stacks/stages/prod.yaml:32 ci.reviewers.teams.1: got 1234567, expected a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)`,
      `  stacks/stages/prod.yaml:32 ci.reviewers.teams.2: got an object (2 keys), expected a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)`,
      '  stacks/stages/prod.yaml:33 ci.reviewers.users.0: got "@octocat", expected a GitHub login such as octocat (no @, not a numeric id)',
    ]);
  });

  test('fails when reviewers are empty, more than six, listed twice, or under an unknown key', () => {
    const cases: Array<[string, string]> = [
      [
        '    teams: []\n',
        'stacks/stages/prod.yaml:31 ci.reviewers: got no reviewers, expected at least one team or user (or no reviewers key: no required reviewers)',
      ],
      [
        '    teams: [a1, b1, c1, d1]\n    users: [u1, u2, u3]\n',
        "stacks/stages/prod.yaml:31 ci.reviewers: got 7 reviewers, expected at most 6 teams and users together (GitHub's limit)",
      ],
      [
        '    teams: [cab]\n    users: [octocat, OctoCat]\n',
        'stacks/stages/prod.yaml:33 ci.reviewers.users.1: got "OctoCat", expected a user not listed before',
      ],
      [
        '    teams: [cab]\n    groups: [cab]\n',
        'stacks/stages/prod.yaml:33 ci.reviewers.groups: got unknown key "groups", expected one of the known keys: teams, users',
      ],
    ];
    for (const [yaml, problem] of cases) {
      expect(configError(() => withProd((t) => mustReplace(t, '    teams: [cab]\n', yaml)))).toBe(`invalid stage configuration: 1 problem\n  ${problem}`);
    }
  });

  test('fails when two stages would share a GitHub environment', () => {
    const msg = configError(() =>
      withProd((t) => mustReplace(t, '  # environment: prod             (default: the stage name)\n', '  environment: test-soak-2\n')),
    );
    expect(msg).toBe(
      'invalid stage configuration: 1 problem\n  stacks/stages/test.yaml:19 ci.environment: got "test", expected an environment whose names (test, test-soak-<n>) no other stage uses (stage prod has test-soak-2)',
    );
  });
});
