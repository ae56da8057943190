import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
  DataAwsIamPolicyDocumentStatementCondition,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { agentRoleName, BATCH_TAG_KEY, BOOTSTRAP_KEY_PREFIX, HOST_TAG_KEY, PRODUCT, ssmBucketName, stageSecretPrefix } from '../../model/names';
import { BUNDLE_PREFIX } from '../../plan/ssm/bundle';
import { ssmDocumentName } from '../../plan/ssm/ssm-document';
import { locksWithDynamoDb, locksWithLockFile, stateKey, type Stage } from '../../model/stage';
import { DEPLOY_BRANCH } from '../github-environments/github-environments';
import { validateCiAccessProps } from './validate-ci-access-props';

/** GitHub Actions' OIDC issuer. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';
/** Condition keys of GitHub's tokens in IAM. */
export const OIDC_AUD_KEY = 'token.actions.githubusercontent.com:aud';
export const OIDC_SUB_KEY = 'token.actions.githubusercontent.com:sub';
/**
 * The job's workflow file and ref, as a condition key. AWS STS evaluates
 * some GitHub-specific claims in trust policies since January 2026: `actor`,
 * `actor_id`, `job_workflow_ref`, `repository`, `repository_id`, `workflow`,
 * `ref`, `environment`, `enterprise_id`; NOT `workflow_ref`
 * (https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/,
 * read through its summaries https://dev.classmethod.jp/en/articles/aws-sts-oidc-github-google-circleci-oci
 * and https://cageyv.dev/posts/aws-sts-oidc-claim-validation). Before that
 * only `aud` and `sub` (with `amr`, `azp`, `email`, `oaud`) were keys, and
 * GitHub's AWS guide still says custom claims are unsupported
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
 * Either way the role fails closed: a condition on a key STS does not set
 * never matches (StringEquals on a missing key is false), so an STS without
 * the key refuses the role rather than ignoring the pin. GitHub sets
 * `job_workflow_ref` in every job's token; for a job not called from a
 * reusable workflow it equals `workflow_ref`
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect,
 * "Understanding the OIDC token").
 */
export const OIDC_JOB_WORKFLOW_REF_KEY = 'token.actions.githubusercontent.com:job_workflow_ref';
/** The daily drift workflow, the only one a drift role trusts. */
export const DRIFT_WORKFLOW = '.github/workflows/drift.yml';
/** IAM path of the CI roles; the deploy roles may not touch roles under it. */
export const CI_ROLE_PATH = '/ci/';
/** Name of the read-only role pull requests plan with. */
export const PLAN_ROLE_NAME = `${PRODUCT}-ci-plan`;

/** Name of a stage's deploy role. */
export function deployRoleName(stage: string): string {
  return `${PRODUCT}-ci-${stage}-deploy`;
}

/** The `sub` claim of a job running in a GitHub environment (the default claim format). */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** Name of a stage's drift-reader role. */
export function driftRoleName(stage: string): string {
  return `${PRODUCT}-ci-${stage}-drift`;
}

/**
 * The `sub` claim of a job on a branch without an environment (a `schedule`
 * or `workflow_dispatch` run on the default branch):
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>`, and the `job_workflow_ref`
 * of a job defined in `workflow` at that branch:
 * `<owner>/<repo>/<workflow>@refs/heads/<branch>`. Source: "Understanding
 * the OIDC token" and "Example subject claims",
 * https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect.
 */
export function branchSubject(repository: string, branch: string): string {
  return `repo:${repository}:ref:refs/heads/${branch}`;
}

/** The `job_workflow_ref` claim of a job defined in `workflow` (a path in the repository) at `branch`. */
export function jobWorkflowRef(repository: string, workflow: string, branch: string): string {
  return `${repository}/${workflow}@refs/heads/${branch}`;
}

/** The `sub` claim of a job triggered by a pull request. */
export function pullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

/** Props of the GitHub Actions access to AWS. */
export interface CiAccessProps {
  /** Stages with a `ci` section: one deploy role each; the plan role reads all of them (at least one). */
  readonly stages: readonly Stage[];
}

type Statement = DataAwsIamPolicyDocumentStatement;

type Condition = DataAwsIamPolicyDocumentStatementCondition[];
type CiSettings = NonNullable<Stage['ci']>;

/** The partition and account the ARNs of the policies are built in (both Terraform references). */
interface ArnContext {
  readonly partition: string;
  readonly account: string;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; `account` defaults to the caller's. */
function arnOf(context: ArnContext, service: string, region: string, resource: string, account: string = context.account): string {
  return `arn:${context.partition}:${service}:${region}:${account}:${resource}`;
}

/** The ARN of an IAM resource (`role/...`, `instance-profile/...`, `oidc-provider/...`) in the caller's account. */
function iamArn(context: ArnContext, resource: string): string {
  return `arn:${context.partition}:iam::${context.account}:${resource}`;
}

/** The stage's `ci` section (validateCiAccessProps guarantees every stage has one). */
function ciOf(stage: Stage): CiSettings {
  return stage.ci as CiSettings;
}

/** The stages sorted by name, so resources come out in a stable order. */
function sortedByName(stages: readonly Stage[]): Stage[] {
  return [...stages].sort((left, right) => (left.name < right.name ? -1 : 1));
}

/** `name` with its first letter upper-cased (`dev` -> `Dev`), for statement ids. */
function capitalized(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** Condition: the request goes to one of `regions`. */
function requestedRegionIn(regions: string[]): Condition {
  return [{ test: 'StringEquals', variable: 'aws:RequestedRegion', values: regions }];
}

/** ARN of the stage's AMI SSM parameter (AWS public parameters under `/aws/` have no account). */
function amiParameterArn(context: ArnContext, stage: Stage): string {
  return stage.fleet.amiSsmParameter.startsWith('/aws/')
    ? arnOf(context, 'ssm', stage.region, `parameter${stage.fleet.amiSsmParameter}`, '')
    : arnOf(context, 'ssm', stage.region, `parameter${stage.fleet.amiSsmParameter}`);
}

/**
 * The stage's own lock items: Terraform's S3 backend keys a DynamoDB lock by
 * `<bucket>/<key>` (and its digest by `<bucket>/<key>-md5`), so every lock of
 * the stage starts with `<bucket>/<keyPrefix>/`. Source:
 * hashicorp/terraform internal/backend/remote-state/s3/client.go, `lockPath()`.
 */
function stageLockKeys(stage: Stage): string {
  return `${stage.state.bucket}/${stage.state.keyPrefix}/*`;
}

/**
 * StateList, StateObjects, StateLockFile, StateLockTable, StateLockItems (and
 * StateKey): the stage's state, read-write or read-only. Writes reach only
 * the stage's own lock items: `dynamodb:LeadingKeys` pins the partition key
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html),
 * and S3-native locking (`use_lockfile`) writes `<key>.tflock` beside the
 * state, which the deploy role may delete and nothing else under the prefix
 * (https://developer.hashicorp.com/terraform/language/backend/s3, "S3 State Locking").
 */
function stateStatements(context: ArnContext, stage: Stage, write: boolean): Statement[] {
  const prefix = `arn:${context.partition}:s3:::${stage.state.bucket}/${stage.state.keyPrefix}`;
  const statements: Statement[] = [
    { sid: 'StateList', effect: 'Allow', actions: ['s3:ListBucket'], resources: [`arn:${context.partition}:s3:::${stage.state.bucket}`] },
    { sid: 'StateObjects', effect: 'Allow', actions: write ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'], resources: [`${prefix}/*`] },
    ...(write && locksWithLockFile(stage.state.locking)
      ? [{ sid: 'StateLockFile', effect: 'Allow', actions: ['s3:DeleteObject'], resources: [`${prefix}/*.tflock`] }]
      : []),
    ...lockTableStatements(context, stage, write),
  ];
  if (stage.state.kmsKeyId !== undefined) statements.push(stateKeyStatement(stage, write));
  return statements;
}

/** StateLockTable, StateLockItems: the stage's own items of the lock table, when the stage locks with DynamoDB. */
function lockTableStatements(context: ArnContext, stage: Stage, write: boolean): Statement[] {
  if (!locksWithDynamoDb(stage.state.locking) || stage.state.lockTable === undefined) return [];
  const table = arnOf(context, 'dynamodb', stage.region, `table/${stage.state.lockTable}`);
  return [
    { sid: 'StateLockTable', effect: 'Allow', actions: ['dynamodb:DescribeTable'], resources: [table] },
    {
      sid: 'StateLockItems',
      effect: 'Allow',
      actions: write ? ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'] : ['dynamodb:GetItem'],
      resources: [table],
      condition: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: [stageLockKeys(stage)] }],
    },
  ];
}

/** StateKey: the state's KMS key, only through S3 and DynamoDB in the stage's region. */
function stateKeyStatement(stage: Stage, write: boolean): Statement {
  return {
    sid: 'StateKey',
    effect: 'Allow',
    actions: write ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    resources: ['*'],
    condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${stage.region}.amazonaws.com`, `dynamodb.${stage.region}.amazonaws.com`] }],
  };
}

/** NoSecretValues, NoCiAccessChanges: denies every CI role carries. */
function guardrailDenies(context: ArnContext, readCiAccess = false): Statement[] {
  const ciAccess = [iamArn(context, `role${CI_ROLE_PATH}*`), iamArn(context, 'oidc-provider/*')];
  return [
    { sid: 'NoSecretValues', effect: 'Deny', actions: ['secretsmanager:GetSecretValue'], resources: ['*'] },
    // The plan role may read the CI access (to plan the state stack); nobody in CI may change it.
    readCiAccess
      ? { sid: 'NoCiAccessChanges', effect: 'Deny', notActions: ['iam:Get*', 'iam:List*'], resources: ciAccess }
      : { sid: 'NoCiAccessChanges', effect: 'Deny', actions: ['iam:*'], resources: ciAccess },
  ];
}

/**
 * ReadBootstrapState, ReadCiAccess: what planning the bootstrap stacks in a
 * pull request reads: their state (`bootstrap/*` of each state bucket: IAM,
 * bucket and environment settings, no secret) and the CI roles and OIDC
 * provider. Read only; the stacks are applied by an administrator.
 */
function readBootstrapStatements(context: ArnContext, stages: Stage[]): Statement[] {
  const buckets = [...new Set(stages.map((stage) => stage.state.bucket))].sort();
  return [
    {
      sid: 'ReadBootstrapState',
      effect: 'Allow',
      actions: ['s3:GetObject'],
      resources: buckets.map((bucket) => `arn:${context.partition}:s3:::${bucket}/${BOOTSTRAP_KEY_PREFIX}/*`),
    },
    {
      sid: 'ReadCiAccess',
      effect: 'Allow',
      actions: ['iam:GetOpenIDConnectProvider', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
      resources: [iamArn(context, `role${CI_ROLE_PATH}*`), iamArn(context, 'oidc-provider/*')],
    },
  ];
}

/** Subnets the stage's managed hosts may be launched in: those the hosts name and network.subnetIds, sorted. */
function stageSubnets(stage: Stage): string[] {
  const fromHosts = stage.hosts.filter((host) => host.managed && host.subnetId !== undefined).map((host) => host.subnetId as string);
  return [...new Set([...fromHosts, ...stage.network.subnetIds])].sort();
}

/**
 * Condition: the request tags the new resource `stage=<stage>`. The AWS
 * provider sends its default tags (stacks/tags.ts) in the create call's
 * TagSpecifications (hashicorp/terraform-provider-aws
 * internal/service/ec2/vpc_security_group.go and ec2_instance.go), so the
 * tag is in the request, not added afterwards.
 */
function requestTagsStage(stage: Stage): Condition {
  return [{ test: 'StringEquals', variable: 'aws:RequestTag/stage', values: [stage.name] }];
}

/**
 * Ec2Read, Ec2LaunchInstance, Ec2LaunchNetwork, Ec2LaunchVolume,
 * Ec2LaunchImage, Ec2CreateSecurityGroup, Ec2CreateSecurityGroupInVpc,
 * Ec2TagOnCreate: describe in the stage's region; launch instances only
 * tagged with the stage, only into the stage's subnets and VPC, only with
 * encrypted volumes; create security groups only tagged with the stage and
 * only in its VPC. RunInstances authorizes each resource it touches
 * separately, hence one statement per resource type
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances;
 * condition keys: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 */
function ec2CreateStatements(context: ArnContext, stage: Stage): Statement[] {
  const inRegion = requestedRegionIn([stage.region]);
  const ec2 = (resource: string, account: string = context.account): string => arnOf(context, 'ec2', stage.region, resource, account);
  const vpc = ec2(`vpc/${stage.network.vpcId}`);
  const subnets = stageSubnets(stage);
  const launch: Statement[] =
    subnets.length === 0
      ? []
      : [
          { sid: 'Ec2LaunchInstance', effect: 'Allow', actions: ['ec2:RunInstances'], resources: [ec2('instance/*')], condition: requestTagsStage(stage) },
          {
            sid: 'Ec2LaunchNetwork',
            effect: 'Allow',
            actions: ['ec2:RunInstances'],
            resources: [...subnets.map((subnet) => ec2(`subnet/${subnet}`)), ec2('network-interface/*'), ec2('security-group/*')],
            condition: [{ test: 'StringEquals', variable: 'ec2:Vpc', values: [vpc] }],
          },
          {
            sid: 'Ec2LaunchVolume',
            effect: 'Allow',
            actions: ['ec2:RunInstances'],
            resources: [ec2('volume/*')],
            condition: [{ test: 'Bool', variable: 'ec2:Encrypted', values: ['true'] }],
          },
          // AMIs belong to their publisher (no account in the ARN); which one is the stage's SSM parameter's choice.
          { sid: 'Ec2LaunchImage', effect: 'Allow', actions: ['ec2:RunInstances'], resources: [ec2('image/*', '')] },
        ];
  return [
    { sid: 'Ec2Read', effect: 'Allow', actions: ['ec2:Describe*'], resources: ['*'], condition: inRegion },
    ...launch,
    {
      sid: 'Ec2CreateSecurityGroup',
      effect: 'Allow',
      actions: ['ec2:CreateSecurityGroup'],
      resources: [ec2('security-group/*')],
      condition: requestTagsStage(stage),
    },
    { sid: 'Ec2CreateSecurityGroupInVpc', effect: 'Allow', actions: ['ec2:CreateSecurityGroup'], resources: [vpc] },
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
  ];
}

/** Ec2ChangeStageResources: change only EC2 resources tagged with the stage, in its region. */
function ec2ChangeStageResourcesStatement(stage: Stage): Statement {
  return {
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
    condition: [...requestedRegionIn([stage.region]), { test: 'StringEquals', variable: 'aws:ResourceTag/stage', values: [stage.name] }],
  };
}

/**
 * PassAgentRoleToEc2: the only IAM action a deploy role has. It passes the
 * one role the bootstrap stack made for the stage's hosts (no permissions of
 * its own), to EC2 only; it creates, changes and deletes no IAM at all.
 */
function passAgentRoleStatement(context: ArnContext, stage: Stage): Statement {
  return {
    sid: 'PassAgentRoleToEc2',
    effect: 'Allow',
    actions: ['iam:PassRole'],
    resources: [iamArn(context, `role/${agentRoleName(stage.name)}`)],
    condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }],
  };
}

/** StageSecrets: manage (but not read) the stage's Secrets Manager secrets. */
function stageSecretsStatement(context: ArnContext, stage: Stage): Statement {
  return {
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
    resources: [arnOf(context, 'secretsmanager', stage.region, `secret:${stageSecretPrefix(stage.name)}*`)],
  };
}

/** AmiParameter: read the stage's AMI SSM parameter. */
function amiParameterStatement(context: ArnContext, stage: Stage): Statement {
  return { sid: 'AmiParameter', effect: 'Allow', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [amiParameterArn(context, stage)] };
}

/**
 * SsmBundles, SsmAssociations*, SsmTagExistingHosts, SsmNoOtherDocuments:
 * what applying a stage's SSM executor takes (only for stages with
 * rollout.executor ssm). Bundles: only `bundles/*` of the stage's own bucket.
 * Associations: only of the stage's own account-owned document
 * (plan/ssm/ssm-document.ts, created by the bootstrap stack, its bucket fixed),
 * created only tagged `stage=<stage>`, changed and deleted only when tagged so:
 * an association ARN is `association/<id>`, unknown before it exists, so the
 * tag is what ties one to its stage, and UpdateAssociation does not require
 * the document resource (it could rewrite another association's parameters
 * without naming its document). Nothing else of SSM: an explicit deny of
 * every other document, of commands, sessions, automation and document
 * writes. Tags: only the two rollout tags, only on the stage file's own
 * instances (they need not carry the stage tag yet). Actions, resource types
 * (CreateAssociation: association* and document*, instance and
 * managed-instance only when the request names instances, which ours never
 * do; UpdateAssociation: association*, document optional) and condition keys
 * (aws:RequestTag, aws:ResourceTag, aws:TagKeys on association):
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html.
 * docs/ssm-executor.md, "Security", says what is left and why.
 */
function ssmExecutorStatements(context: ArnContext, stage: Stage, write: boolean): Statement[] {
  if (stage.rollout.executor !== 'ssm') return [];
  const bundles = `arn:${context.partition}:s3:::${ssmBucketName(stage.name, context.account)}/${BUNDLE_PREFIX}*`;
  const association = arnOf(context, 'ssm', stage.region, 'association/*');
  const document = arnOf(context, 'ssm', stage.region, `document/${ssmDocumentName(stage.name)}`);
  const instances = stage.hosts.filter((h) => h.instanceId !== undefined).map((h) => arnOf(context, 'ec2', stage.region, `instance/${h.instanceId}`));
  const stageTag = (key: 'aws:RequestTag' | 'aws:ResourceTag', test = 'StringEquals'): Condition => [{ test, variable: `${key}/stage`, values: [stage.name] }];
  const read: Statement[] = [
    { sid: 'SsmBundles', effect: 'Allow', actions: ['s3:GetObject', 's3:GetObjectTagging'], resources: [bundles] },
    { sid: 'SsmAssociations', effect: 'Allow', actions: ['ssm:DescribeAssociation', 'ssm:ListTagsForResource'], resources: [association, document] },
  ];
  if (!write) return read;
  return [
    { ...read[0], actions: ['s3:DeleteObject', 's3:GetObject', 's3:GetObjectTagging', 's3:PutObject', 's3:PutObjectTagging'] },
    read[1],
    // The document side of every association call: this stage's document only.
    {
      sid: 'SsmAssociationsOfStageDocument',
      effect: 'Allow',
      actions: ['ssm:CreateAssociation', 'ssm:DeleteAssociation', 'ssm:UpdateAssociation'],
      resources: [document],
    },
    // The association side: new ones carry the stage tag; existing ones are changed only when they carry it.
    { sid: 'SsmCreateStageAssociations', effect: 'Allow', actions: ['ssm:CreateAssociation'], resources: [association], condition: stageTag('aws:RequestTag') },
    {
      sid: 'SsmChangeStageAssociations',
      effect: 'Allow',
      actions: ['ssm:AddTagsToResource', 'ssm:DeleteAssociation', 'ssm:RemoveTagsFromResource', 'ssm:UpdateAssociation'],
      resources: [association],
      // ...and a tag change may not hand one to another stage.
      condition: [...stageTag('aws:ResourceTag'), ...stageTag('aws:RequestTag', 'StringEqualsIfExists')],
    },
    {
      sid: 'SsmNoOtherDocuments',
      effect: 'Deny',
      actions: ['ssm:CreateAssociation', 'ssm:CreateAssociationBatch', 'ssm:UpdateAssociation'],
      notResources: [association, document],
    },
    {
      sid: 'SsmNoCommandsOrDocumentWrites',
      effect: 'Deny',
      actions: [
        'ssm:CreateDocument',
        'ssm:DeleteDocument',
        'ssm:ModifyDocumentPermission',
        'ssm:PutResourcePolicy',
        'ssm:SendCommand',
        'ssm:StartAutomationExecution',
        'ssm:StartSession',
        'ssm:UpdateDocument',
        'ssm:UpdateDocumentDefaultVersion',
      ],
      resources: ['*'],
    },
    ...(instances.length === 0
      ? []
      : [
          {
            sid: 'SsmTagExistingHosts',
            effect: 'Allow',
            actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
            resources: instances,
            condition: [{ test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: [BATCH_TAG_KEY, HOST_TAG_KEY] }],
          },
        ]),
  ];
}

/** Every statement of a stage's deploy role, in policy order. */
function deployStatements(context: ArnContext, stage: Stage): Statement[] {
  return [
    ...stateStatements(context, stage, true),
    ...ec2CreateStatements(context, stage),
    ec2ChangeStageResourcesStatement(stage),
    passAgentRoleStatement(context, stage),
    stageSecretsStatement(context, stage),
    amiParameterStatement(context, stage),
    ...ssmExecutorStatements(context, stage, true),
    ...guardrailDenies(context),
  ];
}

/** The stages of each distinct state store (bucket and key prefix): the last stage of each, in order of first appearance. */
function stagesByStateStore(stages: Stage[]): Stage[] {
  const stores = new Map<string, Stage>();
  for (const stage of stages) stores.set(`${stage.state.bucket}/${stage.state.keyPrefix}`, stage);
  return [...stores.values()];
}

/** State<...><Stage>: read-only state statements of every distinct state store, sids suffixed with the stage name. */
function planStateStatements(context: ArnContext, stages: Stage[]): Statement[] {
  return stagesByStateStore(stages).flatMap((stage) =>
    stateStatements(context, stage, false).map((statement) => ({ ...statement, sid: `${statement.sid}${capitalized(stage.name)}` })),
  );
}

/** ReadInfrastructure: describe EC2 in the stages' regions. */
function readInfrastructureStatement(regions: string[]): Statement {
  return { sid: 'ReadInfrastructure', effect: 'Allow', actions: ['ec2:Describe*'], resources: ['*'], condition: requestedRegionIn(regions) };
}

/** ReadIam: read the rollout's roles and instance profiles. */
function readIamStatement(context: ArnContext): Statement {
  return {
    sid: 'ReadIam',
    effect: 'Allow',
    actions: [
      'iam:GetInstanceProfile',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
      'iam:ListRolePolicies',
    ],
    resources: [iamArn(context, `role/${PRODUCT}-*`), iamArn(context, `instance-profile/${PRODUCT}-*`)],
  };
}

/** ReadSecretsMetadata: describe (not read) the rollout's secrets in the stages' regions. */
function readSecretsMetadataStatement(context: ArnContext, regions: string[]): Statement {
  return {
    sid: 'ReadSecretsMetadata',
    effect: 'Allow',
    actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
    resources: regions.map((region) => arnOf(context, 'secretsmanager', region, `secret:${PRODUCT}/*`)),
  };
}

/** ReadAmiParameters: read every stage's AMI SSM parameter. */
function readAmiParametersStatement(context: ArnContext, stages: Stage[]): Statement {
  const parameters = [...new Set(stages.map((stage) => amiParameterArn(context, stage)))].sort();
  return { sid: 'ReadAmiParameters', effect: 'Allow', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: parameters };
}

/** NoWrites: deny writing state or locks, whatever else allows it. */
function noWritesStatement(): Statement {
  return {
    sid: 'NoWrites',
    effect: 'Deny',
    actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 's3:DeleteObject', 's3:PutObject'],
    resources: ['*'],
  };
}

/** Every statement of the read-only plan role, in policy order. */
function planStatements(context: ArnContext, stages: Stage[]): Statement[] {
  const regions = [...new Set(stages.map((stage) => stage.region))].sort();
  return [
    ...planStateStatements(context, stages),
    readInfrastructureStatement(regions),
    readIamStatement(context),
    readSecretsMetadataStatement(context, regions),
    readAmiParametersStatement(context, stages),
    ...stages.flatMap((stage) => ssmExecutorStatements(context, stage, false).map((st) => ({ ...st, sid: `${st.sid}${capitalized(stage.name)}` }))),
    ...readBootstrapStatements(context, stages),
    noWritesStatement(),
    ...guardrailDenies(context, true),
  ];
}

/**
 * DriftReadState (and DriftStateKey): what the daily drift job reads, the
 * stage's observability state object and nothing else. `aws s3 cp
 * s3://<bucket>/<key> -` is one HeadObject and one GetObject, both
 * authorized by `s3:GetObject` on the object
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html,
 * "Permissions"); no `s3:ListBucket` (a missing key then answers 403, not
 * 404: fine, drift reports the stage unknown), no lock (reading takes none),
 * no other stage, no infra state. A KMS-encrypted state needs `kms:Decrypt`
 * through S3 in the stage's region, for this object only: S3 passes the
 * encryption context `aws:s3:arn` = the bucket ARN with S3 Bucket Keys (the
 * state bucket enables them, constructs/state-backend/state-storage.ts), the
 * object ARN without
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-bucket-key.html).
 */
function driftStatements(context: ArnContext, stage: Stage): Statement[] {
  const bucket = `arn:${context.partition}:s3:::${stage.state.bucket}`;
  const object = `${bucket}/${stateKey(stage, 'observability')}`;
  const statements: Statement[] = [{ sid: 'DriftReadState', effect: 'Allow', actions: ['s3:GetObject'], resources: [object] }];
  if (stage.state.kmsKeyId !== undefined) {
    statements.push({
      sid: 'DriftStateKey',
      effect: 'Allow',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${stage.region}.amazonaws.com`] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [bucket, object] },
      ],
    });
  }
  return [...statements, noWritesStatement(), ...guardrailDenies(context)];
}

/**
 * GitHub Actions OIDC access (account-wide, so it lives in the bootstrap
 * `state` stack, which only administrators apply): the OIDC provider; per
 * stage a deploy role that only a job in that stage's GitHub environment can
 * assume (`sub` pinned to `repo:<repo>:environment:<env>`, `aud` to
 * sts.amazonaws.com) and that may change only that stage's state and
 * resources; a read-only plan role for pull requests; and per stage a
 * drift-reader role that only the daily drift workflow on the default
 * branch can assume (`sub` = `repo:<repo>:ref:refs/heads/main` AND
 * `job_workflow_ref` = `<repo>/.github/workflows/drift.yml@refs/heads/main`)
 * and that may read only the stage's observability state object.
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
  /** Drift-reader roles by stage name. */
  public readonly driftRoles: Readonly<Record<string, IamRole>>;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    validateCiAccessProps(id, props);
    const stages = sortedByName(props.stages);
    const arnContext = this.createArnContext();
    this.provider = new IamOpenidConnectProvider(this, 'github', { url: GITHUB_OIDC_URL, clientIdList: [GITHUB_OIDC_AUDIENCE] });
    this.deployRoles = Object.fromEntries(stages.map((stage) => [stage.name, this.deployRole(arnContext, stage)]));
    this.planRole = this.buildPlanRole(arnContext, stages);
    this.driftRoles = Object.fromEntries(stages.map((stage) => [stage.name, this.driftRole(arnContext, stage)]));
  }

  /** The partition and account data sources the ARNs are built from. */
  private createArnContext(): ArnContext {
    const partition = new DataAwsPartition(this, 'partition').partition;
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    return { partition, account };
  }

  /** Trust policy JSON: GitHub's OIDC tokens for sts.amazonaws.com with one of `subjects` (and every `extra` condition) may assume the role. */
  private trustPolicy(name: string, subjects: string[], extra: Condition = []): string {
    return new DataAwsIamPolicyDocument(this, `${name}-trust`, {
      statement: [
        {
          sid: 'GitHubActionsOidc',
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [this.provider.arn] }],
          condition: [
            { test: 'StringEquals', variable: OIDC_AUD_KEY, values: [GITHUB_OIDC_AUDIENCE] },
            { test: 'StringEquals', variable: OIDC_SUB_KEY, values: [...new Set(subjects)].sort() },
            ...extra,
          ],
        },
      ],
    }).json;
  }

  /** A CI role under CI_ROLE_PATH with its trust policy and one inline policy of `statements`. */
  private ciRole(name: string, roleName: string, description: string, subjects: string[], statements: Statement[], extraTrust: Condition = []): IamRole {
    const role = new IamRole(this, name, {
      name: roleName,
      path: CI_ROLE_PATH,
      description,
      assumeRolePolicy: this.trustPolicy(name, subjects, extraTrust),
      maxSessionDuration: 3600,
    });
    const permissions = new DataAwsIamPolicyDocument(this, `${name}-permissions`, { statement: statements });
    new IamRolePolicy(this, `${name}-policy`, { name: roleName, role: role.id, policy: permissions.json });
    return role;
  }

  /** The stage's deploy role, assumable only by jobs in its GitHub environment. */
  private deployRole(arnContext: ArnContext, stage: Stage): IamRole {
    const ci = ciOf(stage);
    return this.ciRole(
      `deploy-${stage.name}`,
      deployRoleName(stage.name),
      `GitHub Actions deploys of stage ${stage.name}: only jobs in environment ${ci.environment} of ${ci.githubRepository}.`,
      [environmentSubject(ci.githubRepository, ci.environment)],
      deployStatements(arnContext, stage),
    );
  }

  /** The read-only plan role, assumable by pull-request jobs of every stage's repository. */
  private buildPlanRole(arnContext: ArnContext, stages: Stage[]): IamRole {
    const repositories = [...new Set(stages.map((stage) => ciOf(stage).githubRepository))].sort();
    return this.ciRole(
      'plan',
      PLAN_ROLE_NAME,
      `GitHub Actions pull requests of ${repositories.join(', ')}: read-only terraform plan (run it with -lock=false).`,
      repositories.map(pullRequestSubject),
      planStatements(arnContext, stages),
    );
  }

  /** The stage's drift-reader role, assumable only by jobs of the drift workflow on the default branch. */
  private driftRole(arnContext: ArnContext, stage: Stage): IamRole {
    const repository = ciOf(stage).githubRepository;
    const workflowRef = jobWorkflowRef(repository, DRIFT_WORKFLOW, DEPLOY_BRANCH);
    return this.ciRole(
      `drift-${stage.name}`,
      driftRoleName(stage.name),
      `GitHub Actions daily drift of stage ${stage.name}: only ${workflowRef}; reads the stage's observability state object, nothing else.`,
      [branchSubject(repository, DEPLOY_BRANCH)],
      driftStatements(arnContext, stage),
      [{ test: 'StringEquals', variable: OIDC_JOB_WORKFLOW_REF_KEY, values: [workflowRef] }],
    );
  }
}
