import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentIdentity } from '../constructs/agent-access/agent-identity';
import { CI_ROLE_PATH, CiAccess, deployRoleName, PLAN_ROLE_NAME } from '../constructs/ci-access/ci-access';
import { SsmHostAccess } from '../constructs/ssm-executor/ssm-host-access';
import { addAwsProvider } from '../constructs/providers/aws-provider';
import { useS3Backend } from '../constructs/state-backend/s3-backend';
import { StateStorage } from '../constructs/state-backend/state-storage';
import { BOOTSTRAP_KEY_PREFIX } from '../model/names';
import type { Stage, StateLocking } from '../model/stage';
import { sharedTags } from './tags';

/** State key of the bootstrap stack itself, inside the bucket it creates. */
export const BOOTSTRAP_STATE_KEY = `${BOOTSTRAP_KEY_PREFIX}/state.tfstate`;

/** Props of the bootstrap stack. */
export interface StateStackProps {
  /** Every stage; the stack creates each distinct state bucket and lock table they name. */
  readonly stages: readonly Stage[];
}

/**
 * Bootstrap stack, applied only by an administrator: the S3 bucket and
 * DynamoDB table that hold every stage's state, every stage's agent instance
 * role and profile (constructs/agent-access/agent-identity.ts), and the
 * GitHub Actions OIDC access of the stages with a `ci` section
 * (constructs/ci-access). Everything IAM lives here, so the CI roles need no
 * IAM write at all (docs/security.md). Its own state lives in the bucket it creates (see docs/infrastructure.md,
 * "Bootstrapping state", for the one-time local-state first apply).
 */
export class StateStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id);
    const stages = props.stages;
    if (stages.length === 0) throw new Error(`StateStack ${id}: stages: got [], expected at least one stage`);
    const regions = [...new Set(stages.map((s) => s.region))].sort();
    if (regions.length !== 1) {
      throw new Error(`StateStack ${id}: stages[].region: got ${JSON.stringify(regions)}, expected one region for all state buckets`);
    }
    addAwsProvider(this, { region: regions[0], defaultTags: sharedTags([...new Set(stages.map((s) => s.owner))]) });

    // One store per bucket; its stages must agree on lock table, KMS key and locking (model/load-config.ts reports
    // a locking disagreement with file and line; this guards stages built in code).
    type Store = { bucket: string; locking: StateLocking; lockTable?: string; kmsKeyId?: string; createKmsKey: boolean; accessLogBucket?: string };
    const stores = new Map<string, Store>();
    for (const s of stages) {
      const { bucket, locking, lockTable, kmsKeyId, createKmsKey, accessLogBucket } = s.state;
      const store: Store = { bucket, locking, lockTable, kmsKeyId, createKmsKey, accessLogBucket };
      const prev = stores.get(s.state.bucket);
      const agrees = (a: Store, b: Store): boolean =>
        a.lockTable === b.lockTable &&
        a.kmsKeyId === b.kmsKeyId &&
        a.locking === b.locking &&
        a.createKmsKey === b.createKmsKey &&
        a.accessLogBucket === b.accessLogBucket;
      if (prev && !agrees(prev, store)) {
        throw new Error(
          `StateStack ${id}: stage ${s.name} state: got lockTable ${String(store.lockTable)} / kmsKeyId ${String(store.kmsKeyId)} / locking ${store.locking}, ` +
            `expected ${String(prev.lockTable)} / ${String(prev.kmsKeyId)} / ${prev.locking} like the other stages using bucket ${s.state.bucket}`,
        );
      }
      stores.set(s.state.bucket, store);
    }
    const sorted = [...stores.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
    for (const st of sorted) {
      // No lock table when the bucket's stages lock with S3 lock files only and name none.
      new StateStorage(this, sorted.length === 1 ? 'storage' : `storage-${st.bucket}`, {
        bucketName: st.bucket,
        ...(st.lockTable !== undefined ? { lockTableName: st.lockTable } : {}),
        ...(st.kmsKeyId !== undefined ? { kmsKeyId: st.kmsKeyId } : {}),
        ...(st.createKmsKey ? { createKmsKey: true } : {}),
        ...(st.accessLogBucket !== undefined ? { accessLogBucket: st.accessLogBucket } : {}),
      });
    }
    // The hosts' IAM identity of every stage: created here, by an administrator, so no CI role needs IAM writes.
    for (const stage of [...stages].sort((left, right) => (left.name < right.name ? -1 : 1))) {
      const identity = new AgentIdentity(this, `agent-${stage.name}`, { stage: stage.name });
      // With the SSM executor the hosts run the playbook themselves: their role gets what State Manager needs.
      // Bundles are read by the hosts, the stage's deploy role (it writes them) and the plan role (it refreshes them), by nobody else.
      const readerRoles = stage.ci === undefined ? [] : [`${CI_ROLE_PATH.slice(1)}${deployRoleName(stage.name)}`, `${CI_ROLE_PATH.slice(1)}${PLAN_ROLE_NAME}`];
      if (stage.rollout.executor === 'ssm')
        new SsmHostAccess(this, `ssm-${stage.name}`, {
          stage: stage.name,
          region: stage.region,
          roleName: identity.role.name,
          roleArn: identity.role.arn,
          readerRoles,
        });
    }
    // GitHub Actions OIDC is account-wide, and the roles that may deploy must not deploy themselves: both live here.
    const ci = stages.filter((s) => s.ci !== undefined);
    if (ci.length > 0) new CiAccess(this, 'ci-access', { stages: ci });
    // Its own state lives in the first bucket, locked like the stages of that bucket.
    const home = sorted[0];
    useS3Backend(this, {
      bucket: home.bucket,
      key: BOOTSTRAP_STATE_KEY,
      region: regions[0],
      locking: home.locking,
      ...(home.lockTable !== undefined ? { lockTable: home.lockTable } : {}),
      ...(home.kmsKeyId !== undefined ? { kmsKeyId: home.kmsKeyId } : {}),
    });
  }
}
