/**
 * The drift report as Markdown (summary first) and JSON. Pure; every value
 * from the server was made printable by the comparison.
 */
import type { DriftObject, Finding } from './compare';
import type { DriftReport } from './run';

const TITLES: Record<Finding['kind'], string> = {
  changed: 'Changed outside the code',
  deleted: 'Deleted in Datadog',
  missing: 'Declared but not found',
  'not-applied': 'Declared, not applied yet (not drift)',
  orphaned: 'Tagged as managed, not declared',
  lookalike: 'Unmanaged objects that look like ours',
};

/**
 * A value from Datadog as a Markdown code span: GitHub renders no mention
 * (`@team`), link or markup inside one, so a monitor name or message cannot
 * ping anyone or forge the report where it is posted (the daily issue). The
 * fence is one backtick longer than the longest run inside (CommonMark, code spans).
 */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What an object is called in the report. */
const NAMES: Record<DriftObject, string> = { monitor: 'monitor', slo: 'SLO', dashboard: 'dashboard' };

/** `41 monitors, 4 SLOs, 2 dashboards` of one count. */
function perObject(r: DriftReport, k: 'declared' | 'liveRead'): string {
  return (Object.keys(NAMES) as DriftObject[]).map((o) => plural(r.objects[o][k], NAMES[o])).join(', ');
}

/** One line: the verdict and the counts. */
export function driftHeadline(r: DriftReport): string {
  const parts = (Object.keys(TITLES) as Finding['kind'][]).filter((k) => (r.counts[k] ?? 0) > 0).map((k) => `${r.counts[k]} ${k}`);
  return `${r.drift ? 'DRIFT' : 'NO DRIFT'} in stage ${r.stage}: ${perObject(r, 'declared')} declared, ${r.inSync} in sync${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`;
}

export function renderDriftMarkdown(r: DriftReport): string {
  const lines = [`# Drift: ${r.stage}: ${r.drift ? 'DRIFT' : 'NO DRIFT'}`, '', `**${driftHeadline(r)}**`, ''];
  lines.push(
    `Checked ${r.checkedAt} against ${r.apiUrl}; matched by ${r.matchedBy === 'state' ? `the Terraform state (${r.stateFile})` : 'name and tags (no state given)'}; ` +
      `${perObject(r, 'liveRead')} read; ${r.toolVersion}${r.configCommit ? `, configuration ${r.configCommit}` : ''}.`,
    '',
  );
  for (const kind of Object.keys(TITLES) as Finding['kind'][]) {
    const fs = r.findings.filter((f) => f.kind === kind);
    if (fs.length === 0) continue;
    lines.push(`## ${TITLES[kind]} (${fs.length})`, '');
    for (const f of fs) {
      const what = NAMES[f.object];
      switch (f.kind) {
        case 'changed':
          lines.push(`- \`${f.key}\` ${what} ${f.id} ${code(f.name)}:`);
          for (const d of f.fields)
            lines.push(d.declared === '' && d.live === '' ? `  - ${d.field}` : `  - ${d.field}: declared ${code(d.declared)}, live ${code(d.live)}`);
          break;
        case 'deleted':
          lines.push(
            `- \`${f.key}\` ${what} ${f.id} ${code(f.name)}: in the state, gone from Datadog (the next apply recreates it with a new id${f.object === 'dashboard' ? ' and URL' : ' and no history'})`,
          );
          break;
        case 'missing':
          lines.push(
            `- \`${f.key}\` ${code(f.name)}: no managed ${what} of this name (deleted or renamed in the UI, or not applied yet; give --state to tell)`,
          );
          break;
        case 'not-applied':
          lines.push(`- \`${f.key}\` ${code(f.name)}: not in the state; the next apply creates it`);
          break;
        case 'orphaned':
          lines.push(
            `- ${what} ${f.id} ${code(f.name)}${f.inState ? ' (in the state under another name)' : ''}: ${f.object === 'dashboard' ? 'carries the managed-by note and the stage prefix' : 'carries managed-by and env tags'} but no definition declares it`,
          );
          break;
        case 'lookalike':
          lines.push(
            `- ${what} ${f.id} ${code(f.name)}: ${f.why}, without the managed-by ${f.object === 'dashboard' ? 'note' : 'tag'} (import it, or delete it)`,
          );
          break;
      }
    }
    lines.push('');
  }
  if (r.findings.length === 0) lines.push('Every declared monitor, SLO and dashboard is in Datadog as declared; nothing unmanaged looks like ours.', '');
  return lines.join('\n');
}

export function renderDriftJson(r: DriftReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
