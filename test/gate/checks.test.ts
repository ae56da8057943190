/**
 * The gate's verdict logic without HTTP: plain functions on observed data and
 * a clock value.
 */
import {
  agentVersionsByHost,
  coverageCheck,
  degradationCheck,
  evaluateChecks,
  latestDeployStart,
  monitorsCheck,
  percentChange,
  seriesMean,
  soakCheck,
} from '../../gate/checks';
import { degradationQueries, GatePlan, planGate } from '../../gate/gate-plan';
import type { CheckResult, Comparison, DeployEvent, Fetched, MetricQuery, MonitorState, Observations, Series } from '../../gate/types';
import { buildReport, decideVerdict } from '../../gate/verdict';
import { deploymentEventTags } from '../../model/signals';
import { exampleStage } from '../support/fixtures';
import { HOUR, NOW } from './scenario';

const stage = exampleStage('test'); // 6 hosts, batches of 2/2/2, soak 48/48/72 h
const PROVENANCE = {
  apiUrl: 'https://api.us5.datadoghq.com/',
  apiUrlSource: 'stage test datadog.apiUrl',
  toolVersion: 'observability-rollout 0.1.0',
  configCommit: null,
};
const plan = (batch = 2, now = NOW): GatePlan => planGate(stage, batch, now);
const ok = <T>(value: T): Fetched<T> => ({ ok: true, value });
const failed = (error: string): Fetched<never> => ({ ok: false, error });
const flat = (value: number | null, n = 20, t0 = NOW - 2 * HOUR): Series => ({
  tags: [],
  points: Array.from({ length: n }, (_, i) => [t0 + i * 60_000, value] as const),
});
const startEvent = (atMs: number, version = '7.72.0', id = 'e1', batch = 2): DeployEvent => ({
  id,
  title: 'start',
  happenedAtMs: atMs,
  tags: deploymentEventTags('test', batch, 'start', version, 'abc1234'),
});
const q = (label: string): MetricQuery => ({ label, query: `q:${label}`, window: { fromMs: NOW - HOUR, toMs: NOW } });
const comparison = (batch: Fetched<readonly Series[]>, baseline: Fetched<readonly Series[]>): Comparison => ({
  batch: { query: q('batch'), result: batch },
  baseline: { query: q('baseline'), result: baseline },
});
const mon = (id: number, state: string, tags: string[] = ['env:test', 'rollout_batch:2']): MonitorState => ({ id, name: `m${id}`, state, tags });
/** A host's `datadog.agent.running` series: one point a minute from `fromMs` to `toMs` (the coverage window is the last 10 minutes). */
const running = (host: string, version: string, fromMs = NOW - 10 * 60_000, toMs = NOW): Series => ({
  tags: [`host:${host}`, `version:${version}`],
  points: Array.from({ length: Math.floor((toMs - fromMs) / 60_000) + 1 }, (_, i) => [fromMs + i * 60_000, 1] as const),
  intervalMs: 20_000,
});

describe('plan', () => {
  test('batch 2 of test: its hosts, the queries of model/signals.ts, the stage policy', () => {
    const p = plan(2);
    expect(p.batchHosts).toHaveLength(2);
    expect(p.batchCount).toBe(3);
    expect(p.coverage.query).toBe('sum:datadog.agent.running{env:test AND rollout_batch:2} by {host,version}');
    expect(p.coverage.window).toEqual({ fromMs: NOW - 10 * 60_000, toMs: NOW });
    expect(p.settings).toEqual(expect.objectContaining({ soakHours: 48, requiredCoveragePercent: 99, degradationThresholdPercent: 5, minDataPoints: 10 }));
    expect(p.monitors).toEqual({
      rollout: ['env:test', 'rollout_batch:2'],
      security: ['env:test', 'rollout_check:security'],
      appErrors: ['env:test', 'rollout_check:app-errors'],
    });
  });

  test('fails when the batch does not exist', () => {
    expect(() => planGate(stage, 4, NOW)).toThrow('planGate: batch: got 4, expected a batch from 1 to 3');
  });

  test('degradation: a middle batch against the later batches over the same window, at most the soak long', () => {
    const d = degradationQueries(plan(1), NOW - 100 * HOUR);
    // the policy's default: mean latency (duration / hits, host-tagged), per service
    expect(d.latency.batch.query).toBe(
      'sum:trace.http.request.duration{env:test AND rollout_batch:1} by {service}.rollup(sum) / sum:trace.http.request.hits{env:test AND rollout_batch:1} by {service}.as_count()',
    );
    expect(d.latency.baseline.query).toBe(
      'sum:trace.http.request.duration{env:test AND (rollout_batch:2 OR rollout_batch:3)} by {service}.rollup(sum) / ' +
        'sum:trace.http.request.hits{env:test AND (rollout_batch:2 OR rollout_batch:3)} by {service}.as_count()',
    );
    expect(d.errorRate.batch.query).toBe(
      'sum:trace.http.request.errors{env:test AND rollout_batch:1} by {service}.as_count() / sum:trace.http.request.hits{env:test AND rollout_batch:1} by {service}.as_count()',
    );
    expect(d.latency.batch.window).toEqual({ fromMs: NOW - 48 * HOUR, toMs: NOW });
    expect(d.latency.baseline.window).toEqual(d.latency.batch.window);
    // soak not over yet: from the deploy start
    expect(degradationQueries(plan(1), NOW - 5 * HOUR).errorRate.batch.window).toEqual({ fromMs: NOW - 5 * HOUR, toMs: NOW });
  });

  test("degradation: the policy's APM operation and latency mode are what the gate asks (the monitors' queries)", () => {
    const p95 = planGate(stage, 1, NOW, { apmOperation: 'rack.request', latency: 'p95' });
    const d = degradationQueries(p95, NOW - 100 * HOUR);
    expect(d.latency.batch.query).toBe('p95:trace.rack.request{env:test AND rollout_batch:1} by {service}');
    expect(d.errorRate.batch.query).toMatch(/^sum:trace\.rack\.request\.errors\{env:test AND rollout_batch:1\} by \{service\}\.as_count\(\) \//);
    const c = degradationCheck(p95, 'latency', comparison(ok([flat(0.2)]), ok([flat(0.2)])));
    expect(c.title).toBe('Degradation: p95 latency');
    expect(c.summary).toBe('p95 latency 200 ms in the batch vs 200 ms baseline (0%): within 5%');
  });

  test('degradation: the last batch against itself over an equally long window ending at its deploy start', () => {
    const d = degradationQueries(plan(3), NOW - 80 * HOUR);
    expect(d.errorRate.baseline.query).toBe(d.errorRate.batch.query);
    expect(d.errorRate.batch.window).toEqual({ fromMs: NOW - 72 * HOUR, toMs: NOW });
    expect(d.errorRate.baseline.window).toEqual({ fromMs: NOW - 152 * HOUR, toMs: NOW - 80 * HOUR });
  });
});

describe('soak time', () => {
  test('passes at exactly the soak time, and reports the hours', () => {
    const c = soakCheck(plan(), ok([startEvent(NOW - 48 * HOUR)]));
    expect(c).toEqual(expect.objectContaining({ status: 'pass', observed: 48, threshold: 48 }));
  });

  test('fails when the soak time is 1 s short (47.9997 h; rounding to 2 decimals would have shown 48 h and passed)', () => {
    const c = soakCheck(plan(), ok([startEvent(NOW - 48 * HOUR + 1000)]));
    expect(c.status).toBe('fail');
    expect(c.observed).toBeCloseTo(47.99972, 5);
    expect(c.summary).toBe("only 47 h 59 min 59 s since the batch's deploy start; the soak time is 48 h (soaked at 2025-06-02T12:00:01.000Z)");
  });

  test('the latest event wins ties on time by its id as a number (event 10 after event 9)', () => {
    const at = NOW - 50 * HOUR;
    expect(latestDeployStart(plan(), [startEvent(at, '7.72.0', '10'), startEvent(at, '7.72.0', '9')])?.id).toBe('10');
  });

  test('fails when the soak time has not elapsed', () => {
    const c = soakCheck(plan(), ok([startEvent(NOW - 47.5 * HOUR)]));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 47.5 }));
    expect(c.details).toContain('soaked at: 2025-06-02T12:30:00.000Z');
  });

  test('the latest start event of the version counts (a redeploy restarts the clock; other versions and batches do not)', () => {
    const events = [
      startEvent(NOW - 100 * HOUR, '7.72.0', 'a'),
      startEvent(NOW - 10 * HOUR, '7.72.0', 'b'),
      startEvent(NOW - 1 * HOUR, '7.71.1', 'c'),
      startEvent(NOW - 2 * HOUR, '7.72.0', 'd', 1),
    ];
    expect(latestDeployStart(plan(), events)?.id).toBe('b');
    expect(soakCheck(plan(), ok(events)).status).toBe('fail');
  });

  test('fails closed when there is no start event, or the events cannot be read', () => {
    expect(soakCheck(plan(), ok([])).status).toBe('inconclusive');
    expect(soakCheck(plan(), ok([startEvent(NOW - 100 * HOUR, '7.71.1')])).status).toBe('inconclusive');
    const c = soakCheck(plan(), failed('GET /api/v1/events: HTTP 500 after 5 attempts'));
    expect(c).toEqual(expect.objectContaining({ status: 'inconclusive', observed: null }));
    expect(c.measurements[0].error).toBe('GET /api/v1/events: HTTP 500 after 5 attempts');
  });
});

describe('coverage', () => {
  const p = plan(2);
  const agents = (versions: Record<string, string>): Series[] => Object.entries(versions).map(([h, v]) => running(h, v));
  const obs = (series: Fetched<readonly Series[]>) => ({ query: p.coverage, result: series });
  const [h1, h2] = p.batchHosts;

  test('passes when every host reports the stage version', () => {
    expect(coverageCheck(p, obs(ok(agents({ [h1]: '7.72.0', [h2]: '7.72.0' }))))).toEqual(expect.objectContaining({ status: 'pass', observed: 100 }));
  });

  test('fails when a host reports another version', () => {
    const c = coverageCheck(p, obs(ok(agents({ [h1]: '7.72.0', [h2]: '7.71.1' }))));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 50 }));
    expect(c.details).toContain(`on an older version: ${h2} 7.71.1`);
  });

  test('fails when a host does not report at all', () => {
    expect(coverageCheck(p, obs(ok(agents({ [h1]: '7.72.0' }))))).toEqual(expect.objectContaining({ status: 'fail', observed: 50 }));
  });

  test('a host that moved versions counts with its latest point; empty points do not count', () => {
    const series: Series[] = [
      {
        tags: [`host:${h1}`, 'version:7.71.1'],
        points: [
          [NOW - 300_000, 1],
          [NOW - 60_000, null],
        ],
      },
      { tags: [`host:${h1}`, 'version:7.72.0'], points: [[NOW - 120_000, 1]] },
      { tags: [`host:${h2}`, 'version:7.72.0'], points: [[NOW - 120_000, null]] },
      { tags: [`host:${h2}`, 'version:7.72.0'], points: [[NOW - 60_000, 0]] }, // 0 is not running
    ];
    expect([...agentVersionsByHost(series)]).toEqual([[h1, '7.72.0']]);
  });

  test('fails closed on empty series or a failed query (inconclusive, never 0% and never GO)', () => {
    expect(coverageCheck(p, obs(ok([]))).status).toBe('inconclusive');
    expect(coverageCheck(p, obs(failed('timeout'))).status).toBe('inconclusive');
  });

  test('the threshold is 100 - maxFailedHostsPercent: 99 of 100 passes, 98 of 100 fails', () => {
    const big = { ...p, batchHosts: Array.from({ length: 100 }, (_, i) => `h${i}`) };
    const some = (n: number): Series[] => big.batchHosts.slice(0, n).map((h) => running(h, '7.72.0'));
    expect(coverageCheck(big, obs(ok(some(99)))).status).toBe('pass');
    expect(coverageCheck(big, obs(ok(some(98))))).toEqual(expect.objectContaining({ status: 'fail', observed: 98 }));
  });

  test('fails when a stray host on the new version would make up for a silent batch host (only inventory hosts count)', () => {
    const c = coverageCheck(p, obs(ok([running(h1, '7.72.0'), running('test-stray-01', '7.72.0'), running(`${h2}.ec2.internal`, '7.72.0')])));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 50 }));
    expect(c.details).toContain(`batch hosts not reporting under their inventory name: ${h2}`);
    expect(c.details).toContain(`reporting but not in the batch's inventory (not counted): test-stray-01 7.72.0, ${h2}.ec2.internal 7.72.0`);
  });

  test('fails when a batch host was silent for most of the window (it reported only in its first 3 minutes)', () => {
    const c = coverageCheck(p, obs(ok([running(h1, '7.72.0'), running(h2, '7.72.0', NOW - 10 * 60_000, NOW - 8 * 60_000)])));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 50 }));
    expect(c.details).toContain(`on 7.72.0 but silent for most of the window (not counted): ${h2} (30% of the window)`);
  });

  test('a host reporting through exactly half the window counts; a minute less does not', () => {
    // one point a minute, each standing for 60 s: points at -5..-1 min cover the last 5 minutes of 10
    const half = coverageCheck(p, obs(ok([running(h1, '7.72.0'), running(h2, '7.72.0', NOW - 5 * 60_000, NOW - 60_000)])));
    expect(half.status).toBe('pass');
    const less = coverageCheck(p, obs(ok([running(h1, '7.72.0'), running(h2, '7.72.0', NOW - 4 * 60_000, NOW - 60_000)])));
    expect(less.status).toBe('fail');
  });

  test('fails when coverage is 98.995% against 99% (rounding to 2 decimals would have shown 99.00% and passed)', () => {
    const big = { ...p, batchHosts: Array.from({ length: 20_001 }, (_, i) => `h${i}`) };
    const one = (h: string): Series => ({ tags: [`host:${h}`, 'version:7.72.0'], points: [[NOW - 10 * 60_000, 1]], intervalMs: 600_000 });
    const c = coverageCheck(big, obs(ok(big.batchHosts.slice(0, 19_800).map(one))));
    expect(Math.round(((100 * 19_800) / 20_001) * 100) / 100).toBe(99); // what the old rounding saw
    expect(c.status).toBe('fail');
    expect(c.observed).toBeCloseTo(98.99505, 5);
    expect(c.summary).toMatch(/^98\.995% of the batch's hosts \(19800\/20001\)/);
    expect(coverageCheck(big, obs(ok(big.batchHosts.slice(0, 19_801).map(one)))).status).toBe('pass'); // 99.0000499...%
  });

  test('fails when hosts are on other versions, which compare as versions: 7.9.0 is older than 7.10.0, 7.100.0 newer', () => {
    const p10 = { ...p, agentVersion: '7.10.0' };
    const c = coverageCheck(p10, obs(ok([running(h1, '7.9.0'), running(h2, '7.100.0')])));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 0 }));
    expect(c.details).toContain(`on an older version: ${h1} 7.9.0`);
    expect(c.details).toContain(`on a newer version: ${h2} 7.100.0`);
  });

  test('at the same instant the higher version is the host version, compared as versions (7.10.0 over 7.9.0)', () => {
    const both = [running(h1, '7.9.0'), running(h1, '7.10.0')];
    expect(agentVersionsByHost(both).get(h1)).toBe('7.10.0');
    expect(agentVersionsByHost([...both].reverse()).get(h1)).toBe('7.10.0');
  });
});

describe('monitors', () => {
  const check = (ms: readonly MonitorState[] | Fetched<readonly MonitorState[]>): CheckResult =>
    monitorsCheck(
      'rollout-monitors',
      'Rollout monitors',
      {
        tags: ['env:test', 'rollout_batch:2'],
        result: Array.isArray(ms) ? ok(ms) : (ms as Fetched<readonly MonitorState[]>),
      },
      NOW,
    );

  test('passes when none is in Alert (Warn is not Alert)', () => {
    expect(check([mon(1, 'OK'), mon(2, 'Warn')])).toEqual(expect.objectContaining({ status: 'pass', observed: 0 }));
  });

  test('fails when one is in Alert, naming it', () => {
    const c = check([mon(1, 'OK'), mon(2, 'Alert')]);
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 1, summary: '1 of 2 monitors in Alert: 2 "m2"' }));
  });

  test('only monitors with every tag count, whatever the API filter did', () => {
    expect(check([mon(1, 'OK'), mon(2, 'Alert', ['env:test', 'rollout_batch:1']), mon(3, 'Alert', ['env:prod', 'rollout_batch:2'])]).status).toBe('pass');
  });

  test('shows muted monitors as muted (a downtime in force), and a muted monitor in Alert is still NO-GO', () => {
    const downtime = { kind: 'downtime' as const, id: 77, scope: 'env:test', startMs: NOW - HOUR, endMs: NOW + HOUR };
    const okMuted = check([mon(1, 'OK'), { ...mon(2, 'OK'), mutes: [downtime] }]);
    expect(okMuted.status).toBe('pass');
    expect(okMuted.summary).toBe('none of 2 monitors in Alert; muted: 2 "m2"');
    expect(okMuted.details).toContain('monitor 2 "m2": OK, muted (downtime 77, scope env:test, until 2025-06-02T13:00:00.000Z)');
    const alertMuted = check([mon(1, 'OK'), { ...mon(2, 'Alert'), mutes: [{ kind: 'silenced', scope: '*', startMs: null, endMs: null }] }]);
    expect(alertMuted).toEqual(expect.objectContaining({ status: 'fail', summary: '1 of 2 monitors in Alert: 2 "m2" (muted)' }));
    expect(alertMuted.details).toContain('monitor 2 "m2": Alert, muted (silenced, scope *, no end)');
  });

  test('a downtime that has ended, or not begun, does not mute', () => {
    const ended = { kind: 'downtime' as const, id: 1, scope: '*', startMs: NOW - 2 * HOUR, endMs: NOW - HOUR };
    const later = { kind: 'downtime' as const, id: 2, scope: '*', startMs: NOW + HOUR, endMs: null };
    const c = check([{ ...mon(1, 'OK'), mutes: [ended, later] }]);
    expect(c.summary).toBe('none of 1 monitor in Alert');
    expect(c.details).toEqual(['monitor 1 "m1": OK']);
  });

  test('fails closed when no monitor is found, one has no data, or the API failed', () => {
    expect(check([]).status).toBe('inconclusive');
    expect(check([mon(1, 'OK'), mon(2, 'No Data')]).status).toBe('inconclusive');
    expect(check(failed('HTTP 403 (not retried): Forbidden')).status).toBe('inconclusive');
  });
});

describe('degradation', () => {
  const p = plan(2);
  const lat = (batch: number | null, baseline: number | null, n = 20): CheckResult =>
    degradationCheck(p, 'latency', comparison(ok([flat(batch, n)]), ok([flat(baseline, n)])));
  const err = (batch: number, baseline: number): CheckResult => degradationCheck(p, 'error-rate', comparison(ok([flat(batch)]), ok([flat(baseline)])));

  test.each([
    [0.212, 'fail', 6],
    [0.21, 'pass', 5], // exactly the threshold: "more than" 5% is no-go
    [0.208, 'pass', 4],
    [0.15, 'pass', -25], // better is fine
  ])('latency %s s vs 0.2 s baseline: %s (%s%)', (batch, expected, change) => {
    const c = lat(batch, 0.2);
    expect(c.status).toBe(expected);
    expect(c.observed).toBe(change);
  });

  test('fails when latency is 5.0001% worse (rounding to 2 decimals would have shown 5% and passed)', () => {
    const c = lat(0.2100002, 0.2);
    expect(c.status).toBe('fail');
    expect(c.observed).toBeCloseTo(5.0001, 9);
    expect(c.summary).toBe('mean latency 210 ms in the batch vs 200 ms baseline (+5.0001%): worse by more than 5%');
  });

  test('decides on exact decimals: 0.1 + 0.2 side means compare equal to 0.3 (no float drift at the threshold)', () => {
    const sides = (a: Series, b: Series): CheckResult => degradationCheck(p, 'latency', comparison(ok([a]), ok([b])));
    // mean of 0.1 and 0.2 is 0.15 exactly; 0.1575 is exactly +5%: not more than the threshold
    const alt = (x: number, y: number): Series => ({
      tags: [],
      points: Array.from({ length: 20 }, (_, i) => [NOW - i * 60_000, i % 2 === 0 ? x : y] as const),
    });
    expect(sides(flat(0.1575), alt(0.1, 0.2)).status).toBe('pass');
    expect(sides(flat(0.15750000001), alt(0.1, 0.2)).status).toBe('fail');
  });

  test('error rate: an increase of exactly the floor (0.01 pp) is not a regression; just above it, with +5% relative, is', () => {
    expect(err(0.0101, 0.01).status).toBe('pass'); // +1%, and +0.01 pp exactly
    expect(err(0.0021, 0.002).status).toBe('pass'); // +5% relative exactly, +0.01 pp
    expect(err(0.00210001, 0.002).status).toBe('fail'); // +5.0005%, +0.010001 pp
  });

  test('error rate: a relative increase beyond the threshold fails; a tiny absolute one does not', () => {
    expect(err(0.0106, 0.01).status).toBe('fail'); // +6%, +0.06 pp
    expect(err(0.0104, 0.01).status).toBe('pass'); // +4%
    expect(err(0.00004, 0.00001).status).toBe('pass'); // +300%, but +0.003 pp: noise
    expect(err(0, 0)).toEqual(expect.objectContaining({ status: 'pass', observed: 0 }));
    expect(err(0.002, 0).status).toBe('fail'); // from zero errors to 0.2%
  });

  test('fails closed with too few points on either side', () => {
    const c = lat(0.2, 0.2, 9);
    expect(c.status).toBe('inconclusive');
    expect(c.summary).toBe('too few data points to compare (batch 9, baseline 9; at least 10 each are required)');
    expect(degradationCheck(p, 'latency', comparison(ok([flat(0.2)]), ok([]))).status).toBe('inconclusive');
    expect(lat(null, 0.2).status).toBe('inconclusive');
  });

  test('fails closed when a query failed, or the window is unknown', () => {
    expect(degradationCheck(p, 'latency', comparison(ok([flat(0.2)]), failed('timeout'))).summary).toBe('could not query baseline: timeout');
    expect(degradationCheck(p, 'error-rate', undefined, 'no deploy-start event').status).toBe('inconclusive');
  });

  describe('per service', () => {
    const svc = (service: string, value: number | null, n = 20): Series => ({ ...flat(value, n), tags: [`service:${service}`] });
    const errBy = (batch: Series[], baseline: Series[]): CheckResult => degradationCheck(p, 'error-rate', comparison(ok(batch), ok(baseline)));

    test('each service is compared with itself and the worst decides, every service reported', () => {
      // pooled, web's regression would hide behind api's volume; per service it is a NO-GO
      const c = errBy([svc('api', 0.01), svc('web', 0.02)], [svc('api', 0.01), svc('web', 0.01)]);
      expect(c.status).toBe('fail');
      expect(c.observed).toBe(100);
      expect(c.summary).toBe(
        'error rate 2% in the batch vs 1% baseline (+100%, +1 pp) for service web, the worst of 2 services compared: worse by more than 5%',
      );
      expect(c.details).toEqual([
        `baseline: ${p.settings.baseline}`,
        'increases below 0.01 percentage points are not regressions',
        'service web: error rate 2% in the batch vs 1% baseline (+100%, +1 pp): worse by more than 5%',
        'service api: error rate 1% in the batch vs 1% baseline (0%, 0 pp): within 5%',
      ]);
      expect(c.measurements.map((m) => `${m.label}=${m.value}`)).toEqual([
        'batch (service:web)=0.02',
        'baseline (service:web)=0.01',
        'batch (service:api)=0.01',
        'baseline (service:api)=0.01',
      ]);
    });

    test('services on one side only are listed and not compared; the others decide', () => {
      const c = errBy([svc('api', 0.01), svc('canary', 0.5)], [svc('api', 0.01), svc('legacy', 0.3)]);
      expect(c.status).toBe('pass');
      expect(c.summary).toBe('error rate 1% in the batch vs 1% baseline (0%, 0 pp) for service api: within 5%');
      expect(c.details).toContain('services only in the batch (not compared): canary');
      expect(c.details).toContain('services only in the baseline (not compared): legacy');
    });

    test('a service with too few points on a side is not compared; with none comparable, inconclusive (missing data is never GO)', () => {
      const c = errBy([svc('api', 0.01), svc('web', 0.5, 3)], [svc('api', 0.01), svc('web', 0.01)]);
      expect(c.status).toBe('pass');
      expect(c.details).toContain('not compared, fewer than 10 data points on a side: web: batch 3, baseline 20');
      const none = errBy([svc('api', 0.01, 3), svc('web', 0.01, 3)], [svc('api', 0.01), svc('web', 0.01)]);
      expect(none.status).toBe('inconclusive');
      expect(none.summary).toBe(
        'too few data points to compare in any service present on both sides (api: batch 3, baseline 20; web: batch 3, baseline 20; at least 10 each are required)',
      );
      expect(errBy([svc('api', 0.01, 3)], [svc('api', 0.01)]).summary).toBe(
        'too few data points to compare in service api (batch 3, baseline 20; at least 10 each are required)',
      );
    });

    test('no service on both sides: inconclusive, naming both sides', () => {
      const c = errBy([svc('canary', 0.01)], [svc('legacy', 0.01)]);
      expect(c.status).toBe('inconclusive');
      expect(c.summary).toBe('no service reports on both sides to compare (batch: canary; baseline: legacy)');
    });

    test('latency: the slowest regression decides, a zero baseline service is set aside', () => {
      const c = degradationCheck(
        p,
        'latency',
        comparison(ok([svc('api', 0.2), svc('web', 0.3), svc('idle', 0.1)]), ok([svc('api', 0.2), svc('web', 0.25), svc('idle', 0)])),
      );
      expect(c.status).toBe('fail');
      expect(c.summary).toBe(
        'mean latency 300 ms in the batch vs 250 ms baseline (+20%) for service web, the worst of 2 services compared: worse by more than 5%',
      );
      expect(c.details).toContain('not compared, zero baseline latency: idle');
    });
  });

  test('means ignore empty points; percent change handles a zero baseline', () => {
    expect(
      seriesMean([
        {
          tags: [],
          points: [
            [1, 1],
            [2, null],
            [3, 3],
          ],
        },
      ]),
    ).toEqual({ mean: 2, points: 2 });
    expect(percentChange(106, 100)).toBeCloseTo(6);
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(1, 0)).toBeNull();
  });
});

describe('verdict', () => {
  const healthyObs = (p: GatePlan): Observations => {
    const agents = p.batchHosts.map((h) => running(h, '7.72.0'));
    const good = comparison(ok([flat(0.2)]), ok([flat(0.2)]));
    return {
      downtimes: ok([]),
      deployEvents: ok([startEvent(NOW - 50 * HOUR)]),
      agentRunning: { query: p.coverage, result: ok(agents) },
      rolloutMonitors: { tags: p.monitors.rollout, result: ok([mon(1, 'OK')]) },
      securityMonitors: { tags: p.monitors.security, result: ok([mon(2, 'OK', ['env:test', 'rollout_check:security'])]) },
      appErrorMonitors: { tags: p.monitors.appErrors, result: ok([mon(3, 'OK', ['env:test', 'rollout_check:app-errors'])]) },
      errorRate: good,
      latency: good,
    };
  };

  test('GO only when every check passed', () => {
    const checks = evaluateChecks(plan(), healthyObs(plan()));
    expect(checks.map((c) => c.status)).toEqual(Array(8).fill('pass'));
    expect(decideVerdict(checks)).toBe('GO');
    expect(decideVerdict(checks.slice(1))).toBe('INCONCLUSIVE'); // a check missing is not GO
    expect(decideVerdict([])).toBe('INCONCLUSIVE');
  });

  test('a failed check outranks missing data: NO-GO', () => {
    const o = healthyObs(plan());
    const checks = evaluateChecks(plan(), {
      ...o,
      rolloutMonitors: { ...o.rolloutMonitors, result: ok([mon(1, 'Alert')]) },
      agentRunning: { ...o.agentRunning, result: ok([]) },
    });
    expect(checks.map((c) => c.status)).toEqual(['pass', 'inconclusive', 'fail', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(decideVerdict(checks)).toBe('NO-GO');
  });

  test('missing data alone: INCONCLUSIVE; without a deploy-start event the comparison is not made', () => {
    const o = healthyObs(plan());
    const { errorRate: _e, latency: _l, ...rest } = o;
    const checks = evaluateChecks(plan(), { ...rest, deployEvents: ok([]) });
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['soak', 'degradation-error-rate', 'degradation-latency']);
    expect(checks[4].summary).toBe('not compared: no deploy-start event, so the window since the upgrade is unknown');
    const r = buildReport(plan(), checks, { ...PROVENANCE, soft: false });
    expect(r).toEqual(expect.objectContaining({ verdict: 'INCONCLUSIVE', exitCode: 2, evaluatedAt: '2025-06-02T12:00:00.000Z' }));
    expect(r.reasons).toHaveLength(3);
  });
});
