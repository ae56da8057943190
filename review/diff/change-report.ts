/**
 * `rollout diff` reports (pure): Markdown for the change board and the pull
 * request, JSON for tools. Same input, same bytes.
 */
import { ganttChart } from './gantt';
import { Change, DiffResult, RISK_CLASSES, RiskClass, SummaryRow } from './types';
import { code, sortKeys } from './values';

/** What the report calls the two sides (`origin/main (1a2b3c4)`, `working tree`). */
export interface ReportLabels {
  readonly base: string;
  readonly head: string;
}

/** The risk classes, as the report's legend and README.md document them. */
export const RISK_LEGEND: ReadonlyArray<{ risk: RiskClass; what: string }> = [
  {
    risk: 'critical',
    what: "destroys or replaces the state bucket, the lock table, a host or a GitHub environment; turns off state protection (prevent_destroy, deletion protection, point-in-time recovery, versioning, encryption, public access block); moves a stack's state",
  },
  {
    risk: 'high',
    what: 'IAM, security groups, secrets, providers, state locking, GitHub deployment protection, agent version and agent settings, batch membership of prod hosts',
  },
  {
    risk: 'medium',
    what: 'monitor thresholds and queries, notification routing, SLO targets, rollout policy, batch membership outside prod, anything not listed',
  },
  { risk: 'low', what: 'tags, descriptions, dashboards, outputs, message text, data sources' },
];

const MAX_ATTRIBUTES = 25;

function badge(r: RiskClass): string {
  return r === 'critical' || r === 'high' ? `**${r}**` : r;
}

function totals(changes: readonly Change[]): Record<Change['kind'], number> {
  const t = { added: 0, changed: 0, removed: 0, replaced: 0 };
  for (const c of changes) t[c.kind]++;
  return t;
}

function tableRow(r: SummaryRow): string {
  return `| ${r.stage} | ${r.stack} | ${r.added} | ${r.changed} | ${r.removed} | ${r.replaced} | ${badge(r.risk)} |`;
}

function changeLines(c: Change): string[] {
  const why = c.risk === 'critical' || c.risk === 'high' ? ` _(${c.why})_` : '';
  const lines = [`- ${badge(c.risk)} ${c.text}${why}`];
  const showAttrs = c.attributes.length > 1 || c.kind === 'replaced';
  if (showAttrs) {
    for (const a of c.attributes.slice(0, MAX_ATTRIBUTES)) lines.push(`  - ${a.text}${a.risk !== c.risk ? ` (${a.risk})` : ''}`);
    if (c.attributes.length > MAX_ATTRIBUTES) lines.push(`  - … and ${c.attributes.length - MAX_ATTRIBUTES} more`);
  }
  return lines;
}

/** The Markdown report: summary table first, then the changes in words, then the schedules. */
export function renderMarkdown(result: DiffResult, labels: ReportLabels): string {
  const out: string[] = ['## Change review', '', `Base ${code(labels.base)}, head ${code(labels.head)}.`, ''];
  if (result.changes.length === 0) {
    out.push('**No changes**: every stack and inventory means the same on both sides.');
    return `${out.join('\n')}\n`;
  }
  const t = totals(result.changes);
  const stages = new Set(result.changes.map((c) => c.stage));
  out.push(
    `**Highest risk: ${result.highestRisk}.** ${result.changes.length} change${result.changes.length === 1 ? '' : 's'} in ${stages.size} stage${stages.size === 1 ? '' : 's'}: ` +
      `${t.added} added, ${t.changed} changed, ${t.removed} removed, ${t.replaced} replaced.`,
    '',
    '| stage | stack | added | changed | removed | replaced | risk |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...result.summary.map(tableRow),
    '',
    '### What changes',
  );
  // One section per stage and stack; low-risk changes folded away under the others.
  const groups = new Map<string, Change[]>();
  for (const c of result.changes) {
    const g = `${c.stage} / ${c.stack}`;
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  for (const [g, list] of groups) {
    out.push('', `#### ${g}`, '');
    const low = list.filter((c) => c.risk === 'low');
    for (const c of list) if (c.risk !== 'low') out.push(...changeLines(c));
    if (low.length > 0) {
      if (low.length < list.length) out.push('');
      out.push(
        `<details><summary>${low.length} low-risk change${low.length === 1 ? '' : 's'} (${[...new Set(low.map((c) => c.why))].sort().join(', ')})</summary>`,
        '',
      );
      for (const c of low) out.push(...changeLines(c));
      out.push('', '</details>');
    }
  }
  if (result.schedules.length > 0) {
    out.push(
      '',
      '### Rollout schedule',
      '',
      'Batches of each stage that changes, in order, with the soak before each go/no-go gate (times from the start of the deploy).',
    );
    for (const s of result.schedules) out.push('', `#### ${s.stage}`, '', '```mermaid', ganttChart(s), '```');
  }
  out.push('', '<details><summary>Risk classes</summary>', '', '| class | what |', '| --- | --- |');
  for (const l of RISK_LEGEND) out.push(`| ${l.risk} | ${l.what} |`);
  out.push('', '</details>');
  return `${out.join('\n')}\n`;
}

/** The JSON report (stable key order; absent values are left out). */
export function renderJson(result: DiffResult, labels: ReportLabels): string {
  const doc = {
    base: labels.base,
    head: labels.head,
    highestRisk: result.highestRisk ?? null,
    totals: totals(result.changes),
    summary: result.summary,
    changes: result.changes.map((c) => ({
      stage: c.stage,
      stack: c.stack,
      subject: c.subject,
      kind: c.kind,
      risk: c.risk,
      why: c.why,
      label: c.label,
      text: c.text,
      ...(c.forcedBy ? { forcedBy: c.forcedBy } : {}),
      attributes: c.attributes.map((a) => ({
        path: a.path,
        ...(a.before !== undefined ? { before: sortKeys(a.before) } : {}),
        ...(a.after !== undefined ? { after: sortKeys(a.after) } : {}),
        text: a.text,
        risk: a.risk,
        why: a.why,
      })),
    })),
    schedules: result.schedules,
    riskClasses: RISK_CLASSES,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
