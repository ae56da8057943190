/**
 * Reading `rollout diff --format json` (pure): the document is checked
 * against the shape review/diff/change-report.ts writes, so a decision is
 * never made from a truncated or foreign file. Only what the decision reads
 * is checked and kept (base, head, highest risk, the changes); other fields
 * of the report (summary, timeline, ...) are ignored.
 */
import { z } from 'zod';
import { RISK_CLASSES } from '../diff/types';
import type { DiffReport } from './types';

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
  kind: z.enum(['added', 'changed', 'removed', 'replaced']),
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
  return parsed.data;
}
