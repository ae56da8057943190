/**
 * ROLLOUT-M003: warnings go to Slack, alerts to PagerDuty. A PagerDuty
 * handle may only sit inside `{{#is_alert}}` / `{{#is_alert_recovery}}` (or
 * the no-data blocks), so a warning never pages anyone; a monitor that
 * notifies anyone and has a warning threshold notifies a Slack handle inside
 * `{{#is_warning}}`, so its warnings reach someone. (A monitor that notifies
 * nobody is a dashboard or gate signal; its warnings go nowhere by design.)
 */
import { isPagingHandle, isSlackHandle } from '../../model/monitoring/routing';
import { Enclosing, parseTemplate } from '../../plan/monitoring/template';
import type { Finding, Rule } from '../rule';

/** Blocks a pager may be notified in. */
const PAGING_BLOCKS = ['is_alert', 'is_alert_recovery', 'is_no_data', 'is_no_data_recovery'];
/** Blocks that also fire for warnings. */
const WARNING_BLOCKS = ['is_warning', 'is_warning_recovery', 'is_recovery', 'is_alert_to_warning'];

function pagingAllowed(within: readonly Enclosing[]): boolean {
  const states = within.filter((e) => e.name !== 'is_match' && e.name !== 'is_exact_match' && e.name !== 'is_priority' && e.name !== 'is_renotify');
  if (states.some((e) => WARNING_BLOCKS.includes(e.name) && !e.negated)) return false;
  return states.some((e) => PAGING_BLOCKS.includes(e.name) && !e.negated);
}

export const M003: Rule = {
  id: 'ROLLOUT-M003',
  title: 'warnings route to Slack inside {{#is_warning}}, alerts to PagerDuty inside {{#is_alert}}',
  check(m) {
    const out: Finding[] = [];
    const parsed = parseTemplate(m.message);
    const bodyHandles = new Set(parseTemplate(m.body).handles.map((h) => h.handle));
    const stray = [...new Set(parsed.handles.filter((h) => isPagingHandle(h.handle) && !pagingAllowed(h.within)).map((h) => h.handle))].sort();
    if (stray.length > 0) {
      out.push({
        field: stray.some((h) => bodyHandles.has(h)) ? 'message' : 'notify',
        got: `PagerDuty handle ${stray.join(', ')} outside {{#is_alert}} (it would page on warnings or recoveries too)`,
        expected: 'PagerDuty handles only in notify.alert or inside {{#is_alert}}...{{/is_alert}} in the message',
      });
    }
    const hasWarning = m.thresholds.warning !== undefined;
    if (hasWarning && parsed.handles.length > 0) {
      const slack = parsed.handles.some((h) => isSlackHandle(h.handle) && h.within.some((e) => e.name === 'is_warning' && !e.negated));
      if (!slack) {
        out.push({
          field: 'notify',
          got: `a warning threshold (${m.thresholds.warning}) whose warnings notify no Slack channel`,
          expected: 'a Slack handle in notify.warning (routed inside {{#is_warning}}), or no warning threshold',
        });
      }
    }
    return out;
  },
};
