/**
 * The monitors, SLOs and dashboards a stage's Terraform state holds: their
 * Datadog ids and the names (titles) Terraform last wrote. Pure. Reads either
 *   - `terraform show -json` (https://developer.hashicorp.com/terraform/internals/json-format,
 *     "State Representation": `values.root_module.resources[]` and
 *     `child_modules[]`, each resource with `address`, `mode`, `type`, `values`), or
 *   - a raw state file, `terraform state pull` (format version 4:
 *     `resources[]` with `mode`, `type`, `name`, `instances[].attributes`).
 * Resource types and attributes, as constructs/monitoring/stage-monitoring.ts
 * synthesizes them (the provider's resource schemas,
 * registry.terraform.io/providers/DataDog/datadog 3.82.0):
 *   - `datadog_monitor`: `id` (a string of digits), `name`;
 *   - `datadog_service_level_objective`: `id` (the SLO id, a string), `name`;
 *   - `datadog_dashboard_json`: `id` (the dashboard id), `dashboard` (the
 *     dashboard JSON as a string, normalized by the provider's `StateFunc`;
 *     its `title` is the dashboard's name).
 *
 * A state holds every resource's attributes in clear, secrets included:
 * this reads only these addresses, ids and names (and a dashboard's title),
 * and no error quotes anything else of the file (not even a JSON parser's
 * excerpt).
 */

/** A monitor in the state. */
export interface StateMonitor {
  readonly address: string;
  readonly id: number;
  readonly name: string;
}

/** An SLO or a dashboard in the state (ids are strings). */
export interface StateObject {
  readonly address: string;
  readonly id: string;
  /** The SLO's name, the dashboard's title. */
  readonly name: string;
}

/** What drift reads from a state. */
export interface DriftState {
  readonly monitors: readonly StateMonitor[];
  readonly slos: readonly StateObject[];
  readonly dashboards: readonly StateObject[];
}

/** A state that is not what the formats promise; the message names the file, the path, what came and what was expected. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

type Json = Record<string, unknown>;

/** The monitors of a state file's text (`file` names it in errors). */
export function stateMonitors(text: string, file: string): StateMonitor[] {
  return readState(text, file).monitors as StateMonitor[];
}

const TYPES = ['datadog_monitor', 'datadog_service_level_objective', 'datadog_dashboard_json'] as const;
type StateType = (typeof TYPES)[number];

/** The monitors, SLOs and dashboards of a state file's text (`file` names it in errors). */
export function readState(text: string, file: string): DriftState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Only the position: V8's message may quote a piece of the text, and a state holds secrets (passwords, keys) in clear.
    const at = /at position (\d+)/.exec((e as Error).message)?.[1];
    throw new StateFileError(
      `${file}: not JSON${at === undefined ? '' : ` (at position ${at})`}; expected the output of \`terraform show -json\` or \`terraform state pull\``,
    );
  }
  const bad = (path: string, got: string, expected: string): StateFileError => new StateFileError(`${file}: ${path}: got ${got}, expected ${expected}`);
  if (!isObject(doc)) throw bad('(top level)', describe(doc), 'a JSON object');
  const monitors: StateMonitor[] = [];
  const slos: StateObject[] = [];
  const dashboards: StateObject[] = [];
  const add = (type: StateType, address: string, attrs: unknown, path: string): void => {
    if (!isObject(attrs)) throw bad(path, describe(attrs), 'an object of attributes');
    const idText = attrs.id;
    if (type === 'datadog_monitor') {
      if (typeof idText !== 'string' || !/^\d+$/.test(idText) || !Number.isSafeInteger(Number(idText)))
        throw bad(`${path}.id`, describe(idText), 'a monitor id (digits)');
      if (typeof attrs.name !== 'string') throw bad(`${path}.name`, describe(attrs.name), 'the monitor name');
      monitors.push({ address, id: Number(idText), name: attrs.name });
      return;
    }
    // SLO ids are 32 hex digits, dashboard ids `abc-def-ghi` (test/fixtures/datadog/SOURCES.md); letters, digits and dashes are accepted.
    if (typeof idText !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(idText))
      throw bad(`${path}.id`, describe(idText), type === 'datadog_dashboard_json' ? 'a dashboard id' : 'an SLO id');
    if (type === 'datadog_service_level_objective') {
      if (typeof attrs.name !== 'string') throw bad(`${path}.name`, describe(attrs.name), 'the SLO name');
      slos.push({ address, id: idText, name: attrs.name });
      return;
    }
    let title: unknown;
    try {
      title = typeof attrs.dashboard === 'string' ? (JSON.parse(attrs.dashboard) as Json).title : undefined;
    } catch {
      title = undefined;
    }
    if (typeof title !== 'string') throw bad(`${path}.dashboard`, describe(attrs.dashboard), 'the dashboard JSON (a string) with a "title"');
    dashboards.push({ address, id: idText, name: title });
  };
  const ours = (t: unknown): t is StateType => (TYPES as readonly unknown[]).includes(t);
  if (isObject(doc.values)) {
    // terraform show -json
    const walk = (mod: unknown, path: string): void => {
      if (!isObject(mod)) throw bad(path, describe(mod), 'a module object');
      const resources = mod.resources ?? [];
      if (!Array.isArray(resources)) throw bad(`${path}.resources`, describe(resources), 'an array');
      resources.forEach((r, i) => {
        const p = `${path}.resources[${i}]`;
        if (!isObject(r)) throw bad(p, describe(r), 'a resource object');
        if (r.mode === 'managed' && ours(r.type)) add(r.type, String(r.address), r.values, `${p}.values`);
      });
      const children = mod.child_modules ?? [];
      if (!Array.isArray(children)) throw bad(`${path}.child_modules`, describe(children), 'an array');
      children.forEach((c, i) => walk(c, `${path}.child_modules[${i}]`));
    };
    walk(doc.values.root_module ?? {}, 'values.root_module');
  } else if (Array.isArray(doc.resources)) {
    // terraform state pull (version 4)
    doc.resources.forEach((r, i) => {
      const p = `resources[${i}]`;
      if (!isObject(r)) throw bad(p, describe(r), 'a resource object');
      const type = r.type;
      if (r.mode !== 'managed' || !ours(type)) return;
      const instances = r.instances;
      if (!Array.isArray(instances)) throw bad(`${p}.instances`, describe(instances), 'an array');
      const prefix = `${typeof r.module === 'string' ? `${r.module}.` : ''}${type}.${String(r.name)}`;
      instances.forEach((inst, j) => {
        if (!isObject(inst)) throw bad(`${p}.instances[${j}]`, describe(inst), 'an instance object');
        add(type, inst.index_key === undefined ? prefix : `${prefix}[${JSON.stringify(inst.index_key)}]`, inst.attributes, `${p}.instances[${j}].attributes`);
      });
    });
  } else {
    throw bad(
      '(top level)',
      'neither "values" nor "resources"',
      'the output of `terraform show -json` (values.root_module) or `terraform state pull` (resources)',
    );
  }
  const byId = <T extends { id: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { monitors: monitors.sort((a, b) => a.id - b.id), slos: byId(slos), dashboards: byId(dashboards) };
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}
