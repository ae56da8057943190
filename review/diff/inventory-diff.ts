/**
 * Semantic diff of two generated inventories of one stage (pure): stage
 * settings, batches and hosts are compared by name, never by position, so
 * reordered keys or hosts are no change. Host moves between batches, hosts
 * joining or leaving the rollout, and agent settings are worded for people.
 */
import { sortForRollout } from '../../model/batches';
import { BATCH_TAG } from '../../model/signals';
import { compareVersions } from '../release/version';
import type { Criticality, Host } from '../../model/stage';
import { CRITICALITIES } from '../../model/stage-schema';
import { isProductionStage, Risk } from './risk';
import { AttributeChange, Change, INVENTORY_STACK, riskRank, Schedule } from './types';
import { describeDelta, diffValues, isPlainObject, pathString } from './values';

/** A stage inventory as the diff reads it. */
export interface InventoryModel {
  readonly stage: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly batches: ReadonlyMap<
    number,
    { readonly vars: Readonly<Record<string, unknown>>; readonly hosts: ReadonlyMap<string, Readonly<Record<string, unknown>>> }
  >;
}

/** Read the `all > <stage> > batch_N > hosts` shape; undefined when the document has another shape. */
export function inventoryModel(doc: unknown): InventoryModel | undefined {
  const all = isPlainObject(doc) ? doc.all : undefined;
  const children = isPlainObject(all) ? all.children : undefined;
  if (!isPlainObject(children) || Object.keys(children).length !== 1) return undefined;
  const stage = Object.keys(children)[0];
  const group = children[stage];
  if (!isPlainObject(group)) return undefined;
  const vars = isPlainObject(group.vars) ? group.vars : {};
  const batches = new Map<number, { vars: Record<string, unknown>; hosts: Map<string, Record<string, unknown>> }>();
  const kids = isPlainObject(group.children) ? group.children : {};
  for (const [name, batchGroup] of Object.entries(kids)) {
    const match = /^batch_(\d+)$/.exec(name);
    if (!match || !isPlainObject(batchGroup)) return undefined;
    const hosts = new Map<string, Record<string, unknown>>();
    for (const [host, hostVars] of Object.entries(isPlainObject(batchGroup.hosts) ? batchGroup.hosts : {}))
      hosts.set(host, isPlainObject(hostVars) ? hostVars : {});
    batches.set(Number(match[1]), { vars: isPlainObject(batchGroup.vars) ? batchGroup.vars : {}, hosts });
  }
  return { stage, vars, batches };
}

/** One batch of an inventory: its variables and hosts. */
type BatchModel = NonNullable<ReturnType<InventoryModel['batches']['get']>>;

/** One host of an inventory: its batch number and variables. */
export interface HostModel {
  readonly batch: number;
  readonly vars: Readonly<Record<string, unknown>>;
}

/** Host name -> batch number and variables. */
export function hostsOf(inv: InventoryModel): Map<string, HostModel> {
  const out = new Map<string, HostModel>();
  for (const [batchNumber, batch] of inv.batches) for (const [host, vars] of batch.hosts) out.set(host, { batch: batchNumber, vars });
  return out;
}

/** A host's criticality, from its `criticality:` Datadog tag. */
export function criticalityOf(vars: Readonly<Record<string, unknown>>): Criticality | undefined {
  const tags = Array.isArray(vars.datadog_tags) ? vars.datadog_tags : [];
  const tag = tags.find((t): t is string => typeof t === 'string' && t.startsWith('criticality:'));
  const value = tag?.slice('criticality:'.length);
  return (CRITICALITIES as readonly string[]).includes(value ?? '') ? (value as Criticality) : undefined;
}

/**
 * Hosts that sit out of the batch split's order, i.e. pinned with `batch: N`
 * (the inventory does not say so; model/batches.ts fills batches in rollout
 * order, so the hosts it placed have non-decreasing batch numbers in that
 * order, and a pinned host is one that breaks it). The largest set of hosts
 * in order is kept; the others are the pinned ones. Undefined when a host has
 * no criticality tag (the order cannot be rebuilt).
 */
export function pinnedHosts(inv: InventoryModel): Set<string> | undefined {
  const all = [...hostsOf(inv)];
  const hosts: Host[] = [];
  for (const [name, h] of all) {
    const criticality = criticalityOf(h.vars);
    if (!criticality) return undefined;
    hosts.push({ name, service: '', team: '', criticality, managed: false, tags: {} });
  }
  const batchOf = new Map(all.map(([name, h]) => [name, h.batch]));
  const order = sortForRollout(hosts).map((h) => h.name);
  const seq = order.map((name) => batchOf.get(name) as number);
  // Longest non-decreasing subsequence (patience sorting, upper bound), then everything outside it.
  const tails: number[] = [];
  const prev: number[] = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] <= seq[i]) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const kept = new Set<number>();
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) kept.add(i);
  return new Set(order.filter((_, i) => !kept.has(i)));
}

/** The stage's rollout schedule: batches with host counts and soak hours. */
export function scheduleOf(inv: InventoryModel): Schedule {
  const soaks = Array.isArray(inv.vars.rollout_soak_hours) ? (inv.vars.rollout_soak_hours as unknown[]) : [];
  const batches = [...inv.batches.entries()]
    .sort(([left], [right]) => left - right)
    .map(([number, batch]) => {
      const soak = typeof batch.vars.rollout_batch_soak_hours === 'number' ? batch.vars.rollout_batch_soak_hours : soaks[number - 1];
      return { number, hosts: batch.hosts.size, soakHours: typeof soak === 'number' ? soak : 0 };
    });
  const version = inv.vars.datadog_agent_version;
  return { stage: inv.stage, ...(typeof version === 'string' ? { agentVersion: version } : {}), batches };
}

/** Names and risks of stage-wide inventory variables. */
const STAGE_VARS: Record<string, { label: string; risk: Risk; perHost?: boolean }> = {
  datadog_agent_version: { label: 'agent version', risk: { risk: 'high', why: 'agent version' }, perHost: true },
  datadog_site: { label: 'Datadog site', risk: { risk: 'high', why: 'agent settings (where agents report)' }, perHost: true },
  datadog_api_key_secret_id: { label: 'API key secret', risk: { risk: 'high', why: 'secrets' }, perHost: true },
  datadog_agent_allow_downgrade: { label: 'agent downgrades allowed', risk: { risk: 'high', why: 'agent version' }, perHost: true },
  datadog_aws_region: { label: 'API key secret region', risk: { risk: 'high', why: 'secrets' }, perHost: true },
  datadog_logs_enabled: { label: 'log collection', risk: { risk: 'medium', why: 'agent features' }, perHost: true },
  datadog_apm_enabled: { label: 'APM', risk: { risk: 'medium', why: 'agent features' }, perHost: true },
  datadog_process_enabled: { label: 'process collection', risk: { risk: 'medium', why: 'agent features' }, perHost: true },
  rollout_batch_count: { label: 'batch count', risk: { risk: 'medium', why: 'rollout policy' } },
  rollout_soak_hours: { label: 'soak hours', risk: { risk: 'medium', why: 'rollout policy' } },
  rollout_max_failed_hosts_percent: { label: 'failed-host limit (%)', risk: { risk: 'medium', why: 'rollout policy' } },
  rollout_degradation_threshold_percent: { label: 'degradation threshold (%)', risk: { risk: 'medium', why: 'rollout policy' } },
  rollout_stage: { label: 'stage name', risk: { risk: 'medium', why: 'rollout policy' } },
};

/** Names and risks of per-host inventory variables. */
const HOST_VARS: Record<string, { label: string; risk: Risk }> = {
  ansible_host: { label: 'address', risk: { risk: 'medium', why: 'host address' } },
  rollout_criticality: { label: 'criticality', risk: { risk: 'medium', why: 'rollout order' } },
  rollout_managed: { label: 'managed by the infra stack', risk: { risk: 'medium', why: 'host lifecycle' } },
  datadog_tags: { label: 'Datadog tags', risk: { risk: 'low', why: 'tags' } },
};

/** Risk of hosts joining, leaving or moving between batches of `stage`. */
function membershipRisk(stage: string): Risk {
  return isProductionStage(stage) ? { risk: 'high', why: 'batch membership of prod hosts' } : { risk: 'medium', why: 'batch membership outside prod' };
}

/** Tags without the `rollout_batch:N` tag, which follows the batch and is reported as a move. */
function tagsWithoutBatch(tags: unknown): unknown {
  return Array.isArray(tags) ? tags.filter((tag) => !(typeof tag === 'string' && tag.startsWith(`${BATCH_TAG}:`))) : tags;
}

/** `1 host`, `3 hosts`. */
function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Risk of batch additions, removals and batch settings. */
const ROLLOUT_POLICY: Risk = { risk: 'medium', why: 'rollout policy' };

/** A Change without the stage and stack, which the builders below fill in. */
type ChangeFields = Omit<Change, 'stage' | 'stack'>;

/** One Change of the inventory of `stage`. */
function inventoryChange(stage: string, fields: ChangeFields): Change {
  return { stage, stack: INVENTORY_STACK, ...fields };
}

/** Union of two key lists, sorted (strings in code-unit order). */
function sortedKeys(before: Iterable<string>, after: Iterable<string>): string[] {
  return [...new Set([...before, ...after])].sort();
}

/** Union of two batch-number lists, sorted numerically. */
function sortedBatchNumbers(before: Iterable<number>, after: Iterable<number>): number[] {
  return [...new Set([...before, ...after])].sort((left, right) => left - right);
}

/** Documents not in the shape rollout synth writes: one generic change listing every differing leaf. */
function genericDocumentChanges(stage: string, base: unknown, head: unknown): Change[] {
  const leaves = diffValues(base, head);
  if (leaves.length === 0) return [];
  const attributes = leaves.map((leaf) => {
    const path = pathString(leaf.path) || 'document';
    return {
      path,
      before: leaf.before,
      after: leaf.after,
      text: `${path} ${describeDelta(leaf.before, leaf.after)}`,
      risk: 'medium' as const,
      why: 'inventory',
    };
  });
  return [
    inventoryChange(stage, {
      kind: 'changed',
      risk: 'medium',
      why: 'inventory',
      subject: 'inventory',
      label: 'inventory',
      text: `inventory: ${plural(attributes.length, 'setting')} change`,
      attributes,
    }),
  ];
}

/** Total number of hosts of a schedule. */
function hostCount(schedule: Schedule): number {
  return schedule.batches.reduce((total, batch) => total + batch.hosts, 0);
}

/** The stage's inventory is new: its host count, batch sizes and agent version. */
function inventoryAddedChange(stage: string, head: InventoryModel): Change {
  const schedule = scheduleOf(head);
  const risk = membershipRisk(stage);
  const sizes = schedule.batches.map((batch) => batch.hosts).join('/');
  const version = schedule.agentVersion ? `, agent ${schedule.agentVersion}` : '';
  const text = `inventory of stage ${stage} is added: ${plural(hostCount(schedule), 'host')} in batches of ${sizes}${version}`;
  return inventoryChange(stage, { kind: 'added', risk: risk.risk, why: risk.why, subject: 'inventory', label: 'inventory', text, attributes: [] });
}

/** The stage's inventory is gone: how many hosts leave the rollout. */
function inventoryRemovedChange(stage: string, base: InventoryModel): Change {
  const risk = membershipRisk(stage);
  const text = `inventory of stage ${stage} is removed: ${plural(hostCount(scheduleOf(base)), 'host')} leave the rollout`;
  return inventoryChange(stage, { kind: 'removed', risk: risk.risk, why: risk.why, subject: 'inventory', label: 'inventory', text, attributes: [] });
}

/** Stage-wide variables that differ, one change each, sorted by name. */
function stageVarChanges(stage: string, base: InventoryModel, head: InventoryModel): Change[] {
  const headHostCount = hostsOf(head).size;
  const changes: Change[] = [];
  for (const key of sortedKeys(Object.keys(base.vars), Object.keys(head.vars))) {
    const before = base.vars[key];
    const after = head.vars[key];
    if (diffValues(before, after).length === 0) continue;
    const spec = STAGE_VARS[key] ?? { label: key, risk: { risk: 'medium', why: 'inventory settings' } };
    const onHosts = spec.perHost ? ` on ${plural(headHostCount, 'host')}` : '';
    // A lower agent version is a rollback (typically a revert): say so, the deploy takes the rollback path.
    const rollback = key === 'datadog_agent_version' && typeof before === 'string' && typeof after === 'string' && compareVersions(after, before) < 0;
    const text = rollback ? `rollback to ${after}${onHosts} (agent version ${before} -> ${after})` : `${spec.label} ${describeDelta(before, after)}${onHosts}`;
    const attribute: AttributeChange = { path: key, before, after, text, risk: spec.risk.risk, why: spec.risk.why };
    changes.push(
      inventoryChange(stage, {
        kind: 'changed',
        risk: spec.risk.risk,
        why: spec.risk.why,
        subject: `var ${key}`,
        label: spec.label,
        text,
        attributes: [attribute],
      }),
    );
  }
  return changes;
}

/** A batch that exists only in the head inventory (with its soak hours when set). */
function batchAddedChange(stage: string, batchNumber: number, headBatch: BatchModel): Change {
  const soak = headBatch.vars.rollout_batch_soak_hours;
  const text = `batch ${batchNumber} is added${typeof soak === 'number' ? ` (soak ${soak} h)` : ''}`;
  const label = `batch ${batchNumber}`;
  return inventoryChange(stage, { kind: 'added', risk: ROLLOUT_POLICY.risk, why: ROLLOUT_POLICY.why, subject: label, label, text, attributes: [] });
}

/** A batch that exists only in the base inventory. */
function batchRemovedChange(stage: string, batchNumber: number): Change {
  const label = `batch ${batchNumber}`;
  return inventoryChange(stage, {
    kind: 'removed',
    risk: ROLLOUT_POLICY.risk,
    why: ROLLOUT_POLICY.why,
    subject: label,
    label,
    text: `${label} is removed`,
    attributes: [],
  });
}

/** Differing variables of a batch in both inventories; its soak is skipped when the stage's soak hours changed (reported already). */
function batchVarChanges(baseBatch: BatchModel, headBatch: BatchModel, stageSoakChanged: boolean): AttributeChange[] {
  const attributes: AttributeChange[] = [];
  for (const key of sortedKeys(Object.keys(baseBatch.vars), Object.keys(headBatch.vars))) {
    const before = baseBatch.vars[key];
    const after = headBatch.vars[key];
    if (diffValues(before, after).length === 0) continue;
    // A batch's soak follows the stage's soak hours, already reported with the stage settings.
    if (key === 'rollout_batch_soak_hours' && stageSoakChanged) continue;
    const name = key === 'rollout_batch_soak_hours' ? 'soak (hours)' : key;
    attributes.push({ path: key, before, after, text: `${name} ${describeDelta(before, after)}`, risk: ROLLOUT_POLICY.risk, why: ROLLOUT_POLICY.why });
  }
  return attributes;
}

/** A batch in both inventories whose settings differ; undefined when they do not. */
function batchSettingsChange(stage: string, batchNumber: number, baseBatch: BatchModel, headBatch: BatchModel, stageSoakChanged: boolean): Change | undefined {
  const attributes = batchVarChanges(baseBatch, headBatch, stageSoakChanged);
  if (attributes.length === 0) return undefined;
  const label = `batch ${batchNumber}`;
  const text = `${label} ${attributes.map((attribute) => attribute.text).join('; ')}`;
  return inventoryChange(stage, { kind: 'changed', risk: ROLLOUT_POLICY.risk, why: ROLLOUT_POLICY.why, subject: label, label, text, attributes });
}

/** Batches added, removed or with changed settings, in batch-number order. */
function batchChanges(stage: string, base: InventoryModel, head: InventoryModel): Change[] {
  const stageSoakChanged = diffValues(base.vars.rollout_soak_hours, head.vars.rollout_soak_hours).length > 0;
  const changes: Change[] = [];
  for (const batchNumber of sortedBatchNumbers(base.batches.keys(), head.batches.keys())) {
    const baseBatch = base.batches.get(batchNumber);
    const headBatch = head.batches.get(batchNumber);
    if (!baseBatch && headBatch) changes.push(batchAddedChange(stage, batchNumber, headBatch));
    else if (baseBatch && !headBatch) changes.push(batchRemovedChange(stage, batchNumber));
    else if (baseBatch && headBatch) {
      const change = batchSettingsChange(stage, batchNumber, baseBatch, headBatch, stageSoakChanged);
      if (change) changes.push(change);
    }
  }
  return changes;
}

/** A host that joins the rollout (with the batch it joins) or leaves it (with the batch it was in). */
function hostMembershipChange(stage: string, host: string, kind: 'added' | 'removed', batch: number): Change {
  const risk = membershipRisk(stage);
  const label = `host ${host}`;
  const text = kind === 'added' ? `${label} joins the rollout in batch ${batch}` : `${label} leaves the rollout (was in batch ${batch})`;
  return inventoryChange(stage, { kind, risk: risk.risk, why: risk.why, subject: label, label, text, attributes: [] });
}

/** A host's move between batches as an attribute (`pinned`: it is out of the split's order in the head); undefined when it stays. */
function hostBatchMove(stage: string, baseHost: HostModel, headHost: HostModel, pinned: boolean): AttributeChange | undefined {
  if (baseHost.batch === headHost.batch) return undefined;
  const risk = membershipRisk(stage);
  return {
    path: 'batch',
    before: baseHost.batch,
    after: headHost.batch,
    text: `moves from batch ${baseHost.batch} to batch ${headHost.batch}${pinned ? ' (pinned)' : ''}`,
    risk: risk.risk,
    why: risk.why,
  };
}

/** Wording of one host variable's change: lists as `adds X; removes Y`, others as a plain delta. */
function hostVarDelta(before: unknown, after: unknown): string {
  const delta = describeDelta(before, after);
  return /^(adds|removes) /.test(delta) ? `: ${delta}` : ` ${delta}`;
}

/** Differing variables of a host in both inventories, sorted by name (Datadog tags without the batch tag). */
function hostVarChanges(baseHost: HostModel, headHost: HostModel): AttributeChange[] {
  const attributes: AttributeChange[] = [];
  for (const key of sortedKeys(Object.keys(baseHost.vars), Object.keys(headHost.vars))) {
    const before = key === 'datadog_tags' ? tagsWithoutBatch(baseHost.vars[key]) : baseHost.vars[key];
    const after = key === 'datadog_tags' ? tagsWithoutBatch(headHost.vars[key]) : headHost.vars[key];
    if (diffValues(before, after).length === 0) continue;
    const spec = HOST_VARS[key] ?? { label: key, risk: { risk: 'medium', why: 'host settings' } };
    attributes.push({ path: key, before, after, text: `${spec.label}${hostVarDelta(before, after)}`, risk: spec.risk.risk, why: spec.risk.why });
  }
  return attributes;
}

/** The first attribute with the highest risk class. */
function riskiestAttribute(attributes: readonly AttributeChange[]): AttributeChange {
  let riskiest = attributes[0];
  for (const attribute of attributes) if (riskRank(attribute.risk) > riskRank(riskiest.risk)) riskiest = attribute;
  return riskiest;
}

/** A host in both inventories that moved batch or changed variables; undefined when neither. */
function hostSettingsChange(stage: string, host: string, baseHost: HostModel, headHost: HostModel, pinned: boolean): Change | undefined {
  const move = hostBatchMove(stage, baseHost, headHost, pinned);
  const attributes = [...(move ? [move] : []), ...hostVarChanges(baseHost, headHost)];
  if (attributes.length === 0) return undefined;
  const riskiest = riskiestAttribute(attributes);
  const label = `host ${host}`;
  const text = `${label} ${attributes.map((attribute) => attribute.text).join('; ')}`;
  return inventoryChange(stage, { kind: 'changed', risk: riskiest.risk, why: riskiest.why, subject: label, label, text, attributes });
}

/** Hosts joining, leaving, moving batch or with changed variables, sorted by host name. */
function hostChanges(stage: string, base: InventoryModel, head: InventoryModel): Change[] {
  const baseHosts = hostsOf(base);
  const headHosts = hostsOf(head);
  const pinned = pinnedHosts(head) ?? new Set<string>();
  const changes: Change[] = [];
  for (const host of sortedKeys(baseHosts.keys(), headHosts.keys())) {
    const baseHost = baseHosts.get(host);
    const headHost = headHosts.get(host);
    if (!baseHost && headHost) changes.push(hostMembershipChange(stage, host, 'added', headHost.batch));
    else if (baseHost && !headHost) changes.push(hostMembershipChange(stage, host, 'removed', baseHost.batch));
    else if (baseHost && headHost) {
      const change = hostSettingsChange(stage, host, baseHost, headHost, pinned.has(host));
      if (change) changes.push(change);
    }
  }
  return changes;
}

/** Compare a stage's two inventories (either may be undefined: stage added or removed). */
export function diffInventory(stage: string, base: unknown, head: unknown): Change[] {
  const baseModel = base === undefined ? undefined : inventoryModel(base);
  const headModel = head === undefined ? undefined : inventoryModel(head);
  const unreadable = (base !== undefined && !baseModel) || (head !== undefined && !headModel);
  if (unreadable) return genericDocumentChanges(stage, base, head);
  if (!baseModel) return headModel ? [inventoryAddedChange(stage, headModel)] : [];
  if (!headModel) return [inventoryRemovedChange(stage, baseModel)];
  return [...stageVarChanges(stage, baseModel, headModel), ...batchChanges(stage, baseModel, headModel), ...hostChanges(stage, baseModel, headModel)];
}
