/**
 * Monitor messages read back (pure): the inverse of plan/monitoring/message.ts
 * `buildMessage`. A message this tool built splits into the team's text, the
 * `Runbook:` and `Owner:` lines, and one routing block per state
 * (`{{#is_alert}}@handle ...{{/is_alert}}`); a hand-written message gives its
 * routing blocks and its lines of bare handles, the rest stays the text.
 * Handles inside other blocks or inside prose stay where they are.
 */
import { NOTIFY_HANDLE } from '../model/patterns';

/** Routing conditions buildMessage writes, and the notify list each feeds. */
const ROUTES: Readonly<Record<string, 'alert' | 'warning' | 'noData'>> = {
  is_alert: 'alert',
  is_alert_recovery: 'alert',
  is_warning: 'warning',
  is_warning_recovery: 'warning',
  is_no_data: 'noData',
  is_no_data_recovery: 'noData',
};

/** A message split into what a team file holds. */
export interface ParsedMessage {
  /** The team's text, trimmed. */
  readonly body: string;
  readonly runbook?: string;
  /** From an `Owner: team X, service Y, stage Z` line. */
  readonly owner?: { readonly team?: string; readonly service?: string; readonly stage?: string };
  /** Handles of the routing blocks, by state, in order of appearance. */
  readonly routed: { readonly alert: readonly string[]; readonly warning: readonly string[]; readonly noData: readonly string[] };
  /** Handles on lines of their own outside any block: Datadog notifies them of every state. */
  readonly bare: readonly string[];
}

const HANDLES = String.raw`(?:@[A-Za-z0-9][A-Za-z0-9_.+@-]*\s*)+`;
const BLOCK = new RegExp(String.raw`\{\{#(${Object.keys(ROUTES).join('|')})\}\}\s*(${HANDLES})\{\{/\1\}\}`, 'g');

/** Split a monitor message. Never throws. */
export function parseMessage(message: string): ParsedMessage {
  const routed = { alert: [] as string[], warning: [] as string[], noData: [] as string[] };
  const add = (list: string[], handles: readonly string[]): void => {
    for (const h of handles) if (!list.includes(h)) list.push(h);
  };
  const text = message.replace(BLOCK, (_m, cond: string, handles: string) => {
    add(routed[ROUTES[cond]], handles.trim().split(/\s+/));
    return '';
  });
  let runbook: string | undefined;
  let owner: ParsedMessage['owner'];
  const bare: string[] = [];
  const kept: string[] = [];
  let depth = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    const rb = /^Runbook: (https:\/\/\S+)$/.exec(trimmed);
    const own = /^Owner: (.+)$/.exec(trimmed);
    const parsedOwner = own ? ownerOf(own[1]) : undefined;
    if (depth === 0 && rb && runbook === undefined) runbook = rb[1];
    else if (depth === 0 && parsedOwner && owner === undefined) owner = parsedOwner;
    else if (depth === 0 && trimmed !== '' && trimmed.split(/\s+/).every((w) => NOTIFY_HANDLE.pattern.test(w))) add(bare, trimmed.split(/\s+/));
    else kept.push(line);
    depth += (line.match(/\{\{[#^]/g) ?? []).length - (line.match(/\{\{\//g) ?? []).length;
  }
  const body = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { body, ...(runbook !== undefined ? { runbook } : {}), ...(owner !== undefined ? { owner } : {}), routed, bare };
}

/** `team payments, service api, stage prod` (each part optional, in that order), as buildMessage writes it. */
function ownerOf(text: string): ParsedMessage['owner'] {
  const out: { team?: string; service?: string; stage?: string } = {};
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(team|service|stage) ([a-z0-9][a-z0-9-]*)$/.exec(part);
    if (!m || out[m[1] as 'team' | 'service' | 'stage'] !== undefined) return undefined;
    out[m[1] as 'team' | 'service' | 'stage'] = m[2];
  }
  return out;
}
