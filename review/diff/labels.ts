/**
 * Names people read (pure): "host dev-web-01", "monitor `api latency`",
 * "state bucket `acme-tfstate`", and attribute names such as
 * "critical threshold" for `monitor_thresholds.critical`. Datadog resource
 * types not known here are named generically by their `name` or `title`.
 */
import { code, isPlainObject, parseJsonString } from './values';

/** One resource of a synthesized stack, with what labelling needs. */
export interface ResourceRef {
  readonly mode: 'resource' | 'data';
  readonly type: string;
  /** Logical id (`fleet_dev-web-01_E2F0C669`). */
  readonly name: string;
  /** The resource's JSON, including cdktf's `//` metadata. */
  readonly config: Record<string, unknown>;
}

/** Lookup of the resources of one side of one stack by `type.name`. */
export type ResourceIndex = ReadonlyMap<string, ResourceRef>;

/** What the labeller knows about the state storage of the whole tree. */
export interface LabelContext {
  readonly stateBuckets: ReadonlySet<string>;
  readonly lockTables: ReadonlySet<string>;
  readonly index: ResourceIndex;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && !v.includes('${') ? v : undefined);

/** The construct path below the stack (`fleet/dev-web-01`), or the logical id. */
export function constructPath(ref: ResourceRef): string {
  const meta = (ref.config['//'] as { metadata?: { path?: unknown } } | undefined)?.metadata;
  const p = typeof meta?.path === 'string' ? meta.path : undefined;
  if (p && p.includes('/')) return p.slice(p.indexOf('/') + 1);
  return ref.name.replace(/_[0-9A-F]{8}$/, '');
}

/**
 * The id a team gave a monitor or SLO in its file (`api-p99-latency`), read
 * from the logical id (`monitoring_monitor-api-p99-latency_B66F81F0`): the
 * last construct id, without cdktf's hash and our `monitor-` / `slo-` prefix.
 * The logical id is what a plan's address holds too, so the diff and the plan
 * summary name a monitor alike.
 */
export function monitoringId(ref: ResourceRef): string {
  const id = ref.name.replace(/_[0-9A-F]{8}$/, '');
  return id.slice(id.lastIndexOf('_') + 1).replace(/^(monitor|slo)-/, '');
}

/** `aws_security_group` -> `security group`, `datadog_synthetics_test` -> `synthetics test`, `terraform_data` -> `terraform data`. */
export function typeWords(type: string): string {
  return type.replace(/^(aws|datadog|google|azurerm)_/, '').replace(/_/g, ' ');
}

/** The resource a `${type.name.attr}` reference points at, if it is in the index. */
export function referenced(value: unknown, index: ResourceIndex): ResourceRef | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z0-9_]+\}$/.exec(value);
  if (!m) return undefined;
  return index.get(`${m[1] ? 'data.' : ''}${m[2]}.${m[3]}`);
}

const BUCKET_PARTS: Record<string, string> = {
  aws_s3_bucket_versioning: 'versioning',
  aws_s3_bucket_server_side_encryption_configuration: 'encryption',
  aws_s3_bucket_public_access_block: 'public access block',
  aws_s3_bucket_policy: 'policy',
  aws_s3_bucket_ownership_controls: 'ownership controls',
  aws_s3_bucket_lifecycle_configuration: 'lifecycle rules',
};

/** The bucket name a bucket sub-resource belongs to (through its `bucket` reference). */
export function bucketOf(ref: ResourceRef, index: ResourceIndex): string | undefined {
  const b = ref.config.bucket;
  const target = referenced(b, index);
  return target ? str(target.config.bucket) : str(b);
}

/** A person's name for a resource. */
export function resourceLabel(ref: ResourceRef, ctx: LabelContext, depth = 0): string {
  const c = ref.config;
  const t = ref.type;
  const name = str(c.name);
  if (ref.mode === 'data') {
    if (t === 'aws_iam_policy_document') return `IAM policy document ${constructPath(ref)}`;
    return `data source ${typeWords(t)} ${constructPath(ref)}`;
  }
  switch (t) {
    case 'aws_instance': {
      const tags = isPlainObject(c.tags) ? c.tags : {};
      return `host ${str(tags.Name) ?? constructPath(ref)}`;
    }
    case 'aws_s3_bucket': {
      const b = str(c.bucket);
      if (!b) return `S3 bucket ${constructPath(ref)}`;
      return ctx.stateBuckets.has(b) ? `state bucket ${code(b)}` : `S3 bucket ${code(b)}`;
    }
    case 'aws_dynamodb_table':
      if (!name) return `DynamoDB table ${constructPath(ref)}`;
      return ctx.lockTables.has(name) ? `lock table ${code(name)}` : `DynamoDB table ${code(name)}`;
    case 'aws_iam_role':
      return `IAM role ${name ? code(name) : constructPath(ref)}`;
    case 'aws_iam_role_policy': {
      const role = referenced(c.role, ctx.index);
      const of = role && depth < 2 ? ` of ${resourceLabel(role, ctx, depth + 1)}` : '';
      return `IAM policy ${name ? code(name) : constructPath(ref)}${of}`;
    }
    case 'aws_iam_instance_profile':
      return `instance profile ${name ? code(name) : constructPath(ref)}`;
    case 'aws_iam_openid_connect_provider':
      return `OIDC provider ${str(c.url) ? code(str(c.url) as string) : constructPath(ref)}`;
    case 'aws_security_group':
      return `security group ${name ? code(name) : constructPath(ref)}`;
    case 'aws_vpc_security_group_egress_rule':
    case 'aws_vpc_security_group_ingress_rule': {
      const dir = t.endsWith('egress_rule') ? 'egress' : 'ingress';
      const sg = referenced(c.security_group_id, ctx.index);
      const to = str(c.cidr_ipv4) ?? str(c.cidr_ipv6) ?? str(c.prefix_list_id) ?? 'a reference';
      const port = c.from_port !== undefined ? `${String(c.ip_protocol ?? '')}/${String(c.from_port)}` : String(c.ip_protocol ?? '');
      const of = sg && depth < 2 ? ` of ${resourceLabel(sg, ctx, depth + 1)}` : '';
      return `${dir} rule ${port} ${dir === 'egress' ? 'to' : 'from'} ${to}${of}`;
    }
    case 'aws_secretsmanager_secret':
      return `secret ${name ? code(name) : constructPath(ref)}`;
    case 'datadog_monitor':
      return name ? `monitor ${code(name)} (${monitoringId(ref)})` : `monitor ${monitoringId(ref)}`;
    case 'datadog_service_level_objective':
      return name ? `SLO ${code(name)} (${monitoringId(ref)})` : `SLO ${monitoringId(ref)}`;
    case 'datadog_dashboard_json': {
      const dash = parseJsonString(c.dashboard);
      const title = isPlainObject(dash) ? str(dash.title) : undefined;
      return `dashboard ${title ? code(title) : constructPath(ref)}`;
    }
    default:
      break;
  }
  if (BUCKET_PARTS[t]) {
    const target = referenced(c.bucket, ctx.index);
    const owner = target && depth < 2 ? resourceLabel(target, ctx, depth + 1) : str(c.bucket) ? `S3 bucket ${code(str(c.bucket) as string)}` : 'S3 bucket';
    return `${owner} ${BUCKET_PARTS[t]}`;
  }
  const named = name ?? str(c.title) ?? str(c.bucket);
  return `${typeWords(t)} ${named ? code(named) : constructPath(ref)}`;
}

/** A person's name for an attribute of a resource type (`critical threshold`, `root volume size`). */
export function attributeName(type: string, path: string): string {
  if (/^datadog_monitor/.test(type)) {
    const m = /^monitor_thresholds\.(\w+)$/.exec(path);
    if (m) return `${m[1].replace(/_/g, ' ')} threshold`;
    if (path === 'message') return 'notification message';
  }
  if (/^datadog_service_level_objective/.test(type)) {
    const m = /^thresholds\[([^\]]+)\]\.(target|warning)$/.exec(path);
    if (m) return `${m[1]} ${m[2]}`;
    if (path === 'target_threshold') return 'target';
    if (path === 'warning_threshold') return 'warning';
  }
  if (type === 'aws_instance') {
    if (path === 'instance_type') return 'instance type';
    if (path === 'root_block_device.volume_size') return 'root volume size (GiB)';
    if (path === 'subnet_id') return 'subnet';
  }
  if (type === 'aws_dynamodb_table') {
    if (path === 'deletion_protection_enabled') return 'deletion protection';
    if (/^point_in_time_recovery(\[0\])?\.enabled$/.test(path)) return 'point-in-time recovery';
  }
  if (type === 'aws_s3_bucket_versioning' && /status$/.test(path)) return 'status';
  if (path.startsWith('lifecycle.')) return path.slice('lifecycle.'.length);
  const tag = /^(tags|tags_all)\.(.+)$/.exec(path);
  if (tag) return `tag ${tag[2]}`;
  return path;
}
