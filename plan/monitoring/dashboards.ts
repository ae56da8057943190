/**
 * Dashboard JSON (pure): exported dashboards are normalized so a plan shows
 * no drift: server-set fields go (dashboard and widget ids, author,
 * created/modified times, url) and so does the deprecated `is_read_only`
 * (its meaning is kept as `restricted_roles`), fields the API echoes back
 * when they are absent are sent as it echoes them (`notify_list: []`,
 * `template_variables: []`, a description), lists the provider sorts are
 * sorted, keys are sorted at every level, and each stage gets its title and
 * `env` template variable default. Sources: docs/sources/datadog-contract.md
 * section 4a (terraform-provider-datadog 3.82.0 `prepResource` and its
 * recorded API answers).
 */
import type { StageDashboardDef } from '../../model/monitoring/types';
import { lineageIn, PlannedDashboard } from './planned';

/** Top-level fields Datadog sets and returns; sending them makes perpetual diffs. */
export const SERVER_SET_DASHBOARD_FIELDS = ['id', 'author_handle', 'author_name', 'created_at', 'modified_at', 'url'] as const;

/**
 * `is_read_only` is deprecated for `restricted_roles` (the provider drops it
 * whenever `restricted_roles` is set); it is never sent, its meaning is
 * carried by the restricted roles (model/monitoring/convert.ts).
 */
export const DEPRECATED_DASHBOARD_FIELDS = ['is_read_only'] as const;

/**
 * Top-level fields the API returns even when they were not sent, with the
 * value it returns (cassette TestAccDatadogDashboardJSONNoDiff): sending them
 * avoids a diff on every plan.
 */
export const ECHOED_DASHBOARD_DEFAULTS: Readonly<Record<string, Json>> = { notify_list: [], template_variables: [] };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Strip server-set fields (top-level ones, and `id` of every widget at any
 * depth) and sort object keys recursively; list order is kept.
 */
export function normalizeDashboard(dashboard: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const top = { ...(dashboard as Record<string, Json>) };
  for (const f of [...SERVER_SET_DASHBOARD_FIELDS, ...DEPRECATED_DASHBOARD_FIELDS]) delete top[f];
  // The provider sorts notify_list before comparing; restricted roles are a set.
  for (const f of ['notify_list', 'restricted_roles']) {
    const v = top[f];
    if (Array.isArray(v)) top[f] = [...new Set(v.filter((x): x is string => typeof x === 'string'))].sort();
  }
  return sortKeys(stripWidgetIds(top)) as Record<string, unknown>;
}

/** Normalized JSON text (2-space indent, trailing newline). */
export function dashboardJson(dashboard: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify(normalizeDashboard(dashboard), null, 2)}\n`;
}

function stripWidgetIds(value: Json, inWidgets = false): Json {
  if (Array.isArray(value)) return value.map((v) => stripWidgetIds(v, inWidgets));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    if (inWidgets && k === 'id') continue;
    out[k] = stripWidgetIds(v, k === 'widgets');
  }
  return out;
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/**
 * A team dashboard as one stage gets it: `[stage] title`, an `env` template
 * variable defaulting to the stage, `team:<team>` in its tags, a note in the
 * description that it is managed here, the fields the API echoes back, and
 * its restricted roles (the definition's, over the JSON's).
 */
export function stageDashboard(d: StageDashboardDef): PlannedDashboard {
  const def: Record<string, unknown> = { ...ECHOED_DASHBOARD_DEFAULTS, ...(d.definition as Record<string, unknown>) };
  if (d.restrictedRoles.length > 0) def.restricted_roles = [...d.restrictedRoles];
  def.title = `[${d.stage}] ${d.title}`;
  const note = `Managed by observability-rollout from ${d.file}; edits in the Datadog UI are overwritten.`;
  def.description = typeof def.description === 'string' && def.description.trim() !== '' ? `${def.description.trim()}\n\n${note}` : note;
  if (Array.isArray(def.template_variables)) {
    def.template_variables = (def.template_variables as Array<Record<string, unknown>>).map((tv) => {
      if (tv?.name !== 'env') return tv;
      const { default: _legacy, ...rest } = tv;
      void _legacy;
      return { ...rest, defaults: [d.stage] };
    });
  }
  if (d.team !== undefined) {
    const tags = Array.isArray(def.tags) ? (def.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
    def.tags = [...new Set([...tags, `team:${d.team}`])].sort();
  }
  return {
    key: `dashboard-${d.id}`,
    ...lineageIn(d, d.stage, (id) => `dashboard-${id}`),
    title: def.title as string,
    json: dashboardJson(def),
    source: d.source,
  };
}

/** The team dashboards of a stage. */
export function stageDashboards(ds: readonly StageDashboardDef[]): PlannedDashboard[] {
  return ds.map(stageDashboard);
}
