/**
 * One Datadog dashboard (`GET /api/v1/dashboard/{id}`, the UI's "Export
 * dashboard JSON") as a team-file dashboard entry and its JSON file (pure).
 * The JSON is normalized as the plan normalizes it
 * (plan/monitoring/dashboards.ts: server-set fields and widget ids dropped,
 * keys sorted); what this tool adds per stage (the `[stage] ` title prefix,
 * the "Managed by" note, `team:` tag) is taken back out.
 */
import { dashboardJson } from '../plan/monitoring/dashboards';
import { isObject, withoutStagePrefix } from './common';

export interface ImportedDashboard {
  /** The team-file entry (without `file`, which the caller names). */
  readonly spec: Record<string, unknown>;
  readonly team?: string;
  /** Normalized JSON text of the file under monitors/dashboards/. */
  readonly json: string;
}

const NOTE = /\n*Managed by observability-rollout from [^\n;]+; edits in the Datadog UI are overwritten\.$/;

export function importDashboard(
  raw: Record<string, unknown>,
  id: string,
  stage: string,
  note: (field: string, text: string) => void,
): ImportedDashboard | undefined {
  if (!Array.isArray(raw.widgets) || (raw.layout_type !== 'ordered' && raw.layout_type !== 'free')) {
    note('', 'not a dashboard with widgets and layout_type ordered or free (a dashboard list entry? export each dashboard); not imported');
    return undefined;
  }
  const def: Record<string, unknown> = { ...raw };
  const title = typeof def.title === 'string' ? withoutStagePrefix(def.title, stage) : id;
  def.title = title;
  if (typeof def.description === 'string') {
    const d = def.description.replace(NOTE, '').trim();
    if (d === '') delete def.description;
    else def.description = d;
  }
  let team: string | undefined;
  if (Array.isArray(def.tags)) {
    const tags = def.tags.filter((t): t is string => typeof t === 'string');
    team = tags.find((t) => t.startsWith('team:'))?.slice('team:'.length);
    const rest = tags.filter((t) => !t.startsWith('team:'));
    if (rest.length > 0) def.tags = rest;
    else delete def.tags;
  }
  if (def.is_read_only === true) {
    note(
      'is_read_only',
      'true: deprecated by Datadog for restricted roles and not sent by this tool; add restrictedRoles (role ids) to the entry or the file to keep it restricted',
    );
  }
  const text = dashboardJson(def);
  if (/\$\{|%\{/.test(text)) note('', 'holds "${" or "%{", which Terraform reads as interpolation: validation refuses it until they are rewritten');
  return { spec: { id }, ...(team !== undefined ? { team } : {}), json: text };
}

/** Is this JSON object a dashboard (as opposed to a monitor or an SLO)? */
export function looksLikeDashboard(v: Record<string, unknown>): boolean {
  return 'widgets' in v && ('layout_type' in v || 'title' in v);
}

/** The title of a dashboard JSON, if any. */
export function dashboardTitle(v: Record<string, unknown>): string | undefined {
  return typeof v.title === 'string' ? v.title : isObject(v) && typeof v.board_title === 'string' ? v.board_title : undefined;
}
