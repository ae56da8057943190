/**
 * The stage file schema. It owns every default: code downstream reads the
 * parsed model and never applies defaults of its own.
 */
import { isIPv6 } from 'net';
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
/** Both locks while runners move to Terraform >= 1.10 (docs/infrastructure.md, "State locking"). */
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
/** The agent security group's rules are IPv4 (`cidr_ipv4`, constructs/agent-access): an IPv6 range is refused in words. */
const ipv4Cidr = stringOf(IPV4_CIDR, (v) =>
  isIPv6Cidr(v) ? `${IPV4_CIDR.expected}; IPv6 ranges are not supported (the agent's security group rules are IPv4)` : undefined,
);

export const HostSchema = z.strictObject({
  /** Host name; unique within the stage, used as the inventory name. */
  name: hostName.describe('Host name, unique within the stage: the inventory name and the Datadog host name the gate counts.'),
  /** Service the host runs (Datadog `service` tag). */
  service: slug.describe('Service the host runs (its Datadog `service` tag).'),
  /** Owning team (Datadog `team` tag). */
  team: slug.describe('Team that owns the host (its Datadog `team` tag).'),
  /** How much harm an upgrade problem here does; less critical hosts go first. */
  criticality: z
    .enum(CRITICALITIES)
    .describe('How much harm an upgrade problem here does: `low`, `medium`, `high`, `critical`; less critical hosts go in earlier batches.'),
  /** Address Ansible connects to; required for existing hosts, absent for managed ones. */
  address: address
    .optional()
    .describe(
      'Address Ansible connects to (IPv4, IPv6 or DNS name): required for an existing host, absent on a managed one (it comes from Terraform outputs).',
    ),
  /** When true, the stage's infra stack creates this host as an EC2 instance. */
  managed: z.boolean().default(false).describe("`true`: the stage's infra stack creates this host as an EC2 instance."),
  /** EC2 instance type for a managed host (defaults to the stage's fleet.instanceType). */
  instanceType: stringOf(INSTANCE_TYPE).optional().describe("Managed hosts: EC2 instance type (default: the stage's `fleet.instanceType`)."),
  /** Subnet of a managed host (defaults to the first of network.subnetIds). */
  subnetId: stringOf(SUBNET_ID).optional().describe('Managed hosts: subnet (default: one of `network.subnetIds`, chosen by a hash of the host name).'),
  /** EC2 instance id of an existing host; required for every existing host when rollout.executor is ssm (the stack tags it with its batch). */
  instanceId: stringOf(INSTANCE_ID)
    .optional()
    .describe('EC2 instance id of an existing host (`i-` and 8 or 17 hex digits); required on every existing host when `rollout.executor` is `ssm`.'),
  /** Pin the host to a rollout batch (1-based) instead of letting the split choose. */
  batch: z.number().int().min(1).optional().describe('Pin the host to this rollout batch (1-based) instead of letting the split choose.'),
  /** Extra Datadog tags for this host. */
  tags: z.record(tagKey, tagValue).default({}).describe('Extra Datadog tags of this host (`key: value`).'),
});

const StateSchema = z.strictObject({
  /** S3 bucket holding Terraform state (created by the `state` stack). */
  bucket: bucketName.describe('S3 bucket holding Terraform state (created by the `state` stack).'),
  /** How Terraform locks the state: `dynamodb`, `s3` (`<key>.tflock`, Terraform >= 1.10) or `both` during the migration. */
  locking: z
    .enum(STATE_LOCKINGS)
    .default(DEFAULT_STATE_LOCKING)
    .describe(
      'How Terraform locks the state: `dynamodb` (the lock table; deprecated by Terraform), `s3` (a `<key>.tflock` object, Terraform >= 1.10) or `both` during the migration; stages sharing a bucket must agree.',
    ),
  /** DynamoDB lock table (created by the `state` stack); required unless `locking` is `s3`. */
  lockTable: tableName.optional().describe('DynamoDB lock table (created by the `state` stack); required unless `locking` is `s3`.'),
  /** Prefix of this stage's state keys: `<keyPrefix>/infra.tfstate`, `<keyPrefix>/observability.tfstate`. */
  keyPrefix: stringOf(STATE_KEY_PREFIX)
    .optional()
    .describe(
      "Prefix of the stage's state keys (`<keyPrefix>/infra.tfstate`, `<keyPrefix>/observability.tfstate`); default `stages/<stage>`. Unique per bucket, never under `bootstrap/`.",
    ),
  /** KMS key (ARN or alias) for state encryption; default: the AWS-managed `aws/s3` key. */
  kmsKeyId: stringOf(KMS_KEY_ID)
    .optional()
    .describe('Existing KMS key (ARN or `alias/NAME`) for the state bucket, its objects and the lock table; default: the AWS-managed `aws/s3` key.'),
  /** Create a customer-managed KMS key (rotation on) for the bucket, its objects and the lock table in the `state` stack; instead of kmsKeyId. */
  createKmsKey: z
    .boolean()
    .default(false)
    .describe(
      '`true`: the `state` stack creates a customer-managed key (yearly rotation, alias `alias/observability-rollout-state-<bucket>`) instead of `kmsKeyId`.',
    ),
  /** Existing S3 bucket that receives the state bucket's server access logs (prefix `s3-access/<bucket>/`); default: no access logging. */
  accessLogBucket: bucketName
    .optional()
    .describe("Existing bucket receiving the state bucket's S3 server access logs under `s3-access/<bucket>/`; default: no access logging."),
});

const DatadogSchema = z.strictObject({
  /** Datadog site of the organization. */
  site: z.enum(DATADOG_SITES).default(DEFAULT_SITE).describe('Datadog site of the organization.'),
  /** Datadog API URL; derived from the site when absent. */
  apiUrl: stringOf(DATADOG_API_URL).optional().describe('Datadog API URL; default and only allowed value: `https://api.<site>/`.'),
});

const AgentSchema = z.strictObject({
  /** Datadog Agent version to roll out (major 7). */
  version: stringOf(AGENT_VERSION).default(DEFAULT_AGENT_VERSION).describe('Datadog Agent version to roll out (7.x.y; quote it in YAML).'),
  /** Collect logs (`logs_enabled`). */
  logsEnabled: z.boolean().default(true).describe('Collect logs (`logs_enabled`).'),
  /** Enable APM (`apm_config.enabled`). */
  apmEnabled: z.boolean().default(true).describe('Enable APM (`apm_config.enabled`).'),
  /** Enable live process collection (`process_config.process_collection.enabled`). */
  processEnabled: z.boolean().default(true).describe('Enable live process collection (`process_config.process_collection.enabled`).'),
});

export const RolloutSchema = z.strictObject({
  /** Share of the stage's hosts in each batch, in rollout order; sums to 100. */
  batchPercentages: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .max(5)
    .default(DEFAULT_BATCH_PERCENTAGES)
    .describe("Share of the stage's hosts in each batch, in rollout order; 1-5 batches summing to 100."),
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
    .default(DEFAULT_SOAK_HOURS)
    .describe('Soak after each batch before the go/no-go decision, in hours; one per batch.'),
  /** A batch with more failed hosts than this share stops the rollout. */
  maxFailedHostsPercent: percent.default(1).describe('A batch with a larger share of failed hosts stops the rollout.'),
  /** A batch worse than the not-yet-upgraded hosts by more than this is rolled back. */
  degradationThresholdPercent: percent.default(5).describe('A batch worse than the not-yet-upgraded hosts by more than this (relative) is rolled back.'),
  /** Who runs the playbook on the hosts: `ansible` (push over SSH) or `ssm` (State Manager associations, one per batch). */
  executor: z
    .enum(EXECUTORS)
    .default('ansible')
    .describe(
      'Who runs the playbook on the hosts: `ansible` (a controller pushes over SSH) or `ssm` (State Manager associations, one per batch; docs/ssm-executor.md).',
    ),
  /** With executor ssm: how many batches the release has reached (0 = none); raising it by one is the release of the next batch. */
  releasedBatches: z
    .number()
    .int()
    .min(0)
    .max(5)
    .optional()
    .describe('With executor `ssm` (required there): how many batches the release has reached, 0 for none; raising it by one releases the next batch.'),
  /** With executor ssm: hosts of a batch SSM runs at once (a number or a percentage; default: the share that keeps a batch within 15 minutes). */
  ssmMaxConcurrency: z
    .preprocess((v) => (typeof v === 'number' ? String(v) : v), stringOf(SSM_CONCURRENCY))
    .optional()
    .describe(
      'With executor `ssm`: hosts of a batch SSM runs at once, a number or a percentage such as `25%` (default: a share that keeps a batch within 15 minutes).',
    ),
});

const NetworkSchema = z.strictObject({
  /** VPC of the stage's hosts; the agent security group lives here. */
  vpcId: stringOf(VPC_ID).describe("VPC of the stage's hosts; the agent security group lives here."),
  /** Subnets for managed hosts, spread round-robin when a host names none. */
  subnetIds: z.array(stringOf(SUBNET_ID)).default([]).describe('Subnets for managed hosts that name none (spread by a hash of the host name).'),
  /** Destinations the agent may reach on 443 (Datadog US5 intake); narrow to Datadog's published ranges. Not used with egressProxy. */
  datadogEgressCidrs: z
    .array(ipv4Cidr)
    .min(1)
    .default(['0.0.0.0/0'])
    .describe("Where the agent may connect on 443 (IPv4 CIDRs, each once); narrow it to Datadog's published ranges. Not used with `egressProxy`."),
  /** An HTTP(S) proxy the hosts reach Datadog and the package repositories through; the security group then allows only the proxy. */
  egressProxy: z
    .strictObject({
      /** Proxy URL for the Agent (`proxy.http`/`proxy.https`) and the package manager (`http(s)_proxy`). */
      url: stringOf(PROXY_URL).describe('Proxy URL (`http://host:port`) for the Agent and the package manager.'),
      /** Addresses of the proxy; the security group allows TCP to them on the URL's port only. */
      cidrs: z.array(ipv4Cidr).min(1).describe("Addresses of the proxy (IPv4 CIDRs, each once); the security group allows TCP to them on the URL's port only."),
    })
    .optional()
    .describe('An HTTP(S) proxy the hosts reach Datadog and the package repositories through; the security group then allows only the proxy.'),
});

const FleetSchema = z.strictObject({
  /** Instance type of managed hosts that name none. */
  instanceType: stringOf(INSTANCE_TYPE).default('t3.medium').describe('Instance type of managed hosts that name none.'),
  /** SSM parameter holding the AMI id of managed hosts. */
  amiSsmParameter: stringOf(SSM_PARAMETER)
    .default(DEFAULT_AMI_SSM_PARAMETER)
    .describe('SSM parameter holding the AMI id of managed hosts (Debian 12); a newer AMI does not replace running hosts.'),
  /** Root volume size of managed hosts, in GiB. */
  rootVolumeGb: z.number().int().min(8).max(16384).default(20).describe('Root volume of managed hosts (gp3, encrypted), in GiB.'),
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
  teams: z.array(reviewerName(GITHUB_TEAM_SLUG)).default([]).describe('Team slugs whose members may approve deploys (one approval suffices).'),
  /** Logins of users who may approve deploys. */
  users: z.array(reviewerName(GITHUB_LOGIN)).default([]).describe('Logins of users who may approve deploys.'),
});

const CiSchema = z.strictObject({
  /** GitHub repository (`owner/name`) whose workflows may deploy this stage through OIDC. */
  githubRepository: stringOf(GITHUB_REPOSITORY).describe(
    'GitHub repository (`owner/name`) whose workflows may deploy this stage through OIDC; one owner for all stages.',
  ),
  /** GitHub environment that gates deploys of this stage (the OIDC `sub` claim is pinned to it). */
  environment: stringOf(GITHUB_ENVIRONMENT)
    .optional()
    .describe('GitHub environment that gates deploys of this stage (default: the stage name); `<environment>-soak-<n>` gate the later batches.'),
  /** Required reviewers of the stage's environment and its soak environments (the `github` stack); absent: none. */
  reviewers: CiReviewersSchema.optional().describe("Required reviewers (1-6 teams and users) of the stage's environments (the `github` stack); absent: none."),
});

/** The raw stage file shape (before cross-field checks). */
export const StageFileSchema = z.strictObject({
  /** Stage name; must equal the file name (`dev.yaml` holds `stage: dev`). */
  stage: stringOf(STAGE_NAME).describe('Stage name, equal to the file name (`dev.yaml` holds `stage: dev`).'),
  /** AWS region of the stage. */
  region: awsRegion.describe('AWS region of the stage (a known region, or one listed in ROLLOUT_EXTRA_AWS_REGIONS); one region for all stages.'),
  /** Team that owns the stage's infrastructure (the `owner` default tag). */
  owner: slug.describe("Team that owns the stage's infrastructure (the `owner` default tag)."),
  state: StateSchema.describe('Where Terraform keeps the state of this stage, and how it is locked and encrypted.'),
  datadog: DatadogSchema.prefault({}).describe('The Datadog organization the agents report to.'),
  agent: AgentSchema.prefault({}).describe('The Agent rolled out and its features.'),
  rollout: RolloutSchema.prefault({}).describe('Batches, soaks and the thresholds of the go/no-go gate.'),
  network: NetworkSchema.describe('Network of the hosts and what the agent may reach.'),
  fleet: FleetSchema.prefault({}).describe('Defaults of the hosts the stack creates (`managed: true`).'),
  /** CI/CD access (GitHub Actions OIDC); absent: no CI roles for this stage. */
  ci: CiSchema.optional().describe('CI/CD access (GitHub Actions OIDC); absent: no CI roles for this stage.'),
  /** The stage's hosts. */
  hosts: z.array(HostSchema).min(1).describe('The hosts of the stage (at least one).'),
});

export type StageFile = z.output<typeof StageFileSchema>;

/** An IPv6 CIDR: an IPv6 address and a prefix length of 0-128. */
function isIPv6Cidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  return rest.length === 0 && prefix !== undefined && /^(12[0-8]|1[01]\d|[1-9]?\d)$/.test(prefix) && isIPv6(address);
}
