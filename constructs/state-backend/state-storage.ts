import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { validateStateStorageProps } from './validate-state-storage-props';

/** Props of the hardened Terraform state bucket and lock table. */
export interface StateStorageProps {
  /** Name of the S3 bucket that holds Terraform state. */
  readonly bucketName: string;
  /** Name of the DynamoDB table used for state locking.
   * @default - no table (the stages of this bucket lock with S3 lock files only) */
  readonly lockTableName?: string;
  /** KMS key (ARN or alias) for bucket and table encryption.
   * @default - the AWS-managed keys (`aws/s3`, `aws/dynamodb`) */
  readonly kmsKeyId?: string;
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

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    validateStateStorageProps(id, props);
    const keep = { preventDestroy: true };

    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, lifecycle: keep });
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
            ...(props.kmsKeyId !== undefined ? { kmsMasterKeyId: props.kmsKeyId } : {}),
          },
          bucketKeyEnabled: true,
        },
      ],
    });
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
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
        {
          sid: 'DenyInsecureTransport',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:*'],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
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
      serverSideEncryption: { enabled: true, ...(props.kmsKeyId !== undefined ? { kmsKeyArn: props.kmsKeyId } : {}) },
      deletionProtectionEnabled: true,
      lifecycle: keep,
    });
  }
}
