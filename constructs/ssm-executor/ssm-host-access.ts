import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Construct } from 'constructs';
import { allPublicAccessBlocked, denyInsecureTransport } from '../core/bucket-guards';
import { apiKeySecretName, ssmBucketName } from '../../model/names';
import { AWS_REGION, STAGE_NAME } from '../../model/patterns';
import { BUNDLE_PREFIX } from '../../plan/ssm/bundle';
import { OUTPUT_PREFIX } from '../../plan/ssm/ssm-plan';
import { PropsProblems } from '../core/props-validation';
import { SsmApplyDocument } from './ssm-apply-document';

/** The AWS managed policy SSM Agent needs to register and take commands (https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-instance-permissions.html). */
export const SSM_CORE_POLICY = 'AmazonSSMManagedInstanceCore';

/** Props of what a stage's hosts need to be run by State Manager. */
export interface SsmHostAccessProps {
  /** Stage name (bucket name, descriptions). */
  readonly stage: string;
  /** Region of the stage (its API key secret). */
  readonly region: string;
  /** Name of the stage's agent instance role (AgentIdentity); a name or a Terraform reference. */
  readonly roleName: string;
  /** ARN of the same role (a Terraform reference): the bucket policy lets only it and `readerRoles` read bundles. */
  readonly roleArn: string;
  /** Other roles that may read the stage's bundles, as `<path><name>` (the stage's deploy role and the plan role); nobody else may.
   * @default [] */
  readonly readerRoles?: readonly string[];
  /** Days State Manager run output is kept.
   * @default 90 */
  readonly outputRetentionDays?: number;
}

/**
 * What State Manager needs on a stage's hosts, created in the bootstrap stack
 * (administrators only; the CI roles have no IAM write): the stage's SSM
 * bucket (SSE-S3, so the hosts need no KMS grant; never public; TLS only;
 * output expires) and, on the stage's instance role, exactly
 * `AmazonSSMManagedInstanceCore`, read of `bundles/*`, write of `output/*`
 * (and reading the bucket's encryption setting, which SSM Agent checks before
 * it uploads output), plus read of the stage's own Datadog API key secret:
 * under SSM the playbook runs on the host (`-c local`), so the key is read
 * there, not on a controller (docs/ssm-executor.md, "Security").
 *
 * Also the stage's SSM document (SsmApplyDocument: the only document its
 * deploy role may associate, its bucket fixed) and, in the bucket policy, a
 * deny of reading `bundles/*` to every principal but the hosts' role and
 * `readerRoles`: an instance of another stage, or any other instance of the
 * account whose role reads S3 broadly, cannot fetch this stage's bundle, so
 * this stage's document run there fails before anything runs.
 */
export class SsmHostAccess extends Construct {
  public readonly bucket: S3Bucket;
  public readonly document: SsmApplyDocument;

  constructor(scope: Construct, id: string, props: SsmHostAccessProps) {
    super(scope, id);
    const p = new PropsProblems(`SsmHostAccess ${id}`);
    p.checkFormat(STAGE_NAME, 'stage', props.stage);
    p.checkFormat(AWS_REGION, 'region', props.region);
    const days = props.outputRetentionDays;
    p.check(days === undefined || (Number.isInteger(days) && days >= 1), 'outputRetentionDays', days, 'a whole number of days >= 1');
    p.throwIfAny();

    const partition = new DataAwsPartition(this, 'partition').partition;
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    this.bucket = new S3Bucket(this, 'bucket', { bucket: ssmBucketName(props.stage, account) });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', allPublicAccessBlocked(this.bucket.id));
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-run-output',
          status: 'Enabled',
          filter: [{ prefix: OUTPUT_PREFIX }],
          expiration: [{ days: days ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const readers = [props.roleArn, ...(props.readerRoles ?? []).map((role) => `arn:${partition}:iam::${account}:role/${role}`)];
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        denyInsecureTransport(this.bucket.arn),
        {
          // aws:PrincipalArn of an assumed-role session is the role's ARN (with its path):
          // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
          sid: 'OnlyStageReadsBundles',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [`${this.bucket.arn}/${BUNDLE_PREFIX}*`],
          condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: readers }],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json });

    new IamRolePolicyAttachment(this, 'ssm-core', { role: props.roleName, policyArn: `arn:${partition}:iam::aws:policy/${SSM_CORE_POLICY}` });
    const hostPolicy = new DataAwsIamPolicyDocument(this, 'host-permissions', {
      statement: [
        { sid: 'ReadPlaybookBundles', effect: 'Allow', actions: ['s3:GetObject'], resources: [`${this.bucket.arn}/${BUNDLE_PREFIX}*`] },
        {
          // aws:downloadContent lists the key's prefix before it downloads (aws/amazon-ssm-agent
          // agent/plugins/downloadcontent/s3resource/s3resource.go, ListS3Directory); only under bundles/.
          sid: 'ListPlaybookBundles',
          effect: 'Allow',
          actions: ['s3:ListBucket'],
          resources: [this.bucket.arn],
          condition: [{ test: 'StringLike', variable: 's3:prefix', values: [`${BUNDLE_PREFIX}*`] }],
        },
        { sid: 'WriteRunOutput', effect: 'Allow', actions: ['s3:PutObject'], resources: [`${this.bucket.arn}/${OUTPUT_PREFIX}*`] },
        { sid: 'ReadBucketEncryption', effect: 'Allow', actions: ['s3:GetEncryptionConfiguration'], resources: [this.bucket.arn] },
        {
          sid: 'ReadStageApiKey',
          effect: 'Allow',
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends 6 random characters to a secret's ARN.
          resources: [`arn:${partition}:secretsmanager:${props.region}:${account}:secret:${apiKeySecretName(props.stage)}-??????`],
        },
      ],
    });
    new IamRolePolicy(this, 'host-policy', { name: 'ssm-executor', role: props.roleName, policy: hostPolicy.json });
    this.document = new SsmApplyDocument(this, 'apply-document', {
      stage: props.stage,
      bucketName: this.bucket.bucket,
      bucketRegionalDomainName: this.bucket.bucketRegionalDomainName,
    });
  }
}
