/**
 * Risk classes of changes (pure). The rules, highest class first:
 *
 * | class    | what                                                                                   |
 * | -------- | -------------------------------------------------------------------------------------- |
 * | critical | destroys or replaces the state bucket, the lock table, a host or a GitHub environment  |
 * |          | (its secrets go with it); turns off state protection (prevent_destroy, deletion         |
 * |          | protection, point-in-time recovery, versioning, encryption, public access block, the    |
 * |          | TLS-only bucket policy); moves a stack's state                                          |
 * | high     | IAM, security groups, secrets, providers (where resources live), state locking, GitHub  |
 * |          | deployment protection (reviewers, wait timers, branch policies), agent version and      |
 * |          | agent settings, batch membership of prod hosts                                          |
 * | medium   | monitor thresholds and queries, notification routing, SLO targets, rollout policy,      |
 * |          | batch membership outside prod, anything not listed elsewhere                            |
 * |          | (monitors and SLOs follow their impact instead: impact.ts)                              |
 * | low      | tags, descriptions, dashboards, outputs, data sources added or removed, message text    |
 *
 * Every function returns the class with the reason, so a report can say why.
 */
import type { RiskClass } from './types';

/** A risk class with the rule that produced it. */
export interface Risk {
  readonly risk: RiskClass;
  readonly why: string;
}

const r = (risk: RiskClass, why: string): Risk => ({ risk, why });

/** Stages whose host batch membership is high risk. */
export function isProductionStage(stage: string): boolean {
  return /^prod/.test(stage);
}

/** What a resource is, for the rules. */
export interface ResourceFacts {
  /** `resource` or `data`. */
  readonly mode: 'resource' | 'data';
  readonly type: string;
  /** The bucket is one a stack keeps its state in (named by some backend). */
  readonly isStateBucket?: boolean;
  /** The table is one a stack locks its state with. */
  readonly isLockTable?: boolean;
  /** The resource guards a state bucket (versioning, encryption, public access block, policy). */
  readonly guardsStateBucket?: boolean;
}

const ACCESS_TYPE = /^aws_(iam_|security_group|vpc_security_group_|secretsmanager_|kms_)/;
/** GitHub deployment protection: environments (reviewers, wait timers) and their branch policies. */
const DEPLOY_PROTECTION_TYPE = /^github_repository_environment/;
const DASHBOARD_TYPE = /^datadog_.*dashboard/;
/** Resource types that guard a bucket; removing one from a state bucket turns protection off. */
export const BUCKET_GUARD_TYPES = new Set([
  'aws_s3_bucket_versioning',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_policy',
]);

function accessWhat(type: string): string {
  if (type.startsWith('aws_iam_')) return 'IAM';
  if (type.startsWith('aws_secretsmanager_')) return 'secrets';
  if (type.startsWith('aws_kms_')) return 'encryption keys';
  return 'security groups';
}

/** Risk of a destroyed (`removed`) or `replaced` resource as a whole. */
export function destroyRisk(f: ResourceFacts, kind: 'removed' | 'replaced'): Risk {
  const verb = kind === 'removed' ? 'destroys' : 'replaces';
  if (f.mode === 'data') return r('low', 'a data source is only read');
  if (f.type === 'aws_instance') return r('critical', `${verb} a host`);
  if (f.isStateBucket) return r('critical', `${verb} the state bucket`);
  if (f.isLockTable) return r('critical', `${verb} the lock table`);
  if (f.type === 'github_repository_environment') return r('critical', `${verb} a GitHub environment (and deletes its secrets)`);
  if (DEPLOY_PROTECTION_TYPE.test(f.type)) return r('high', 'GitHub deployment protection');
  if (f.guardsStateBucket && kind === 'removed') return r('critical', 'turns off state protection');
  if (f.type === 'aws_s3_bucket' || f.type === 'aws_dynamodb_table') return r('high', `${verb} stored data`);
  if (ACCESS_TYPE.test(f.type)) return r('high', accessWhat(f.type));
  if (DASHBOARD_TYPE.test(f.type)) return r('low', 'dashboards');
  return r('medium', `${verb} a resource`);
}

/** Risk of an added resource. */
export function addRisk(f: ResourceFacts): Risk {
  if (f.mode === 'data') return r('low', 'a data source is only read');
  if (ACCESS_TYPE.test(f.type) || f.type === 'aws_iam_openid_connect_provider') return r('high', accessWhat(f.type));
  if (DASHBOARD_TYPE.test(f.type)) return r('low', 'dashboards');
  if (DEPLOY_PROTECTION_TYPE.test(f.type)) return r('medium', 'GitHub deployment protection');
  return r('medium', 'adds a resource');
}

/** Tags of a resource, and of its blocks (`root_block_device.tags`). */
export const TAGS = /(^|\.)(tags|tags_all|default_tags)(\.|\[|$)/;
const wasTrue = (before: unknown, after: unknown): boolean => before === true && after !== true;

/**
 * Risk of one attribute difference of a resource (or data source). `path` is
 * the rendered attribute path (`lifecycle.prevent_destroy`).
 */
export function attributeRisk(f: ResourceFacts, path: string, before: unknown, after: unknown): Risk {
  const t = f.type;
  if (path === 'lifecycle.prevent_destroy' && wasTrue(before, after)) return r('critical', 'turns off state protection (prevent_destroy)');
  if (t === 'aws_dynamodb_table') {
    if (path === 'deletion_protection_enabled' && wasTrue(before, after)) return r('critical', 'turns off state protection (deletion protection)');
    if (/^point_in_time_recovery(\[0\])?\.enabled$/.test(path) && wasTrue(before, after))
      return r('critical', 'turns off state protection (point-in-time recovery)');
    if (/^server_side_encryption(\[0\])?\.enabled$/.test(path) && wasTrue(before, after)) return r('critical', 'turns off state protection (encryption)');
  }
  if (t === 'aws_s3_bucket_versioning' && /status$/.test(path) && before === 'Enabled' && after !== 'Enabled') {
    return r(f.guardsStateBucket ? 'critical' : 'high', 'turns off state protection (versioning)');
  }
  if (t === 'aws_s3_bucket_public_access_block' && wasTrue(before, after)) {
    return r(f.guardsStateBucket ? 'critical' : 'high', 'turns off state protection (public access block)');
  }
  if (t === 'aws_s3_bucket_server_side_encryption_configuration') {
    return r(f.guardsStateBucket && after === undefined ? 'critical' : 'high', 'state encryption');
  }
  if (t === 'aws_s3_bucket_policy' && f.guardsStateBucket) return r('high', 'the state bucket policy (IAM)');
  if (DASHBOARD_TYPE.test(t)) return r('low', 'dashboards');
  if (TAGS.test(path)) return r('low', 'tags');
  if (path === 'description' || /\.description$/.test(path)) return r('low', 'descriptions');
  if (f.mode === 'data' && t === 'aws_iam_policy_document') return r('high', 'IAM');
  if (ACCESS_TYPE.test(t) || t === 'aws_iam_openid_connect_provider') return r('high', accessWhat(t));
  if (DEPLOY_PROTECTION_TYPE.test(t)) return r('high', 'GitHub deployment protection');
  return r('medium', 'other settings');
}

/** Risk of a difference in a stack's `terraform.backend` (where its state lives). */
export function backendRisk(path: string, before: unknown, after: unknown): Risk {
  if (/encrypt$/.test(path) && wasTrue(before, after)) return r('critical', 'turns off state protection (state encryption)');
  if (/(bucket|key|region|workspace_key_prefix)$/.test(path)) {
    return r('critical', "moves the stack's state (terraform init -migrate-state needed)");
  }
  // Locking does not move state, but every runner of the stack must lock the same way.
  if (/(dynamodb_table|use_lockfile)$/.test(path)) return r('high', 'state locking (every runner must lock the same way)');
  return r('high', 'state backend settings');
}

/** Risk of a difference in a provider block. */
export function providerRisk(path: string): Risk {
  if (TAGS.test(path)) return r('low', 'tags');
  return r('high', 'providers (where and how resources are managed)');
}

/** Risk of a variable difference. */
export function variableRisk(path: string, before: unknown, after: unknown): Risk {
  if (path === 'sensitive' && wasTrue(before, after)) return r('high', 'secrets (a sensitive variable is no longer masked)');
  if (path === 'description') return r('low', 'descriptions');
  return r('medium', 'variables');
}
