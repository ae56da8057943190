import { DYNAMODB_TABLE_NAME, PropsProblems, S3_BUCKET_NAME } from '../core/props-validation';
import type { StateStorageProps } from './state-storage';

/** Check StateStorageProps; throws once listing every problem. */
export function validateStateStorageProps(id: string, props: StateStorageProps): void {
  const p = new PropsProblems(`StateStorage ${id}`);
  p.check(S3_BUCKET_NAME.test(props.bucketName), 'bucketName', props.bucketName, 'an S3 bucket name');
  p.check(DYNAMODB_TABLE_NAME.test(props.lockTableName), 'lockTableName', props.lockTableName, 'a DynamoDB table name');
  const days = props.noncurrentVersionRetentionDays ?? 90;
  p.check(Number.isInteger(days) && days >= 1 && days <= 3650, 'noncurrentVersionRetentionDays', days, 'a whole number of days from 1 to 3650');
  p.check(
    props.kmsKeyId === undefined || /^(arn:aws[a-z-]*:kms:|alias\/)/.test(props.kmsKeyId),
    'kmsKeyId',
    props.kmsKeyId,
    'a KMS key ARN or alias/NAME',
  );
  p.throwIfAny();
}
