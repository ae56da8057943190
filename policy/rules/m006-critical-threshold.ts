/**
 * ROLLOUT-M006: the critical threshold equals the threshold in the query.
 * The Datadog API rejects a mismatch, but only at apply time; this catches it
 * at synth. (A per-stage critical override rewrites the query, so only a
 * hand-written mismatch trips it.)
 */
import { formatNumber, queryThreshold } from '../../model/monitoring/query';
import type { Rule } from '../rule';

export const M006: Rule = {
  id: 'ROLLOUT-M006',
  title: 'the critical threshold equals the threshold in the query',
  check(m) {
    if (m.kind === 'composite' || m.kind === 'service-check') return [];
    const q = queryThreshold(m.query);
    const critical = m.thresholds.critical;
    if (q === undefined)
      return [
        { field: 'query', got: 'a query without a trailing "<comparator> <number>"', expected: 'a query ending in its critical threshold, such as "> 0.05"' },
      ];
    if (critical === undefined || Math.abs(q.value - critical) > 1e-9 * Math.max(1, Math.abs(critical))) {
      return [
        {
          field: 'thresholds.critical',
          got: `critical ${critical === undefined ? 'missing' : formatNumber(critical)} but the query says ${q.comparator} ${formatNumber(q.value)}`,
          expected: `thresholds.critical: ${formatNumber(q.value)} (or change the query)`,
        },
      ];
    }
    return [];
  },
};
