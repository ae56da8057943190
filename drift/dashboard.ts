/**
 * Drift of a stage's dashboards (pure): dashboards as Datadog holds them,
 * parsed and checked, and compared with the planned normalized JSON.
 *
 * Shapes (`.generator/schemas/v1/openapi.yaml` of
 * DataDog/datadog-api-client-typescript, recorded in
 * test/fixtures/datadog/v1-dashboard-*.json, SOURCES.md):
 *   - `GET /api/v1/dashboard` answers `{dashboards: [DashboardSummaryDefinition]}`:
 *     `id`, `title`, `description` (nullable), no tags, no widgets;
 *   - `GET /api/v1/dashboard/{id}` answers the `Dashboard`: `title`,
 *     `layout_type`, `widgets` required.
 * What identifies ours: a dashboard's `tags` hold only `team:<name>` (at most
 * 5; "List of team names representing ownership of a dashboard"), so there is
 * no managed-by tag; the description carries the note every planned
 * dashboard has (plan/monitoring/dashboards.ts `stageDashboard`: "Managed by
 * observability-rollout from <file>"; plan/monitoring/rollout-dashboard.ts
 * ROLLOUT_DASHBOARD_MARK), and the title the `[<stage>] ` prefix.
 *
 * Compared: the live dashboard normalized the way the plan normalizes the
 * declared one (plan/monitoring/dashboards.ts `normalizeDashboard`: the
 * server-set fields `id`, `author_handle`, `author_name`, `created_at`,
 * `modified_at`, `url`, every widget `id` and the deprecated `is_read_only`
 * dropped), against the planned JSON, path by path. A top-level field that is
 * null or an empty list counts as absent on either side (the recorded GET
 * answers `null` for a description, template variables and notify list never
 * set, and `restricted_roles: []`). Fields the server fills in inside widgets
 * are differences: the provider compares the same way
 * (docs/sources/datadog-contract.md 4a), so they would show in a plan too.
 */
import { array, BadResponseError, kind, object, optionalString } from '../gate/datadog-responses';
import { printable } from '../gate/redact';
import { normalizeDashboard } from '../plan/monitoring/dashboards';
import type { PlannedDashboard } from '../plan/monitoring/planned';
import { ROLLOUT_DASHBOARD_MARK } from '../plan/monitoring/rollout-dashboard';
import type { FieldDrift } from './compare';
import { matchAndCompare, ObjectDrift } from './match';
import type { StateObject } from './state';

/** A dashboard of the list: enough to tell whether it may be ours. */
export interface DashboardSummary {
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

/** A dashboard read by id: its summary and its normalized JSON. */
export interface LiveDashboard extends DashboardSummary {
  readonly json: Readonly<Record<string, unknown>>;
}

/** The note of a team dashboard (plan/monitoring/dashboards.ts), or the rollout dashboard's mark. */
const MANAGED_NOTE = /Managed by observability-rollout from [^\n;]+; edits in the Datadog UI are overwritten\./;

/** Whether a dashboard's description says this tool manages it. */
export function managedDashboard(description: string): boolean {
  return MANAGED_NOTE.test(description) || description.includes(ROLLOUT_DASHBOARD_MARK);
}

function bad(where: string, got: unknown, expected: string): BadResponseError {
  return new BadResponseError(`${where}: got ${kind(got)}, expected ${expected}`, '');
}

function summary(raw: Record<string, unknown>, where: string): DashboardSummary {
  if (typeof raw.id !== 'string' || raw.id === '') throw bad(`${where}.id`, raw.id, 'a dashboard id (a string)');
  if (typeof raw.title !== 'string') throw bad(`${where}.title`, raw.title, 'a string');
  return { id: raw.id, title: raw.title, description: optionalString(raw.description, `${where}.description`) ?? '' };
}

/** GET /api/v1/dashboard: `{dashboards: [...]}`. */
export function parseDashboardList(body: unknown): DashboardSummary[] {
  const b = object(body, 'the body');
  return array(b.dashboards, 'the body.dashboards').map((d, i) => summary(object(d, `dashboards[${i}]`), `dashboards[${i}]`));
}

/** GET /api/v1/dashboard/{id}: one dashboard. */
export function parseLiveDashboard(body: unknown): LiveDashboard {
  const d = object(body, 'the body');
  if (!Array.isArray(d.widgets)) throw bad('the body.widgets', d.widgets, 'a list of widgets');
  return { ...summary(d, 'the body'), json: normalizeDashboard(d) };
}

export interface DashboardDriftInput {
  readonly stage: string;
  readonly planned: readonly PlannedDashboard[];
  /** The dashboards read by id (the ones the list showed with the stage prefix or a declared title, and the state's). */
  readonly live: readonly LiveDashboard[];
  readonly state?: readonly StateObject[];
  /** Ids of the state that Datadog answered 404 for. */
  readonly gone?: readonly string[];
}

/** Compare a stage's declared dashboards with Datadog (and the state, when given). */
export function compareDashboards(input: DashboardDriftInput): ObjectDrift {
  const prefix = `[${input.stage}] `;
  return matchAndCompare({
    object: 'dashboard',
    stage: input.stage,
    planned: input.planned.map((p) => ({ key: p.key, name: p.title, p })),
    live: input.live.map((l) => ({ id: l.id, name: l.title, l })),
    ...(input.state ? { state: input.state } : {}),
    gone: input.gone ?? [],
    managed: (l) => managedDashboard(l.l.description),
    ofStage: (l) => l.l.title.startsWith(prefix),
    fields: (p, l) => dashboardFieldDrift(p.p, l.l),
  });
}

/** Differences reported per dashboard at most; the rest are counted. */
export const MAX_DASHBOARD_DIFFERENCES = 10;

/** The paths where the live dashboard differs from the declared JSON. */
export function dashboardFieldDrift(p: PlannedDashboard, l: LiveDashboard): FieldDrift[] {
  const declared = JSON.parse(p.json) as Record<string, unknown>;
  const out: FieldDrift[] = [];
  let more = 0;
  const add = (field: string, d: unknown, v: unknown): void => {
    if (out.length >= MAX_DASHBOARD_DIFFERENCES) {
      more++;
      return;
    }
    out.push({ field, declared: printable(show(d), 300), live: printable(show(v), 300) });
  };
  const walk = (path: string, d: unknown, v: unknown): void => {
    if (Array.isArray(d) && Array.isArray(v)) {
      for (let i = 0; i < Math.max(d.length, v.length); i++) walk(`${path}[${i}]`, i < d.length ? d[i] : ABSENT, i < v.length ? v[i] : ABSENT);
      return;
    }
    if (isObject(d) && isObject(v)) {
      for (const k of [...new Set([...Object.keys(d), ...Object.keys(v)])].sort())
        walk(path === '' ? k : `${path}.${k}`, k in d ? d[k] : ABSENT, k in v ? v[k] : ABSENT);
      return;
    }
    if (JSON.stringify(d) !== JSON.stringify(v)) add(path, d, v);
  };
  walk('', topLevel(declared), topLevel(l.json));
  if (more > 0) out.push({ field: `(${more} more)`, declared: '', live: '' });
  return out;
}

const ABSENT = Symbol('absent');

/** Top-level fields the API echoes when never set (null, [] or ""). */
const ECHOED = new Set(['description', 'notify_list', 'restricted_roles', 'tags', 'template_variables', 'template_variable_presets']);

/** Echoed top-level fields that are null, empty lists or "" as absent. */
function topLevel(d: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(d).filter(([k, v]) => !ECHOED.has(k) || (v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))));
}

function show(v: unknown): string {
  if (v === ABSENT) return 'absent';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
