import { S3Backend, S3BackendConfig, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DYNAMODB_TABLE_NAME, KMS_KEY_ID, S3_BUCKET_NAME } from '../../model/patterns';
import { locksWithDynamoDb, locksWithLockFile, Stage, StateLocking, stateKey } from '../../model/stage';
import { STATE_LOCKINGS } from '../../model/stage-schema';
import { PropsProblems } from '../core/props-validation';

/** Props of a stack's S3 backend and its state locking. */
export interface StageBackendProps {
  /** State bucket. */
  readonly bucket: string;
  /** State object key, unique per stack. */
  readonly key: string;
  /** Region of the bucket and the lock table. */
  readonly region: string;
  /** How Terraform locks the state: `dynamodb`, `s3` (lock file) or `both`. */
  readonly locking: StateLocking;
  /** DynamoDB lock table; required when `locking` is `dynamodb` or `both`, unused with `s3`. */
  readonly lockTable?: string;
  /** KMS key for the state object.
   * @default - the bucket's default encryption */
  readonly kmsKeyId?: string;
}

/**
 * cdktf 0.21's S3BackendConfig has no `use_lockfile` (added in Terraform
 * 1.10); this backend adds it to the synthesized block. (An `addOverride`
 * would do the same but also record itself in the stack's metadata.)
 */
class LockFileS3Backend extends S3Backend {
  constructor(
    scope: Construct,
    props: S3BackendConfig,
    private readonly useLockfile: boolean,
  ) {
    super(scope, props);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  protected synthesizeAttributes(): { [name: string]: any } {
    return { ...super.synthesizeAttributes(), ...(this.useLockfile ? { use_lockfile: true } : {}) };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  protected synthesizeHclAttributes(): { [name: string]: any } {
    return { ...super.synthesizeHclAttributes(), ...(this.useLockfile ? { use_lockfile: true } : {}) };
  }
}

/**
 * Give `stack` an explicit, encrypted S3 backend locked as `props.locking`
 * says: `dynamodb_table` for `dynamodb` and `both`, `use_lockfile = true` for
 * `s3` and `both`. With both set Terraform takes the lock file first, then
 * the DynamoDB item, and releases both, so runners that only know DynamoDB
 * (Terraform < 1.10) and runners that lock with the file still exclude each
 * other. DynamoDB locking is deprecated; both at once is Terraform's
 * documented migration path. Source:
 * https://developer.hashicorp.com/terraform/language/backend/s3, "State Locking".
 *
 * Every stack needs an explicit backend: without it cdktf writes a local
 * backend with an absolute path, and the synth would depend on where the
 * repo is checked out.
 */
export function useS3Backend(stack: TerraformStack, props: StageBackendProps): S3Backend {
  validateBackendProps(stack.node.id, props);
  const dynamo = locksWithDynamoDb(props.locking);
  return new LockFileS3Backend(
    stack,
    {
      bucket: props.bucket,
      key: props.key,
      region: props.region,
      encrypt: true,
      ...(dynamo ? { dynamodbTable: props.lockTable } : {}),
      ...(props.kmsKeyId !== undefined ? { kmsKeyId: props.kmsKeyId } : {}),
    },
    locksWithLockFile(props.locking),
  );
}

/** The backend of one of a stage's stacks: the stage's bucket and locking, its own key. */
export function useStageBackend(stack: TerraformStack, stage: Stage, which: 'infra' | 'observability'): S3Backend {
  return useS3Backend(stack, {
    bucket: stage.state.bucket,
    key: stateKey(stage, which),
    region: stage.region,
    locking: stage.state.locking,
    ...(stage.state.lockTable !== undefined ? { lockTable: stage.state.lockTable } : {}),
    ...(stage.state.kmsKeyId !== undefined ? { kmsKeyId: stage.state.kmsKeyId } : {}),
  });
}

/** Check StageBackendProps; throws once listing every problem. */
function validateBackendProps(stackId: string, props: StageBackendProps): void {
  const p = new PropsProblems(`S3 backend of ${stackId}`);
  p.checkFormat(S3_BUCKET_NAME, 'bucket', props.bucket);
  p.check(typeof props.key === 'string' && props.key.length > 0, 'key', props.key, 'a state object key');
  p.check(STATE_LOCKINGS.includes(props.locking), 'locking', props.locking, `one of ${STATE_LOCKINGS.map((l) => JSON.stringify(l)).join(', ')}`);
  if (locksWithDynamoDb(props.locking)) {
    const ok = typeof props.lockTable === 'string' && DYNAMODB_TABLE_NAME.pattern.test(props.lockTable);
    p.check(ok, 'lockTable', props.lockTable, `${DYNAMODB_TABLE_NAME.expected}, as locking ${JSON.stringify(props.locking)} takes a DynamoDB lock`);
  }
  if (props.kmsKeyId !== undefined) p.checkFormat(KMS_KEY_ID, 'kmsKeyId', props.kmsKeyId);
  p.throwIfAny();
}
