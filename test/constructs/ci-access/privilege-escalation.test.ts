/**
 * No path from "can run a workflow" to "administrator": the synthesized
 * policies of every CI role hold no action of the published catalog of IAM
 * privilege escalation paths (test/support/iam-escalation.ts cites it), and
 * the only role they may pass holds nothing. Widening a policy on purpose
 * makes the check fail.
 */
import { App, Testing } from 'cdktf';
import { STATE_STACK } from '../../../model/names';
import { StateStack } from '../../../stacks/state-stack';
import { actionMatches, emptyRoles, findEscalations, rolePolicies } from '../../support/iam-escalation';
import { exampleConfig } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const stateStack = (): Json => JSON.parse(Testing.synth(new StateStack(Testing.app() as App, STATE_STACK, { stages: exampleConfig().stages }))) as Json;

/** The statements of one role's inline policy, for editing in place. */
function statementsOf(stack: Json, roleName: string): Json[] {
  const roleId = Object.entries(stack.resource.aws_iam_role as Record<string, Json>).find(([, r]) => r.name === roleName)?.[0];
  const policy = Object.values(stack.resource.aws_iam_role_policy as Record<string, Json>).find((p) => p.role === `\${aws_iam_role.${roleId}.id}`);
  if (!policy) throw new Error(`no inline policy on ${roleName}`);
  const docId = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)?.[1] as string;
  return stack.data.aws_iam_policy_document[docId].statement as Json[];
}

const check = (stack: Json): string[] => findEscalations(rolePolicies(stack), emptyRoles(stack)).map((f) => `${f.role} ${f.sid} ${f.action}`);

describe('privilege escalation of the CI roles', () => {
  test('the example configuration: every CI role (deploy and drift per stage, plan) is free of escalation paths', () => {
    const stack = stateStack();
    const roles = [...rolePolicies(stack).keys()].filter((name) => name.includes('-ci-')).sort();
    expect(roles).toEqual([
      'observability-rollout-ci-dev-deploy',
      'observability-rollout-ci-dev-drift',
      'observability-rollout-ci-plan',
      'observability-rollout-ci-prod-deploy',
      'observability-rollout-ci-prod-drift',
      'observability-rollout-ci-test-deploy',
      'observability-rollout-ci-test-drift',
    ]);
    expect(check(stack)).toEqual([]);
  });

  test('the roles a deploy role may pass hold no permissions at all', () => {
    const stack = stateStack();
    expect([...emptyRoles(stack)].sort()).toEqual(['observability-rollout-dev-agent', 'observability-rollout-prod-agent', 'observability-rollout-test-agent']);
  });

  test('action patterns match like IAM: wildcards, case-insensitive', () => {
    expect(actionMatches('iam:*', 'iam:PutRolePolicy')).toBe(true);
    expect(actionMatches('iam:put*', 'iam:PutRolePolicy')).toBe(true);
    expect(actionMatches('*', 'sts:AssumeRole')).toBe(true);
    expect(actionMatches('iam:Get*', 'iam:PutRolePolicy')).toBe(false);
    expect(actionMatches('ec2:Describe*', 'ec2:CreateLaunchTemplateVersion')).toBe(false);
  });

  describe.each([
    [
      'an IAM write on the stage prefix (the design this replaced)',
      {
        sid: 'StageIam',
        effect: 'Allow',
        actions: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        resources: ['arn:aws:iam::1:role/observability-rollout-dev-*'],
      },
      ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
    ],
    ['iam:* anywhere', { sid: 'Wide', effect: 'Allow', actions: ['iam:*'], resources: ['*'] }, ['iam:PassRole']],
    [
      'a conditioned policy write (conditions do not exempt)',
      {
        sid: 'Cond',
        effect: 'Allow',
        actions: ['iam:AttachRolePolicy'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: ['us-east-1'] }],
      },
      ['iam:AttachRolePolicy'],
    ],
    ['an Allow by exclusion', { sid: 'NotAction', effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] }, ['NotAction/NotResource']],
    [
      'running code as a role',
      { sid: 'Lambda', effect: 'Allow', actions: ['lambda:CreateFunction', 'ssm:SendCommand'], resources: ['*'] },
      ['lambda:CreateFunction', 'ssm:SendCommand'],
    ],
  ])('fails when a deploy role gains %s', (_what, statement, expected) => {
    test('the check names the role, the statement and each action', () => {
      const stack = stateStack();
      statementsOf(stack, 'observability-rollout-ci-dev-deploy').push(statement);
      const found = check(stack);
      for (const action of expected) expect(found).toContain(`observability-rollout-ci-dev-deploy ${statement.sid} ${action}`);
      expect(found.every((f) => f.startsWith('observability-rollout-ci-dev-deploy '))).toBe(true);
    });
  });

  test('fails when PassRole widens to a wildcard, to a role with permissions, or to any service', () => {
    const wildcard = stateStack();
    const pass = (stack: Json): Json => statementsOf(stack, 'observability-rollout-ci-dev-deploy').find((s) => s.sid === 'PassAgentRoleToEc2') as Json;
    pass(wildcard).resources = [String(pass(wildcard).resources[0]).replace(/observability-rollout-dev-agent$/, 'observability-rollout-dev-*')];
    expect(check(wildcard)).toEqual(['observability-rollout-ci-dev-deploy PassAgentRoleToEc2 iam:PassRole']);

    const privileged = stateStack();
    pass(privileged).resources = [String(pass(privileged).resources[0]).replace(/observability-rollout-dev-agent$/, 'observability-rollout-ci-prod-deploy')];
    expect(findEscalations(rolePolicies(privileged), emptyRoles(privileged)).map((f) => f.method)).toEqual([
      'PassRole on role observability-rollout-ci-prod-deploy, which holds permissions',
    ]);

    const anyService = stateStack();
    delete pass(anyService).condition;
    expect(check(anyService)).toEqual(['observability-rollout-ci-dev-deploy PassAgentRoleToEc2 iam:PassRole']);
  });

  test('fails when the passed agent role gains a policy', () => {
    const stack = stateStack();
    const agentId = Object.entries(stack.resource.aws_iam_role as Record<string, Json>).find(([, r]) => r.name === 'observability-rollout-dev-agent')?.[0];
    stack.data.aws_iam_policy_document.extra = { statement: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] }] };
    stack.resource.aws_iam_role_policy.extra = { name: 'extra', role: `\${aws_iam_role.${agentId}.id}`, policy: '${data.aws_iam_policy_document.extra.json}' };
    expect(check(stack)).toEqual(['observability-rollout-ci-dev-deploy PassAgentRoleToEc2 iam:PassRole']);
  });
});
