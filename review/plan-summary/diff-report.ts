/**
 * What the plan summary's join reads of a `rollout diff --format json`
 * report (parsed by review/diff/report-json.ts): the changes it predicts per
 * stack and resource, and the state buckets and lock tables it judged with.
 * A parsed report is one of these.
 */
import type { RiskClass } from '../diff/types';

/** One predicted change, as far as the join reads it. */
export interface PredictedChange {
  readonly stage: string;
  readonly stack: string;
  readonly subject: string;
  readonly kind: 'added' | 'changed' | 'removed' | 'replaced' | 'renamed' | 'imported';
  readonly risk: RiskClass;
  readonly label: string;
  readonly forcedBy?: readonly string[];
}

export interface DiffReport {
  readonly changes: readonly PredictedChange[];
  readonly stateStorage?: { readonly buckets: readonly string[]; readonly tables: readonly string[] };
}
