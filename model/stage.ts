/**
 * The stage model: plain typed objects with every default applied. This is
 * the only thing constructs, inventories and reports read.
 */
import type { MonitoringConfig } from './monitoring/types';
import { CRITICALITIES, EXECUTORS, STATE_LOCKINGS } from './stage-schema';

export type Criticality = (typeof CRITICALITIES)[number];

/** Who runs the playbook on a stage's hosts (`rollout.executor`; see EXECUTORS). */
export type Executor = (typeof EXECUTORS)[number];

/** How Terraform locks a stage's state (`state.locking`; see STATE_LOCKINGS). */
export type StateLocking = (typeof STATE_LOCKINGS)[number];

/** One host of a stage. */
export interface Host {
  readonly name: string;
  readonly service: string;
  readonly team: string;
  readonly criticality: Criticality;
  /** Address from the stage file; absent for managed hosts (it comes from Terraform outputs). */
  readonly address?: string;
  /** Created by the stage's infra stack. */
  readonly managed: boolean;
  /** Instance type of a managed host (resolved from the stage's fleet default). */
  readonly instanceType?: string;
  /** Subnet of a managed host (resolved). */
  readonly subnetId?: string;
  /** EC2 instance id of an existing host (required for existing hosts when the executor is ssm). */
  readonly instanceId?: string;
  /** Pinned rollout batch (1-based), if any. */
  readonly batch?: number;
  /** Extra Datadog tags, sorted by key. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Where a stage keeps its Terraform state, and how it is locked. A DynamoDB
 * lock (`dynamodb`, `both`) always has its table; with `s3` locking the table
 * is optional (named only while it still exists, e.g. during the migration).
 */
export type StateLocation = {
  readonly bucket: string;
  /** Resolved key prefix, e.g. `stages/dev`. */
  readonly keyPrefix: string;
  /** KMS key of the state: the stage file's kmsKeyId, or the alias of the key the state stack creates (createKmsKey). */
  readonly kmsKeyId?: string;
  /** The state stack creates the KMS key (`kmsKeyId` is then its alias). */
  readonly createKmsKey: boolean;
  /** Bucket receiving the state bucket's server access logs. */
  readonly accessLogBucket?: string;
} & ({ readonly locking: 'dynamodb' | 'both'; readonly lockTable: string } | { readonly locking: 's3'; readonly lockTable?: string });

/** Required reviewers of a stage's GitHub environments: team slugs and user logins (the `github` stack resolves their ids). */
export interface CiReviewers {
  readonly teams: readonly string[];
  readonly users: readonly string[];
}

/** A stage's `ci` section. */
export interface CiSettings {
  /** `owner/name` of the repository whose workflows deploy the stage. */
  readonly githubRepository: string;
  /** The stage's GitHub environment; its soak environments are `<environment>-soak-<n>`. */
  readonly environment: string;
  /** Present only when the stage file names at least one reviewer. */
  readonly reviewers?: CiReviewers;
}

/** The GitHub environment that holds batch `batch + 1` for the soak of batch `batch` (1-based): `<environment>-soak-<batch>` (.github/workflows/_deploy-stage.yml). */
export function soakEnvironmentName(environment: string, batch: number): string {
  return `${environment}-soak-${batch}`;
}

/** The rollout policy of a stage. */
export interface RolloutPolicy {
  readonly batchPercentages: readonly number[];
  readonly soakHours: readonly number[];
  readonly maxFailedHostsPercent: number;
  readonly degradationThresholdPercent: number;
  /** Who runs the playbook: `ansible` (push over SSH) or `ssm` (State Manager). */
  readonly executor: Executor;
  /** With `ssm`: batches 1..releasedBatches are released (0: none yet); always 0 with `ansible`. */
  readonly releasedBatches: number;
  /** With `ssm`: the stage's own MaxConcurrency for each batch's association, if it sets one. */
  readonly ssmMaxConcurrency?: string;
}

/** One deployment stage (dev, test, prod). */
export interface Stage {
  readonly name: string;
  /** Stage file, relative to the configuration directory (for messages). */
  readonly sourceFile: string;
  readonly region: string;
  readonly owner: string;
  readonly state: StateLocation;
  readonly datadog: { readonly site: string; readonly apiUrl: string };
  readonly agent: {
    readonly version: string;
    readonly logsEnabled: boolean;
    readonly apmEnabled: boolean;
    readonly processEnabled: boolean;
  };
  readonly rollout: RolloutPolicy;
  readonly network: {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    readonly datadogEgressCidrs: readonly string[];
    /** Proxy the hosts go out through; `port` comes from the URL. */
    readonly egressProxy?: { readonly url: string; readonly port: number; readonly cidrs: readonly string[] };
  };
  readonly fleet: { readonly instanceType: string; readonly amiSsmParameter: string; readonly rootVolumeGb: number };
  /** GitHub Actions OIDC access and the stage's GitHub environments; environment resolved (default: the stage name). */
  readonly ci?: CiSettings;
  /** Hosts sorted by name. */
  readonly hosts: readonly Host[];
}

/** The whole configuration: every stage, sorted by name. */
export interface RolloutConfig {
  /** Configuration directory as given (used only to locate files, never in outputs). */
  readonly dir: string;
  readonly stages: readonly Stage[];
  /** Monitors, SLOs and dashboards of monitors/ (empty when there is no such folder). */
  readonly monitoring: MonitoringConfig;
}

/** Whether `locking` takes a DynamoDB lock (the backend's `dynamodb_table`). */
export function locksWithDynamoDb(locking: StateLocking): boolean {
  return locking === 'dynamodb' || locking === 'both';
}

/** Whether `locking` takes an S3 lock file (the backend's `use_lockfile`, `<key>.tflock`). */
export function locksWithLockFile(locking: StateLocking): boolean {
  return locking === 's3' || locking === 'both';
}

/** Terraform state key of one of a stage's stacks. */
export function stateKey(stage: Stage, stack: 'infra' | 'observability'): string {
  return `${stage.state.keyPrefix}/${stack}.tfstate`;
}
