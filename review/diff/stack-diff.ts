/**
 * Semantic diff of two synthesized stacks (cdk.tf.json), pure. Resources and
 * data sources are matched by type + logical id, outputs, variables and
 * providers by name; cdktf's `//` metadata is ignored; attributes are compared
 * structurally (values.ts). A changed attribute that Terraform cannot update in
 * place (the table below) makes the change a replacement, unless the resource's
 * `lifecycle.ignore_changes` names it.
 */
import { isPagingMonitor, monitoringAttributeRisk, MonitoringFacts, monitoringKind, monitoringLifecycleRisk } from './impact';
import { attributeName, bucketOf, LabelContext, ResourceIndex, ResourceRef, resourceLabel } from './labels';
import { addRisk, attributeRisk, backendRisk, BUCKET_GUARD_TYPES, destroyRisk, providerRisk, Risk, ResourceFacts, variableRisk } from './risk';
import { AttributeChange, Change, maxRisk, RiskClass, riskRank } from './types';
import { describeDelta, diffValues, formatValue, isPlainObject, Leaf, pathString } from './values';

/**
 * Attributes whose change makes Terraform destroy and re-create the resource
 * (ForceNew in the provider schema), for the types this project synthesizes.
 * A path matches when it equals an entry or starts with it followed by `.` or `[`.
 */
export const FORCES_REPLACEMENT: Readonly<Record<string, readonly string[]>> = {
  aws_s3_bucket: ['bucket', 'bucket_prefix', 'object_lock_enabled'],
  aws_dynamodb_table: ['name', 'hash_key', 'range_key', 'local_secondary_index'],
  aws_instance: [
    'ami',
    'availability_zone',
    'subnet_id',
    'private_ip',
    'key_name',
    'tenancy',
    'placement_group',
    'placement_partition_number',
    'host_id',
    'security_groups',
    'ebs_optimized',
    'hibernation',
    'cpu_core_count',
    'cpu_threads_per_core',
    'cpu_options',
    'enclave_options',
    'ipv6_address_count',
    'ipv6_addresses',
    'launch_template',
    'network_interface',
    'private_dns_name_options',
    'root_block_device.encrypted',
    'root_block_device.kms_key_id',
    'ebs_block_device',
    'ephemeral_block_device',
  ],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_instance_profile: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_iam_policy: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_iam_openid_connect_provider: ['url'],
  aws_security_group: ['name', 'name_prefix', 'vpc_id', 'description'],
  aws_vpc_security_group_egress_rule: ['security_group_id'],
  aws_vpc_security_group_ingress_rule: ['security_group_id'],
  aws_secretsmanager_secret: ['name', 'name_prefix'],
  aws_s3_bucket_versioning: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_server_side_encryption_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_public_access_block: ['bucket'],
  aws_s3_bucket_ownership_controls: ['bucket'],
  aws_s3_bucket_lifecycle_configuration: ['bucket', 'expected_bucket_owner'],
  aws_s3_bucket_policy: ['bucket'],
  aws_s3_bucket_logging: ['bucket', 'expected_bucket_owner'],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  aws_kms_alias: ['name', 'name_prefix'],
  datadog_monitor: ['type'],
  datadog_service_level_objective: ['type'],
  datadog_logs_metric: ['name'],
  github_repository_environment: ['repository', 'environment'],
  github_repository_environment_deployment_policy: ['repository', 'environment'],
  terraform_data: ['triggers_replace'],
};

/** Monitor types the Datadog provider treats as one (it suppresses a change between them: no replacement, no update). */
const SAME_MONITOR_TYPES = new Set(['metric alert', 'query alert']);

/**
 * Does a change at `path` force replacement of a `type`? `before` and
 * `after` are the attribute's values, `head` the resource's new configuration
 * (for the rules that depend on them).
 */
export function forcesReplacement(type: string, path: string, before?: unknown, after?: unknown, head?: Record<string, unknown>): boolean {
  if (type === 'datadog_monitor' && path === 'type' && SAME_MONITOR_TYPES.has(String(before)) && SAME_MONITOR_TYPES.has(String(after))) return false;
  // Volume tags are updated in place; everything else of an EBS block device is ForceNew.
  if (type === 'aws_instance' && /^ebs_block_device.*\.tags(\.|\[|$)/.test(path)) return false;
  // user_data is updated in place (a stop and start) unless user_data_replace_on_change is set.
  if (type === 'aws_instance' && /^user_data(_base64)?$/.test(path)) return head?.user_data_replace_on_change === true;
  return (FORCES_REPLACEMENT[type] ?? []).some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/** Everything the stack differ needs to know about the whole tree. */
export interface TreeFacts {
  /** Buckets and tables named by any backend of either side. */
  readonly stateBuckets: ReadonlySet<string>;
  readonly lockTables: ReadonlySet<string>;
}

/** A copy without cdktf's `//` metadata keys (at any depth). */
export function stripMetadata(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMetadata);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) if (k !== '//') out[k] = stripMetadata(v[k]);
    return out;
  }
  return v;
}

/** Resources and data sources of a stack, by `type.name` / `data.type.name`. */
export function resourceIndex(stack: unknown): Map<string, ResourceRef> {
  const out = new Map<string, ResourceRef>();
  if (!isPlainObject(stack)) return out;
  for (const mode of ['resource', 'data'] as const) {
    const section = stack[mode];
    if (!isPlainObject(section)) continue;
    for (const type of Object.keys(section)) {
      const byName = section[type];
      if (!isPlainObject(byName)) continue;
      for (const name of Object.keys(byName)) {
        const config = byName[name];
        if (!isPlainObject(config)) continue;
        out.set(`${mode === 'data' ? 'data.' : ''}${type}.${name}`, { mode, type, name, config });
      }
    }
  }
  return out;
}

/** State buckets and lock tables named by the backends of the given stacks. */
export function stateStorageOf(stacks: ReadonlyArray<unknown>): TreeFacts {
  const stateBuckets = new Set<string>();
  const lockTables = new Set<string>();
  for (const s of stacks) {
    const backend = isPlainObject(s) && isPlainObject(s.terraform) ? s.terraform.backend : undefined;
    if (!isPlainObject(backend)) continue;
    for (const cfg of Object.values(backend)) {
      if (!isPlainObject(cfg)) continue;
      if (typeof cfg.bucket === 'string') stateBuckets.add(cfg.bucket);
      if (typeof cfg.dynamodb_table === 'string') lockTables.add(cfg.dynamodb_table);
    }
  }
  return { stateBuckets, lockTables };
}

function facts(ref: ResourceRef, tree: TreeFacts, index: ResourceIndex): ResourceFacts {
  const c = ref.config;
  return {
    mode: ref.mode,
    type: ref.type,
    isStateBucket: ref.type === 'aws_s3_bucket' && typeof c.bucket === 'string' && tree.stateBuckets.has(c.bucket),
    isLockTable: ref.type === 'aws_dynamodb_table' && typeof c.name === 'string' && tree.lockTables.has(c.name),
    guardsStateBucket: BUCKET_GUARD_TYPES.has(ref.type) && tree.stateBuckets.has(bucketOf(ref, index) ?? ''),
  };
}

/** Attribute names a resource's `lifecycle.ignore_changes` lists (`all` ignores every attribute). */
function ignoredAttributes(config: Record<string, unknown>): { all: boolean; names: Set<string> } {
  const lc = isPlainObject(config.lifecycle) ? config.lifecycle : {};
  const ic = lc.ignore_changes;
  if (ic === 'all') return { all: true, names: new Set() };
  return { all: false, names: new Set(Array.isArray(ic) ? ic.filter((x): x is string => typeof x === 'string') : []) };
}

/** A sentence joining a subject and an attribute's text. */
function sentence(label: string, text: string): string {
  return /( removed( \(was .*\))?| set to .*)$/.test(text) && !text.includes(' -> ') ? `${label}: ${text}` : `${label} ${text}`;
}

/** The change in one line: the subject and its most important attribute (the first of the highest risk), and how many more. */
function headline(label: string, attrs: readonly AttributeChange[]): string {
  let top = attrs[0];
  for (const a of attrs) if (riskRank(a.risk) > riskRank(top.risk)) top = a;
  const more = attrs.length - 1;
  return `${sentence(label, top.text)}${more > 0 ? ` (and ${more} more)` : ''}`;
}

/** An attribute's difference in words: `critical threshold 2 -> 3`, `tags: adds tier:1`, `statement[B] added: ...`. */
export function attributeText(name: string, leaf: Leaf): string {
  const last = leaf.path[leaf.path.length - 1] ?? '';
  if (last.startsWith('[') && leaf.before === undefined) return `${name} added: ${formatValue(leaf.after)}`;
  if (last.startsWith('[') && leaf.after === undefined) return `${name} removed: ${formatValue(leaf.before)}`;
  const delta = describeDelta(leaf.before, leaf.after);
  return /^(adds|removes|reordered) /.test(delta) ? `${name}: ${delta}` : `${name} ${delta}`;
}

function attrChange(path: string, name: string, leaf: Leaf, risk: Risk, suffix = ''): AttributeChange {
  return { path, before: leaf.before, after: leaf.after, text: `${attributeText(name, leaf)}${suffix}`, risk: risk.risk, why: risk.why };
}

/** The highest risk of the attributes, or `base` when that is higher (a tie goes to `base`). */
function highest(attrs: readonly AttributeChange[], base?: Risk): Risk {
  let best: Risk | undefined = base;
  for (const a of attrs) if (!best || riskRank(a.risk) > riskRank(best.risk)) best = { risk: a.risk, why: a.why };
  return best ?? { risk: 'low', why: 'no attribute changes' };
}

/** One side of a stack: its resources, indexed, and what labelling them needs. */
export interface Side {
  readonly index: ReadonlyMap<string, ResourceRef>;
  readonly ctx: LabelContext;
}

/** A side from a resource index (a stack's, or a plan's values). */
export function sideOf(index: ReadonlyMap<string, ResourceRef>, tree: TreeFacts): Side {
  return { index, ctx: { stateBuckets: tree.stateBuckets, lockTables: tree.lockTables, index } };
}

/** The monitoring facts of a monitor or SLO (undefined for other types). */
function monitoringFacts(stage: string, type: string, rb?: ResourceRef, rh?: ResourceRef): MonitoringFacts | undefined {
  const kind = monitoringKind(type);
  if (!kind) return undefined;
  const paging = kind === 'SLO' || isPagingMonitor(rb?.config) || isPagingMonitor(rh?.config);
  return { stage, kind, paging };
}

/** How `diffResource` decides and reads paths (the plan summary feeds it Terraform's verdict). */
export interface ResourceDiffOptions {
  /** Terraform's verdict when known: replaced (with the paths forcing it) or updated in place; otherwise predicted from FORCES_REPLACEMENT. */
  readonly verdict?: { readonly replaced: boolean; readonly forcedBy: readonly string[] };
  /** Rewrites an attribute path before it is named and judged (plan values keep single blocks as one-element lists). */
  readonly normalizePath?: (path: string) => string;
}

/**
 * One resource or data source compared across the two sides (`rb` absent:
 * created; `rh` absent: destroyed); undefined when nothing differs. Shared by
 * the diff and the plan summary, so both name and judge a change alike.
 */
export function diffResource(
  stage: string,
  stackName: string,
  subject: string,
  rb: ResourceRef | undefined,
  rh: ResourceRef | undefined,
  tree: TreeFacts,
  b: Side,
  h: Side,
  opts: ResourceDiffOptions = {},
): Change | undefined {
  const mk = (c: Omit<Change, 'stage' | 'stack' | 'subject'>): Change => ({ stage, stack: stackName, subject, ...c });
  const mon = (rh ?? rb)?.mode === 'resource' ? monitoringFacts(stage, (rh ?? rb)?.type ?? '', rb, rh) : undefined;
  if (rb && !rh) {
    const risk = mon ? monitoringLifecycleRisk(mon, 'removed') : destroyRisk(facts(rb, tree, b.index), 'removed');
    const label = resourceLabel(rb, b.ctx);
    const verb = rb.mode === 'data' ? 'is no longer read' : 'is destroyed';
    return mk({ kind: 'removed', risk: risk.risk, why: risk.why, label, text: `${label} ${verb}`, attributes: [] });
  }
  if (rh && !rb) {
    const risk = mon ? monitoringLifecycleRisk(mon, 'added') : addRisk(facts(rh, tree, h.index));
    const label = resourceLabel(rh, h.ctx);
    const verb = rh.mode === 'data' ? 'is read' : 'is created';
    return mk({ kind: 'added', risk: risk.risk, why: risk.why, label, text: `${label} ${verb}`, attributes: [] });
  }
  if (!rb || !rh) return undefined;
  const leaves = diffValues(stripMetadata(rb.config), stripMetadata(rh.config));
  // Nothing differs, unless Terraform says it replaces it anyway (tainted, -replace, replace_triggered_by).
  if (leaves.length === 0 && !opts.verdict?.replaced) return undefined;
  const f = facts(rh, tree, h.index);
  // A weakening is judged on the base side's facts too (e.g. a bucket that stops being a state bucket).
  const fb = facts(rb, tree, b.index);
  const ff: ResourceFacts = {
    ...f,
    guardsStateBucket: f.guardsStateBucket || fb.guardsStateBucket,
    isStateBucket: f.isStateBucket || fb.isStateBucket,
    isLockTable: f.isLockTable || fb.isLockTable,
  };
  const ignored = ignoredAttributes(rh.config);
  const attrs: AttributeChange[] = [];
  const forcedBy: string[] = [];
  for (const leaf of leaves) {
    const raw = pathString(leaf.path);
    const path = opts.normalizePath ? opts.normalizePath(raw) : raw;
    const name = attributeName(rh.type, path);
    const top = leaf.path[0] ?? '';
    if (rh.mode === 'resource' && top !== 'lifecycle' && (ignored.all || ignored.names.has(top))) {
      attrs.push(
        attrChange(
          path,
          name,
          leaf,
          { risk: 'low', why: 'ignored by lifecycle.ignore_changes' },
          ' (ignored by lifecycle.ignore_changes: only resources created later get it)',
        ),
      );
      continue;
    }
    if (rh.type === 'datadog_monitor' && path === 'type' && !forcesReplacement(rh.type, path, leaf.before, leaf.after)) {
      attrs.push(attrChange(path, name, leaf, { risk: 'low', why: 'no effect' }, ' (Datadog treats the two alike: no replacement, no update)'));
      continue;
    }
    if (rh.mode === 'resource' && !opts.verdict && forcesReplacement(rh.type, path, leaf.before, leaf.after, rh.config)) forcedBy.push(path);
    if (mon) {
      const judged = monitoringAttributeRisk(mon, path, leaf.before, leaf.after, rb.config, rh.config);
      attrs.push(attrChange(path, name, leaf, judged, judged.effect ? ` (${judged.effect})` : ''));
    } else attrs.push(attrChange(path, name, leaf, attributeRisk(ff, path, leaf.before, leaf.after)));
  }
  if (opts.verdict?.replaced) forcedBy.push(...opts.verdict.forcedBy);
  const replaced = opts.verdict ? opts.verdict.replaced : forcedBy.length > 0;
  // Named as it is now (the base side): a renamed bucket is still the state bucket being replaced.
  const label = resourceLabel(rb, b.ctx);
  if (replaced) {
    const risk = highest(attrs, mon ? monitoringLifecycleRisk(mon, 'replaced') : destroyRisk(ff, 'replaced'));
    const because = forcedBy.length > 0 ? ` because ${forcedBy.map((p) => attributeName(rh.type, p)).join(', ')} changes` : '';
    const text = `${label} is replaced (destroyed and re-created)${because}`;
    return mk({ kind: 'replaced', risk: risk.risk, why: risk.why, label, text, attributes: attrs, forcedBy });
  }
  const risk = highest(attrs);
  return mk({ kind: 'changed', risk: risk.risk, why: risk.why, label, text: headline(label, attrs), attributes: attrs });
}

/** Compare one stack's two versions (either may be undefined: stack added or removed). */
export function diffStack(stage: string, stackName: string, base: unknown, head: unknown, tree: TreeFacts): Change[] {
  const b = sideOf(resourceIndex(base), tree);
  const h = sideOf(resourceIndex(head), tree);
  const changes: Change[] = [];
  const mk = (c: Omit<Change, 'stage' | 'stack'>): void => {
    changes.push({ stage, stack: stackName, ...c });
  };

  // Resources and data sources; a resource the head's `moved` blocks carry to a new address is one rename, not a destroy and a create.
  const renamedFrom = renames(head, b.index, h.index);
  const movedAway = new Set(renamedFrom.values());
  const imports = importsOf(head);
  const keys = [...new Set([...b.index.keys(), ...h.index.keys()])].sort();
  for (const key of keys) {
    if (movedAway.has(key)) continue;
    const subject = key.startsWith('data.') ? key : `resource.${key}`;
    const from = renamedFrom.get(key);
    const change = diffResource(stage, stackName, subject, b.index.get(from ?? key), h.index.get(key), tree, b, h);
    const importId = imports.get(key);
    if (from) changes.push(renamedChange(change, from, h.index.get(key) as ResourceRef, h, { stage, stack: stackName, subject }));
    else if (change && change.kind === 'added' && importId !== undefined) changes.push(importedChange(change, importId));
    else if (change) changes.push(change);
  }

  // Everything else: backend, required providers, providers, outputs, variables, locals, other blocks.
  const eb = otherEntries(base);
  const eh = otherEntries(head);
  for (const key of [...new Set([...eb.keys(), ...eh.keys()])].sort()) {
    const vb = eb.get(key);
    const vh = eh.get(key);
    const { label, riskOf, addedRisk } = describeEntry(key);
    if (vb === undefined || vh === undefined) {
      const added = vb === undefined;
      // A whole new (or removed) stack: its settings come and go with it; its resources carry the risk.
      const wholeStack = base === undefined || head === undefined;
      const risk: Risk = wholeStack ? { risk: 'low', why: added ? 'part of a new stack' : 'part of a removed stack' } : addedRisk;
      mk({
        kind: added ? 'added' : 'removed',
        risk: risk.risk,
        why: risk.why,
        subject: key,
        label,
        text: `${label} ${added ? 'is added' : 'is removed'}`,
        attributes: [],
      });
      continue;
    }
    const leaves = diffValues(vb, vh);
    if (leaves.length === 0) continue;
    const attrs = leaves.map((leaf) => {
      const path = pathString(leaf.path);
      return attrChange(path, path === '' ? 'value' : path, leaf, riskOf(path, leaf.before, leaf.after));
    });
    const risk = highest(attrs);
    mk({ kind: 'changed', risk: risk.risk, why: risk.why, subject: key, label, text: headline(label, attrs), attributes: attrs });
  }
  return changes;
}

/** `from` -> `to` of a stack's `moved` blocks (`type.name` addresses). */
function movesOf(stack: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const list = isPlainObject(stack) && Array.isArray(stack.moved) ? stack.moved : [];
  for (const m of list) if (isPlainObject(m) && typeof m.from === 'string' && typeof m.to === 'string') out.set(m.from, m.to);
  return out;
}

/** `to` -> Datadog id of a stack's `import` blocks. */
function importsOf(stack: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const list = isPlainObject(stack) && Array.isArray(stack.import) ? stack.import : [];
  for (const m of list) if (isPlainObject(m) && typeof m.to === 'string' && typeof m.id === 'string') out.set(m.to, m.id);
  return out;
}

/**
 * Head address -> base address of each resource the head's `moved` blocks
 * rename: the base has it at `from` (and not at the end of the chain), the
 * head at the end of the chain of moves (and not at `from`).
 */
function renames(head: unknown, base: ReadonlyMap<string, ResourceRef>, headIndex: ReadonlyMap<string, ResourceRef>): Map<string, string> {
  const moves = movesOf(head);
  const out = new Map<string, string>();
  for (const from of moves.keys()) {
    if (!base.has(from) || headIndex.has(from)) continue;
    let to = from;
    const seen = new Set<string>();
    while (moves.has(to) && !seen.has(to)) {
      seen.add(to);
      to = moves.get(to) as string;
    }
    if (headIndex.has(to) && !base.has(to)) out.set(to, from);
  }
  return out;
}

/** A rename (a `moved` block), with the attribute changes that come with it; a replacement stays one (the object is re-created anyway). */
function renamedChange(inner: Change | undefined, from: string, rh: ResourceRef, h: Side, at: { stage: string; stack: string; subject: string }): Change {
  if (inner?.kind === 'replaced') return inner;
  const label = resourceLabel(rh, h.ctx);
  // `datadog_monitor.monitoring_monitor-web-errors_1A2B3C4D` -> `monitor-web-errors` (the construct id; cdktf joins the path with `_`).
  const was = from
    .replace(/_[0-9A-F]{8}$/, '')
    .split(/[._]/)
    .pop() as string;
  const text = `${label} is renamed from ${was}: Terraform moves it (same object and history, nothing destroyed)`;
  if (inner) return { ...inner, kind: 'renamed', label, text: `${text}; ${inner.text}` };
  return { ...at, kind: 'renamed', risk: 'low', why: 'a rename (moved block): nothing is destroyed', label, text, attributes: [] };
}

/** An added resource an `import` block adopts: the existing object is taken over, not created. */
function importedChange(added: Change, importId: string): Change {
  const text = `${added.label} is imported (existing object ${importId}): adopted, not created; the apply writes this definition over it`;
  return { ...added, kind: 'imported', risk: 'medium', why: 'adopts an existing object: its settings become the definition here', text };
}

/** Top-level entries other than resources and data sources, by a stable key. */
function otherEntries(stack: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isPlainObject(stack)) return out;
  for (const top of Object.keys(stack)) {
    if (top === '//' || top === 'resource' || top === 'data' || top === 'moved' || top === 'import') continue;
    const v = stripMetadata(stack[top]);
    if (top === 'terraform' && isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        if (k === 'required_providers' && isPlainObject(v[k])) {
          for (const p of Object.keys(v[k] as object)) out.set(`terraform.required_providers.${p}`, (v[k] as Record<string, unknown>)[p]);
        } else out.set(`terraform.${k}`, v[k]);
      }
    } else if (top === 'provider' && isPlainObject(v)) {
      for (const p of Object.keys(v)) {
        const blocks = Array.isArray(v[p]) ? (v[p] as unknown[]) : [v[p]];
        blocks.forEach((blk, i) => {
          const alias = isPlainObject(blk) && typeof blk.alias === 'string' ? blk.alias : i === 0 ? '' : String(i);
          out.set(`provider.${p}${alias ? `.${alias}` : ''}`, blk);
        });
      }
    } else if (isPlainObject(v) && ['output', 'variable', 'locals', 'module'].includes(top)) {
      for (const k of Object.keys(v)) out.set(`${top}.${k}`, v[k]);
    } else out.set(top, v);
  }
  return out;
}

function describeEntry(key: string): { label: string; riskOf: (path: string, before: unknown, after: unknown) => Risk; addedRisk: Risk } {
  const [kind, ...rest] = key.split('.');
  const name = rest.join('.');
  const medium: Risk = { risk: 'medium', why: 'other settings' };
  switch (kind) {
    case 'terraform':
      if (name === 'backend')
        return { label: 'state backend', riskOf: (p, a, b) => backendRisk(p, a, b), addedRisk: { risk: 'critical', why: "moves the stack's state" } };
      if (name.startsWith('required_providers.')) {
        return {
          label: `provider ${name.slice('required_providers.'.length)} requirement`,
          riskOf: () => ({ risk: 'medium', why: 'provider versions' }),
          addedRisk: { risk: 'medium', why: 'provider versions' },
        };
      }
      return { label: `terraform ${name}`, riskOf: () => medium, addedRisk: medium };
    case 'provider':
      return { label: `provider ${name}`, riskOf: (p) => providerRisk(p), addedRisk: { risk: 'high', why: 'providers (where and how resources are managed)' } };
    case 'output':
      return { label: `output ${name}`, riskOf: () => ({ risk: 'low', why: 'outputs' }), addedRisk: { risk: 'low', why: 'outputs' } };
    case 'variable':
      return { label: `variable ${name}`, riskOf: variableRisk, addedRisk: { risk: 'medium', why: 'variables' } };
    default:
      return { label: key, riskOf: () => medium, addedRisk: medium };
  }
}

/** The highest risk of a list of changes (undefined when empty). */
export function highestRisk(changes: ReadonlyArray<{ risk: RiskClass }>): RiskClass | undefined {
  let best: RiskClass | undefined;
  for (const c of changes) best = best === undefined ? c.risk : maxRisk(best, c.risk);
  return best;
}
