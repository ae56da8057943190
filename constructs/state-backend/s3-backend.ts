import { S3Backend, TerraformStack } from 'cdktf';
import { Stage, stateKey } from '../../model/stage';

/** Props of a stack's S3 backend with DynamoDB locking. */
export interface StageBackendProps {
  /** State bucket. */
  readonly bucket: string;
  /** State object key, unique per stack. */
  readonly key: string;
  /** Region of the bucket and the lock table. */
  readonly region: string;
  /** DynamoDB lock table. */
  readonly lockTable: string;
  /** KMS key for the state object.
   * @default - the bucket's default encryption */
  readonly kmsKeyId?: string;
}

/**
 * Give `stack` an explicit S3 backend (encrypted, DynamoDB-locked). Every
 * stack needs one: without it cdktf writes a local backend with an absolute
 * path, and the synth would depend on where the repo is checked out.
 */
export function useS3Backend(stack: TerraformStack, props: StageBackendProps): S3Backend {
  return new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: props.region,
    encrypt: true,
    dynamodbTable: props.lockTable,
    ...(props.kmsKeyId !== undefined ? { kmsKeyId: props.kmsKeyId } : {}),
  });
}

/** The backend of one of a stage's stacks: the stage's bucket and lock table, its own key. */
export function useStageBackend(stack: TerraformStack, stage: Stage, which: 'infra' | 'observability'): S3Backend {
  return useS3Backend(stack, {
    bucket: stage.state.bucket,
    key: stateKey(stage, which),
    region: stage.region,
    lockTable: stage.state.lockTable,
    ...(stage.state.kmsKeyId !== undefined ? { kmsKeyId: stage.state.kmsKeyId } : {}),
  });
}
