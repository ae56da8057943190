/**
 * The stage file schema. It owns every default: code downstream reads the
 * parsed model and never applies defaults of its own.
 */
import { z } from 'zod';
import {
  AGENT_VERSION,
  AWS_REGION,
  DATADOG_API_URL,
  DYNAMODB_TABLE_NAME,
  GITHUB_ENVIRONMENT,
  GITHUB_LOGIN,
  GITHUB_REPOSITORY,
  GITHUB_TEAM_SLUG,
  HOST_ADDRESS,
  HOST_NAME,
  INSTANCE_ID,
  INSTANCE_TYPE,
  IPV4_CIDR,
  PROXY_URL,
  KMS_KEY_ID,
  S3_BUCKET_NAME,
  SLUG,
  SSM_CONCURRENCY,
  SSM_PARAMETER,
  STAGE_NAME,
  STATE_KEY_PREFIX,
  SUBNET_ID,
  TAG_KEY,
  TAG_VALUE,
  VPC_ID,
  type Format,
} from './patterns';
import { stringOf } from './validate';

/** Datadog sites the agent and the API can be pointed at. */
export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'ddog-gov.com',
] as const;

/** Host criticality, least critical first: the batch split upgrades low before critical. */
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;

/**
 * How Terraform locks a stage's state in the S3 backend: `dynamodb` (a
 * `dynamodb_table` item; deprecated by Terraform), `s3` (`use_lockfile`: a
 * `<key>.tflock` object written with a conditional PUT, Terraform >= 1.10) or
 * `both` (each run takes both locks; the migration setting). Source:
 * https://developer.hashicorp.com/terraform/language/backend/s3, "State Locking".
 */
export const STATE_LOCKINGS = ['dynamodb', 's3', 'both'] as const;
/** Both locks while runners move to Terraform >= 1.10 (README.md, "State locking"). */
export const DEFAULT_STATE_LOCKING = 'both';

/**
 * Who runs the playbook on the hosts: `ansible` (a controller pushes over
 * SSH, batch by batch) or `ssm` (AWS Systems Manager State Manager runs it on
 * each host, one association per batch; docs/ssm-executor.md).
 */
export const EXECUTORS = ['ansible', 'ssm'] as const;

export const DEFAULT_AGENT_VERSION = '7.72.0';
export const DEFAULT_SITE = 'us5.datadoghq.com';
export const DEFAULT_BATCH_PERCENTAGES = [33, 33, 34];
export const DEFAULT_SOAK_HOURS = [48, 48, 72];
/** The Debian 12 AMI Debian publishes in SSM; used for hosts the stack creates. */
export const DEFAULT_AMI_SSM_PARAMETER = '/aws/service/debian/release/bookworm/latest/amd64';

const slug = stringOf(SLUG);
const hostName = stringOf(HOST_NAME);
const address = stringOf(HOST_ADDRESS);
const awsRegion = stringOf(AWS_REGION);
const bucketName = stringOf(S3_BUCKET_NAME);
const tableName = stringOf(DYNAMODB_TABLE_NAME);
const tagKey = stringOf(TAG_KEY);
const tagValue = stringOf(TAG_VALUE);
const percent = z.number().gt(0).lt(100);

export const HostSchema = z.strictObject({
  /** Host name; unique within the stage, used as the inventory name. */
  name: hostName,
  /** Service the host runs (Datadog `service` tag). */
  service: slug,
  /** Owning team (Datadog `team` tag). */
  team: slug,
  /** How much harm an upgrade problem here does; less critical hosts go first. */
  criticality: z.enum(CRITICALITIES),
  /** Address Ansible connects to; required for existing hosts, absent for managed ones. */
  address: address.optional(),
  /** When true, the stage's infra stack creates this host as an EC2 instance. */
  managed: z.boolean().default(false),
  /** EC2 instance type for a managed host (defaults to the stage's fleet.instanceType). */
  instanceType: stringOf(INSTANCE_TYPE).optional(),
  /** Subnet of a managed host (defaults to the first of network.subnetIds). */
  subnetId: stringOf(SUBNET_ID).optional(),
  /** EC2 instance id of an existing host; required for every existing host when rollout.executor is ssm (the stack tags it with its batch). */
  instanceId: stringOf(INSTANCE_ID).optional(),
  /** Pin the host to a rollout batch (1-based) instead of letting the split choose. */
  batch: z.number().int().min(1).optional(),
  /** Extra Datadog tags for this host. */
  tags: z.record(tagKey, tagValue).default({}),
});

const StateSchema = z.strictObject({
  /** S3 bucket holding Terraform state (created by the `state` stack). */
  bucket: bucketName,
  /** How Terraform locks the state: `dynamodb`, `s3` (`<key>.tflock`, Terraform >= 1.10) or `both` during the migration. */
  locking: z.enum(STATE_LOCKINGS).default(DEFAULT_STATE_LOCKING),
  /** DynamoDB lock table (created by the `state` stack); required unless `locking` is `s3`. */
  lockTable: tableName.optional(),
  /** Prefix of this stage's state keys: `<keyPrefix>/infra.tfstate`, `<keyPrefix>/observability.tfstate`. */
  keyPrefix: stringOf(STATE_KEY_PREFIX).optional(),
  /** KMS key (ARN or alias) for state encryption; default: the AWS-managed `aws/s3` key. */
  kmsKeyId: stringOf(KMS_KEY_ID).optional(),
  /** Create a customer-managed KMS key (rotation on) for the bucket, its objects and the lock table in the `state` stack; instead of kmsKeyId. */
  createKmsKey: z.boolean().default(false),
  /** Existing S3 bucket that receives the state bucket's server access logs (prefix `s3-access/<bucket>/`); default: no access logging. */
  accessLogBucket: bucketName.optional(),
});

const DatadogSchema = z.strictObject({
  /** Datadog site of the organization. */
  site: z.enum(DATADOG_SITES).default(DEFAULT_SITE),
  /** Datadog API URL; derived from the site when absent. */
  apiUrl: stringOf(DATADOG_API_URL).optional(),
});

const AgentSchema = z.strictObject({
  /** Datadog Agent version to roll out (major 7). */
  version: stringOf(AGENT_VERSION).default(DEFAULT_AGENT_VERSION),
  /** Collect logs (`logs_enabled`). */
  logsEnabled: z.boolean().default(true),
  /** Enable APM (`apm_config.enabled`). */
  apmEnabled: z.boolean().default(true),
  /** Enable live process collection (`process_config.process_collection.enabled`). */
  processEnabled: z.boolean().default(true),
});

export const RolloutSchema = z.strictObject({
  /** Share of the stage's hosts in each batch, in rollout order; sums to 100. */
  batchPercentages: z.array(z.number().int().min(1).max(100)).min(1).max(5).default(DEFAULT_BATCH_PERCENTAGES),
  /** Soak time after each batch before the go/no-go decision, in hours. */
  soakHours: z
    .array(
      z
        .number()
        .min(0)
        .max(24 * 30),
    )
    .min(1)
    .max(5)
    .default(DEFAULT_SOAK_HOURS),
  /** A batch with more failed hosts than this share stops the rollout. */
  maxFailedHostsPercent: percent.default(1),
  /** A batch worse than the not-yet-upgraded hosts by more than this is rolled back. */
  degradationThresholdPercent: percent.default(5),
  /** Who runs the playbook on the hosts: `ansible` (push over SSH) or `ssm` (State Manager associations, one per batch). */
  executor: z.enum(EXECUTORS).default('ansible'),
  /** With executor ssm: how many batches the release has reached (0 = none); raising it by one is the release of the next batch. */
  releasedBatches: z.number().int().min(0).max(5).optional(),
  /** With executor ssm: hosts of a batch SSM runs at once (a number or a percentage; default: the share that keeps a batch within 15 minutes). */
  ssmMaxConcurrency: z.preprocess((v) => (typeof v === 'number' ? String(v) : v), stringOf(SSM_CONCURRENCY)).optional(),
});

const NetworkSchema = z.strictObject({
  /** VPC of the stage's hosts; the agent security group lives here. */
  vpcId: stringOf(VPC_ID),
  /** Subnets for managed hosts, spread round-robin when a host names none. */
  subnetIds: z.array(stringOf(SUBNET_ID)).default([]),
  /** Destinations the agent may reach on 443 (Datadog US5 intake); narrow to Datadog's published ranges. Not used with egressProxy. */
  datadogEgressCidrs: z.array(stringOf(IPV4_CIDR)).min(1).default(['0.0.0.0/0']),
  /** An HTTP(S) proxy the hosts reach Datadog and the package repositories through; the security group then allows only the proxy. */
  egressProxy: z
    .strictObject({
      /** Proxy URL for the Agent (`proxy.http`/`proxy.https`) and the package manager (`http(s)_proxy`). */
      url: stringOf(PROXY_URL),
      /** Addresses of the proxy; the security group allows TCP to them on the URL's port only. */
      cidrs: z.array(stringOf(IPV4_CIDR)).min(1),
    })
    .optional(),
});

const FleetSchema = z.strictObject({
  /** Instance type of managed hosts that name none. */
  instanceType: stringOf(INSTANCE_TYPE).default('t3.medium'),
  /** SSM parameter holding the AMI id of managed hosts. */
  amiSsmParameter: stringOf(SSM_PARAMETER).default(DEFAULT_AMI_SSM_PARAMETER),
  /** Root volume size of managed hosts, in GiB. */
  rootVolumeGb: z.number().int().min(8).max(16384).default(20),
});

/** GitHub accepts at most six users or teams as an environment's required reviewers. */
export const GITHUB_MAX_REVIEWERS = 6;
/** GitHub's longest environment wait timer: 43,200 minutes (30 days); a soak environment waits `soakHours × 60`. */
export const GITHUB_MAX_WAIT_TIMER_MINUTES = 43200;

/** A reviewer name of `format`; a number (a numeric id) fails with the format's words, not "expected a string". */
function reviewerName(format: Format): z.ZodPreprocess<z.ZodString, unknown> {
  return z.preprocess((v) => (typeof v === 'number' ? String(v) : v), stringOf(format));
}

const CiReviewersSchema = z.strictObject({
  /** Team slugs whose members may approve deploys (one approval suffices). */
  teams: z.array(reviewerName(GITHUB_TEAM_SLUG)).default([]),
  /** Logins of users who may approve deploys. */
  users: z.array(reviewerName(GITHUB_LOGIN)).default([]),
});

const CiSchema = z.strictObject({
  /** GitHub repository (`owner/name`) whose workflows may deploy this stage through OIDC. */
  githubRepository: stringOf(GITHUB_REPOSITORY),
  /** GitHub environment that gates deploys of this stage (the OIDC `sub` claim is pinned to it). */
  environment: stringOf(GITHUB_ENVIRONMENT).optional(),
  /** Required reviewers of the stage's environment and its soak environments (the `github` stack); absent: none. */
  reviewers: CiReviewersSchema.optional(),
});

/** The raw stage file shape (before cross-field checks). */
export const StageFileSchema = z.strictObject({
  /** Stage name; must equal the file name (`dev.yaml` holds `stage: dev`). */
  stage: stringOf(STAGE_NAME),
  /** AWS region of the stage. */
  region: awsRegion,
  /** Team that owns the stage's infrastructure (the `owner` default tag). */
  owner: slug,
  state: StateSchema,
  datadog: DatadogSchema.prefault({}),
  agent: AgentSchema.prefault({}),
  rollout: RolloutSchema.prefault({}),
  network: NetworkSchema,
  fleet: FleetSchema.prefault({}),
  /** CI/CD access (GitHub Actions OIDC); absent: no CI roles for this stage. */
  ci: CiSchema.optional(),
  /** The stage's hosts. */
  hosts: z.array(HostSchema).min(1),
});

export type StageFile = z.output<typeof StageFileSchema>;
