/**
 * Reading `rollout diff --format json` back (pure), for the release decision
 * (review/release) and the plan summary's join (review/plan-summary): one
 * parser, checked against the shape change-report.ts writes, so nothing is
 * decided from a truncated or foreign file. Only what the readers use is
 * checked and kept (base, head, highest risk, the changes, the state
 * storage); other fields (summary, timeline, ...) are ignored.
 */
import { z } from 'zod';
import { Change, RISK_CLASSES, RiskClass } from './types';

/** What the readers of a diff report use. */
export interface DiffReport {
  /** What the report calls the base side (`main (1a2b3c4)`). */
  readonly base: string;
  readonly head: string;
  readonly highestRisk: RiskClass | null;
  readonly changes: readonly Change[];
  /** The state buckets and lock tables the risks were judged with. */
  readonly stateStorage?: { readonly buckets: readonly string[]; readonly tables: readonly string[] };
}

/** A diff report that is not JSON or not in the shape of `rollout diff --format json`. */
export class DiffReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffReportError';
  }
}

const risk = z.enum(RISK_CLASSES);

const attributeSchema = z.object({
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  text: z.string(),
  risk,
  why: z.string(),
});

const changeSchema = z.object({
  stage: z.string(),
  stack: z.string(),
  subject: z.string(),
  kind: z.enum(['added', 'changed', 'removed', 'replaced', 'renamed', 'imported']),
  risk,
  why: z.string(),
  label: z.string(),
  text: z.string(),
  forcedBy: z.array(z.string()).optional(),
  attributes: z.array(attributeSchema),
});

const reportSchema = z.object({
  base: z.string(),
  head: z.string(),
  highestRisk: risk.nullable(),
  changes: z.array(changeSchema),
  stateStorage: z.object({ buckets: z.array(z.string()), tables: z.array(z.string()) }).optional(),
});

/** Parse the text of `rollout diff --format json`; throws DiffReportError naming the first problems. */
export function parseDiffReport(text: string, label = 'diff report'): DiffReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DiffReportError(`${label}: not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = reportSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`);
    throw new DiffReportError(`${label}: not the output of rollout diff --format json: ${problems.join('; ')}`);
  }
  return parsed.data as DiffReport;
}
