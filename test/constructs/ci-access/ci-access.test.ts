import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { App, Testing } from 'cdktf';
import { CiAccess, deployRoleName, environmentSubject, GITHUB_OIDC_URL, PLAN_ROLE_NAME, pullRequestSubject } from '../../../constructs/ci-access/ci-access';
import { parseStage } from '../../../model/load-config';
import type { Stage } from '../../../model/stage';
import { StateStack } from '../../../stacks/state-stack';
import { minimalStageYaml, mustReplace } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO_NAME = 'acme/observability-rollout';

function stage(name: string, ci: string | undefined = `ci:\n  githubRepository: ${REPO_NAME}\n`): Stage {
  const text = `${mustReplace(minimalStageYaml(name), 'hosts:', `${ci ?? ''}hosts:`)}`;
  const res = parseStage(`stacks/stages/${name}.yaml`, text);
  if (!res.stage) throw new Error(JSON.stringify(res.problems));
  return res.stage;
}

const synth = (stages: Stage[]): Json => JSON.parse(Testing.synthScope((scope) => new CiAccess(scope, 'ci', { stages }))) as Json;

/** The role named `name`, its trust policy document and its permission policy document. */
function roleOf(json: Json, name: string): { role: Json; trust: Json; permissions: Json } {
  const roles = Object.entries(json.resource.aws_iam_role as Json);
  const [id, role] = roles.find(([, r]) => r.name === name) ?? [];
  if (!role) throw new Error(`no role ${name}`);
  const doc = (ref: string): Json => {
    const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(ref);
    if (!m) throw new Error(`not a policy document reference: ${ref}`);
    return json.data.aws_iam_policy_document[m[1]];
  };
  const policy = Object.values(json.resource.aws_iam_role_policy as Json).find((p: Json) => p.role === `\${aws_iam_role.${id}.id}`) as Json;
  return { role, trust: doc(role.assume_role_policy), permissions: doc(policy.policy) };
}

/** Minimal IAM evaluation of a trust policy for a GitHub token (StringEquals / StringLike, all conditions must hold). */
function trusts(trust: Json, providerRef: string, token: { aud: string; sub: string }): boolean {
  const like = (pattern: string, v: string): boolean =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(v);
  return (trust.statement as Json[]).some((st) => {
    if (st.effect !== 'Allow' || !st.actions.includes('sts:AssumeRoleWithWebIdentity')) return false;
    if (!st.principals.some((p: Json) => p.type === 'Federated' && p.identifiers.includes(providerRef))) return false;
    return (st.condition as Json[]).every((c) => {
      const key = c.variable.split(':').pop();
      const value = (token as Record<string, string>)[key];
      if (c.test === 'StringEquals') return c.values.includes(value);
      if (c.test === 'StringLike') return c.values.some((p: string) => like(p, value));
      return false;
    });
  });
}

describe('CiAccess', () => {
  const stages = [stage('dev'), stage('test'), stage('prod', `ci:\n  githubRepository: ${REPO_NAME}\n  environment: production\n`)];
  const json = synth(stages);
  const providerRef = `\${aws_iam_openid_connect_provider.${Object.keys(json.resource.aws_iam_openid_connect_provider)[0]}.arn}`;

  test('one GitHub OIDC provider, audience sts.amazonaws.com, no thumbprints to rot', () => {
    const out = JSON.stringify(json);
    expect(Object.keys(json.resource.aws_iam_openid_connect_provider)).toHaveLength(1);
    expect(out).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: GITHUB_OIDC_URL, client_id_list: ['sts.amazonaws.com'] });
    expect(out).not.toContain('thumbprint');
  });

  test('each deploy role trusts exactly its stage environment: sub pinned with StringEquals, aud sts.amazonaws.com', () => {
    for (const [name, env] of [
      ['dev', 'dev'],
      ['test', 'test'],
      ['prod', 'production'],
    ]) {
      const { role, trust } = roleOf(json, deployRoleName(name));
      expect(role.path).toBe('/ci/');
      expect(trust.statement).toEqual([
        {
          sid: 'GitHubActionsOidc',
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [providerRef] }],
          condition: [
            { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:aud', values: ['sts.amazonaws.com'] },
            { test: 'StringEquals', variable: 'token.actions.githubusercontent.com:sub', values: [`repo:${REPO_NAME}:environment:${env}`] },
          ],
        },
      ]);
    }
  });

  test("who may assume which role (a GitHub token's aud and sub against every trust policy)", () => {
    const roles = [...stages.map((s) => deployRoleName(s.name)), PLAN_ROLE_NAME];
    const assumable = (sub: string, aud = 'sts.amazonaws.com'): string[] => roles.filter((r) => trusts(roleOf(json, r).trust, providerRef, { aud, sub }));
    expect(assumable(environmentSubject(REPO_NAME, 'production'))).toEqual([deployRoleName('prod')]);
    expect(assumable(environmentSubject(REPO_NAME, 'dev'))).toEqual([deployRoleName('dev')]);
    expect(assumable(environmentSubject(REPO_NAME, 'prod'))).toEqual([]); // the stage name is not its environment here
    expect(assumable(pullRequestSubject(REPO_NAME))).toEqual([PLAN_ROLE_NAME]);
    expect(assumable(`repo:${REPO_NAME}:ref:refs/heads/main`)).toEqual([]); // a push to main without an environment
    expect(assumable('repo:evil/observability-rollout:environment:production')).toEqual([]); // a fork
    expect(assumable(`repo:${REPO_NAME}:environment:production`, 'https://github.com/acme')).toEqual([]); // another audience
  });

  test('no wildcard anywhere in a trust policy', () => {
    for (const r of [...stages.map((s) => deployRoleName(s.name)), PLAN_ROLE_NAME]) {
      const { trust } = roleOf(json, r);
      expect(JSON.stringify(trust)).not.toMatch(/\*|StringLike/);
    }
  });

  test('a deploy role writes only its own stage state and resources, and never reads secret values or touches CI access', () => {
    const { permissions } = roleOf(json, deployRoleName('dev'));
    const st = (sid: string): Json => (permissions.statement as Json[]).find((s) => s.sid === sid) as Json;
    expect(st('StateObjects')).toMatchObject({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.ci_partition_[0-9A-F]+\.partition\}:s3:::acme-tfstate\/stages\/dev\/\*$/)],
    });
    expect(st('StateLockItems')).toMatchObject({
      actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      condition: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['acme-tfstate/stages/dev/*'] }],
    });
    expect(st('StateLockFile')).toMatchObject({
      actions: ['s3:DeleteObject'],
      resources: [expect.stringMatching(/:s3:::acme-tfstate\/stages\/dev\/\*\.tflock$/)],
    });
    // No IAM write at all: the one IAM action passes the stage's own agent role, to EC2 only.
    const iamActions = (permissions.statement as Json[])
      .filter((s) => s.effect === 'Allow')
      .flatMap((s) => (s.actions as string[]).filter((a) => a.startsWith('iam:')));
    expect(iamActions).toEqual(['iam:PassRole']);
    expect(st('PassAgentRoleToEc2')).toMatchObject({
      resources: [expect.stringMatching(/:iam::\$\{data\.aws_caller_identity\.ci_account_[0-9A-F]+\.account_id\}:role\/observability-rollout-dev-agent$/)],
      condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }],
    });
    expect(st('StageSecrets').resources).toEqual([expect.stringMatching(/:secretsmanager:us-east-1:.*:secret:observability-rollout\/dev\/\*$/)]);
    expect(st('Ec2ChangeStageResources').condition).toContainEqual({ test: 'StringEquals', variable: 'aws:ResourceTag/stage', values: ['dev'] });
    expect(st('NoSecretValues')).toMatchObject({ effect: 'Deny', actions: ['secretsmanager:GetSecretValue'], resources: ['*'] });
    expect(st('NoCiAccessChanges')).toMatchObject({ effect: 'Deny', actions: ['iam:*'] });
    expect(st('NoCiAccessChanges').resources).toEqual([expect.stringMatching(/:role\/ci\/\*$/), expect.stringMatching(/:oidc-provider\/\*$/)]);
    const allowed = (permissions.statement as Json[]).filter((s) => s.effect === 'Allow').flatMap((s) => s.actions as string[]);
    expect(allowed).not.toContain('secretsmanager:GetSecretValue');
    expect(allowed.filter((a) => a.endsWith('*'))).toEqual(['ec2:Describe*']);
  });

  test('a deploy role launches instances only tagged with its stage, in its subnets and VPC, with encrypted volumes', () => {
    const withHosts = stage('dev', `ci:\n  githubRepository: ${REPO_NAME}\n`);
    const managed: Stage = {
      ...withHosts,
      network: { ...withHosts.network, subnetIds: ['subnet-0aaa1111'] },
      hosts: [
        ...withHosts.hosts,
        { ...withHosts.hosts[0], name: 'dev-new-01', managed: true, address: undefined, subnetId: 'subnet-0bbb2222', instanceType: 't3.small' },
      ],
    };
    const { permissions } = roleOf(synth([managed]), deployRoleName('dev'));
    const st = (sid: string): Json => (permissions.statement as Json[]).find((s) => s.sid === sid) as Json;
    const vpcArn = expect.stringMatching(/^arn:.*:ec2:us-east-1:.*:vpc\/vpc-0123abcd$/);
    expect(st('Ec2LaunchInstance')).toMatchObject({
      actions: ['ec2:RunInstances'],
      resources: [expect.stringMatching(/:ec2:us-east-1:.*:instance\/\*$/)],
      condition: [{ test: 'StringEquals', variable: 'aws:RequestTag/stage', values: ['dev'] }],
    });
    expect(st('Ec2LaunchNetwork').resources).toEqual([
      expect.stringMatching(/:subnet\/subnet-0aaa1111$/),
      expect.stringMatching(/:subnet\/subnet-0bbb2222$/),
      expect.stringMatching(/:network-interface\/\*$/),
      expect.stringMatching(/:security-group\/\*$/),
    ]);
    expect(st('Ec2LaunchNetwork').condition).toEqual([{ test: 'StringEquals', variable: 'ec2:Vpc', values: [vpcArn] }]);
    expect(st('Ec2LaunchVolume').condition).toEqual([{ test: 'Bool', variable: 'ec2:Encrypted', values: ['true'] }]);
    expect(st('Ec2CreateSecurityGroup').condition).toEqual([{ test: 'StringEquals', variable: 'aws:RequestTag/stage', values: ['dev'] }]);
    expect(st('Ec2CreateSecurityGroupInVpc').resources).toEqual([vpcArn]);
    // Every RunInstances / CreateSecurityGroup grant names a resource type; none is `*`.
    for (const statement of permissions.statement as Json[]) {
      const creates = (statement.actions as string[]).some((a) => a === 'ec2:RunInstances' || a === 'ec2:CreateSecurityGroup');
      if (creates && statement.effect === 'Allow') expect(statement.resources).not.toContain('*');
    }
  });

  test('lock permissions follow state.locking: the lock file for s3, the table items for dynamodb, both for both', () => {
    const base = stage('dev');
    const sids = (locking: 'dynamodb' | 's3' | 'both', lockTable?: string): string[] => {
      const state = {
        bucket: base.state.bucket,
        keyPrefix: base.state.keyPrefix,
        locking,
        ...(lockTable !== undefined ? { lockTable } : {}),
      } as Stage['state'];
      const json = synth([{ ...base, state }]);
      expect(JSON.stringify(json)).not.toContain('undefined');
      return (roleOf(json, deployRoleName('dev')).permissions.statement as Json[]).map((s) => s.sid).filter((sid: string) => sid.startsWith('StateLock'));
    };
    expect(sids('s3')).toEqual(['StateLockFile']);
    expect(sids('dynamodb', 'acme-tflock')).toEqual(['StateLockTable', 'StateLockItems']);
    expect(sids('both', 'acme-tflock')).toEqual(['StateLockFile', 'StateLockTable', 'StateLockItems']);
  });

  test('a stage without managed hosts gets no RunInstances at all', () => {
    const { permissions } = roleOf(json, deployRoleName('dev'));
    expect((permissions.statement as Json[]).flatMap((s) => s.actions as string[])).not.toContain('ec2:RunInstances');
  });

  test('the plan role is read-only: every allowed action reads, writes and secret values are denied', () => {
    const { role, permissions } = roleOf(json, PLAN_ROLE_NAME);
    expect(role.path).toBe('/ci/');
    const allowed = (permissions.statement as Json[]).filter((s) => s.effect === 'Allow').flatMap((s) => s.actions as string[]);
    expect(allowed.length).toBeGreaterThan(5);
    for (const a of allowed) expect(a).toMatch(/^[a-z0-9]+:(Get|List|Describe)[A-Za-z*]*$/);
    const denied = (permissions.statement as Json[]).filter((s) => s.effect === 'Deny').flatMap((s) => s.actions as string[]);
    expect(denied).toEqual(expect.arrayContaining(['s3:PutObject', 's3:DeleteObject', 'dynamodb:PutItem', 'secretsmanager:GetSecretValue']));
    // It may read the CI access and the bootstrap state (to plan the state stack in a pull request); everything else on the CI access is denied.
    const st = (sid: string): Json => (permissions.statement as Json[]).find((x) => x.sid === sid) as Json;
    expect(st('NoCiAccessChanges')).toMatchObject({ effect: 'Deny', not_actions: ['iam:Get*', 'iam:List*'] });
    expect(st('ReadBootstrapState').resources).toEqual([expect.stringMatching(/:s3:::acme-tfstate\/bootstrap\/\*$/)]);
    const stateObjects = (permissions.statement as Json[]).filter((s) => /^StateObjects/.test(s.sid)).flatMap((s) => s.resources);
    expect(stateObjects).toEqual(['dev', 'prod', 'test'].map((s) => expect.stringMatching(new RegExp(`:s3:::acme-tfstate/stages/${s}/\\*$`))));
  });

  test('a KMS-encrypted state gets key use through S3 and DynamoDB only', () => {
    const kms = stage('dev').state;
    const s = { ...stage('dev'), state: { ...kms, kmsKeyId: 'alias/tfstate' } };
    const { permissions } = roleOf(synth([s]), deployRoleName('dev'));
    expect((permissions.statement as Json[]).find((x) => x.sid === 'StateKey')).toMatchObject({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com'] }],
    });
  });

  test('invalid props: one error listing every problem', () => {
    const noCi = stage('dev', '');
    expect(() => synth([])).toThrow(/CiAccess ci: 1 invalid prop\n {2}stages: got \[\], expected at least one stage with a ci section/);
    expect(() => synth([noCi, noCi])).toThrow(
      /CiAccess ci: 3 invalid props\n {2}stages: got \["dev","dev"\], expected distinct stage names\n {2}stages\.0\.ci: got missing/,
    );
  });
});

describe('StateStack with CI access', () => {
  const stateJson = (stages: Stage[]): Json => JSON.parse(Testing.synth(new StateStack(Testing.app() as App, 'state', { stages }))) as Json;

  test('stages with a ci section get roles; a configuration without any gets no OIDC provider', () => {
    const withCi = stateJson([stage('dev'), stage('prod', '')]);
    expect(
      Object.values(withCi.resource.aws_iam_role as Json)
        .map((r: Json) => r.name)
        .sort(),
    ).toEqual([
      'observability-rollout-ci-dev-deploy',
      'observability-rollout-ci-dev-drift',
      PLAN_ROLE_NAME,
      'observability-rollout-dev-agent',
      'observability-rollout-prod-agent',
    ]);
    const without = stateJson([stage('dev', '')]);
    expect(without.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(Object.values(without.resource.aws_iam_role as Json).map((r: Json) => r.name)).toEqual(['observability-rollout-dev-agent']);
  });
});
