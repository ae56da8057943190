/**
 * The drift-reader roles: one per stage, assumable only by the daily drift
 * workflow on the default branch, reading only the stage's observability
 * state object. test/support/drift-role-check.ts states the rule; widening a
 * role on purpose (in the synthesized JSON) makes it report.
 */
import { App, Testing } from 'cdktf';
import {
  branchSubject,
  CiAccess,
  deployRoleName,
  DRIFT_WORKFLOW,
  driftRoleName,
  environmentSubject,
  jobWorkflowRef,
  PLAN_ROLE_NAME,
  pullRequestSubject,
} from '../../../constructs/ci-access/ci-access';
import { STATE_STACK } from '../../../model/names';
import { parseStage } from '../../../model/load-config';
import { stateKey, type Stage } from '../../../model/stage';
import { StateStack } from '../../../stacks/state-stack';
import { assertDriftRoles, driftRoleDocuments, driftRoleProblems, type DriftRoleExpectation } from '../../support/drift-role-check';
import { emptyRoles, findEscalations, rolePolicies } from '../../support/iam-escalation';
import { exampleConfig, minimalStageYaml, mustReplace } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO = 'acme/observability-rollout';
const MAIN_SUB = `repo:${REPO}:ref:refs/heads/main`;
const DRIFT_REF = `${REPO}/.github/workflows/drift.yml@refs/heads/main`;

function stage(name: string, state = ''): Stage {
  const text = mustReplace(
    mustReplace(minimalStageYaml(name), 'hosts:', `ci:\n  githubRepository: ${REPO}\nhosts:`),
    '  lockTable: acme-tflock\n',
    `  lockTable: acme-tflock\n${state}`,
  );
  const res = parseStage(`stacks/stages/${name}.yaml`, text);
  if (!res.stage) throw new Error(JSON.stringify(res.problems));
  return res.stage;
}

const synth = (stages: Stage[]): Json => JSON.parse(Testing.synthScope((scope) => new CiAccess(scope, 'ci', { stages }))) as Json;
const stateStack = (): Json => JSON.parse(Testing.synth(new StateStack(Testing.app() as App, STATE_STACK, { stages: exampleConfig().stages }))) as Json;

const expectation = (s: Stage): DriftRoleExpectation => ({
  role: driftRoleName(s.name),
  stateObject: `${s.state.bucket}/${stateKey(s, 'observability')}`,
  region: s.region,
  subject: MAIN_SUB,
  jobWorkflowRef: DRIFT_REF,
});

/** The drift role's permission statements, for editing in place. */
const statementsOf = (stack: Json, s: string): Json[] => driftRoleDocuments(stack, driftRoleName(s)).permissions[0].statement as Json[];
/** The drift role's trust conditions, for editing in place. */
const trustOf = (stack: Json, s: string): Json[] => (driftRoleDocuments(stack, driftRoleName(s)).trust as Json).statement[0].condition as Json[];

/** IAM's StringEquals over a GitHub token: every condition's key must be in the token with one of the values. */
function assumable(stack: Json, token: Record<string, string>): string[] {
  const names = Object.values(stack.resource.aws_iam_role as Record<string, Json>)
    .map((r) => r.name as string)
    .filter((n) => n.includes('-ci-'));
  return names
    .filter((n) =>
      ((driftRoleDocuments(stack, n).trust as Json).statement as Json[]).some((st) =>
        (st.condition as Json[]).every(
          (c) => c.test === 'StringEquals' && (c.values as string[]).includes(token[String(c.variable).split(':').pop() as string]),
        ),
      ),
    )
    .sort();
}

describe('drift-reader roles', () => {
  const stages = [stage('dev'), stage('test'), stage('prod')];
  const json = synth(stages);

  test('one per stage: trust pinned to aud, sub of main and the drift workflow at main; s3:GetObject of the observability state object only', () => {
    expect(jobWorkflowRef(REPO, DRIFT_WORKFLOW, 'main')).toBe(DRIFT_REF);
    expect(branchSubject(REPO, 'main')).toBe(MAIN_SUB);
    for (const s of stages) {
      const { trust, permissions } = driftRoleDocuments(json, driftRoleName(s.name));
      expect(trust?.statement).toEqual([
        expect.objectContaining({
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          condition: [
            { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] },
            { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:sub', values: [MAIN_SUB] },
            { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:job_workflow_ref', values: [DRIFT_REF] },
          ],
        }),
      ]);
      expect(permissions).toHaveLength(1);
      const allows = (permissions[0].statement as Json[]).filter((st) => st.effect === 'Allow');
      expect(allows).toEqual([
        {
          sid: 'DriftReadState',
          effect: 'Allow',
          actions: ['s3:GetObject'],
          resources: [
            expect.stringMatching(new RegExp(`^arn:\\$\\{data\\.aws_partition\\.[^}]+\\}:s3:::acme-tfstate/stages/${s.name}/observability\\.tfstate$`)),
          ],
        },
      ]);
      const denies = (permissions[0].statement as Json[]).filter((st) => st.effect === 'Deny').map((st) => st.sid);
      expect(denies).toEqual(['NoWrites', 'NoSecretValues', 'NoCiAccessChanges']);
    }
    expect(() => assertDriftRoles(json, stages.map(expectation))).not.toThrow();
  });

  test('who may assume which role: only the drift workflow on main gets the drift roles, and nothing else', () => {
    const drift = stages.map((s) => driftRoleName(s.name)).sort();
    const token = (sub: string, ref: string, aud = 'sts.amazonaws.com'): Record<string, string> => ({ aud, sub, job_workflow_ref: ref });
    expect(assumable(json, token(MAIN_SUB, DRIFT_REF))).toEqual(drift);
    // Another workflow on main (a push-triggered one): same sub, other job_workflow_ref.
    expect(assumable(json, token(MAIN_SUB, `${REPO}/.github/workflows/deploy-dev.yml@refs/heads/main`))).toEqual([]);
    // drift.yml dispatched on a branch, or edited in a pull request.
    expect(assumable(json, token(`repo:${REPO}:ref:refs/heads/feature`, `${REPO}/.github/workflows/drift.yml@refs/heads/feature`))).toEqual([]);
    expect(assumable(json, token(pullRequestSubject(REPO), `${REPO}/.github/workflows/drift.yml@refs/pull/7/merge`))).toEqual([PLAN_ROLE_NAME]);
    // A fork's drift.yml on its main, another audience, a deploy environment.
    expect(
      assumable(json, token('repo:evil/observability-rollout:ref:refs/heads/main', 'evil/observability-rollout/.github/workflows/drift.yml@refs/heads/main')),
    ).toEqual([]);
    expect(assumable(json, token(MAIN_SUB, DRIFT_REF, 'https://github.com/acme'))).toEqual([]);
    expect(assumable(json, token(environmentSubject(REPO, 'prod'), DRIFT_REF))).toEqual([deployRoleName('prod')]);
    // A token without the claim (an STS that does not evaluate job_workflow_ref) is refused: the pin fails closed.
    expect(assumable(json, { aud: 'sts.amazonaws.com', sub: MAIN_SUB })).toEqual([]);
  });

  test('a KMS-encrypted state: kms:Decrypt only through S3 of the region, only in the encryption context of the state bucket or object', () => {
    const s = stage('dev', '  kmsKeyId: alias/tfstate\n');
    const j = synth([s]);
    const st = statementsOf(j, 'dev').find((x) => x.sid === 'DriftStateKey') as Json;
    expect(st).toMatchObject({ effect: 'Allow', actions: ['kms:Decrypt'], resources: ['*'] });
    expect(st.condition).toEqual([
      { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-east-1.amazonaws.com'] },
      {
        test: 'StringEquals',
        variable: 'kms:EncryptionContext:aws:s3:arn',
        values: [expect.stringMatching(/:s3:::acme-tfstate$/), expect.stringMatching(/:s3:::acme-tfstate\/stages\/dev\/observability\.tfstate$/)],
      },
    ]);
    expect(driftRoleProblems(j, expectation(s))).toEqual([]);
    delete st.condition;
    expect(driftRoleProblems(j, expectation(s))).toEqual([
      expect.stringMatching(/^DriftStateKey: kms:Decrypt: kms:ViaService: got null/),
      expect.stringMatching(/^DriftStateKey: kms:Decrypt: kms:EncryptionContext:aws:s3:arn: got null/),
    ]);
  });

  describe.each([
    ['s3:* on the state object', (st: Json[]): void => void (st[0].actions = ['s3:*']), ['DriftReadState: action s3:*: expected only']],
    [
      'GetObject on the whole bucket',
      (st: Json[]): void => void (st[0].resources = [String(st[0].resources[0]).replace(/stages\/dev\/observability\.tfstate$/, '*')]),
      ['DriftReadState: s3:GetObject on arn:'],
    ],
    [
      "GetObject on the stage's prefix (the infra state too)",
      (st: Json[]): void => void (st[0].resources = [String(st[0].resources[0]).replace(/observability\.tfstate$/, '*')]),
      ['DriftReadState: s3:GetObject on arn:'],
    ],
    [
      "another stage's state",
      (st: Json[]): void => void st[0].resources.push(String(st[0].resources[0]).replace('/dev/', '/prod/')),
      ['DriftReadState: s3:GetObject on arn:'],
    ],
    [
      'a listing, a lock write and a state write',
      (st: Json[]): void => void st.push({ sid: 'More', effect: 'Allow', actions: ['s3:ListBucket', 's3:PutObject', 'dynamodb:PutItem'], resources: ['*'] }),
      ['More: action s3:ListBucket', 'More: action s3:PutObject', 'More: action dynamodb:PutItem'],
    ],
    [
      'an Allow by exclusion',
      (st: Json[]): void => void st.push({ sid: 'Not', effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] }),
      ['Not: got an Allow by NotAction'],
    ],
  ])('fails when a drift role gains %s', (_what, widen, expected) => {
    test('the check reports it', () => {
      const stack = synth(stages);
      widen(statementsOf(stack, 'dev'));
      const problems = driftRoleProblems(stack, expectation(stages[0]));
      for (const e of expected) expect(problems.some((p) => p.startsWith(e))).toBe(true);
      expect(driftRoleProblems(stack, expectation(stages[2]))).toEqual([]); // the other roles are untouched
    });
  });

  describe.each([
    [
      'a sub pattern for the whole repository',
      (c: Json[]): void => void Object.assign(c[1], { test: 'StringLike', values: [`repo:${REPO}:*`] }),
      'sub: got StringLike',
    ],
    ['pull requests', (c: Json[]): void => void c[1].values.push(pullRequestSubject(REPO)), 'sub: got StringEquals'],
    ['no workflow pin', (c: Json[]): void => void c.splice(2, 1), 'job_workflow_ref: got no condition'],
    [
      'the drift workflow of any branch',
      (c: Json[]): void => void Object.assign(c[2], { test: 'StringLike', values: [`${REPO}/.github/workflows/drift.yml@*`] }),
      'job_workflow_ref: got StringLike',
    ],
    ['no audience', (c: Json[]): void => void c.splice(0, 1), 'aud: got no condition'],
    [
      'a pattern on another claim',
      (c: Json[]): void => void c.push({ test: 'StringLike', variable: 'token.actions.githubusercontent.com:actor', values: ['*'] }),
      'actor: got StringLike',
    ],
  ])('fails when the drift trust widens to %s', (_what, widen, expected) => {
    test('the check reports it', () => {
      const stack = synth(stages);
      widen(trustOf(stack, 'dev'));
      expect(driftRoleProblems(stack, expectation(stages[0])).some((p) => p.startsWith('trust GitHubActionsOidc:') && p.includes(expected))).toBe(true);
    });
  });

  test('fails when several roles widen at once: one error listing every problem', () => {
    const stack = synth(stages);
    statementsOf(stack, 'dev')[0].actions = ['s3:Get*'];
    trustOf(stack, 'prod')[1].values = [`repo:${REPO}:pull_request`];
    expect(() => assertDriftRoles(stack, stages.map(expectation))).toThrow(
      /^2 drift role problems:\n {2}observability-rollout-ci-dev-drift: DriftReadState: action s3:Get\*: .*\n {2}observability-rollout-ci-prod-drift: trust GitHubActionsOidc: .*sub: got StringEquals \["repo:acme\/observability-rollout:pull_request"\]/,
    );
    expect(() => assertDriftRoles(stack, [{ ...expectation(stages[0]), role: 'nobody' }])).toThrow(/nobody: role nobody: got no such role/);
  });

  test('the example configuration: every drift role is as narrow as the rule and free of escalation paths', () => {
    const stack = stateStack();
    const config = exampleConfig();
    expect(() =>
      assertDriftRoles(
        stack,
        config.stages.map((s) => ({
          ...expectation(s),
          subject: branchSubject(s.ci?.githubRepository ?? '', 'main'),
          jobWorkflowRef: jobWorkflowRef(s.ci?.githubRepository ?? '', DRIFT_WORKFLOW, 'main'),
        })),
      ),
    ).not.toThrow();
    const drift = new Map([...rolePolicies(stack)].filter(([name]) => name.endsWith('-drift')));
    expect([...drift.keys()].sort()).toEqual([
      'observability-rollout-ci-dev-drift',
      'observability-rollout-ci-prod-drift',
      'observability-rollout-ci-test-drift',
    ]);
    expect(findEscalations(drift, emptyRoles(stack))).toEqual([]);
  });
});
