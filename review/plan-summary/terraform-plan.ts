/**
 * Reading `terraform show -json PLANFILE` output (pure): the parts of the
 * plan representation the summary uses, checked so that anything else (a
 * binary plan file, a state file, a truncated file) gives one clear error.
 * Format: https://developer.hashicorp.com/terraform/internals/json-format
 * (format_version 1.x; unknown fields are ignored, as the format asks).
 */

/** The input is not a Terraform JSON plan. */
export class PlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFormatError';
  }
}

/** One element of a `replace_paths` path: an attribute name or a list index. */
export type PathStep = string | number;

/** One entry of `resource_changes` (or `resource_drift`). */
export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode?: 'managed' | 'data';
  readonly type?: string;
  readonly name?: string;
  readonly index?: unknown;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<readonly PathStep[]>;
    readonly importing?: unknown;
  };
}

/** A resource or data block of the configuration (`configuration` of the plan), by its address without an instance key. */
export interface ConfiguredResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
}

/** The plan, as far as the summary reads it. */
export interface Plan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes: readonly ResourceChange[];
  readonly resource_drift: readonly ResourceChange[];
  readonly output_changes: Readonly<Record<string, { readonly actions: readonly string[] }>>;
  readonly errored?: boolean;
  readonly complete?: boolean;
  readonly applyable?: boolean;
  /** Every resource and data block of the configuration (empty when the plan has no `configuration`). */
  readonly configured: readonly ConfiguredResource[];
  /** Instances of data sources read while planning (in `prior_state`), by address. */
  readonly dataRead: readonly string[];
}

const HINT = 'expected the output of `terraform show -json PLANFILE` (run `terraform plan -out PLANFILE` first)';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkChanges(list: unknown, field: string): ResourceChange[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new PlanFormatError(`${field}: got ${typeof list}, expected a list; ${HINT}`);
  list.forEach((rc, i) => {
    const ok =
      isObject(rc) &&
      typeof rc.address === 'string' &&
      isObject(rc.change) &&
      Array.isArray(rc.change.actions) &&
      rc.change.actions.every((a) => typeof a === 'string');
    if (!ok) throw new PlanFormatError(`${field}[${i}]: expected an object with "address" and "change.actions"; ${HINT}`);
  });
  return list as ResourceChange[];
}

/** Resource blocks of a configuration module and its module calls, addresses prefixed with the module path. */
function configuredIn(mod: unknown, prefix: string): ConfiguredResource[] {
  if (!isObject(mod)) return [];
  const out: ConfiguredResource[] = [];
  for (const r of Array.isArray(mod.resources) ? mod.resources : []) {
    if (isObject(r) && typeof r.address === 'string' && (r.mode === 'managed' || r.mode === 'data'))
      out.push({ address: `${prefix}${r.address}`, mode: r.mode });
  }
  const calls = isObject(mod.module_calls) ? mod.module_calls : {};
  for (const [name, call] of Object.entries(calls)) if (isObject(call)) out.push(...configuredIn(call.module, `${prefix}module.${name}.`));
  return out;
}

/** Data source instances in a state module (values.root_module) and its children. */
function dataIn(mod: unknown): string[] {
  if (!isObject(mod)) return [];
  const out: string[] = [];
  for (const r of Array.isArray(mod.resources) ? mod.resources : []) if (isObject(r) && r.mode === 'data' && typeof r.address === 'string') out.push(r.address);
  for (const c of Array.isArray(mod.child_modules) ? mod.child_modules : []) out.push(...dataIn(c));
  return out;
}

/** Parse and check the text of a JSON plan; throws PlanFormatError. */
export function parsePlan(text: string): Plan {
  if (text.startsWith('PK\u0003\u0004')) {
    throw new PlanFormatError(`this is a binary plan file (zip); ${HINT}, e.g. terraform show -json PLANFILE > plan.json`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlanFormatError(`not valid JSON (${(e as Error).message}); ${HINT}`);
  }
  if (!isObject(doc)) throw new PlanFormatError(`got ${Array.isArray(doc) ? 'a list' : typeof doc}, expected a JSON object; ${HINT}`);
  const fv = doc.format_version;
  if (typeof fv !== 'string') throw new PlanFormatError(`no "format_version"; ${HINT}`);
  if (!/^1\.\d+$/.test(fv)) throw new PlanFormatError(`format_version: got ${JSON.stringify(fv)}, expected 1.x`);
  const isPlan = 'planned_values' in doc || 'resource_changes' in doc || 'output_changes' in doc || 'prior_state' in doc;
  if (!isPlan) {
    const what = 'values' in doc ? 'a state (terraform show -json without a plan file)' : 'not a plan';
    throw new PlanFormatError(`this is ${what}; ${HINT}`);
  }
  const outputs = doc.output_changes;
  if (outputs !== undefined && !isObject(outputs)) throw new PlanFormatError(`output_changes: expected an object; ${HINT}`);
  return {
    format_version: fv,
    ...(typeof doc.terraform_version === 'string' ? { terraform_version: doc.terraform_version } : {}),
    resource_changes: checkChanges(doc.resource_changes, 'resource_changes'),
    resource_drift: checkChanges(doc.resource_drift, 'resource_drift'),
    output_changes: Object.fromEntries(
      Object.entries((outputs ?? {}) as Record<string, unknown>).filter(
        (e): e is [string, { actions: string[] }] => isObject(e[1]) && Array.isArray(e[1].actions),
      ),
    ),
    ...(typeof doc.errored === 'boolean' ? { errored: doc.errored } : {}),
    ...(typeof doc.complete === 'boolean' ? { complete: doc.complete } : {}),
    ...(typeof doc.applyable === 'boolean' ? { applyable: doc.applyable } : {}),
    configured: configuredIn(isObject(doc.configuration) ? doc.configuration.root_module : undefined, ''),
    dataRead: dataIn(isObject(doc.prior_state) && isObject(doc.prior_state.values) ? doc.prior_state.values.root_module : undefined),
  };
}
