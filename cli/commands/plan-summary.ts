/**
 * `rollout plan-summary PLAN.json...`: a reviewer's summary of Terraform
 * plans (`terraform show -json PLANFILE > PLAN.json`), as Markdown, joined
 * with the change review (`--diff`, the JSON of `rollout diff`) when given.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DiffReportError, parseDiffReport } from '../../review/diff/report-json';
import type { DiffReport } from '../../review/plan-summary/diff-report';
import { parsePlan, PlanFormatError } from '../../review/plan-summary/terraform-plan';
import { renderPlanSummary } from '../../review/plan-summary/render-summary';
import { summarizePlan } from '../../review/plan-summary/summary';
import { UsageError } from '../args';
import { defineCommand } from '../command';

/** Exit status when a plan is errored or partial (the summary is printed, and what is missing named on stderr). */
export const EXIT_INCOMPLETE = 1;

/** A plan or report file that cannot be read or is not what it should be; the CLI prints `rollout plan-summary: <message>` and exits 1. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PlanFileError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export const planSummaryCommand = defineCommand({
  name: 'plan-summary',
  summary: "a reviewer's Markdown summary of Terraform plans, joined with rollout diff's JSON",
  description:
    "Summarize Terraform plans (terraform show -json PLANFILE > PLAN.json) as Markdown: Terraform's own counts, " +
    'replacements, destroys and risky changes first (named and judged as rollout diff does), the full plan collapsed; ' +
    'each plan is titled and judged by its file name (the stack, e.g. dev-infra.json) or --title / --stack.',
  arguments: ['<PLAN.json...>'],
  options: {
    title: { flags: '--title <TEXT>', description: 'title of the summary (one plan only)' },
    stack: { flags: '--stack <NAME>', description: 'the stack the plan is of, when its file name does not say (one plan only)' },
    diff: { flags: '--diff <REPORT.json>', description: 'join with rollout diff --format json and say where they disagree' },
  },
  epilog: `Exit status: 0 summarized, ${EXIT_INCOMPLETE} a plan is errored or partial (naming what it did not plan) or a file is unreadable, 2 bad command line.`,
  action(values, files, io) {
    for (const flag of ['title', 'stack'] as const) {
      if (values[flag] !== undefined && files.length > 1) throw new UsageError(`rollout plan-summary: --${flag} applies to one plan; got ${files.length}`);
    }
    let report: DiffReport | undefined;
    if (values.diff !== undefined) {
      try {
        report = parseDiffReport(read(values.diff), values.diff);
      } catch (e) {
        if (e instanceof DiffReportError) throw new PlanFileError(e.message);
        throw e;
      }
    }
    const sections: string[] = [];
    const incomplete: string[] = [];
    for (const file of files) {
      const text = read(file);
      const stack = values.stack ?? path.basename(file).replace(/\.json$/, '');
      try {
        const summary = summarizePlan(parsePlan(text), stack, report);
        sections.push(renderPlanSummary(summary, values.title ?? stack));
        if (summary.incomplete) {
          const what = summary.errored ? 'did not complete (Terraform stopped on an error)' : 'is partial (complete: false, e.g. -target)';
          const missing = summary.missing.length > 0 ? `; not planned: ${summary.missing.join(', ')}` : '';
          incomplete.push(`rollout plan-summary: ${file}: the plan ${what}${missing}`);
        }
      } catch (e) {
        if (e instanceof PlanFormatError) throw new PlanFileError(`${file}: ${e.message}`);
        throw e;
      }
    }
    io.out(sections.join('\n'));
    for (const line of incomplete) io.err(line);
    return incomplete.length > 0 ? EXIT_INCOMPLETE : 0;
  },
});
