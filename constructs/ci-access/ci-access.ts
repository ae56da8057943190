import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import type { Stage } from '../../model/stage';
import { validateCiAccessProps } from './validate-ci-access-props';

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** Condition keys of GitHub's tokens in IAM. */
export const OIDC_AUD_KEY = 'token.actions.githubusercontent.com:aud';
export const OIDC_SUB_KEY = 'token.actions.githubusercontent.com:sub';
/** IAM path of the CI roles; the deploy roles may not touch roles under it. */
export const CI_ROLE_PATH = '/ci/';
/** Name of the read-only role pull requests plan with. */
export const PLAN_ROLE_NAME = 'observability-rollout-ci-plan';

/** Name of a stage's deploy role. */
export function deployRoleName(stage: string): string {
  return `observability-rollout-ci-${stage}-deploy`;
}

/** The `sub` claim of a job running in a GitHub environment (the default claim format). */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** The `sub` claim of a job triggered by a pull request. */
export function pullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

/** Props of the GitHub Actions access to AWS. */
export interface CiAccessProps {
  /** Stages with a `ci` section: one deploy role each; the plan role reads all of them.
   * @default - none, required (at least one) */
  readonly stages: readonly Stage[];
}

type Statement = DataAwsIamPolicyDocumentStatement;

/**
 * GitHub Actions OIDC access (account-wide, so it lives in the bootstrap
 * `state` stack, which only administrators apply): the OIDC provider; per
 * stage a deploy role that only a job in that stage's GitHub environment can
 * assume (`sub` pinned to `repo:<repo>:environment:<env>`, `aud` to
 * sts.amazonaws.com) and that may change only that stage's state and
 * resources; and a read-only plan role for pull requests.
 *
 * No thumbprints: AWS validates GitHub's issuer against its trusted root CAs
 * and ignores thumbprints for it (since 2023); the provider's
 * `thumbprint_list` is optional.
 */
export class CiAccess extends Construct {
  public readonly provider: IamOpenidConnectProvider;
  /** Deploy roles by stage name. */
  public readonly deployRoles: Readonly<Record<string, IamRole>>;
  public readonly planRole: IamRole;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    validateCiAccessProps(id, props);
    const stages = [...props.stages].sort((a, b) => (a.name < b.name ? -1 : 1));
    const partition = new DataAwsPartition(this, 'partition').partition;
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const arn = (service: string, region: string, resource: string, acct: string = account): string =>
      `arn:${partition}:${service}:${region}:${acct}:${resource}`;

    this.provider = new IamOpenidConnectProvider(this, 'github', { url: GITHUB_OIDC_URL, clientIdList: [GITHUB_OIDC_AUDIENCE] });

    const trust = (name: string, subjects: string[]): string =>
      new DataAwsIamPolicyDocument(this, `${name}-trust`, {
        statement: [
          {
            sid: 'GitHubActionsOidc',
            effect: 'Allow',
            actions: ['sts:AssumeRoleWithWebIdentity'],
            principals: [{ type: 'Federated', identifiers: [this.provider.arn] }],
            condition: [
              { test: 'StringEquals', variable: OIDC_AUD_KEY, values: [GITHUB_OIDC_AUDIENCE] },
              { test: 'StringEquals', variable: OIDC_SUB_KEY, values: [...new Set(subjects)].sort() },
            ],
          },
        ],
      }).json;

    const role = (name: string, roleName: string, description: string, subjects: string[], statements: Statement[]): IamRole => {
      const r = new IamRole(this, name, {
        name: roleName,
        path: CI_ROLE_PATH,
        description,
        assumeRolePolicy: trust(name, subjects),
        maxSessionDuration: 3600,
      });
      const doc = new DataAwsIamPolicyDocument(this, `${name}-permissions`, { statement: statements });
      new IamRolePolicy(this, `${name}-policy`, { name: roleName, role: r.id, policy: doc.json });
      return r;
    };

    const stateStatements = (s: Stage, write: boolean): Statement[] => {
      const objects = `arn:${partition}:s3:::${s.state.bucket}/${s.state.keyPrefix}/*`;
      const out: Statement[] = [
        { sid: 'StateList', effect: 'Allow', actions: ['s3:ListBucket'], resources: [`arn:${partition}:s3:::${s.state.bucket}`] },
        { sid: 'StateObjects', effect: 'Allow', actions: write ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'], resources: [objects] },
        {
          sid: 'StateLock',
          effect: 'Allow',
          actions: write ? ['dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem'] : ['dynamodb:DescribeTable', 'dynamodb:GetItem'],
          resources: [arn('dynamodb', s.region, `table/${s.state.lockTable}`)],
        },
      ];
      if (s.state.kmsKeyId !== undefined) {
        out.push({
          sid: 'StateKey',
          effect: 'Allow',
          actions: write ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${s.region}.amazonaws.com`, `dynamodb.${s.region}.amazonaws.com`] }],
        });
      }
      return out;
    };
    const amiParameter = (s: Stage): string =>
      s.fleet.amiSsmParameter.startsWith('/aws/')
        ? arn('ssm', s.region, `parameter${s.fleet.amiSsmParameter}`, '')
        : arn('ssm', s.region, `parameter${s.fleet.amiSsmParameter}`);
    const denies: Statement[] = [
      { sid: 'NoSecretValues', effect: 'Deny', actions: ['secretsmanager:GetSecretValue'], resources: ['*'] },
      {
        sid: 'NoCiAccessChanges',
        effect: 'Deny',
        actions: ['iam:*'],
        resources: [`arn:${partition}:iam::${account}:role${CI_ROLE_PATH}*`, `arn:${partition}:iam::${account}:oidc-provider/*`],
      },
    ];

    const deployRoles: Record<string, IamRole> = {};
    for (const s of stages) {
      const ci = s.ci as NonNullable<Stage['ci']>;
      const prefix = `observability-rollout-${s.name}-`;
      const inRegion = [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: [s.region] }];
      const statements: Statement[] = [
        ...stateStatements(s, true),
        { sid: 'Ec2Read', effect: 'Allow', actions: ['ec2:Describe*'], resources: ['*'], condition: inRegion },
        { sid: 'Ec2Create', effect: 'Allow', actions: ['ec2:CreateSecurityGroup', 'ec2:RunInstances'], resources: ['*'], condition: inRegion },
        {
          sid: 'Ec2TagOnCreate',
          effect: 'Allow',
          actions: ['ec2:CreateTags'],
          resources: ['*'],
          condition: [
            ...inRegion,
            { test: 'StringEquals', variable: 'ec2:CreateAction', values: ['AuthorizeSecurityGroupEgress', 'CreateSecurityGroup', 'RunInstances'] },
          ],
        },
        {
          sid: 'Ec2ChangeStageResources',
          effect: 'Allow',
          actions: [
            'ec2:AuthorizeSecurityGroupEgress',
            'ec2:CreateTags',
            'ec2:DeleteSecurityGroup',
            'ec2:DeleteTags',
            'ec2:ModifyInstanceAttribute',
            'ec2:ModifyInstanceMetadataOptions',
            'ec2:ModifySecurityGroupRules',
            'ec2:MonitorInstances',
            'ec2:RevokeSecurityGroupEgress',
            'ec2:StartInstances',
            'ec2:StopInstances',
            'ec2:TerminateInstances',
            'ec2:UnmonitorInstances',
            'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
          ],
          resources: ['*'],
          condition: [...inRegion, { test: 'StringEquals', variable: 'aws:ResourceTag/stage', values: [s.name] }],
        },
        {
          sid: 'StageIam',
          effect: 'Allow',
          actions: [
            'iam:AddRoleToInstanceProfile',
            'iam:CreateInstanceProfile',
            'iam:CreateRole',
            'iam:DeleteInstanceProfile',
            'iam:DeleteRole',
            'iam:DeleteRolePolicy',
            'iam:GetInstanceProfile',
            'iam:GetRole',
            'iam:GetRolePolicy',
            'iam:ListAttachedRolePolicies',
            'iam:ListInstanceProfilesForRole',
            'iam:ListRolePolicies',
            'iam:PutRolePolicy',
            'iam:RemoveRoleFromInstanceProfile',
            'iam:TagInstanceProfile',
            'iam:TagRole',
            'iam:UntagInstanceProfile',
            'iam:UntagRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:UpdateRole',
            'iam:UpdateRoleDescription',
          ],
          resources: [`arn:${partition}:iam::${account}:role/${prefix}*`, `arn:${partition}:iam::${account}:instance-profile/${prefix}*`],
        },
        {
          sid: 'PassAgentRoleToEc2',
          effect: 'Allow',
          actions: ['iam:PassRole'],
          resources: [`arn:${partition}:iam::${account}:role/${prefix}*`],
          condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }],
        },
        {
          sid: 'StageSecrets',
          effect: 'Allow',
          actions: [
            'secretsmanager:CreateSecret',
            'secretsmanager:DeleteResourcePolicy',
            'secretsmanager:DeleteSecret',
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetResourcePolicy',
            'secretsmanager:PutResourcePolicy',
            'secretsmanager:RestoreSecret',
            'secretsmanager:TagResource',
            'secretsmanager:UntagResource',
            'secretsmanager:UpdateSecret',
          ],
          resources: [arn('secretsmanager', s.region, `secret:observability-rollout/${s.name}/*`)],
        },
        { sid: 'AmiParameter', effect: 'Allow', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [amiParameter(s)] },
        ...denies,
      ];
      deployRoles[s.name] = role(
        `deploy-${s.name}`,
        deployRoleName(s.name),
        `GitHub Actions deploys of stage ${s.name}: only jobs in environment ${ci.environment} of ${ci.githubRepository}.`,
        [environmentSubject(ci.githubRepository, ci.environment)],
        statements,
      );
    }
    this.deployRoles = deployRoles;

    const repos = [...new Set(stages.map((s) => (s.ci as NonNullable<Stage['ci']>).githubRepository))].sort();
    const stores = new Map<string, Stage>();
    for (const s of stages) stores.set(`${s.state.bucket}/${s.state.keyPrefix}`, s);
    const regions = [...new Set(stages.map((s) => s.region))].sort();
    const planStatements: Statement[] = [
      ...[...stores.values()].flatMap((s) => stateStatements(s, false).map((st) => ({ ...st, sid: `${st.sid}${s.name.charAt(0).toUpperCase()}${s.name.slice(1)}` }))),
      {
        sid: 'ReadInfrastructure',
        effect: 'Allow',
        actions: ['ec2:Describe*'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: regions }],
      },
      {
        sid: 'ReadIam',
        effect: 'Allow',
        actions: ['iam:GetInstanceProfile', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListInstanceProfilesForRole', 'iam:ListRolePolicies'],
        resources: [`arn:${partition}:iam::${account}:role/observability-rollout-*`, `arn:${partition}:iam::${account}:instance-profile/observability-rollout-*`],
      },
      {
        sid: 'ReadSecretsMetadata',
        effect: 'Allow',
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
        resources: regions.map((r) => arn('secretsmanager', r, 'secret:observability-rollout/*')),
      },
      { sid: 'ReadAmiParameters', effect: 'Allow', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [...new Set(stages.map(amiParameter))].sort() },
      {
        sid: 'NoWrites',
        effect: 'Deny',
        actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:DeleteObject', 's3:PutObject'],
        resources: ['*'],
      },
      ...denies,
    ];
    this.planRole = role(
      'plan',
      PLAN_ROLE_NAME,
      `GitHub Actions pull requests of ${repos.join(', ')}: read-only terraform plan (run it with -lock=false).`,
      repos.map(pullRequestSubject),
      planStatements,
    );
  }
}
