/**
 * Semantic diff of two generated inventories of one stage (pure): stage
 * settings, batches and hosts are compared by name, never by position, so
 * reordered keys or hosts are no change. Host moves between batches, hosts
 * joining or leaving the rollout, and agent settings are worded for people.
 */
import { isProductionStage, Risk } from './risk';
import { AttributeChange, Change, INVENTORY_STACK, riskRank, Schedule } from './types';
import { describeDelta, diffValues, formatValue, isPlainObject, listDelta, pathString } from './values';

/** A stage inventory as the diff reads it. */
export interface InventoryModel {
  readonly stage: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly batches: ReadonlyMap<number, { readonly vars: Readonly<Record<string, unknown>>; readonly hosts: ReadonlyMap<string, Readonly<Record<string, unknown>>> }>;
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
  for (const [name, g] of Object.entries(kids)) {
    const m = /^batch_(\d+)$/.exec(name);
    if (!m || !isPlainObject(g)) return undefined;
    const hosts = new Map<string, Record<string, unknown>>();
    for (const [h, hv] of Object.entries(isPlainObject(g.hosts) ? g.hosts : {})) hosts.set(h, isPlainObject(hv) ? hv : {});
    batches.set(Number(m[1]), { vars: isPlainObject(g.vars) ? g.vars : {}, hosts });
  }
  return { stage, vars, batches };
}

/** Host name -> batch number and variables. */
function hostsOf(inv: InventoryModel): Map<string, { batch: number; vars: Readonly<Record<string, unknown>> }> {
  const out = new Map<string, { batch: number; vars: Readonly<Record<string, unknown>> }>();
  for (const [n, b] of inv.batches) for (const [h, v] of b.hosts) out.set(h, { batch: n, vars: v });
  return out;
}

/** The stage's rollout schedule: batches with host counts and soak hours. */
export function scheduleOf(inv: InventoryModel): Schedule {
  const soaks = Array.isArray(inv.vars.rollout_soak_hours) ? (inv.vars.rollout_soak_hours as unknown[]) : [];
  const batches = [...inv.batches.entries()]
    .sort(([a], [b]) => a - b)
    .map(([number, b]) => {
      const soak = typeof b.vars.rollout_batch_soak_hours === 'number' ? b.vars.rollout_batch_soak_hours : soaks[number - 1];
      return { number, hosts: b.hosts.size, soakHours: typeof soak === 'number' ? soak : 0 };
    });
  const v = inv.vars.datadog_agent_version;
  return { stage: inv.stage, ...(typeof v === 'string' ? { agentVersion: v } : {}), batches };
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

const HOST_VARS: Record<string, { label: string; risk: Risk }> = {
  ansible_host: { label: 'address', risk: { risk: 'medium', why: 'host address' } },
  rollout_criticality: { label: 'criticality', risk: { risk: 'medium', why: 'rollout order' } },
  rollout_managed: { label: 'managed by the infra stack', risk: { risk: 'medium', why: 'host lifecycle' } },
  datadog_tags: { label: 'Datadog tags', risk: { risk: 'low', why: 'tags' } },
};

function membershipRisk(stage: string): Risk {
  return isProductionStage(stage)
    ? { risk: 'high', why: 'batch membership of prod hosts' }
    : { risk: 'medium', why: 'batch membership outside prod' };
}

/** Tags without the `rollout_batch:N` tag, which follows the batch and is reported as a move. */
function tagsWithoutBatch(v: unknown): unknown {
  return Array.isArray(v) ? v.filter((t) => !(typeof t === 'string' && t.startsWith('rollout_batch:'))) : v;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Compare a stage's two inventories (either may be undefined: stage added or removed). */
export function diffInventory(stage: string, base: unknown, head: unknown): Change[] {
  const mb = base === undefined ? undefined : inventoryModel(base);
  const mh = head === undefined ? undefined : inventoryModel(head);
  const out: Change[] = [];
  const mk = (c: Omit<Change, 'stage' | 'stack'>): void => {
    out.push({ stage, stack: INVENTORY_STACK, ...c });
  };

  if ((base !== undefined && !mb) || (head !== undefined && !mh)) {
    // Not the shape rollout synth writes: compare the documents generically.
    const leaves = diffValues(base, head);
    if (leaves.length === 0) return [];
    const attrs = leaves.map((l) => {
      const path = pathString(l.path) || 'document';
      return { path, before: l.before, after: l.after, text: `${path} ${describeDelta(l.before, l.after)}`, risk: 'medium' as const, why: 'inventory' };
    });
    mk({ kind: 'changed', risk: 'medium', why: 'inventory', subject: 'inventory', label: 'inventory', text: `inventory: ${plural(attrs.length, 'setting')} change`, attributes: attrs });
    return out;
  }
  if (!mb && !mh) return [];
  if (!mb || !mh) {
    const inv = (mh ?? mb) as InventoryModel;
    const s = scheduleOf(inv);
    const n = s.batches.reduce((a, b) => a + b.hosts, 0);
    const risk = membershipRisk(stage);
    const sizes = s.batches.map((b) => b.hosts).join('/');
    const text = mh
      ? `inventory of stage ${stage} is added: ${plural(n, 'host')} in batches of ${sizes}${s.agentVersion ? `, agent ${s.agentVersion}` : ''}`
      : `inventory of stage ${stage} is removed: ${plural(n, 'host')} leave the rollout`;
    mk({ kind: mh ? 'added' : 'removed', risk: risk.risk, why: risk.why, subject: 'inventory', label: 'inventory', text, attributes: [] });
    return out;
  }

  const hb = hostsOf(mb);
  const hh = hostsOf(mh);

  // Stage-wide settings.
  for (const key of [...new Set([...Object.keys(mb.vars), ...Object.keys(mh.vars)])].sort()) {
    const leaves = diffValues(mb.vars[key], mh.vars[key]);
    if (leaves.length === 0) continue;
    const spec = STAGE_VARS[key] ?? { label: key, risk: { risk: 'medium', why: 'inventory settings' } };
    const onHosts = spec.perHost ? ` on ${plural(hh.size, 'host')}` : '';
    const text = `${spec.label} ${describeDelta(mb.vars[key], mh.vars[key])}${onHosts}`;
    const attr: AttributeChange = { path: key, before: mb.vars[key], after: mh.vars[key], text, risk: spec.risk.risk, why: spec.risk.why };
    mk({ kind: 'changed', risk: spec.risk.risk, why: spec.risk.why, subject: `var ${key}`, label: spec.label, text, attributes: [attr] });
  }

  // Batches: added, removed, or with changed settings.
  const soakChanged = diffValues(mb.vars.rollout_soak_hours, mh.vars.rollout_soak_hours).length > 0;
  for (const n of [...new Set([...mb.batches.keys(), ...mh.batches.keys()])].sort((a, b) => a - b)) {
    const bb = mb.batches.get(n);
    const bh = mh.batches.get(n);
    const policy: Risk = { risk: 'medium', why: 'rollout policy' };
    if (!bb || !bh) {
      const soak = (bh ?? bb)?.vars.rollout_batch_soak_hours;
      const text = bh ? `batch ${n} is added${typeof soak === 'number' ? ` (soak ${soak} h)` : ''}` : `batch ${n} is removed`;
      mk({ kind: bh ? 'added' : 'removed', risk: policy.risk, why: policy.why, subject: `batch ${n}`, label: `batch ${n}`, text, attributes: [] });
      continue;
    }
    const attrs: AttributeChange[] = [];
    for (const key of [...new Set([...Object.keys(bb.vars), ...Object.keys(bh.vars)])].sort()) {
      if (diffValues(bb.vars[key], bh.vars[key]).length === 0) continue;
      // A batch's soak follows the stage's soak hours, already reported above.
      if (key === 'rollout_batch_soak_hours' && soakChanged) continue;
      const name = key === 'rollout_batch_soak_hours' ? 'soak (hours)' : key;
      attrs.push({ path: key, before: bb.vars[key], after: bh.vars[key], text: `${name} ${describeDelta(bb.vars[key], bh.vars[key])}`, risk: policy.risk, why: policy.why });
    }
    if (attrs.length > 0) {
      mk({ kind: 'changed', risk: policy.risk, why: policy.why, subject: `batch ${n}`, label: `batch ${n}`, text: `batch ${n} ${attrs.map((a) => a.text).join('; ')}`, attributes: attrs });
    }
  }

  // Hosts.
  const member = membershipRisk(stage);
  for (const host of [...new Set([...hb.keys(), ...hh.keys()])].sort()) {
    const b = hb.get(host);
    const h = hh.get(host);
    const label = `host ${host}`;
    if (!b && h) {
      mk({ kind: 'added', risk: member.risk, why: member.why, subject: label, label, text: `${label} joins the rollout in batch ${h.batch}`, attributes: [] });
      continue;
    }
    if (b && !h) {
      mk({ kind: 'removed', risk: member.risk, why: member.why, subject: label, label, text: `${label} leaves the rollout (was in batch ${b.batch})`, attributes: [] });
      continue;
    }
    if (!b || !h) continue;
    const attrs: AttributeChange[] = [];
    if (b.batch !== h.batch) {
      attrs.push({ path: 'batch', before: b.batch, after: h.batch, text: `moves from batch ${b.batch} to batch ${h.batch}`, risk: member.risk, why: member.why });
    }
    for (const key of [...new Set([...Object.keys(b.vars), ...Object.keys(h.vars)])].sort()) {
      const vb = key === 'datadog_tags' ? tagsWithoutBatch(b.vars[key]) : b.vars[key];
      const vh = key === 'datadog_tags' ? tagsWithoutBatch(h.vars[key]) : h.vars[key];
      if (diffValues(vb, vh).length === 0) continue;
      const spec = HOST_VARS[key] ?? { label: key, risk: { risk: 'medium', why: 'host settings' } };
      let delta = describeDelta(vb, vh);
      if (Array.isArray(vb) && Array.isArray(vh)) {
        const { added, removed } = listDelta(vb, vh);
        const parts = [...(added.length ? [`adds ${added.map((x) => formatValue(x)).join(', ')}`] : []), ...(removed.length ? [`removes ${removed.map((x) => formatValue(x)).join(', ')}`] : [])];
        if (parts.length > 0) delta = parts.join('; ');
      }
      attrs.push({ path: key, before: vb, after: vh, text: `${spec.label} ${delta}`, risk: spec.risk.risk, why: spec.risk.why });
    }
    if (attrs.length === 0) continue;
    let top = attrs[0];
    for (const a of attrs) if (riskRank(a.risk) > riskRank(top.risk)) top = a;
    mk({ kind: 'changed', risk: top.risk, why: top.why, subject: label, label, text: `${label} ${attrs.map((a) => a.text).join('; ')}`, attributes: attrs });
  }
  return out;
}
