/**
 * `rollout diff` reports (pure): Markdown for the change board and the pull
 * request, JSON for tools. Same input, same bytes.
 */
import { ganttChart, promotionOrder, timelineTable } from './gantt';
import { isProductionStage } from './risk';
import { Change, changeKey, DiffResult, maxRisk, RISK_CLASSES, RiskClass, riskRank, SHARED_STAGE, SummaryRow } from './types';
import { code, sortKeys } from './values';

/** What the report calls the two sides (`origin/main (1a2b3c4)`, `working tree`). */
export interface ReportLabels {
  readonly base: string;
  readonly head: string;
}

/** The risk classes, as the report's legend and docs/change-review.md document them. */
export const RISK_LEGEND: ReadonlyArray<{ risk: RiskClass; what: string }> = [
  {
    risk: 'critical',
    what: "destroys or replaces the state bucket, the lock table, a host or a GitHub environment; turns off state protection (prevent_destroy, deletion protection, point-in-time recovery, versioning, encryption, public access block); moves a stack's state",
  },
  {
    risk: 'high',
    what: 'IAM, security groups, secrets, providers, state locking, GitHub deployment protection, agent version and agent settings, batch membership of prod hosts, loosening or deleting a paging monitor or an SLO in prod',
  },
  {
    risk: 'medium',
    what: 'other monitor and SLO changes in prod (tightening a paging one, loosening or deleting one that does not page, thresholds, queries and routing without a direction), loosening or deleting a paging monitor or an SLO outside prod, rollout policy, batch membership outside prod, anything not listed',
  },
  {
    risk: 'low',
    what: 'tags, descriptions, dashboards, outputs, message text, data sources; outside prod, every other monitor and SLO change; tightening a monitor that does not page',
  },
];

const MAX_ATTRIBUTES = 25;

function badge(r: RiskClass): string {
  return r === 'critical' || r === 'high' ? `**${r}**` : r;
}

/** Counts by kind; renames and imports only when there are some. */
function totals(changes: readonly Change[]): Record<'added' | 'changed' | 'removed' | 'replaced', number> & { renamed?: number; imported?: number } {
  const t: Record<string, number> = { added: 0, changed: 0, removed: 0, replaced: 0 };
  for (const c of changes) t[c.kind] = (t[c.kind] ?? 0) + 1;
  return t as ReturnType<typeof totals>;
}

function tableRow(r: SummaryRow): string {
  const more = (n: number | undefined, word: string): string => (n ? ` (+${n} ${word})` : '');
  return `| ${r.stage} | ${r.stack} | ${r.added}${more(r.imported, 'imported')} | ${r.changed}${more(r.renamed, 'renamed')} | ${r.removed} | ${r.replaced} | ${badge(r.risk)} |`;
}

function attributeLines(c: Change, indent: string): string[] {
  const lines: string[] = [];
  if (c.attributes.length > 1 || c.kind === 'replaced') {
    for (const a of c.attributes.slice(0, MAX_ATTRIBUTES)) lines.push(`${indent}- ${a.text}${a.risk !== c.risk ? ` (${a.risk})` : ''}`);
    if (c.attributes.length > MAX_ATTRIBUTES) lines.push(`${indent}- … and ${c.attributes.length - MAX_ATTRIBUTES} more`);
  }
  return lines;
}

function changeLine(c: Change, where: boolean): string {
  const why = c.risk === 'critical' || c.risk === 'high' ? ` _(${c.why})_` : '';
  return `- ${badge(c.risk)} ${where ? `${c.stage}: ` : ''}${c.text}${why}`;
}

/** A change and the changes that follow from it. */
interface Group {
  readonly root: Change;
  readonly derived: readonly Change[];
  /** The highest risk of the root and what follows from it. */
  readonly risk: RiskClass;
}

/** Changes grouped under the change they follow from (a change whose cause is not in the list stands alone). */
export function groupChanges(changes: readonly Change[]): Group[] {
  const keys = new Set(changes.map(changeKey));
  const under = new Map<string, Change[]>();
  const roots: Change[] = [];
  for (const c of changes) {
    const cause = c.derivedFrom ? changeKey(c.derivedFrom) : undefined;
    if (cause && keys.has(cause)) under.set(cause, [...(under.get(cause) ?? []), c]);
    else roots.push(c);
  }
  return roots.map((root) => {
    const derived = under.get(changeKey(root)) ?? [];
    return { root, derived, risk: derived.reduce<RiskClass>((r, c) => maxRisk(r, c.risk), root.risk) };
  });
}

/** Shared first, then prod stages, then the others from the last promoted back. */
function stageImpact(stage: string): number {
  if (stage === SHARED_STAGE) return 0;
  if (isProductionStage(stage)) return 1;
  return 2;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The "needs attention" order: highest risk first across stages, then the stage with the most impact, stack and subject. */
export function attentionOrder(groups: readonly Group[]): Group[] {
  const order = promotionOrder(groups.map((g) => g.root.stage)).reverse();
  return [...groups].sort(
    (a, b) =>
      riskRank(b.risk) - riskRank(a.risk) ||
      riskRank(b.root.risk) - riskRank(a.root.risk) ||
      stageImpact(a.root.stage) - stageImpact(b.root.stage) ||
      order.indexOf(a.root.stage) - order.indexOf(b.root.stage) ||
      cmp(a.root.stack, b.root.stack) ||
      cmp(a.root.subject, b.root.subject),
  );
}

/** `3 dashboards, 11 monitors` from the labels' first word. */
function kinds(changes: readonly Change[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) {
    const word = c.label.split(' ')[0];
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([w, n]) => `${n} ${w}${n === 1 ? '' : w.endsWith('s') ? '' : 's'}`)
    .join(', ');
}

/** One group of the "needs attention" list: the change, its attributes, and what follows from it. */
function groupLines(g: Group): string[] {
  const lines = [changeLine(g.root, true), ...attributeLines(g.root, '  ')];
  const shown = g.derived.filter((c) => c.risk !== 'low');
  const folded = g.derived.filter((c) => c.risk === 'low');
  const reasons = [...new Set(g.derived.map((c) => c.derivedFrom?.reason ?? ''))];
  for (const reason of reasons) {
    const list = shown.filter((c) => c.derivedFrom?.reason === reason);
    if (list.length === 0) continue;
    lines.push(`  - follows from it (${reason}):`);
    for (const c of list) lines.push(`    ${changeLine(c, false)}`);
  }
  if (folded.length > 0) {
    const one = folded.length === 1;
    lines.push(`  - and ${folded.length} low-risk change${one ? '' : 's'} that follow${one ? 's' : ''} from it (${kinds(folded)}), under "Low risk" below`);
  }
  return lines;
}

/** The Markdown report: headline and summary table, one "needs attention" list across stages, low-risk changes folded, the rollout timeline. */
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
      `${t.added} added, ${t.changed} changed, ${t.removed} removed, ${t.replaced} replaced` +
      `${t.renamed ? `, ${t.renamed} renamed` : ''}${t.imported ? `, ${t.imported} imported` : ''}.`,
    '',
    '| stage | stack | added | changed | removed | replaced | risk |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...result.summary.map(tableRow),
  );
  const groups = attentionOrder(groupChanges(result.changes));
  const attention = groups.filter((g) => g.risk !== 'low');
  const low = [
    ...groups.filter((g) => g.risk === 'low').flatMap((g) => [g.root, ...g.derived]),
    ...attention.flatMap((g) => g.derived.filter((c) => c.risk === 'low')),
  ];
  if (attention.length > 0) {
    out.push(
      '',
      '### Needs attention',
      '',
      'Every change above low risk, highest risk first across stages; a change that only follows from another is listed under it, with the reason.',
      '',
    );
    for (const g of attention) out.push(...groupLines(g));
  }
  if (low.length > 0) {
    const whys = [...new Set(low.map((c) => c.why))].sort().join(', ');
    out.push('', '### Low risk', '', `<details><summary>${low.length} low-risk change${low.length === 1 ? '' : 's'} (${whys})</summary>`, '');
    const sorted = [...low].sort((a, b) => cmp(a.stage, b.stage) || cmp(a.stack, b.stack) || cmp(a.subject, b.subject));
    const byKey = new Map(result.changes.map((c) => [changeKey(c), c]));
    for (const c of sorted) {
      const cause = c.derivedFrom ? byKey.get(changeKey(c.derivedFrom)) : undefined;
      const reason = c.derivedFrom?.reason ?? '';
      const from = cause ? ` _(follows from ${reason.startsWith(cause.label) ? reason : `${cause.label}: ${reason}`})_` : '';
      out.push(`${changeLine(c, true)}${from}`, ...attributeLines(c, '  '));
    }
    out.push('', '</details>');
  }
  if (result.timeline.changed.length > 0) {
    out.push(
      '',
      '### Rollout timeline',
      '',
      `Stages whose rollout changes, before and after, on one timeline: each stage starts when the one before it (${promotionOrder([...result.timeline.before, ...result.timeline.after].map((s) => s.stage)).join(', then ')}) has finished its soaks; a gate ends each batch's soak.`,
      '',
      ...timelineTable(result.timeline),
      '',
      '```mermaid',
      ganttChart(result.timeline),
      '```',
    );
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
      ...(c.derivedFrom ? { derivedFrom: c.derivedFrom } : {}),
      attributes: c.attributes.map((a) => ({
        path: a.path,
        ...(a.before !== undefined ? { before: sortKeys(a.before) } : {}),
        ...(a.after !== undefined ? { after: sortKeys(a.after) } : {}),
        text: a.text,
        risk: a.risk,
        why: a.why,
      })),
    })),
    attention: attentionOrder(groupChanges(result.changes))
      .filter((g) => g.risk !== 'low')
      .map((g) => changeKey(g.root)),
    timeline: result.timeline,
    stateStorage: result.stateStorage,
    riskClasses: RISK_CLASSES,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
