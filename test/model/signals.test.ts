/**
 * The signals contract against the metric catalog: every query the rollout
 * monitors, the rollout dashboard and the gate send is built from catalogued
 * metrics and uses only tags those metrics carry, in every latency mode.
 */
import { carriesTag, findMetric, METRIC_CATALOG, metricTagKeys } from '../../model/metrics';
import { metricTerms } from '../../model/monitoring/query';
import {
  AGENT_PROCESS_CHECK_NAME,
  APM_SIGNALS,
  baselineScope,
  batchScope,
  BATCH_TAG,
  DEFAULT_FAILED_LOGIN_QUERY,
  envTag,
  LATENCY_MODES,
  latencyNeedsPrimaryTag,
  QUERIES,
  signalQuery,
  SignalSettings,
} from '../../model/signals';

const scopes = [batchScope('prod', 2), baselineScope('prod', 1, 3) as string, envTag('prod')];

/** Every query of model/signals.ts over the scopes, for one latency mode. */
function allQueries(signals: SignalSettings): string[] {
  return scopes.flatMap((scope) => [
    QUERIES.agentRunning(scope),
    QUERIES.agentRunning(scope, [BATCH_TAG, 'version']),
    QUERIES.agentCount(scope),
    QUERIES.errorRatio(scope, signals.apmOperation),
    QUERIES.latency(scope, signals),
    QUERIES.agentCpu(scope),
    QUERIES.agentCpu(scope, [BATCH_TAG], 'max'),
    QUERIES.agentMemory(scope),
    QUERIES.agentMemory(scope, [BATCH_TAG], 'max'),
    QUERIES.failedLogins('prod', scope),
  ]);
}

describe('metric catalog', () => {
  test('every entry has a type, a unit and a documentation URL', () => {
    for (const m of METRIC_CATALOG) {
      expect(['count', 'gauge', 'distribution']).toContain(m.type);
      expect(m.unit).not.toBe('');
      expect(m.sources.length).toBeGreaterThan(0);
      for (const s of m.sources) expect(s).toMatch(/^https:\/\/(docs\.datadoghq\.com|github\.com\/DataDog)\//);
    }
  });

  test('names resolve to the most specific entry: the latency distribution is the bare span name', () => {
    expect(findMetric('trace.http.request.hits')?.name).toBe('trace.<span>.hits');
    expect(findMetric('trace.http.request.hits.by_http_status')?.name).toBe('trace.<span>.hits.by_http_status');
    expect(findMetric('trace.rack.request.errors')?.name).toBe('trace.<span>.errors');
    expect(findMetric('trace.http.request.duration')?.name).toBe('trace.<span>.duration');
    expect(findMetric('trace.http.request')).toEqual(expect.objectContaining({ name: 'trace.<span>', type: 'distribution', hostTags: false }));
    expect(findMetric('trace.aspnet_core.request.apdex')?.name).toBe('trace.<span>.apdex');
    expect(findMetric('system.processes.cpu.pct')).toEqual(expect.objectContaining({ hostTags: true, tags: ['process_name'] }));
    expect(findMetric('rollout.security.failed_logins.prod')).toEqual(expect.objectContaining({ hostTags: false, tags: ['env', 'rollout_batch'] }));
    expect(findMetric('process.stat.cpu.total_pct')).toBeUndefined(); // Live Processes data, not a metric the rollout queries
    expect(findMetric('custom.queue.depth')).toBeUndefined();
  });

  test('the distribution carries rollout_batch only as the declared APM second primary tag; host-tagged metrics carry any host tag', () => {
    const dist = findMetric('trace.http.request')!;
    expect(carriesTag(dist, BATCH_TAG)).toBe(false);
    expect(carriesTag(dist, 'host')).toBe(false);
    expect(carriesTag(dist, 'service')).toBe(true);
    expect(carriesTag(dist, BATCH_TAG, { apmSecondPrimaryTag: BATCH_TAG })).toBe(true);
    expect(metricTagKeys(dist, { apmSecondPrimaryTag: BATCH_TAG })).toEqual([
      'env',
      'resource',
      'resource_name',
      'rollout_batch',
      'service',
      'synthetics',
      'version',
    ]);
    expect(carriesTag(findMetric('trace.http.request.duration')!, BATCH_TAG)).toBe(true);
    expect(carriesTag(findMetric('rollout.security.failed_logins.dev')!, 'host')).toBe(false);
  });
});

describe('signal queries', () => {
  test.each(LATENCY_MODES.map((latency) => [latency]))('in latency mode %s every query uses catalogued metrics and only tags they carry', (latency) => {
    const org = latencyNeedsPrimaryTag(latency) ? { apmSecondPrimaryTag: BATCH_TAG } : {};
    for (const q of allQueries({ apmOperation: 'http.request', latency })) {
      const terms = metricTerms(q);
      expect(terms.length).toBeGreaterThan(0);
      for (const t of terms) {
        const info = findMetric(t.metric);
        expect({ q, metric: t.metric, known: info !== undefined }).toEqual({ q, metric: t.metric, known: true });
        const missing = [...t.filterTags, ...t.groupBy].filter((tag) => !carriesTag(info!, tag, org));
        expect({ q, missing }).toEqual({ q, missing: [] });
      }
    }
  });

  test('a percentile without the second primary tag would filter the distribution by a tag it does not carry (hence the validation)', () => {
    const [term] = metricTerms(QUERIES.latency(batchScope('prod', 2), { apmOperation: 'http.request', latency: 'p95' }));
    expect(carriesTag(findMetric(term.metric)!, BATCH_TAG)).toBe(false);
  });

  test('the mean latency is the documented average with host tag filters, per service; the error ratio is per service', () => {
    const scope = batchScope('prod', 2);
    expect(QUERIES.latency(scope)).toBe(
      'sum:trace.http.request.duration{env:prod AND rollout_batch:2} by {service}.rollup(sum) / sum:trace.http.request.hits{env:prod AND rollout_batch:2} by {service}.as_count()',
    );
    expect(signalQuery(APM_SIGNALS.latency(scope))).toBe(QUERIES.latency(scope));
    expect(QUERIES.errorRatio(scope)).toBe(
      'sum:trace.http.request.errors{env:prod AND rollout_batch:2} by {service}.as_count() / sum:trace.http.request.hits{env:prod AND rollout_batch:2} by {service}.as_count()',
    );
    expect(QUERIES.agentCpu(scope)).toBe(`avg:system.processes.cpu.pct{env:prod AND rollout_batch:2 AND process_name:${AGENT_PROCESS_CHECK_NAME}} by {host}`);
  });

  test("the failed-login search is what Datadog's sshd pipeline produces", () => {
    expect(DEFAULT_FAILED_LOGIN_QUERY).toBe('source:sshd @system.action:Failed');
  });
});
