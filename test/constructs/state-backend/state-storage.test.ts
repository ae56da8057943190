import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { Testing } from 'cdktf';
import { StateStorage, StateStorageProps } from '../../../constructs/state-backend/state-storage';

const props: StateStorageProps = { bucketName: 'acme-tfstate', lockTableName: 'acme-tflock' };
const synth = (p: StateStorageProps = props): string => Testing.synthScope((scope) => new StateStorage(scope, 'storage', p));

describe('StateStorage', () => {
  test('the bucket is versioned, KMS-encrypted, never public, ACL-free and protected from destroy', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(S3Bucket, { bucket: 'acme-tfstate', lifecycle: { prevent_destroy: true } });
    expect(out).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    expect(out).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }],
    });
    expect(out).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(out).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: 'BucketOwnerEnforced' } });
    expect(out).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 90 }] })],
    });
  });

  test('the bucket policy denies every request without TLS, or with TLS older than 1.2', () => {
    const out = synth();
    expect(out).toHaveDataSourceWithProperties(DataAwsIamPolicyDocument, {
      statement: [
        expect.objectContaining({
          effect: 'Deny',
          actions: ['s3:*'],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        }),
        expect.objectContaining({
          effect: 'Deny',
          condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
        }),
      ],
    });
    const json = JSON.parse(out);
    const policy = Object.values(json.resource.aws_s3_bucket_policy)[0] as { policy: string; bucket: string };
    expect(policy.policy).toMatch(/^\$\{data\.aws_iam_policy_document\.storage_tls-only_[0-9A-F]+\.json\}$/);
  });

  test('the lock table has a LockID hash key, on-demand billing, PITR, encryption and protection', () => {
    expect(synth()).toHaveResourceWithProperties(DynamodbTable, {
      name: 'acme-tflock',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('without a lock table name (S3 lock files only) there is no table, and the bucket is unchanged', () => {
    const withTable = JSON.parse(synth()) as { resource: Record<string, unknown> };
    const out = synth({ bucketName: 'acme-tfstate' });
    const json = JSON.parse(out) as { resource: Record<string, unknown> };
    expect(json.resource.aws_dynamodb_table).toBeUndefined();
    const { aws_dynamodb_table: _table, ...rest } = withTable.resource;
    expect(json.resource).toEqual(rest);
    let storage: StateStorage | undefined;
    Testing.synthScope((scope) => {
      storage = new StateStorage(scope, 'storage', { bucketName: 'acme-tfstate' });
    });
    expect(storage!.lockTable).toBeUndefined();
  });

  test('a customer KMS key is used for bucket and table when given', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const out = synth({ ...props, kmsKeyId: key });
    expect(out).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: key }, bucket_key_enabled: true }],
    });
    expect(out).toHaveResourceWithProperties(DynamodbTable, { server_side_encryption: { enabled: true, kms_key_arn: key } });
  });

  test('fails when props are invalid, listing every problem at once', () => {
    expect(() => synth({ bucketName: 'Bad_Bucket', lockTableName: 'x', noncurrentVersionRetentionDays: 0, kmsKeyId: 'mykey' })).toThrow(
      [
        'StateStorage storage: 4 invalid props',
        '  bucketName: got "Bad_Bucket", expected an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; no "..", not an IP address, no reserved prefix or suffix)',
        '  lockTableName: got "x", expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)',
        '  noncurrentVersionRetentionDays: got 0, expected a whole number of days from 1 to 3650',
        '  kmsKeyId: got "mykey", expected a KMS key ARN or alias/NAME',
      ].join('\n'),
    );
  });

  test('createKmsKey: a rotating customer-managed key, protected from destroy, encrypts the bucket and the table', () => {
    const out = synth({ ...props, kmsKeyId: 'alias/acme-state', createKmsKey: true });
    expect(out).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(out).toHaveResourceWithProperties(KmsAlias, { name: 'alias/acme-state' });
    const json = JSON.parse(out);
    const keyArn = `\${aws_kms_key.${Object.keys(json.resource.aws_kms_key)[0]}.arn}`;
    expect(out).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: keyArn }, bucket_key_enabled: true }],
    });
    expect(out).toHaveResourceWithProperties(DynamodbTable, { server_side_encryption: { enabled: true, kms_key_arn: keyArn } });
  });

  test('access logging to another bucket, under s3-access/<bucket>/; none by default', () => {
    expect(synth({ ...props, accessLogBucket: 'acme-logs' })).toHaveResourceWithProperties(S3BucketLoggingA, {
      target_bucket: 'acme-logs',
      target_prefix: 's3-access/acme-tfstate/',
    });
    expect(JSON.parse(synth()).resource.aws_s3_bucket_logging).toBeUndefined();
  });

  test('fails when createKmsKey has no alias, or the state bucket would log into itself', () => {
    expect(() => synth({ ...props, createKmsKey: true, accessLogBucket: 'acme-tfstate' })).toThrow(
      /^StateStorage storage: 2 invalid props\n {2}kmsKeyId: got missing, expected the alias\/NAME the created key gets \(createKmsKey\)\n {2}accessLogBucket: got "acme-tfstate", expected a bucket other than the state bucket$/,
    );
  });
});
