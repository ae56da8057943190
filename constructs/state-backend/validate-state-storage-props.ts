import { DYNAMODB_TABLE_NAME, KMS_KEY_ID, S3_BUCKET_NAME } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { StateStorageProps } from './state-storage';

/** Check StateStorageProps; throws once listing every problem. */
export function validateStateStorageProps(id: string, props: StateStorageProps): void {
  const p = new PropsProblems(`StateStorage ${id}`);
  p.checkFormat(S3_BUCKET_NAME, 'bucketName', props.bucketName);
  if (props.lockTableName !== undefined) p.checkFormat(DYNAMODB_TABLE_NAME, 'lockTableName', props.lockTableName);
  const days = props.noncurrentVersionRetentionDays ?? 90;
  p.check(Number.isInteger(days) && days >= 1 && days <= 3650, 'noncurrentVersionRetentionDays', days, 'a whole number of days from 1 to 3650');
  if (props.kmsKeyId !== undefined) p.checkFormat(KMS_KEY_ID, 'kmsKeyId', props.kmsKeyId);
  if (props.createKmsKey) {
    p.check(
      props.kmsKeyId !== undefined && /^alias\/[A-Za-z0-9/_-]+$/.test(props.kmsKeyId),
      'kmsKeyId',
      props.kmsKeyId,
      'the alias/NAME the created key gets (createKmsKey)',
    );
  }
  if (props.accessLogBucket !== undefined) {
    p.checkFormat(S3_BUCKET_NAME, 'accessLogBucket', props.accessLogBucket);
    p.check(props.accessLogBucket !== props.bucketName, 'accessLogBucket', props.accessLogBucket, 'a bucket other than the state bucket');
  }
  p.throwIfAny();
}
