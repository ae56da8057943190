/**
 * What every importer shares (pure): notes about what could not be kept,
 * definition ids made from names, the stage's env written back as `${env}`,
 * and Datadog's `key:value` tags split into the fields that own them.
 */
import { DURATION, formatDuration } from '../model/monitoring/duration';
import { MANAGED_BY_KEY } from '../model/names';
import { ROLLOUT_DASHBOARD_MARK } from '../plan/monitoring/rollout-dashboard';
import { SLUG, TAG_KEY, TAG_VALUE } from '../model/patterns';
import { BATCH_TAG, CHECK_TAG, MANAGED_BY_TAG, ROLLOUT_SERVICE } from '../model/signals';

/** Something the import could not carry over as it was, or a decision it made: one line of the report. */
export interface ImportNote {
  /** Where the object came from: `exports/monitors.json#3 (monitor 1234567)`. */
  readonly origin: string;
  /** Field of the Datadog JSON (`options.timeout_h`), or `` for the object. */
  readonly field: string;
  readonly text: string;
}

/** Where a Datadog object was read from, and its id there. */
export interface Origin {
  readonly file: string;
  /** Index in a list, when the file held several. */
  readonly index?: number;
  /** The object's Datadog id (monitor number, SLO id, dashboard id), when it has one. */
  readonly datadogId?: string;
}

export function originText(o: Origin, kind: string): string {
  return `${o.file}${o.index !== undefined ? `#${o.index}` : ''}${o.datadogId !== undefined ? ` (${kind} ${o.datadogId})` : ''}`;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Datadog id as Terraform imports it: a number or a string, as text. */
export function datadogIdOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(v)) return v;
  return undefined;
}

/** `[prod] Name` -> `Name`: the stage prefix this tool adds to every name and title. */
export function withoutStagePrefix(name: string, stage: string): string {
  const prefix = `[${stage}] `;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/**
 * `env:<stage>` written back as `env:${env}` wherever a tag filter names the
 * stage's env (queries, names, messages); other text is left alone ("prod" in
 * "production" stays).
 */
export function withEnvPlaceholder(text: string, stage: string): string {
  const escaped = stage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(^|[^A-Za-z0-9_.-])env:${escaped}(?=$|[^A-Za-z0-9_./:-])`, 'g'), '$1env:${env}');
}

/** A definition id from a name: lowercase words joined by dashes, at most 40 characters (model/patterns.ts SLUG), unique among `taken`. */
export function idFromName(name: string, taken: Set<string>, fallback: string): string {
  let base = name
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(base)) base = `${fallback}-${base}`.replace(/-+$/, '');
  base = cut(base, 40);
  if (!SLUG.pattern.test(base)) base = fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${cut(base, 40 - String(n).length - 1)}-${n}`;
  taken.add(id);
  return id;
}

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, max);
  const dash = head.lastIndexOf('-');
  return (dash >= 2 ? head.slice(0, dash) : head).replace(/-+$/, '');
}

/** Tag keys set from fields of the definition or by the rollout, never from `tags:` (model/monitoring/problems.ts). */
const FIELD_TAGS = new Set(['env', 'service', 'team', MANAGED_BY_KEY, BATCH_TAG, CHECK_TAG]);

/** Datadog's `key:value` tags split into env, service, team, the gate check and the other tags; what cannot be kept is noted. */
export function splitTags(
  raw: unknown,
  note: (field: string, text: string) => void,
): { env?: string; service?: string; team?: string; check?: string; tags: Record<string, string> } {
  const out: { env?: string; service?: string; team?: string; check?: string; tags: Record<string, string> } = { tags: {} };
  const list = Array.isArray(raw) ? raw : [];
  for (const t of list) {
    if (typeof t !== 'string') continue;
    const i = t.indexOf(':');
    if (i < 0) {
      note('tags', `tag ${JSON.stringify(t)} has no value: team files hold key: value tags; not kept`);
      continue;
    }
    const key = t.slice(0, i);
    const value = t.slice(i + 1);
    if (key === 'env') out.env = value;
    else if (key === 'service') out.service = value;
    else if (key === 'team') out.team = value;
    else if (key === CHECK_TAG) out.check = value;
    else if (FIELD_TAGS.has(key))
      continue; // managed-by, rollout_batch: set again by the rollout
    else if (!TAG_KEY.pattern.test(key) || !TAG_VALUE.pattern.test(value))
      note('tags', `tag ${JSON.stringify(t)}: ${TAG_KEY.expected} and ${TAG_VALUE.expected}; not kept`);
    else if (out.tags[key] !== undefined)
      note('tags', `tag ${JSON.stringify(t)}: a second value of ${key}; team files hold one per key; kept ${key}:${out.tags[key]}`);
    else out.tags[key] = value;
  }
  return out;
}

/** Minutes as a team-file duration (`5m`, `1h`, `3d`), or undefined when it is not a whole number of minutes. */
export function durationOf(minutes: number): string | undefined {
  const text = Number.isInteger(minutes) && minutes > 0 ? formatDuration(minutes) : undefined;
  return text !== undefined && DURATION.test(text) ? text : undefined;
}

/** A number Datadog may send as a string (`"renotify_interval": "0"` in integrations-core's postgres monitor). */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Made by this tool from monitors/policy.yaml (the rollout's own monitors, tagged service:datadog-agent, and dashboard): never a team definition. */
export function generatedByRollout(raw: Record<string, unknown>): boolean {
  const tags = Array.isArray(raw.tags) ? raw.tags : [];
  const dashboard = typeof raw.description === 'string' && raw.description.endsWith(ROLLOUT_DASHBOARD_MARK);
  return dashboard || (tags.includes(MANAGED_BY_TAG) && tags.includes(`service:${ROLLOUT_SERVICE}`));
}
