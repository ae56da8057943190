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
    expect(d.latency.batch.query).toBe('p95:trace.http.request{env:test AND rollout_batch:1}');
    expect(d.latency.baseline.query).toBe('p95:trace.http.request{env:test AND (rollout_batch:2 OR rollout_batch:3)}');
    expect(d.latency.batch.window).toEqual({ fromMs: NOW - 48 * HOUR, toMs: NOW });
    expect(d.latency.baseline.window).toEqual(d.latency.batch.window);
    // soak not over yet: from the deploy start
    expect(degradationQueries(plan(1), NOW - 5 * HOUR).errorRate.batch.window).toEqual({ fromMs: NOW - 5 * HOUR, toMs: NOW });
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
  const agents = (versions: Record<string, string>): Series[] =>
    Object.entries(versions).map(([h, v]) => ({ tags: [`host:${h}`, `version:${v}`], points: [[NOW - 60_000, 1]] }));
  const obs = (series: Fetched<readonly Series[]>) => ({ query: p.coverage, result: series });
  const [h1, h2] = p.batchHosts;

  test('passes when every host reports the stage version', () => {
    expect(coverageCheck(p, obs(ok(agents({ [h1]: '7.72.0', [h2]: '7.72.0' }))))).toEqual(expect.objectContaining({ status: 'pass', observed: 100 }));
  });

  test('fails when a host reports another version', () => {
    const c = coverageCheck(p, obs(ok(agents({ [h1]: '7.72.0', [h2]: '7.71.1' }))));
    expect(c).toEqual(expect.objectContaining({ status: 'fail', observed: 50 }));
    expect(c.details).toContain(`on another version: ${h2} 7.71.1`);
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
    ];
    expect([...agentVersionsByHost(series)]).toEqual([[h1, '7.72.0']]);
  });

  test('fails closed on empty series or a failed query (inconclusive, never 0% and never GO)', () => {
    expect(coverageCheck(p, obs(ok([]))).status).toBe('inconclusive');
    expect(coverageCheck(p, obs(failed('timeout'))).status).toBe('inconclusive');
  });

  test('the threshold is 100 - maxFailedHostsPercent: 99 of 100 passes, 98 of 100 fails', () => {
    const big = { ...p, batchHosts: Array.from({ length: 100 }, (_, i) => `h${i}`) };
    const some = (n: number): Series[] => big.batchHosts.slice(0, n).map((h) => ({ tags: [`host:${h}`, 'version:7.72.0'], points: [[NOW, 1]] }));
    expect(coverageCheck(big, obs(ok(some(99)))).status).toBe('pass');
    expect(coverageCheck(big, obs(ok(some(98))))).toEqual(expect.objectContaining({ status: 'fail', observed: 98 }));
  });
});

describe('monitors', () => {
  const check = (ms: readonly MonitorState[] | Fetched<readonly MonitorState[]>): CheckResult =>
    monitorsCheck('rollout-monitors', 'Rollout monitors', {
      tags: ['env:test', 'rollout_batch:2'],
      result: Array.isArray(ms) ? ok(ms) : (ms as Fetched<readonly MonitorState[]>),
    });

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
    const agents = p.batchHosts.map((h) => ({ tags: [`host:${h}`, 'version:7.72.0'], points: [[NOW, 1]] as const }));
    const good = comparison(ok([flat(0.2)]), ok([flat(0.2)]));
    return {
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
    expect(checks.map((c) => c.status)).toEqual(Array(7).fill('pass'));
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
    expect(checks.map((c) => c.status)).toEqual(['pass', 'inconclusive', 'fail', 'pass', 'pass', 'pass', 'pass']);
    expect(decideVerdict(checks)).toBe('NO-GO');
  });

  test('missing data alone: INCONCLUSIVE; without a deploy-start event the comparison is not made', () => {
    const o = healthyObs(plan());
    const { errorRate: _e, latency: _l, ...rest } = o;
    const checks = evaluateChecks(plan(), { ...rest, deployEvents: ok([]) });
    expect(checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['soak', 'degradation-error-rate', 'degradation-latency']);
    expect(checks[4].summary).toBe('not compared: no deploy-start event, so the window since the upgrade is unknown');
    const r = buildReport(plan(), checks, { apiUrl: 'https://api.us5.datadoghq.com/', soft: false });
    expect(r).toEqual(expect.objectContaining({ verdict: 'INCONCLUSIVE', exitCode: 2, evaluatedAt: '2025-06-02T12:00:00.000Z' }));
    expect(r.reasons).toHaveLength(3);
  });
});
