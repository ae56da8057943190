/**
 * The formats of names and identifiers, defined once: the stage and monitor
 * schemas (zod) and the constructs' props validators both use these, so a
 * value the schema accepts is a value the construct accepts, with the same
 * words in the error.
 */

/** A string format: the pattern and, for error messages, what it allows. */
export interface Format {
  readonly pattern: RegExp;
  /** What is allowed, in words (`an AWS region such as us-east-1`). */
  readonly expected: string;
}

const format = (pattern: RegExp, expected: string): Format => ({ pattern, expected });

/** Stage name (`dev`, `prod`): also the stage file name and part of every stack name. */
export const STAGE_NAME = format(/^[a-z][a-z0-9]{1,15}$/, 'a lowercase stage name such as dev');
/** Team, service and owner names (Datadog `team:` / `service:` values). */
export const SLUG = format(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, 'a lowercase name of 2-40 letters, digits and dashes');
/** Host name: a DNS label, used as the inventory name. */
export const HOST_NAME = format(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label (lowercase letters, digits, dashes)');
/** Dotted IPv4: four decimal octets 0-255 without leading zeros (`010` reads as octal to some tools). */
const IPV4_ADDRESS = '(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/**
 * IPv6 address text by RFC 4291 section 2.2: eight groups of 1-4 hex digits,
 * one `::` standing for one or more zero groups, the last two groups
 * optionally as an IPv4 address; no zone (`%eth0`). Built per number of
 * groups before `::` so it stays exact (test/model/patterns.test.ts checks it
 * against Node's `net.isIPv6`).
 */
const IPV6_ADDRESS = ((): string => {
  const h = '[0-9A-Fa-f]{1,4}';
  const groups = (n: number): string => (n === 0 ? '' : `${h}(?::${h}){${n - 1}}`);
  const alts = [`(?:${h}:){7}${h}`, `(?:${h}:){6}${IPV4_ADDRESS}`];
  for (let n = 0; n <= 6; n++) alts.push(`${groups(n)}::(?:${h}(?::${h}){0,${6 - n}})?`);
  alts.push(`${groups(7)}::`);
  for (let n = 0; n <= 5; n++) alts.push(`${groups(n)}::(?:${h}:){0,${5 - n}}${IPV4_ADDRESS}`);
  return `(?:${alts.join('|')})`;
})();
/** Address Ansible connects to: an IPv4 or IPv6 address, or a DNS name. */
export const HOST_ADDRESS = format(
  new RegExp(`^${IPV4_ADDRESS}$|^${IPV6_ADDRESS}$|^(?![\\d.]+$)(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`),
  'an IPv4 address, an IPv6 address or a DNS name',
);
/** AWS region. */
export const AWS_REGION = format(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as us-east-1');
/**
 * S3 bucket name, by AWS's naming rules for general purpose buckets
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3-63 lowercase letters, digits, dots and hyphens, starting and ending with
 * a letter or digit; no two adjacent dots; not shaped like an IP address; not
 * the reserved prefixes `xn--`, `sthree-`, `amzn-s3-demo-` or suffixes
 * `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`.
 */
export const S3_BUCKET_NAME = format(
  /^(?!\d{1,3}(\.\d{1,3}){3}$)(?!.*\.\.)(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  'an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; no "..", not an IP address, no reserved prefix or suffix)',
);
/** DynamoDB table name. */
export const DYNAMODB_TABLE_NAME = format(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)');
/** Prefix of a stage's Terraform state keys. */
export const STATE_KEY_PREFIX = format(/^[a-z0-9][a-z0-9/_-]*[a-z0-9]$/, 'a key prefix such as stages/dev');
/** KMS key for state or secret encryption. */
export const KMS_KEY_ID = format(/^(arn:aws[a-z-]*:kms:|alias\/)/, 'a KMS key ARN or alias/NAME');
/** Datadog API URL. */
export const DATADOG_API_URL = format(/^https:\/\/api\.[a-z0-9.-]+\/$/, 'an https URL such as https://api.us5.datadoghq.com/');
/** Datadog Agent version (major 7). */
export const AGENT_VERSION = format(/^7\.\d{1,3}\.\d{1,3}$/, 'an Agent 7 version such as 7.72.0');
/** VPC id. */
export const VPC_ID = format(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id such as vpc-0123abcd');
/** Subnet id. */
export const SUBNET_ID = format(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id such as subnet-0123abcd');
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** IPv4 CIDR block: four octets of 0-255 and a prefix length of 0-32. */
export const IPV4_CIDR = format(
  new RegExp(`^(${OCTET}\\.){3}${OCTET}\\/(3[0-2]|[12]?\\d)$`),
  'an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, prefix 0-32)',
);
/** An HTTP proxy URL without credentials: `http://host:port` (the port is required: the security group opens it). */
export const PROXY_URL = format(
  /^https?:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}\/?$/,
  'a proxy URL such as http://proxy.internal:3128 (scheme, host and port; no credentials or path)',
);
/** EC2 instance type. */
export const INSTANCE_TYPE = format(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as t3.medium');
/** EC2 instance id: `i-` and 8 (older instances) or 17 hex digits (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html, InstanceId). */
export const INSTANCE_ID = format(/^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'an EC2 instance id such as i-0123456789abcdef0 (i- and 8 or 17 lowercase hex digits)');
/** State Manager MaxConcurrency as this tool writes it: a number of hosts or a percentage of the batch's hosts. */
export const SSM_CONCURRENCY = format(/^(?:[1-9]\d{0,4}|(?:[1-9]\d?|100)%)$/, 'a number of hosts from 1 to 99999 or a percentage from 1% to 100%, such as 25%');
/** SSM parameter path. */
export const SSM_PARAMETER = format(/^\/[A-Za-z0-9_./-]+$/, 'an SSM parameter path');
/** GitHub repository. */
export const GITHUB_REPOSITORY = format(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'a GitHub repository such as acme/observability-rollout');
/** GitHub environment name (no wildcards: the OIDC `sub` claim is pinned to it). */
export const GITHUB_ENVIRONMENT = format(/^[A-Za-z0-9_.-]{1,255}$/, 'a GitHub environment name');
/** Tag key (hosts and monitors). */
export const TAG_KEY = format(/^[a-z][a-z0-9_./-]{0,99}$/, 'a lowercase tag key');
/** Tag value. */
export const TAG_VALUE = format(/^[A-Za-z0-9_.:/@+-]{1,200}$/, 'a tag value without spaces or commas');
/** Datadog notification handle. */
export const NOTIFY_HANDLE = format(/^@[A-Za-z0-9][A-Za-z0-9_.+@-]*$/, 'a notification handle such as @slack-team-alerts or @pagerduty-team');
/** A link (runbooks). */
export const HTTPS_LINK = format(/^https:\/\/[^\s]+$/, 'an https:// link');
/** Datadog role id. */
/** A Datadog object id as Terraform imports it: a monitor's number, an SLO's hex id, a dashboard's `abc-def-ghi`. */
export const DATADOG_OBJECT_ID = format(
  /^[A-Za-z0-9-]{1,64}$/,
  'a Datadog object id such as 1234567 (monitor), a 32-character SLO id or abc-def-ghi (dashboard)',
);
export const DATADOG_ROLE_ID = format(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a Datadog role id (UUID)');
/**
 * GitHub team slug (`cab`, not `@acme/cab` and not a numeric id): the
 * `github` stack resolves it to an id with `data "github_team"`. Slugs are the
 * team name lowercased with other characters turned into dashes.
 */
export const GITHUB_TEAM_SLUG = format(
  /^(?!\d+$)[a-z0-9](?:[a-z0-9_.-]{0,98}[a-z0-9])?$/,
  "a GitHub team slug of the repository owner's organization, such as cab (no @org/ prefix, not a numeric id)",
);
/** GitHub login: 1-39 letters, digits and single inner dashes; resolved to an id with `data "github_user"`. */
export const GITHUB_LOGIN = format(/^(?!\d+$)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, 'a GitHub login such as octocat (no @, not a numeric id)');
