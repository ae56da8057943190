import { Testing } from 'cdktf';
import { DEPLOY_BRANCH, GithubEnvironments, plannedEnvironments } from '../../../constructs/github-environments/github-environments';
import { addGithubProvider } from '../../../constructs/github-environments/github-provider';
import { parseStage } from '../../../model/load-config';
import type { Stage } from '../../../model/stage';
import { exampleConfig, exampleStage, minimalStageYaml, mustReplace } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO_NAME = 'acme/observability-rollout';

/** A stage parsed from the minimal stage file with `extra` YAML inserted before `hosts:`. */
function stage(name: string, extra = `ci:\n  githubRepository: ${REPO_NAME}\n`): Stage {
  const res = parseStage(`stacks/stages/${name}.yaml`, mustReplace(minimalStageYaml(name), 'hosts:', `${extra}hosts:`));
  if (!res.stage) throw new Error(JSON.stringify(res.problems));
  return res.stage;
}

const synth = (stages: readonly Stage[]): Json => JSON.parse(Testing.synthScope((scope) => new GithubEnvironments(scope, 'environments', { stages }))) as Json;

/** The environments of a synthesized scope by name. */
function environmentsOf(json: Json): Record<string, Json> {
  return Object.fromEntries((Object.values(json.resource?.github_repository_environment ?? {}) as Json[]).map((e) => [e.environment, e]));
}

/** `${github_repository_environment.<id>.environment}` -> the environment's name. */
function referencedEnvironment(json: Json, ref: string): string {
  const m = /^\$\{github_repository_environment\.([^.]+)\.environment\}$/.exec(ref);
  if (!m) throw new Error(`not a reference to an environment: ${ref}`);
  return json.resource.github_repository_environment[m[1]].environment;
}

/** `${data.github_<kind>.<id>.id}` -> the data source's block. */
function dataOf(json: Json, kind: 'team' | 'user', ref: string): Json {
  const m = new RegExp(`^\\$\\{data\\.github_${kind}\\.([^.]+)\\.id\\}$`).exec(ref);
  if (!m) throw new Error(`not a reference to a github_${kind} id: ${ref}`);
  return json.data[`github_${kind}`][m[1]];
}

describe('GithubEnvironments: the example stages', () => {
  const config = exampleConfig();
  const json = synth(config.stages);
  const environments = environmentsOf(json);

  test.each(['dev', 'test', 'prod'])('%s: its environment and one soak environment per batch, wait timers = soakHours × 60', (name) => {
    const st = exampleStage(name);
    const env = st.ci?.environment ?? '';
    expect(env).toBe(name);
    expect(st.rollout.soakHours).toEqual([48, 48, 72]);
    expect(environments[env].wait_timer).toBeUndefined();
    const soaks = st.rollout.batchPercentages.map((_, i) => environments[`${env}-soak-${i + 1}`]);
    expect(soaks.map((e) => e?.wait_timer)).toEqual(st.rollout.soakHours.map((h) => h * 60));
    expect(soaks.map((e) => e.wait_timer)).toEqual([2880, 2880, 4320]);
    for (const e of [environments[env], ...soaks]) expect(e.repository).toBe('observability-rollout');
  });

  test('creates exactly the 12 environments of the three stages and nothing else', () => {
    expect(Object.keys(environments).sort()).toEqual(['dev', 'prod', 'test'].flatMap((s) => [s, `${s}-soak-1`, `${s}-soak-2`, `${s}-soak-3`]).sort());
    expect(Object.keys(json.resource).sort()).toEqual(['github_repository_environment', 'github_repository_environment_deployment_policy']);
    expect(Object.keys(json.data)).toEqual(['github_team']);
  });

  test('every environment admits branch main only: custom branch policies, not protected branches, one policy with branch_pattern main', () => {
    const policies = Object.values(json.resource.github_repository_environment_deployment_policy) as Json[];
    expect(policies).toHaveLength(Object.keys(environments).length);
    for (const e of Object.values(environments)) expect(e.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    const byEnvironment = new Map<string, Json[]>();
    for (const p of policies) {
      expect(Object.keys(p).sort()).toEqual(['branch_pattern', 'environment', 'repository']);
      expect(p.branch_pattern).toBe(DEPLOY_BRANCH);
      expect(DEPLOY_BRANCH).toBe('main');
      expect(p.repository).toBe('observability-rollout');
      const env = referencedEnvironment(json, p.environment);
      byEnvironment.set(env, [...(byEnvironment.get(env) ?? []), p]);
    }
    expect([...byEnvironment.keys()].sort()).toEqual(Object.keys(environments).sort());
    for (const list of byEnvironment.values()) expect(list).toHaveLength(1);
  });

  test('prod and its soak environments require the cab team, resolved by data "github_team", with self-review prevented; dev and test require nobody', () => {
    for (const [name, e] of Object.entries(environments)) {
      if (name.startsWith('prod')) {
        expect(e.prevent_self_review).toBe(true);
        expect(e.reviewers).toHaveLength(1);
        expect(Object.keys(e.reviewers[0])).toEqual(['teams']);
        expect(e.reviewers[0].teams).toHaveLength(1);
        expect(dataOf(json, 'team', e.reviewers[0].teams[0])).toEqual({ slug: 'cab', summary_only: true });
      } else {
        expect([name, e.reviewers, e.prevent_self_review]).toEqual([name, undefined, undefined]);
      }
    }
    // One data source per team, shared by the four environments.
    expect(Object.keys(json.data.github_team)).toHaveLength(1);
  });

  test('no number in the stage files becomes a reviewer id: every id is a data source reference', () => {
    for (const e of Object.values(environments)) {
      for (const r of e.reviewers ?? []) for (const id of [...(r.teams ?? []), ...(r.users ?? [])]) expect(id).toMatch(/^\$\{data\.github_(team|user)\./);
    }
  });
});

describe('GithubEnvironments', () => {
  test('users are resolved by data "github_user"; a team or user named by two stages is looked up once', () => {
    const reviewers = `  reviewers:\n    teams: [cab, sre-leads]\n    users: [octocat]\n`;
    const json = synth([
      stage('prod', `ci:\n  githubRepository: ${REPO_NAME}\n${reviewers}`),
      stage('stage', `ci:\n  githubRepository: ${REPO_NAME}\n  reviewers:\n    users: [OctoCat]\n`),
    ]);
    const envs = environmentsOf(json);
    const prod = envs.prod.reviewers[0];
    expect(prod.teams.map((t: string) => dataOf(json, 'team', t).slug)).toEqual(['cab', 'sre-leads']);
    expect(prod.users.map((u: string) => dataOf(json, 'user', u))).toEqual([{ username: 'octocat' }]);
    expect(envs.stage.reviewers).toEqual([{ users: [prod.users[0]] }]); // logins are case-insensitive: one lookup
    expect(envs['stage-soak-2'].prevent_self_review).toBe(true);
    expect(Object.keys(json.data.github_team)).toHaveLength(2);
    expect(Object.keys(json.data.github_user)).toHaveLength(1);
  });

  test('soak environments follow the stage: as many as batches, named after ci.environment, wait timers from soakHours (GitHub allows up to 43200 minutes)', () => {
    const st = stage(
      'qa',
      `rollout:\n  batchPercentages: [50, 50]\n  soakHours: [0.5, 720]\nci:\n  githubRepository: ${REPO_NAME}\n  environment: quality-assurance\n`,
    );
    expect(plannedEnvironments(st).map((e) => [e.name, e.waitTimer])).toEqual([
      ['quality-assurance', undefined],
      ['quality-assurance-soak-1', 30],
      ['quality-assurance-soak-2', 43200],
    ]);
    const envs = environmentsOf(synth([st]));
    expect(Object.keys(envs).sort()).toEqual(['quality-assurance', 'quality-assurance-soak-1', 'quality-assurance-soak-2']);
    expect(envs['quality-assurance-soak-2'].wait_timer).toBe(43200);
  });

  test('a stage without a ci section plans no environment', () => {
    expect(plannedEnvironments(stage('dev', ''))).toEqual([]);
  });

  test('fails when a stage has no ci section, naming the stage (the stack passes only stages with one)', () => {
    expect(() => synth([stage('dev'), stage('test', '')])).toThrow(
      /^GithubEnvironments environments: 1 invalid prop\n {2}stages\.1\.ci: got missing, expected a ci section \(stage test\)$/,
    );
  });

  test("fails when a wait timer would exceed GitHub's 43200 minutes or is not whole minutes, naming the environment", () => {
    const st = stage('prod');
    const tooLong = { ...st, rollout: { ...st.rollout, soakHours: [48, 0.01, 1000] } };
    expect(() => synth([tooLong])).toThrow(
      new Error(
        [
          'GithubEnvironments environments: 2 invalid props',
          '  stages.0.rollout.soakHours.1: got 0.01, expected 0 to 720 hours in whole minutes (the wait timer of GitHub environment prod-soak-2 would be 0.6 minutes; GitHub allows 0 to 43200)',
          '  stages.0.rollout.soakHours.2: got 1000, expected 0 to 720 hours in whole minutes (the wait timer of GitHub environment prod-soak-3 would be 60000 minutes; GitHub allows 0 to 43200)',
        ].join('\n'),
      ),
    );
  });

  test('fails when a reviewer is not a team slug or a login (an @org/team handle, a numeric id, an @login), or there are more than six', () => {
    const st = stage('prod');
    const ci = st.ci ?? { githubRepository: REPO_NAME, environment: 'prod' };
    const bad = { ...st, ci: { ...ci, reviewers: { teams: ['@acme/cab', '1234567', 't3', 't4'], users: ['@octocat', 'u2', 'u3'] } } };
    const message = (() => {
      try {
        synth([bad]);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message.split('\n')).toEqual([
      'GithubEnvironments environments: 4 invalid props',
      `  stages.0.ci.reviewers: got {"teams":["@acme/cab","1234567","t3","t4"],"users":["@octocat","u2","u3"]}, expected 1 to 6 teams and users together (GitHub's limit)`,
      `  stages.0.ci.reviewers.teams.0: got "@acme/cab", expected a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)`,
      `  stages.0.ci.reviewers.teams.1: got "1234567", expected a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)`,
      '  stages.0.ci.reviewers.users.0: got "@octocat", expected a GitHub login such as octocat (no @, not a numeric id)',
    ]);
  });

  test('fails when two stages would share a GitHub environment, or their repositories have different owners', () => {
    const a = stage('dev', `ci:\n  githubRepository: ${REPO_NAME}\n  environment: shared\n`);
    const b = stage('test', `ci:\n  githubRepository: other-org/observability-rollout\n  environment: Shared\n`);
    expect(() => synth([a, b])).toThrow(
      new Error(
        [
          'GithubEnvironments environments: 5 invalid props',
          '  stages[].ci.githubRepository: got ["acme","other-org"], expected repositories of one owner (the GitHub provider manages one owner)',
          '  stages.1.ci.environment: got "Shared", expected a GitHub environment no other stage uses (stage dev has it)',
          '  stages.1.ci.environment: got "Shared-soak-1", expected a GitHub environment no other stage uses (stage dev has it)',
          '  stages.1.ci.environment: got "Shared-soak-2", expected a GitHub environment no other stage uses (stage dev has it)',
          '  stages.1.ci.environment: got "Shared-soak-3", expected a GitHub environment no other stage uses (stage dev has it)',
        ].join('\n'),
      ),
    );
  });

  test('fails when there is no stage at all', () => {
    expect(() => synth([])).toThrow(/^GithubEnvironments environments: 1 invalid prop\n {2}stages: got \[\], expected at least one stage with a ci section$/);
  });
});

describe('GitHub provider', () => {
  const synthProvider = (repositories: string[]): Json =>
    JSON.parse(
      Testing.synthScope((scope) => {
        addGithubProvider(scope, { repositories });
      }),
    ) as Json;

  test("takes the owner from the repositories' owner and has no token argument (the provider reads GITHUB_TOKEN)", () => {
    expect(synthProvider([REPO_NAME]).provider).toEqual({ github: [{ owner: 'acme' }] });
  });

  test('fails when the repositories have different owners, or a repository is not owner/name', () => {
    expect(() => synthProvider([REPO_NAME, 'other/repo', 'no-owner'])).toThrow(
      new Error(
        [
          'GithubProvider: 2 invalid props',
          '  repositories.2: got "no-owner", expected a GitHub repository such as acme/observability-rollout',
          '  repositories: got ["acme","no-owner","other"], expected repositories of one owner',
        ].join('\n'),
      ),
    );
  });
});
