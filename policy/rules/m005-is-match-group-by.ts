/**
 * ROLLOUT-M005: every `{{#is_match "tag.name" ...}}` (and is_exact_match)
 * tests a tag the query groups by. Without the group-by the variable is
 * empty, the condition never matches and its notification is never sent.
 */
import { groupByTags } from '../../model/monitoring/query';
import { parseTemplate } from '../../plan/monitoring/template';
import type { Rule, RuleContext } from '../rule';
import type { PlannedMonitor } from '../../plan/monitoring/planned';

/** Tags a monitor groups by; a composite's are those all its monitors share. */
export function monitorGroupBy(m: PlannedMonitor, ctx: RuleContext): string[] {
  if (m.kind !== 'composite') return groupByTags(m.kind, m.query);
  const sets = m.refs.monitors.map((id) => {
    const sub = ctx.teamMonitorsById.get(id);
    return new Set(sub ? groupByTags(sub.kind, sub.query) : []);
  });
  if (sets.length === 0) return [];
  return [...sets[0]].filter((t) => sets.every((s) => s.has(t))).sort();
}

export const M005: Rule = {
  id: 'ROLLOUT-M005',
  title: 'every {{#is_match "tag" ...}} names a tag in the query\'s group-by',
  check(m, ctx) {
    const groups = monitorGroupBy(m, ctx);
    const missing = [
      ...new Set(
        parseTemplate(m.message)
          .matches.map((x) => x.tag)
          .filter((t) => !groups.includes(t)),
      ),
    ].sort();
    if (missing.length === 0) return [];
    return [
      {
        field: 'message',
        got: `is_match on ${missing.map((t) => JSON.stringify(t)).join(', ')} with the query grouped by ${groups.length > 0 ? groups.join(', ') : 'nothing'}`,
        expected: `is_match only on grouped tags (add "by {${missing.join(',')}}" to the query, or match on ${groups.length > 0 ? groups.join(', ') : 'a grouped tag'})`,
      },
    ];
  },
};
