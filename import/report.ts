/**
 * The report of `rollout import` as Markdown (pure): the summary first (what
 * was written, how many objects the stage adopts, what is left to fix), then
 * the validation problems with file:line, then one line per object for what
 * was not carried over.
 */
import { formatProblem, Problem, sortProblems } from '../model/errors';
import type { ImportResult } from './import-datadog';

export interface ReportContext {
  readonly stage: string;
  /** Files written, relative to the configuration directory. */
  readonly written: readonly string[];
  /** What `rollout validate` says of the configuration with the imported files. */
  readonly problems: readonly Problem[];
  /** With --from-api: what was read but not handed on (a dashboard gone when read). */
  readonly readNotes?: readonly string[];
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

export function renderImportReport(r: ImportResult, ctx: ReportContext): string {
  const c = r.counts;
  const out = [
    `## Import from Datadog (stage ${ctx.stage})`,
    '',
    `**${plural(c.monitors, 'monitor')}, ${plural(c.slos, 'SLO')}, ${plural(c.dashboards, 'dashboard')} imported; ${c.skipped} skipped. ` +
      `The first apply in ${ctx.stage} adopts ${r.adopted} existing object${r.adopted === 1 ? '' : 's'} (Terraform import blocks) instead of creating ${r.adopted === 1 ? 'it' : 'them'}. ` +
      (ctx.problems.length === 0 ? 'The configuration validates.**' : `${plural(ctx.problems.length, 'problem')} to fix before it validates.**`),
    '',
    'Written:',
    ...ctx.written.map((f) => `- \`${f}\``),
  ];
  if (ctx.problems.length > 0) {
    out.push('', 'To fix (`rollout validate` says the same):', ...sortProblems(ctx.problems).map((p) => `- ${formatProblem(p)}`));
  }
  const readNotes = ctx.readNotes ?? [];
  if (r.notes.length + readNotes.length > 0) {
    out.push('', 'Not carried over as it was:');
    for (const n of readNotes) out.push(`- ${n}`);
    for (const n of r.notes) out.push(`- ${n.origin}${n.field ? ` \`${n.field}\`` : ''}: ${n.text}`);
  }
  out.push('', `Next: review the files, run \`rollout diff\` (adopted objects read "imported"), plan ${ctx.stage} (expect "N to import, 0 to add").`);
  return `${out.join('\n')}\n`;
}
