/**
 * A plan, summarized for a reviewer (pure): Terraform's own counts, every
 * resource change named and judged as `rollout diff` names and judges it
 * (review/diff: the same labels and risk classes, from the plan's values and
 * Terraform's verdict), what an incomplete plan left out, and where the plan
 * and the diff disagree. Values are never printed, only attribute names: a
 * plan can hold secrets that are not marked sensitive (derived attributes),
 * and a pull request comment is no place for them.
 */
import { stageOfStack } from '../diff/diff';
import { constructPath, ResourceRef } from '../diff/labels';
import { destroyRisk, Risk } from '../diff/risk';
import { diffResource, sideOf, TreeFacts } from '../diff/stack-diff';
import { Change, maxRisk, RiskClass, riskRank } from '../diff/types';
import { isPlainObject } from '../diff/values';
import type { DiffReport } from './diff-report';
import type { PathStep, Plan, ResourceChange } from './terraform-plan';

/** What Terraform will do to one resource instance. */
export type PlanAction = 'replace' | 'delete' | 'create' | 'update' | 'read' | 'move' | 'import' | 'forget';

/** Actions in the order the summary lists them (most destructive first). */
export const PLAN_ACTIONS: readonly PlanAction[] = ['replace', 'delete', 'create', 'update', 'read', 'move', 'import', 'forget'];

/** One resource change of the plan, named and judged. */
export interface PlanItem {
  /** Terraform's address (with ` (deposed object X)` for a deposed object). */
  readonly address: string;
  readonly action: PlanAction;
  /** As `rollout diff` names it: `host dev-web-01`, "monitor `api latency` (api-latency)". */
  readonly label: string;
  readonly risk: RiskClass;
  readonly why: string;
  /** Updates: the changed attributes, ` (known after apply)` for computed ones, `(loosened)` / `(tightened)` for monitors. */
  readonly attributes: readonly string[];
  /** Replacements: the attributes that force it (`replace_paths`). */
  readonly forcedBy: readonly string[];
  /** Replacements and destroys: why, in words (from `action_reason`). */
  readonly reason?: string;
  /** Replacements: `delete, then create` (Terraform's default) or `create, then delete` (create_before_destroy). */
  readonly order?: string;
  /** Moves: the previous address. */
  readonly from?: string;
  /** Also imported (an import with changes). */
  readonly importing?: boolean;
}

/** Counts as Terraform's `Plan:` line has them: a replacement is one to add and one to destroy; data reads are not counted. */
export interface TerraformCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly import: number;
  readonly forget: number;
}

/** Where the plan and `rollout diff` disagree about one resource. */
export interface Disagreement {
  readonly address: string;
  readonly label: string;
  readonly text: string;
}

export interface PlanSummary {
  readonly terraformVersion?: string;
  /** Resource instances per action (reads included). */
  readonly counts: Readonly<Record<PlanAction, number>>;
  readonly terraform: TerraformCounts;
  /** Every resource change, most destructive action first, then by address. */
  readonly items: readonly PlanItem[];
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly action: string }>;
  /** Resources changed outside Terraform since the last apply. */
  readonly drift: readonly string[];
  /** The plan stopped on an error (`errored`) or covers part of the configuration (`complete: false`, e.g. -target). */
  readonly incomplete: boolean;
  readonly errored: boolean;
  /** What an incomplete plan left out: configured resources and data sources it did not plan or read. */
  readonly missing: readonly string[];
  /** The highest risk of any item (undefined when nothing changes). */
  readonly highestRisk?: RiskClass;
  /** Set when joined with a diff report: where the two disagree. */
  readonly disagreements?: readonly Disagreement[];
}

const REASONS: Record<string, string> = {
  replace_because_cannot_update: 'an attribute cannot be updated in place',
  replace_because_tainted: 'the resource is tainted',
  replace_by_request: 'requested with -replace',
  replace_by_triggers: 'replace_triggered_by',
  delete_because_no_resource_config: 'removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'count/for_each was removed or added',
  delete_because_count_index: 'count was lowered',
  delete_because_each_key: 'its for_each key was removed',
  delete_because_no_move_target: 'its moved target does not exist',
  read_because_config_unknown: 'its configuration is known only during apply',
  read_because_dependency_pending: 'it depends on a pending change',
};

/** `["root_block_device", 0, "encrypted"]` -> `root_block_device[0].encrypted`. */
export function formatPath(path: readonly PathStep[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out;
}

/** The action of one resource change; undefined for no-ops. */
export function actionOf(rc: ResourceChange): PlanAction | undefined {
  const a = rc.change.actions.join(',');
  switch (a) {
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    case 'delete':
      return 'delete';
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'read':
      return 'read';
    case 'forget':
      return 'forget';
    case 'no-op':
      if (rc.previous_address && rc.previous_address !== rc.address) return 'move';
      if (rc.change.importing) return 'import';
      return undefined;
    default:
      return undefined;
  }
}

/** Terraform's `Plan:` counts (internal/command/jsonformat/plan.go): replacements add and destroy, moves and reads are not counted, imports are. */
export function terraformCounts(plan: Plan): TerraformCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let imports = 0;
  let forget = 0;
  for (const rc of plan.resource_changes) {
    const a = rc.change.actions.join(',');
    // Terraform renders nothing for a data source's delete.
    if (a === 'delete' && rc.mode === 'data') continue;
    if (rc.change.importing) imports++;
    if (a === 'create' || a === 'delete,create' || a === 'create,delete' || a === 'create,forget') add++;
    if (a === 'update') change++;
    if (a === 'delete' || a === 'delete,create' || a === 'create,delete') destroy++;
    if (a === 'forget' || a === 'create,forget') forget++;
  }
  return { add, change, destroy, import: imports, forget };
}

/** `2 to add, 1 to change, 2 to destroy` with Terraform's import prefix and forget suffix. */
export function headline(t: TerraformCounts): string {
  return `${t.import > 0 ? `${t.import} to import, ` : ''}${t.add} to add, ${t.change} to change, ${t.destroy} to destroy${t.forget > 0 ? `, ${t.forget} to forget` : ''}`;
}

const UNKNOWN = '(known after apply)';

/** Top-level attributes marked `true` in a sensitivity or unknown map. */
function flagged(map: unknown): Set<string> {
  return new Set(isPlainObject(map) ? Object.keys(map).filter((k) => map[k] === true) : []);
}

/** Values without nulls at any depth: an unset attribute is null on one side and absent or empty on the other. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

/** Placeholders for sensitive values: they are compared (changed or not), never carried into a name or a text. */
const SENSITIVE = '(sensitive value)';
const SENSITIVE_CHANGED = '(sensitive value, changed)';

/**
 * Both sides of a change as the diff reads configurations: nulls dropped,
 * sensitive values replaced by placeholders that still tell a change from
 * none, unknown values (after) marked.
 */
function sidesOf(rc: ResourceChange, markUnknown: boolean): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b = withoutNulls(isPlainObject(rc.change.before) ? rc.change.before : {}) as Record<string, unknown>;
  const a = withoutNulls(isPlainObject(rc.change.after) ? rc.change.after : {}) as Record<string, unknown>;
  for (const k of new Set([...flagged(rc.change.before_sensitive), ...flagged(rc.change.after_sensitive)])) {
    const changed = JSON.stringify(b[k]) !== JSON.stringify(a[k]);
    if (k in b) b[k] = SENSITIVE;
    if (k in a) a[k] = changed ? SENSITIVE_CHANGED : SENSITIVE;
  }
  if (markUnknown) for (const k of flagged(rc.change.after_unknown)) a[k] = UNKNOWN;
  return { before: b, after: a };
}

/** The plan's address without the instance key and module path: `aws_instance.web[0]` -> type `aws_instance`, name `web`. */
function refOf(rc: ResourceChange, config: Record<string, unknown>): ResourceRef {
  const mode = rc.mode === 'data' ? 'data' : 'resource';
  const local = rc.address.slice(rc.module_address ? rc.module_address.length + 1 : 0).replace(/^data\./, '');
  const [type, rawName] = [rc.type ?? local.split('.')[0], rc.name ?? local.split('.')[1] ?? local];
  return { mode, type, name: rawName.replace(/\[.*\]$/, ''), config };
}

/** Plan values keep a single block as a one-element list: `monitor_thresholds[0].critical` is the diff's `monitor_thresholds.critical`. */
const normalizePath = (path: string): string => path.replace(/\[0\](?=\.|$)/g, '');

/** Terraform's `[ "a", 0, "b" ]` paths as the diff writes them. */
const pathsOf = (rc: ResourceChange): string[] => (rc.change.replace_paths ?? []).map(formatPath).map(normalizePath).sort();

const orderOf = (rc: ResourceChange): string => (rc.change.actions[0] === 'create' ? 'create, then delete' : 'delete, then create');

/** An attribute of an update for the summary: its name, and the effect the diff gives it (never its value). */
function attributeOf(a: Change['attributes'][number]): string {
  const effect = / \((loosened|tightened)\)$/.exec(a.text);
  return `${a.path}${a.after === UNKNOWN ? ` ${UNKNOWN}` : ''}${effect ? ` (${effect[1]})` : ''}`;
}

const byAddress = <T extends { address: string }>(a: T, b: T): number => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

/** The facts the diff judges with, from a diff report when there is one (state buckets, lock tables). */
function treeFacts(report?: DiffReport): TreeFacts {
  return { stateBuckets: new Set(report?.stateStorage?.buckets ?? []), lockTables: new Set(report?.stateStorage?.tables ?? []) };
}

/** One resource change named and judged as the diff would. */
function itemOf(rc: ResourceChange, action: PlanAction, stack: string, tree: TreeFacts): PlanItem {
  const address = rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address;
  const stage = stageOfStack(stack);
  // Unknown values are marked only where the two sides are compared; a new resource is named by what is known.
  const { before, after } = sidesOf(rc, action === 'update' || action === 'replace');
  const rb = action === 'create' || action === 'read' ? undefined : refOf(rc, before);
  const rh = action === 'delete' || action === 'forget' ? undefined : refOf(rc, action === 'move' || action === 'import' ? before : after);
  const index = new Map<string, ResourceRef>();
  const side = sideOf(index, tree);
  const forcedBy = action === 'replace' ? pathsOf(rc) : [];
  const base = {
    address,
    action,
    attributes: [] as string[],
    forcedBy,
    ...(action === 'replace' || action === 'delete'
      ? {
          reason:
            REASONS[rc.action_reason ?? ''] ??
            rc.action_reason ??
            (action === 'replace' ? 'an attribute cannot be updated in place' : rc.deposed ? 'a deposed object left by an earlier replacement' : 'destroyed'),
        }
      : {}),
    ...(action === 'replace' ? { order: orderOf(rc) } : {}),
    ...(action === 'move' && rc.previous_address ? { from: rc.previous_address } : {}),
    ...(rc.change.importing && action !== 'import' ? { importing: true } : {}),
  };
  const label = (ref: ResourceRef | undefined): string => {
    if (!ref) return address;
    return nameOf(ref, diffResource(stage, stack, address, undefined, ref, tree, side, side)?.label, address);
  };
  if (action === 'move' || action === 'import' || action === 'forget') {
    const risk: Risk =
      action === 'move'
        ? { risk: 'low', why: 'moved in the state, nothing changes' }
        : action === 'import'
          ? { risk: 'medium', why: 'an existing object comes under Terraform' }
          : { risk: 'medium', why: 'Terraform lets go of the object (it stays)' };
    return { ...base, label: label(rh ?? rb), ...risk };
  }
  if (action === 'delete' && rc.deposed && rb) {
    const risk = destroyRisk({ mode: rb.mode, type: rb.type }, 'removed');
    return { ...base, label: label(rb), risk: risk.risk, why: risk.why };
  }
  const verdict = action === 'replace' ? { replaced: true, forcedBy } : action === 'update' ? { replaced: false, forcedBy: [] } : undefined;
  const change = diffResource(stage, stack, address, rb, rh, tree, side, side, { ...(verdict ? { verdict } : {}), normalizePath });
  if (!change) {
    // An update whose changes are all inside values the summary cannot compare (or left out as sensitive).
    return { ...base, label: label(rh ?? rb), risk: 'medium', why: 'other settings' };
  }
  return {
    ...base,
    label: nameOf((rh ?? rb) as ResourceRef, change.label, address),
    risk: change.risk,
    why: change.why,
    attributes: action === 'update' ? [...new Set(change.attributes.map(attributeOf))] : [],
  };
}

/** The diff's name for a resource, or its address when the diff could only name it by its logical id. */
function nameOf(ref: ResourceRef, label: string | undefined, address: string): string {
  return !label || label.endsWith(` ${constructPath(ref)}`) ? address : label;
}

/** Configured resources and data sources the plan neither planned nor read (only for an incomplete plan). */
function missingOf(plan: Plan): string[] {
  const planned = [...plan.resource_changes.map((rc) => rc.address), ...plan.dataRead];
  const covers = (address: string): boolean => planned.some((p) => p === address || p.startsWith(`${address}[`));
  return plan.configured
    .map((c) => c.address)
    .filter((a) => !covers(a))
    .sort();
}

/** Did the diff name `address` only by its logical id (`terraform data keep`)? Then the address says more. */
function byLogicalId(label: string, address: string): boolean {
  return label.endsWith(` ${address.slice(address.indexOf('.') + 1).replace(/_[0-9A-F]{8}$/, '')}`);
}

const KIND_OF: Partial<Record<PlanAction, Change['kind']>> = {
  create: 'added',
  delete: 'removed',
  replace: 'replaced',
  update: 'changed',
  move: 'renamed',
  import: 'imported',
};
const WORDS: Record<Change['kind'], string> = {
  added: 'a creation',
  removed: 'a destroy',
  replaced: 'a replacement',
  changed: 'an in-place update',
  renamed: 'a rename (moved block)',
  imported: 'an import',
};

/** A rename or an import may come with an update of the object (a moved or imported resource whose definition differs). */
function agrees(predicted: Change['kind'], action: PlanAction): boolean {
  return predicted === KIND_OF[action] || (action === 'update' && (predicted === 'renamed' || predicted === 'imported'));
}

/** Where the plan and the diff disagree, resource by resource (data sources are left out: a plan reads most of them without listing them). */
export function disagreements(items: readonly PlanItem[], report: DiffReport, stack: string): Disagreement[] {
  const predicted = new Map(
    report.changes.filter((c) => c.stack === stack && c.subject.startsWith('resource.')).map((c) => [c.subject.slice('resource.'.length), c]),
  );
  const out: Disagreement[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const kind = KIND_OF[item.action];
    if (!kind || item.address.includes('(deposed')) continue;
    const key = item.address.replace(/\[[^\]]*\]$/, '');
    seen.add(key);
    const c = predicted.get(key);
    if (c && agrees(c.kind, item.action)) continue;
    const forced = (f: readonly string[] | undefined): string => (f && f.length > 0 ? ` (forced by ${f.join(', ')})` : '');
    const plan =
      item.action === 'replace'
        ? `Terraform replaces it${forced(item.forcedBy)}`
        : item.action === 'update'
          ? 'Terraform updates it in place'
          : item.action === 'create'
            ? 'Terraform creates it'
            : 'Terraform destroys it';
    const text = c
      ? `the diff predicted ${WORDS[c.kind]}${c.kind === 'replaced' ? forced(c.forcedBy) : ''}; ${plan}`
      : `${plan}; the diff has no change for it (drift, or a change made outside this commit)`;
    out.push({ address: item.address, label: item.label !== item.address ? item.label : c && !byLogicalId(c.label, key) ? c.label : item.address, text });
  }
  for (const [key, c] of predicted) {
    if (seen.has(key)) continue;
    out.push({
      address: key,
      label: byLogicalId(c.label, key) ? key : c.label,
      text: `the diff predicted ${WORDS[c.kind]}${c.kind === 'replaced' && c.forcedBy?.length ? ` (forced by ${c.forcedBy.join(', ')})` : ''}; the plan has no change for it (already applied, or the same value at apply time)`,
    });
  }
  return out.sort(byAddress);
}

/** Summarize a parsed plan of `stack` (`dev-infra`: its stage decides how monitors are judged), joined with a diff report when given. */
export function summarizePlan(plan: Plan, stack = '', report?: DiffReport): PlanSummary {
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  const tree = treeFacts(report);
  const items: PlanItem[] = [];
  for (const rc of plan.resource_changes) {
    const action = actionOf(rc);
    if (!action) continue;
    if (action === 'delete' && rc.mode === 'data') continue;
    counts[action]++;
    items.push(itemOf(rc, action, stack, tree));
  }
  items.sort((a, b) => PLAN_ACTIONS.indexOf(a.action) - PLAN_ACTIONS.indexOf(b.action) || byAddress(a, b));
  const outputs = Object.entries(plan.output_changes)
    .filter(([, c]) => !(c.actions.length === 1 && c.actions[0] === 'no-op'))
    .map(([name, c]) => ({ name, action: c.actions.join(', ') }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const drift = plan.resource_drift
    .filter((d) => actionOf(d) !== undefined)
    .map((d) => d.address)
    .sort();
  const incomplete = plan.errored === true || plan.complete === false;
  let top: RiskClass | undefined;
  for (const i of items) if (i.action !== 'read') top = top ? maxRisk(top, i.risk) : i.risk;
  return {
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    counts,
    terraform: terraformCounts(plan),
    items,
    outputs,
    drift,
    incomplete,
    errored: plan.errored === true,
    missing: incomplete ? missingOf(plan) : [],
    ...(top ? { highestRisk: top } : {}),
    ...(report ? { disagreements: disagreements(items, report, stack) } : {}),
  };
}

/** Items a reviewer must see: replacements and destroys, and anything above low risk; highest risk first. */
export function attentionItems(s: PlanSummary): PlanItem[] {
  return s.items
    .filter((i) => i.action === 'replace' || i.action === 'delete' || (i.risk !== 'low' && i.action !== 'read'))
    .sort((a, b) => riskRank(b.risk) - riskRank(a.risk) || PLAN_ACTIONS.indexOf(a.action) - PLAN_ACTIONS.indexOf(b.action) || byAddress(a, b));
}
