/**
 * ROLLOUT-M001: a paging monitor (it notifies a PagerDuty handle, or has
 * priority 1 or 2) carries a runbook link. Whoever is woken up needs to know
 * what to do without reverse-engineering the query.
 */
import { isPagingHandle, isPagingPriority } from '../../model/monitoring/routing';
import { parseTemplate } from '../../plan/monitoring/template';
import type { Rule } from '../rule';

export const M001: Rule = {
  id: 'ROLLOUT-M001',
  title: 'paging monitors (PagerDuty handle or priority 1-2) carry a runbook link',
  check(m) {
    const pagers = [
      ...new Set(
        parseTemplate(m.message)
          .handles.map((h) => h.handle)
          .filter(isPagingHandle),
      ),
    ].sort();
    const urgent = isPagingPriority(m.priority);
    if ((pagers.length === 0 && !urgent) || m.runbook !== undefined) return [];
    const why = [...(urgent ? [`priority ${m.priority}`] : []), ...pagers].join(', ');
    return [{ field: 'runbook', got: `a paging monitor (${why}) without a runbook`, expected: 'a runbook: https://... link on every paging monitor' }];
  },
};
