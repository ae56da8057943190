/**
 * The stage file schema. It owns every default: code downstream reads the
 * parsed model and never applies defaults of its own.
 */
import { z } from 'zod';

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

export const DEFAULT_AGENT_VERSION = '7.72.0';
export const DEFAULT_SITE = 'us5.datadoghq.com';
export const DEFAULT_BATCH_PERCENTAGES = [33, 33, 34];
export const DEFAULT_SOAK_HOURS = [48, 48, 72];
/** The Debian 12 AMI Debian publishes in SSM; used for hosts the stack creates. */
export const DEFAULT_AMI_SSM_PARAMETER = '/aws/service/debian/release/bookworm/latest/amd64';

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, { error: 'a lowercase name of 2-40 letters, digits and dashes' });
const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a DNS label (lowercase letters, digits, dashes)' });
const address = z
  .string()
  .regex(/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$|^(?![\d.]+$)(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, {
    error: 'an IPv4 address or a DNS name',
  });
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'an AWS region such as us-east-1' });
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'an S3 bucket name (3-63 lowercase letters, digits, dots, dashes)' });
const tableName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' });
const tagKey = z.string().regex(/^[a-z][a-z0-9_./-]{0,99}$/, { error: 'a lowercase tag key' });
const tagValue = z.string().regex(/^[A-Za-z0-9_.:/@+-]{1,200}$/, { error: 'a tag value without spaces or commas' });
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
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'an EC2 instance type such as t3.medium' }).optional(),
  /** Subnet of a managed host (defaults to the first of network.subnetIds). */
  subnetId: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'a subnet id such as subnet-0123abcd' }).optional(),
  /** Pin the host to a rollout batch (1-based) instead of letting the split choose. */
  batch: z.number().int().min(1).optional(),
  /** Extra Datadog tags for this host. */
  tags: z.record(tagKey, tagValue).default({}),
});

const StateSchema = z.strictObject({
  /** S3 bucket holding Terraform state (created by the `state` stack). */
  bucket: bucketName,
  /** DynamoDB table used for state locking (created by the `state` stack). */
  lockTable: tableName,
  /** Prefix of this stage's state keys: `<keyPrefix>/infra.tfstate`, `<keyPrefix>/observability.tfstate`. */
  keyPrefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*[a-z0-9]$/, { error: 'a key prefix such as stages/dev' }).optional(),
  /** KMS key (ARN or alias) for state encryption; default: the AWS-managed `aws/s3` key. */
  kmsKeyId: z.string().regex(/^(arn:aws[a-z-]*:kms:|alias\/)/, { error: 'a KMS key ARN or alias/NAME' }).optional(),
});

const DatadogSchema = z.strictObject({
  /** Datadog site of the organization. */
  site: z.enum(DATADOG_SITES).default(DEFAULT_SITE),
  /** Datadog API URL; derived from the site when absent. */
  apiUrl: z.string().regex(/^https:\/\/api\.[a-z0-9.-]+\/$/, { error: 'an https URL such as https://api.us5.datadoghq.com/' }).optional(),
});

const AgentSchema = z.strictObject({
  /** Datadog Agent version to roll out (major 7). */
  version: z.string().regex(/^7\.\d{1,3}\.\d{1,3}$/, { error: 'an Agent 7 version such as 7.72.0' }).default(DEFAULT_AGENT_VERSION),
  /** Collect logs (`logs_enabled`). */
  logsEnabled: z.boolean().default(true),
  /** Enable APM (`apm_config.enabled`). */
  apmEnabled: z.boolean().default(true),
  /** Enable live process collection (`process_config.process_collection.enabled`). */
  processEnabled: z.boolean().default(true),
});

const RolloutSchema = z.strictObject({
  /** Share of the stage's hosts in each batch, in rollout order; sums to 100. */
  batchPercentages: z.array(z.number().int().min(1).max(100)).min(1).max(5).default(DEFAULT_BATCH_PERCENTAGES),
  /** Soak time after each batch before the go/no-go decision, in hours. */
  soakHours: z.array(z.number().min(0).max(24 * 30)).min(1).max(5).default(DEFAULT_SOAK_HOURS),
  /** A batch with more failed hosts than this share stops the rollout. */
  maxFailedHostsPercent: percent.default(1),
  /** A batch worse than the not-yet-upgraded hosts by more than this is rolled back. */
  degradationThresholdPercent: percent.default(5),
});

const NetworkSchema = z.strictObject({
  /** VPC of the stage's hosts; the agent security group lives here. */
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'a VPC id such as vpc-0123abcd' }),
  /** Subnets for managed hosts, spread round-robin when a host names none. */
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'a subnet id such as subnet-0123abcd' })).default([]),
  /** Destinations the agent may reach on 443 (Datadog US5 intake); narrow to Datadog's published ranges. */
  datadogEgressCidrs: z
    .array(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: 'an IPv4 CIDR such as 203.0.113.0/24' }))
    .min(1)
    .default(['0.0.0.0/0']),
});

const FleetSchema = z.strictObject({
  /** Instance type of managed hosts that name none. */
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'an EC2 instance type such as t3.medium' }).default('t3.medium'),
  /** SSM parameter holding the AMI id of managed hosts. */
  amiSsmParameter: z.string().regex(/^\/[A-Za-z0-9_./-]+$/, { error: 'an SSM parameter path' }).default(DEFAULT_AMI_SSM_PARAMETER),
  /** Root volume size of managed hosts, in GiB. */
  rootVolumeGb: z.number().int().min(8).max(16384).default(20),
});

const CiSchema = z.strictObject({
  /** GitHub repository (`owner/name`) whose workflows may deploy this stage through OIDC. */
  githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'a GitHub repository such as acme/observability-rollout' }),
  /** GitHub environment that gates deploys of this stage (the OIDC `sub` claim is pinned to it). */
  environment: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, { error: 'a GitHub environment name' }).optional(),
});

/** The raw stage file shape (before cross-field checks). */
export const StageFileSchema = z.strictObject({
  /** Stage name; must equal the file name (`dev.yaml` holds `stage: dev`). */
  stage: z.string().regex(/^[a-z][a-z0-9]{1,15}$/, { error: 'a lowercase stage name such as dev' }),
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
