/**
 * Names this tool gives to what it creates: one definition per name, read by
 * the stacks, the inventories, the CI roles and the reports. Changing one
 * here renames it everywhere (and is a replacement in Terraform).
 */

/** The product name: the `managed-by` value, and the prefix of every AWS name. */
export const PRODUCT = 'observability-rollout';

/** Key of the tag that marks what this tool manages (AWS default tag, Datadog tag). */
export const MANAGED_BY_KEY = 'managed-by';

/** `managed-by:observability-rollout`: on every resource this tool creates in Datadog. */
export const MANAGED_BY_TAG = `${MANAGED_BY_KEY}:${PRODUCT}`;

/** Key prefix of the bootstrap stacks' own state (`bootstrap/state.tfstate`, `bootstrap/github.tfstate`); no stage may use it. */
export const BOOTSTRAP_KEY_PREFIX = 'bootstrap';

/**
 * Alias of the customer-managed KMS key the bootstrap stack creates for a
 * state bucket (`state.createKmsKey`); alias names allow letters, digits,
 * `/`, `_` and `-`, so the bucket's dots become dashes.
 */
export function stateKeyAlias(bucket: string): string {
  return `alias/${PRODUCT}-state-${bucket.replace(/\./g, '-')}`;
}

/** Name of the bootstrap stack (state bucket, lock table, CI roles). */
export const STATE_STACK = 'state';

/** Stack names of one stage, in deploy order: `<stage>-infra`, `<stage>-observability`. */
export function stageStackNames(stage: string): [string, string] {
  return [`${stage}-infra`, `${stage}-observability`];
}

/** Prefix of every IAM role and instance profile of one stage: `observability-rollout-<stage>-`. */
export function stageIamPrefix(stage: string): string {
  return `${PRODUCT}-${stage}-`;
}

/** IAM role (and instance profile) the agents of a stage run as. */
export function agentRoleName(stage: string): string {
  return `${stageIamPrefix(stage)}agent`;
}

/** Prefix of every Secrets Manager secret of a stage: `observability-rollout/<stage>/`. */
export function stageSecretPrefix(stage: string): string {
  return `${PRODUCT}/${stage}/`;
}

/** Name of the Secrets Manager secret holding a stage's Datadog API key. */
export function apiKeySecretName(stage: string): string {
  return `${stageSecretPrefix(stage)}datadog-api-key`;
}

/**
 * S3 bucket of a stage's SSM executor (playbook bundles, run output):
 * `observability-rollout-<stage>-ssm-<account id>`, at most 55 characters
 * (22 + 16 + 5 + 12). The account id keeps the global name ours; `account`
 * is usually a Terraform reference (data.aws_caller_identity).
 */
export function ssmBucketName(stage: string, account: string): string {
  return `${PRODUCT}-${stage}-ssm-${account}`;
}

/** EC2 tag that puts an instance in a rollout batch (SSM executor): value `<stage>-<batch>` (stage names have no dash, so it splits back). */
export const BATCH_TAG_KEY = 'rollout-batch';
/** EC2 tag naming the stage file's host on its instance (SSM executor, EC2 inventories). */
export const HOST_TAG_KEY = 'rollout-host';

/** The `rollout-batch` tag value of a batch. */
export function batchTagValue(stage: string, batch: number): string {
  return `${stage}-${batch}`;
}
