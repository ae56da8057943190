/**
 * The coverage matrix as Markdown (summary first) and JSON. Pure.
 */
import type { CoverageCell, CoverageReport, CoverageRow } from './coverage';

const MARK: Record<CoverageCell['state'], string> = { present: 'yes', overridden: 'override', disabled: '-' };

function cellText(c: CoverageCell): string {
  const base = c.state === 'overridden' ? `override (${c.overrides.join(', ')})` : MARK[c.state];
  return c.gap === 'routes-nowhere' ? `**${base}, routes nowhere**` : base;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The Markdown report: the summary, the findings, the new stage's gaps, then the matrix. */
export function renderCoverageMarkdown(r: CoverageReport): string {
  const lines: string[] = ['# Stage coverage', ''];
  const c = r.counts;
  const gapsNew = r.newStageGaps.absent.length + r.newStageGaps.routing.length;
  lines.push(
    `**${r.findings.length === 0 ? 'OK' : `${plural(r.findings.length, 'paging monitor')} route nowhere`}**: ` +
      `${plural(c.definitions, 'definition')} (${plural(c.monitors, 'monitor')}, ${plural(c.slos, 'SLO')}, ${plural(c.dashboards, 'dashboard')}) ` +
      `across ${plural(r.stages.length, 'stage')} (${r.stages.join(', ')}); ${plural(c.pagingMonitors, 'paging monitor')}; ` +
      `a new stage would have ${plural(gapsNew, 'gap')}` +
      (r.newStageGaps.overriddenEverywhere.length > 0
        ? ` and ${plural(r.newStageGaps.overriddenEverywhere.length, 'definition')} to check (base values used nowhere yet).`
        : '.'),
    '',
  );
  if (r.findings.length > 0) {
    lines.push('## Paging monitors that route nowhere', '');
    for (const f of r.findings) {
      lines.push(`- \`${f.id}\` in **${f.stage}** (${f.source.file}:${f.source.line}): no alert handle; an alert there pages nobody`);
    }
    lines.push('');
  }
  lines.push(`## What a new stage would lack or get untried (\`${r.newStage}\`)`, '');
  if (gapsNew === 0 && r.newStageGaps.overriddenEverywhere.length === 0) lines.push('None: every definition applies with its base values.', '');
  for (const a of r.newStageGaps.absent) lines.push(`- ${a}: disabled by default, enabled only per stage; the new stage would not get it`);
  for (const f of r.newStageGaps.routing)
    lines.push(`- monitor ${f.id} (${f.source.file}:${f.source.line}): pages elsewhere, but routes nowhere without a stage entry`);
  for (const o of r.newStageGaps.overriddenEverywhere) lines.push(`- ${o}: overridden in every stage; the new stage would get its base values`);
  if (gapsNew > 0 || r.newStageGaps.overriddenEverywhere.length > 0) lines.push('');
  lines.push('## Matrix', '', `| definition | ${[...r.stages, `${r.newStage} (new)`].join(' | ')} |`, `| --- |${' --- |'.repeat(r.stages.length + 1)}`);
  const name = (row: CoverageRow): string => `${row.kind} \`${row.id}\`${row.paging ? ' (paging)' : ''}`;
  for (const row of r.rows) lines.push(`| ${name(row)} | ${[...r.stages, r.newStage].map((s) => cellText(row.cells[s])).join(' | ')} |`);
  lines.push(
    '',
    "yes: present with its base values; override: present, with the fields a `stages.<stage>` entry (or the file's routing) changes; -: disabled.",
  );
  return `${lines.join('\n')}\n`;
}

export function renderCoverageJson(r: CoverageReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
