/**
 * A plan, summarized for a reviewer (pure): counts per action, replacements
 * and destroys first with the attributes that force them, the rest collapsed.
 * Values are never printed, only attribute names: a plan can hold secrets
 * that are not marked sensitive (derived attributes), and a pull request
 * comment is no place for them.
 */
import type { PathStep, Plan, ResourceChange } from './terraform-plan';

/** What Terraform will do to one resource instance. */
export type PlanAction = 'replace' | 'delete' | 'create' | 'update' | 'read' | 'move' | 'import' | 'forget';

/** Actions in the order the summary lists them (most destructive first). */
export const PLAN_ACTIONS: readonly PlanAction[] = ['replace', 'delete', 'create', 'update', 'read', 'move', 'import', 'forget'];

export interface Replacement {
  readonly address: string;
  /** Attribute paths that force the replacement (`replace_paths`), e.g. `root_block_device[0].encrypted`. */
  readonly forcedBy: readonly string[];
  /** Why, in words (from `action_reason`). */
  readonly reason: string;
  /** `delete, then create` (Terraform's default) or `create, then delete` (create_before_destroy). */
  readonly order: string;
}

export interface Destroy {
  readonly address: string;
  readonly reason: string;
}

export interface OtherChange {
  readonly address: string;
  readonly action: Exclude<PlanAction, 'replace' | 'delete'>;
  /** Changed attributes (updates), with ` (known after apply)` for computed ones. */
  readonly attributes: readonly string[];
  /** For moves: the previous address. */
  readonly from?: string;
}

export interface PlanSummary {
  readonly terraformVersion?: string;
  readonly counts: Readonly<Record<PlanAction, number>>;
  readonly replacements: readonly Replacement[];
  readonly destroys: readonly Destroy[];
  readonly others: readonly OtherChange[];
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly action: string }>;
  /** Resources changed outside Terraform since the last apply. */
  readonly drift: readonly string[];
  /** The plan stopped on an error: what it shows is partial. */
  readonly incomplete: boolean;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Top-level attributes an update changes, computed ones marked. */
function changedAttributes(rc: ResourceChange): string[] {
  const before = isObject(rc.change.before) ? rc.change.before : {};
  const after = isObject(rc.change.after) ? rc.change.after : {};
  const unknown = isObject(rc.change.after_unknown) ? rc.change.after_unknown : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  const out: string[] = [];
  for (const k of keys) {
    if (unknown[k] === true) out.push(`${k} (known after apply)`);
    else if (!same(before[k] ?? null, after[k] ?? null)) out.push(k);
  }
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

const byAddress = <T extends { address: string }>(a: T, b: T): number => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);

/** Summarize a parsed plan. */
export function summarizePlan(plan: Plan): PlanSummary {
  const counts = Object.fromEntries(PLAN_ACTIONS.map((a) => [a, 0])) as Record<PlanAction, number>;
  const replacements: Replacement[] = [];
  const destroys: Destroy[] = [];
  const others: OtherChange[] = [];
  for (const rc of plan.resource_changes) {
    const action = actionOf(rc);
    if (!action) continue;
    counts[action]++;
    const address = rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address;
    if (action === 'replace') {
      const forcedBy = (rc.change.replace_paths ?? []).map(formatPath).sort();
      replacements.push({
        address,
        forcedBy,
        reason: REASONS[rc.action_reason ?? ''] ?? rc.action_reason ?? 'an attribute cannot be updated in place',
        order: rc.change.actions[0] === 'create' ? 'create, then delete' : 'delete, then create',
      });
    } else if (action === 'delete') {
      destroys.push({ address, reason: REASONS[rc.action_reason ?? ''] ?? (rc.deposed ? 'a deposed object left by an earlier replacement' : 'destroyed') });
    } else {
      others.push({
        address,
        action,
        attributes: action === 'update' ? changedAttributes(rc) : [],
        ...(action === 'move' && rc.previous_address ? { from: rc.previous_address } : {}),
      });
    }
  }
  const outputs = Object.entries(plan.output_changes)
    .filter(([, c]) => !(c.actions.length === 1 && c.actions[0] === 'no-op'))
    .map(([name, c]) => ({ name, action: c.actions.join(', ') }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const drift = plan.resource_drift
    .filter((d) => actionOf(d) !== undefined)
    .map((d) => d.address)
    .sort();
  return {
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    counts,
    replacements: replacements.sort(byAddress),
    destroys: destroys.sort(byAddress),
    others: others.sort((a, b) => PLAN_ACTIONS.indexOf(a.action) - PLAN_ACTIONS.indexOf(b.action) || byAddress(a, b)),
    outputs,
    drift,
    incomplete: plan.errored === true || plan.complete === false,
  };
}
