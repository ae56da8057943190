/**
 * `rollout plan-summary PLAN.json...`: a reviewer's summary of Terraform
 * plans (`terraform show -json PLANFILE > PLAN.json`), as Markdown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { parsePlan, PlanFormatError } from '../../review/plan-summary/terraform-plan';
import { renderPlanSummary } from '../../review/plan-summary/render-summary';
import { summarizePlan } from '../../review/plan-summary/summary';
import { UsageError } from '../args';
import { Command, Io } from '../command';

const ALLOWED = '--title TEXT (one plan only)';

/** A plan file that cannot be read or is not a JSON plan; the CLI prints `rollout plan-summary: <message>` and exits 1. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanFileError';
  }
}

export const planSummaryCommand: Command = {
  name: 'plan-summary',
  usage: `plan-summary PLAN.json... [--title TEXT]
      summarize Terraform plans (terraform show -json PLANFILE > PLAN.json) as Markdown: counts per
      action, replacements and destroys first with the attributes forcing them, the rest collapsed;
      each plan is titled by its file name (without .json) or --title`,
  run(argv: string[], io: Io): number {
    let values: { title?: string };
    let files: string[];
    try {
      const parsed = parseArgs({ args: argv, options: { title: { type: 'string' } }, allowPositionals: true, strict: true });
      values = parsed.values;
      files = parsed.positionals;
    } catch (e) {
      throw new UsageError(`rollout plan-summary: ${(e as Error).message.split('\n')[0].split('. To specify')[0]}; allowed options: ${ALLOWED}`);
    }
    if (files.length === 0) throw new UsageError('rollout plan-summary: expected at least one PLAN.json (terraform show -json PLANFILE > PLAN.json)');
    if (values.title !== undefined && files.length > 1) throw new UsageError('rollout plan-summary: --title applies to one plan; got ' + files.length);
    const sections: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw new PlanFileError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      try {
        const title = values.title ?? path.basename(file).replace(/\.json$/, '');
        sections.push(renderPlanSummary(summarizePlan(parsePlan(text)), title));
      } catch (e) {
        if (e instanceof PlanFormatError) throw new PlanFileError(`${file}: ${e.message}`);
        throw e;
      }
    }
    io.out(sections.join('\n'));
    return 0;
  },
};
