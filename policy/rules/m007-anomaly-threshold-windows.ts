/**
 * ROLLOUT-M007: anomaly monitors declare threshold windows (trigger and
 * recovery), the trigger window equals the query's alert_window, and the
 * anomaly query is declared as an anomaly monitor. Datadog needs both
 * windows; without them the monitor cannot be created or recovers wrongly.
 */
import { anomalyAlertWindow, anomalyInterval } from '../../model/monitoring/query';
import { parseLastWindow } from '../../model/monitoring/duration';
import type { Finding, Rule } from '../rule';

export const M007: Rule = {
  id: 'ROLLOUT-M007',
  title: "anomaly monitors declare threshold windows matching the query's alert_window",
  check(m) {
    const isAnomalyQuery = /\banomalies\(/.test(m.query);
    if (m.kind !== 'anomaly') {
      return isAnomalyQuery ? [{ field: 'type', got: `type ${m.kind} with an anomalies() query`, expected: 'type: anomaly (with thresholdWindows)' }] : [];
    }
    const out: Finding[] = [];
    const alertWindow = anomalyAlertWindow(m.query);
    if (!m.thresholdWindows) {
      out.push({
        field: 'thresholdWindows',
        got: 'no threshold windows',
        expected: `thresholdWindows: { trigger: ${alertWindow?.replace('last_', '') ?? '15m'}, recovery: ... }`,
      });
    } else if (alertWindow === undefined || m.thresholdWindows.trigger !== alertWindow) {
      out.push({
        field: 'thresholdWindows',
        got: `trigger window ${m.thresholdWindows.trigger} but alert_window ${alertWindow ?? 'missing'} in the query`,
        expected: `a trigger window equal to the query's alert_window${alertWindow ? ` (${alertWindow.replace('last_', '')})` : ''}`,
      });
    }
    const interval = anomalyInterval(m.query);
    const windowMinutes = alertWindow ? parseLastWindow(alertWindow) : undefined;
    if (interval !== undefined && windowMinutes !== undefined && interval > (windowMinutes * 60) / 5) {
      out.push({
        field: 'query',
        got: `interval=${interval}s with alert_window='${alertWindow}'`,
        expected: `an interval of at most a fifth of the alert window (${(windowMinutes * 60) / 5}s)`,
      });
    }
    return out;
  },
};
