import { impactClass, isPagingMonitor, monitorAttributeEffect, queryComparison, sloAttributeEffect, thresholdEffect } from '../../../review/diff/impact';

describe('impact of monitor and SLO changes', () => {
  test('the comparator is read from the end of the query; service checks count failures (`>`)', () => {
    expect(queryComparison('avg(last_5m):avg:x{env:prod} > 2')).toEqual({ op: '>', value: 2, rest: 'avg(last_5m):avg:x{env:prod}' });
    expect(queryComparison('max(last_15m):sum:y{a:b} * 100 / 12 < 99')).toMatchObject({ op: '<', value: 99 });
    expect(queryComparison('avg(last_4h):anomalies(z, 3) >= 1')).toMatchObject({ op: '>=', value: 1 });
    expect(queryComparison('"http.can_connect".over("env:prod").by("host").last(3).count_by_status()')).toMatchObject({ op: '>' });
    expect(queryComparison('${datadog_monitor.a.id} && ${datadog_monitor.b.id}')).toBeUndefined();
  });

  test('loosened or tightened follows the comparator: for `>` higher is looser, for `<` lower is looser', () => {
    expect(thresholdEffect('>', 2, 3)).toBe('loosened');
    expect(thresholdEffect('>=', 2, 1)).toBe('tightened');
    expect(thresholdEffect('<', 99, 95)).toBe('loosened');
    expect(thresholdEffect('<=', 99, 99.5)).toBe('tightened');
    expect(thresholdEffect('>', 1, undefined)).toBe('loosened'); // a warning removed alerts less
    expect(thresholdEffect('>', undefined, 1)).toBe('tightened');
    expect(thresholdEffect('>', 2, 2)).toBeUndefined();
  });

  test('thresholds are judged with the query of their side; an SLO target lowered is looser', () => {
    const q = (t: string): object => ({ query: `avg(last_5m):x > ${t}` });
    expect(monitorAttributeEffect('monitor_thresholds.critical', '2', '3', q('2'), q('3'))).toBe('loosened');
    expect(monitorAttributeEffect('monitor_thresholds[0].warning', '1', '0.5', q('2'), q('2'))).toBe('tightened');
    expect(monitorAttributeEffect('query', 'avg(last_5m):x > 2', 'avg(last_5m):x > 3', {}, {})).toBe('loosened');
    expect(monitorAttributeEffect('notify_no_data', true, false, {}, {})).toBe('loosened');
    expect(sloAttributeEffect('thresholds[30d].target', 99.9, 99.5)).toBe('loosened');
    expect(sloAttributeEffect('target_threshold', 99.5, 99.9)).toBe('tightened');
  });

  test('fails when the query changes beyond its threshold, or its comparator changes: no direction', () => {
    expect(monitorAttributeEffect('query', 'avg(last_5m):x > 2', 'avg(last_15m):x > 3', {}, {})).toBeUndefined();
    expect(monitorAttributeEffect('monitor_thresholds.critical', '2', '3', { query: 'x > 2' }, { query: 'x < 3' })).toBeUndefined();
    expect(monitorAttributeEffect('name', 'a', 'b', {}, {})).toBeUndefined();
  });

  test('a monitor pages with a PagerDuty handle or priority 1-2 (policy/rules/m001)', () => {
    expect(isPagingMonitor({ message: '{{#is_alert}}@pagerduty-payments{{/is_alert}}' })).toBe(true);
    expect(isPagingMonitor({ message: '@slack-x', priority: 2 })).toBe(true);
    expect(isPagingMonitor({ message: '@slack-x', priority: '1' })).toBe(true);
    expect(isPagingMonitor({ message: '@slack-x', priority: 3 })).toBe(false);
    expect(isPagingMonitor({ message: '@pagerdutyish @slack-x' })).toBe(false);
  });

  test('the class table: loosening or deleting a paging prod monitor is high, tightening lower, outside prod one lower', () => {
    const table = [true, false].flatMap((prod) =>
      [true, false].map((paging) => [
        prod ? 'prod' : 'dev',
        paging ? 'paging' : 'quiet',
        ...(['loosened', 'deleted', 'tightened', 'added', undefined] as const).map((e) => impactClass(prod, paging, e)),
      ]),
    );
    expect(table).toEqual([
      ['prod', 'paging', 'high', 'high', 'medium', 'medium', 'medium'],
      ['prod', 'quiet', 'medium', 'medium', 'low', 'low', 'medium'],
      ['dev', 'paging', 'medium', 'medium', 'low', 'low', 'low'],
      ['dev', 'quiet', 'low', 'low', 'low', 'low', 'low'],
    ]);
  });
});
