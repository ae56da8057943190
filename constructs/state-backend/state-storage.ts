import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { allPublicAccessBlocked, denyInsecureTransport } from '../core/bucket-guards';
import { validateStateStorageProps } from './validate-state-storage-props';

/** Props of the hardened Terraform state bucket and lock table. */
export interface StateStorageProps {
  /** Name of the S3 bucket that holds Terraform state. */
  readonly bucketName: string;
  /** Name of the DynamoDB table used for state locking.
   * @default - no table (the stages of this bucket lock with S3 lock files only) */
  readonly lockTableName?: string;
  /** KMS key (ARN or alias) for bucket and table encryption; with createKmsKey, the alias the new key gets.
   * @default - the AWS-managed keys (`aws/s3`, `aws/dynamodb`) */
  readonly kmsKeyId?: string;
  /** Create a customer-managed KMS key (annual rotation, 30-day deletion window, protected from destroy) under the alias kmsKeyId.
   * @default false */
  readonly createKmsKey?: boolean;
  /** Existing bucket that receives the state bucket's server access logs, under `s3-access/<bucket>/`.
   * @default - no access logging */
  readonly accessLogBucket?: string;
  /** Days a superseded state version is kept before it expires.
   * @default 90 */
  readonly noncurrentVersionRetentionDays?: number;
}

/**
 * The S3 bucket and DynamoDB table that hold every stage's Terraform state:
 * versioned, encrypted, never public, TLS only, protected from destroy. The
 * table is left out when no lockTableName is given (S3 lock files only).
 */
export class StateStorage extends Construct {
  /** The state bucket. */
  public readonly bucket: S3Bucket;
  /** The lock table, when there is one. */
  public readonly lockTable?: DynamodbTable;
  /** The customer-managed key, when createKmsKey. */
  public readonly kmsKey?: KmsKey;

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    validateStateStorageProps(id, props);
    const keep = { preventDestroy: true };

    // A customer-managed key: the default key policy leaves access to IAM policies of the account
    // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html); rotation yearly
    // (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
    let keyId = props.kmsKeyId;
    if (props.createKmsKey) {
      this.kmsKey = new KmsKey(this, 'kms-key', {
        description: `Terraform state in s3://${props.bucketName} and its lock table (observability-rollout)`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        lifecycle: keep,
      });
      new KmsAlias(this, 'kms-alias', { name: props.kmsKeyId as string, targetKeyId: this.kmsKey.keyId });
      keyId = this.kmsKey.arn;
    }

    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, lifecycle: keep });
    if (props.accessLogBucket !== undefined) {
      // Server access logs to an existing bucket that grants logging.s3.amazonaws.com write access
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
      new S3BucketLoggingA(this, 'access-logging', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogBucket,
        targetPrefix: `s3-access/${props.bucketName}/`,
      });
    }
    new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: 'aws:kms',
            ...(keyId !== undefined ? { kmsMasterKeyId: keyId } : {}),
          },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', allPublicAccessBlocked(this.bucket.id));
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-superseded-state',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionRetentionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, 'tls-only', {
      statement: [
        denyInsecureTransport(this.bucket.arn),
        {
          sid: 'DenyOutdatedTls',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: this.bucket.id, policy: tlsOnly.json });

    if (props.lockTableName === undefined) return;
    this.lockTable = new DynamodbTable(this, 'lock-table', {
      name: props.lockTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, ...(keyId !== undefined ? { kmsKeyArn: keyId } : {}) },
      deletionProtectionEnabled: true,
      lifecycle: keep,
    });
  }
}
