import {
  anomalyAlertWindow,
  compositeIds,
  filterTagKeys,
  metricTerms,
  usesAsCount,
  groupByTags,
  isWellFormedQuery,
  mapCompositeIds,
  queryThreshold,
  substitute,
  withQueryThreshold,
} from '../../../model/monitoring/query';
import { formatDuration, lastWindow, parseDuration, parseLastWindow } from '../../../model/monitoring/duration';

describe('monitor queries', () => {
  test.each([
    ['metric', 'avg(last_5m):avg:system.cpu.user{env:prod} by {host} > 90'],
    ['metric', 'percentile(last_10m):p99:trace.http.request{env:prod,service:api} > 2'],
    ['query', 'sum(last_5m):sum:a{env:prod}.as_count() / sum:b{env:prod}.as_count() > 0.05'],
    ['query', 'pct_change(avg(last_5m),last_1w):avg:a{env:prod} > 50'],
    ['log', 'logs("service:web status:error env:prod").index("*").rollup("count").by("host").last("10m") > 200'],
    ['service-check', '"nginx.can_connect".over("env:prod","service:web").by("host").last(3).count_by_status()'],
    [
      'anomaly',
      "avg(last_4h):anomalies(sum:a{env:prod}.as_count(), 'agile', 3, direction='below', alert_window='last_30m', interval=300, count_default_zero='true', seasonality='weekly') >= 1",
    ],
    ['composite', 'web-errors && !web-latency'],
  ] as const)('a %s query such as %s is well formed', (type, q) => {
    expect(isWellFormedQuery(type, q)).toBe(true);
  });

  test.each([
    ['metric', 'avg:system.cpu.user{env:prod} > 90'],
    ['metric', 'avg(last_5m):avg:system.cpu.user{env:prod > 90'],
    ['metric', "avg(last_4h):anomalies(avg:a{*}, 'basic', 2) >= 1"],
    ['log', 'logs("x").last("5m")'],
    ['service-check', '"x".over("env:prod").last(2)'],
    ['anomaly', 'avg(last_5m):avg:a{*} > 1'],
    ['composite', 'web-errors'],
  ] as const)('fails when a %s query is %s', (type, q) => {
    expect(isWellFormedQuery(type, q)).toBe(false);
  });

  test('the trailing threshold is read and rewritten', () => {
    expect(queryThreshold('avg(last_5m):avg:a{*} by {host} >= 0.5')).toEqual({ comparator: '>=', value: 0.5 });
    expect(queryThreshold('"x".over("*").last(2).count_by_status()')).toBeUndefined();
    expect(withQueryThreshold('avg(last_5m):avg:a{*} > 0.05', 0.1 + 0.2)).toBe('avg(last_5m):avg:a{*} > 0.3');
  });

  test('group-by tags come from "by {...}" or .by("...")', () => {
    expect(groupByTags('metric', 'avg(last_5m):max:system.disk.in_use{env:prod} by {host,device} > 0.9')).toEqual(['device', 'host']);
    expect(groupByTags('log', 'logs("x").index("*").rollup("count").by("@payment.provider,host").last("5m") > 5')).toEqual(['@payment.provider', 'host']);
    expect(groupByTags('service-check', '"x".over("*").by("host","url").last(2).count_by_status()')).toEqual(['host', 'url']);
    expect(groupByTags('query', 'sum(last_5m):sum:a{*}.as_count() > 1')).toEqual([]);
  });

  test('anomaly alert windows, composite ids and placeholders', () => {
    expect(anomalyAlertWindow("avg(last_4h):anomalies(a{*}, 'basic', 2, alert_window='last_15m') >= 1")).toBe('last_15m');
    expect(compositeIds('(a-1 && b-2) || !a-1')).toEqual(['a-1', 'b-2']);
    expect(mapCompositeIds('a-1 && b-2', (id) => `<${id}>`)).toBe('<a-1> && <b-2>');
    expect(substitute('env:${env},service:${service},x:${other}', { env: 'prod', service: 'web' })).toBe('env:prod,service:web,x:${other}');
  });

  test('durations', () => {
    expect(['5m', '1h', '3d', '90m', '0m', '5 m', '1w'].map(parseDuration)).toEqual([5, 60, 4320, 90, undefined, undefined, undefined]);
    expect([5, 60, 90, 4320].map(formatDuration)).toEqual(['5m', '1h', '90m', '3d']);
    expect(lastWindow(15)).toBe('last_15m');
    expect(parseLastWindow('last_1w')).toBe(10080);
  });
});

describe('metric terms', () => {
  test('each metric of a query with the tag keys it is filtered and grouped by', () => {
    expect(
      metricTerms(
        'sum(last_30m):(sum:trace.http.request.errors{env:prod AND rollout_batch:1} by {service}.as_count() / sum:trace.http.request.hits{env:prod AND (rollout_batch:2 OR rollout_batch:3)} by {service}.as_count()) > 0.0001',
      ),
    ).toEqual([
      { metric: 'trace.http.request.errors', filterTags: ['env', 'rollout_batch'], groupBy: ['service'] },
      { metric: 'trace.http.request.hits', filterTags: ['env', 'rollout_batch'], groupBy: ['service'] },
    ]);
    expect(metricTerms('percentile(last_10m):p99:trace.http.request{env:prod,service:api} > 2')).toEqual([
      { metric: 'trace.http.request', filterTags: ['env', 'service'], groupBy: [] },
    ]);
    // group-by after a function chain, negations, IN lists, bare tags, wildcards and template variables
    expect(metricTerms('sum:a{!team:x AND NOT env:dev AND service IN (a, b) AND bare AND $env}.as_count() by {host, device} / sum:b{*}.rollup(sum)')).toEqual([
      { metric: 'a', filterTags: ['env', 'service', 'team'], groupBy: ['host', 'device'] },
      { metric: 'b', filterTags: [], groupBy: [] },
    ]);
    expect(metricTerms("avg(last_4h):anomalies(sum:rollout.security.failed_logins.prod{env:prod} by {rollout_batch}.as_count(), 'basic', 3) >= 1")).toEqual([
      { metric: 'rollout.security.failed_logins.prod', filterTags: ['env'], groupBy: ['rollout_batch'] },
    ]);
    expect(metricTerms('"datadog.agent.up".over("env:prod").by("host").last(2).count_by_status()')).toEqual([]);
  });

  test('filter tag keys and .as_count()', () => {
    expect(filterTagKeys('env:prod,service:web')).toEqual(['env', 'service']);
    expect(filterTagKeys('resource_name:get_/a:b OR http.status_code:5xx')).toEqual(['http.status_code', 'resource_name']);
    expect(usesAsCount('sum(last_5m):sum:a{env:prod}.as_count() > 1')).toBe(true);
    expect(usesAsCount('avg(last_5m):avg:a{env:prod} > 1')).toBe(false);
  });
});
