/**
 * Reading a `rollout diff --format json` report (pure), to join it with
 * plans: the changes it predicts per stack and resource, and the state
 * buckets and lock tables it judged with.
 */
import { parseRisk, RiskClass } from '../diff/types';

/** The input is not a `rollout diff --format json` report. */
export class DiffReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffReportError';
  }
}

/** One predicted change, as far as the join reads it. */
export interface PredictedChange {
  readonly stage: string;
  readonly stack: string;
  readonly subject: string;
  readonly kind: 'added' | 'changed' | 'removed' | 'replaced';
  readonly risk: RiskClass;
  readonly label: string;
  readonly forcedBy?: readonly string[];
}

export interface DiffReport {
  readonly changes: readonly PredictedChange[];
  readonly stateStorage?: { readonly buckets: readonly string[]; readonly tables: readonly string[] };
}

const HINT = 'expected the output of `rollout diff --format json`';
const KINDS = ['added', 'changed', 'removed', 'replaced'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Parse and check a diff report; throws DiffReportError. */
export function parseDiffReport(text: string): DiffReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DiffReportError(`not valid JSON (${(e as Error).message}); ${HINT}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.changes)) throw new DiffReportError(`no "changes" list; ${HINT}`);
  const changes = doc.changes.map((c, i): PredictedChange => {
    const risk = isObject(c) && typeof c.risk === 'string' ? parseRisk(c.risk) : undefined;
    const ok = isObject(c) && ['stage', 'stack', 'subject', 'label'].every((k) => typeof c[k] === 'string') && KINDS.includes(String(c.kind)) && risk;
    if (!ok || !isObject(c) || !risk) throw new DiffReportError(`changes[${i}]: expected stage, stack, subject, kind, risk and label; ${HINT}`);
    return {
      stage: c.stage as string,
      stack: c.stack as string,
      subject: c.subject as string,
      kind: c.kind as PredictedChange['kind'],
      risk,
      label: c.label as string,
      ...(Array.isArray(c.forcedBy) ? { forcedBy: strings(c.forcedBy) } : {}),
    };
  });
  const st = doc.stateStorage;
  return { changes, ...(isObject(st) ? { stateStorage: { buckets: strings(st.buckets), tables: strings(st.tables) } } : {}) };
}
