/**
 * `rollout gate` and `rollout event` end to end against a local fake of the
 * Datadog API (test/support/fake-datadog.ts): the scenarios of issue 6, the
 * reports, soft mode, bad command lines, and keys that never leak; and the
 * gate failing closed for real: no redirects, only Datadog's sites, coverage
 * by inventory host and presence, exact decisions, no stale report, bad
 * responses named, events paged, muted monitors shown, provenance recorded,
 * and `rollout event` printing nothing the server sent as it was sent.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../cli/args';
import type { Command } from '../../cli/command';
import { makeEventCommand } from '../../cli/commands/event';
import { GateDeps, makeGateCommand } from '../../cli/commands/gate';
import type { Stage } from '../../model/stage';
import { DEFAULT_RETRY_POLICY } from '../../gate/retry';
import type { GateReport } from '../../gate/types';
import { FakeDatadog, HANG, raw, rateLimited, redirect, serverError, startFakeDatadog } from '../support/fake-datadog';
import { tempConfig, tempDir } from '../support/fixtures';
import { runCommand as runShared } from '../support/run-command';
import { API_KEY, APP_KEY, batchHosts, COMMIT, healthy, HOUR, KEYS_ENV, largeConfig, largeStageYaml, NOW } from '../gate/scenario';

interface Ran {
  code: number;
  out: string;
  err: string;
  ms: number;
  report?: { json: GateReport; md: string; jsonText: string };
}

let fake: FakeDatadog;
let configDir: string;
let stage: Stage;
const everything: string[] = []; // every output and report, checked for keys at the end

beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  ({ dir: configDir, stage } = largeConfig());
});
afterAll(async () => {
  await fake.close();
});

function deps(extra: Partial<GateDeps> = {}): Partial<GateDeps> {
  return { env: { ...KEYS_ENV }, now: () => NOW, random: () => 0.5, ...extra };
}

/** Run a command the way cli/main.ts does (test/support/run-command.ts), timed; every output is kept in `everything`. */
async function runCommand(cmd: Command, argv: string[]): Promise<Ran> {
  const t0 = performance.now();
  const r = await runShared(cmd, argv, everything);
  return { ...r, ms: performance.now() - t0 };
}

/** `rollout gate` on the large prod stage against the fake, with a report (at `base`, default a new temporary path). */
async function gate(args: string[] = [], d: Partial<GateDeps> = {}, base = path.join(tempDir('gate-report-'), 'gate')): Promise<Ran> {
  const argv = ['--config', configDir, '--stage', 'prod', '--batch', '2', '--api-url', fake.url, '--report', base, '--deadline', '10', ...args];
  const r = await runCommand(makeGateCommand(deps(d)), argv);
  if (fs.existsSync(`${base}.json`)) {
    const jsonText = fs.readFileSync(`${base}.json`, 'utf8');
    const md = fs.readFileSync(`${base}.md`, 'utf8');
    everything.push(jsonText, md);
    r.report = { json: JSON.parse(jsonText) as GateReport, md, jsonText };
  }
  return r;
}

function status(r: Ran): Record<string, string> {
  return Object.fromEntries(r.report!.json.checks.map((c) => [c.id, c.status]));
}

/** Every report lists each check with its query, window, observed value, threshold and result. */
function expectCompleteReport(r: Ran): void {
  const rep = r.report!;
  expect(rep.json.checks.map((c) => c.id)).toEqual([
    'soak',
    'coverage',
    'rollout-monitors',
    'security-monitors',
    'degradation-error-rate',
    'degradation-latency',
    'app-error-monitors',
    'downtimes',
  ]);
  const md = rep.md;
  expect(md.startsWith(`# Go/no-go gate: ${rep.json.verdict}\n`)).toBe(true);
  expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Checks'));
  for (const c of rep.json.checks) {
    expect(md).toContain(`${c.title}: ${c.status.toUpperCase()}`);
    expect(md).toContain(c.summary);
    expect(md).toContain(`pass when: observed ${c.comparator} ${c.threshold} ${c.unit}`);
    expect(md).toContain(`- observed: ${c.observed === null ? 'no data' : `${c.observed} ${c.unit}`}`);
    if (c.id.startsWith('degradation') && c.measurements.length === 0) continue; // not compared: the window is unknown
    expect(c.measurements.length).toBeGreaterThan(0);
    for (const m of c.measurements) {
      expect(md).toContain(m.query);
      if (m.value !== null) expect(md).toContain(String(m.value));
      if (m.window) expect(md).toContain(new Date(m.window.fromMs).toISOString());
    }
  }
}

describe('rollout gate against the fake Datadog API', () => {
  test('healthy batch -> GO, exit 0, with a complete report', async () => {
    const h = healthy(fake, stage, 2);
    const r = await gate();
    expect(r.err).not.toContain('INCONCLUSIVE');
    expect(r.code).toBe(0);
    expect(r.report!.json.verdict).toBe('GO');
    expect(Object.values(status(r))).toEqual(Array(8).fill('pass'));
    expect(r.out.split('\n').pop()).toBe('GATE GO: stage prod, batch 2 of 3, agent 7.72.0: 8 passed, 0 failed, 0 inconclusive');
    expectCompleteReport(r);
    const byId = Object.fromEntries(r.report!.json.checks.map((c) => [c.id, c]));
    expect(byId.soak.observed).toBe(49);
    expect(byId.coverage.observed).toBe(100);
    expect(byId.coverage.threshold).toBe(99);
    expect(byId['degradation-latency'].measurements.map((m) => m.query)).toEqual([h.queries.latencyBatch, h.queries.latencyBaseline]);
    expect(h.queries.latencyBaseline).toBe(
      'sum:trace.http.request.duration{env:prod AND (rollout_batch:3)} by {service}.rollup(sum) / sum:trace.http.request.hits{env:prod AND (rollout_batch:3)} by {service}.as_count()',
    );
    // the degradation window runs over the soak: from the deploy start (48 h ago at most) to now, same for both sides
    const lat = byId['degradation-latency'].measurements;
    expect(lat[0].window).toEqual({ fromMs: NOW - 48 * HOUR, toMs: NOW });
    expect(lat[1].window).toEqual(lat[0].window);
    // the requests followed the public API
    const q = fake.requestsTo('query').find((x) => x.params.query === h.queries.latencyBatch)!;
    expect(Number(q.params.from)).toBe((NOW - 48 * HOUR) / 1000);
    expect(Number(q.params.to)).toBe(NOW / 1000);
    expect(
      fake
        .requestsTo('monitors')
        .map((x) => x.params.monitor_tags)
        .sort(),
    ).toEqual(['env:prod,rollout_batch:2', 'env:prod,rollout_check:app-errors', 'env:prod,rollout_check:security']);
    expect(fake.requestsTo('events:list')[0].params).toEqual(
      expect.objectContaining({ tags: 'env:prod,rollout_batch:2,rollout_phase:start', unaggregated: 'true' }),
    );
    expect(fake.requests.every((x) => x.apiKeyOk && x.appKeyOk)).toBe(true);
    expect(r.err).toContain('gate: reading deploy events, agents, monitors');
  });

  test('fails when one rollout monitor is in Alert -> NO-GO, exit 1', async () => {
    healthy(fake, stage, 2);
    const i = fake.monitors.findIndex((m) => m.tags.includes('rollout_batch:2'));
    fake.monitors[i] = { ...fake.monitors[i], overall_state: 'Alert' };
    const r = await gate();
    expect(r.code).toBe(1);
    expect(r.report!.json.verdict).toBe('NO-GO');
    expect(status(r)['rollout-monitors']).toBe('fail');
    expect(r.report!.json.reasons).toEqual([`Rollout monitors: fail: 1 of 4 monitors in Alert: ${fake.monitors[i].id} "${fake.monitors[i].name}"`]);
    expect(r.out.split('\n').pop()).toMatch(/^GATE NO-GO: .* 7 passed, 1 failed, 0 inconclusive$/);
    expectCompleteReport(r);
  });

  test('fails when a downtime silences the application error monitor -> NO-GO; a leftover quiet-restart downtime only warns', async () => {
    healthy(fake, stage, 2);
    fake.nowMs = NOW;
    const app = fake.monitors.find((m) => m.tags.includes('rollout_check:app-errors'))!;
    const until = new Date(NOW + HOUR).toISOString();
    fake.downtimes.push({
      id: 'quiet-1',
      scope: 'host:"prod-app-002"',
      monitor_identifier: { monitor_tags: ['env:prod', 'rollout_batch:2', 'rollout_check:agent-running'] },
      schedule: { start: new Date(NOW - 60_000).toISOString(), end: until },
      message: '[observability-rollout quiet-restart env:prod rollout_batch:2] left over',
      status: 'active',
      canceled: null,
    });
    const warned = await gate();
    expect(warned.report!.json.verdict).toBe('GO');
    const check = warned.report!.json.checks.find((c) => c.id === 'downtimes')!;
    expect(check.status).toBe('pass');
    expect(check.summary).toMatch(/^warning: 1 agent-health monitor .* under a downtime, no rollback trigger/);
    fake.downtimes.push({
      id: 'muted-by-hand',
      scope: '*',
      monitor_identifier: { monitor_id: app.id },
      schedule: { start: new Date(NOW - 60_000).toISOString(), end: until },
      message: 'too noisy',
      status: 'active',
      canceled: null,
    });
    const r = await gate();
    expect(r.code).toBe(1);
    expect(r.report!.json.verdict).toBe('NO-GO');
    expect(r.report!.json.reasons).toEqual([
      'Downtimes on the gate monitors: fail: 1 rollback-trigger monitor under a downtime: a regression during the soak paged nobody; remove the downtime (and let the batch soak watched) before going on',
    ]);
    expect(r.report!.md).toContain(`downtime muted-by-hand (monitor ${app.id}; scope *; until ${until}) covers ${app.id}`);
    expectCompleteReport(r);
  });

  test('fails when mean latency regresses by 6% (threshold 5%) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: 0.212 }]);
    const r = await gate();
    expect(r.code).toBe(1);
    expect(status(r)['degradation-latency']).toBe('fail');
    const lat = r.report!.json.checks.find((c) => c.id === 'degradation-latency')!;
    expect(lat.observed).toBe(6);
    expect(lat.summary).toBe('mean latency 212 ms in the batch vs 200 ms baseline (+6%): worse by more than 5%');
    expectCompleteReport(r);
  });

  test('each service is compared with itself: one service regressing is NO-GO even where the pooled rate would hide it', async () => {
    const h = healthy(fake, stage, 2);
    fake.metrics.set(h.queries.errorBatch, [
      { tags: ['service:api'], value: 0.01 },
      { tags: ['service:web'], value: 0.02 },
    ]);
    fake.metrics.set(h.queries.errorBaseline, [
      { tags: ['service:api'], value: 0.01 },
      { tags: ['service:web'], value: 0.01 },
      { tags: ['service:legacy'], value: 0.5 },
    ]);
    const r = await gate();
    expect(r.code).toBe(1);
    const err = r.report!.json.checks.find((c) => c.id === 'degradation-error-rate')!;
    expect(err.summary).toBe(
      'error rate 2% in the batch vs 1% baseline (+100%, +1 pp) for service web, the worst of 2 services compared: worse by more than 5%',
    );
    expect(err.details).toEqual(
      expect.arrayContaining([
        'service api: error rate 1% in the batch vs 1% baseline (0%, 0 pp): within 5%',
        'services only in the baseline (not compared): legacy',
      ]),
    );
    expectCompleteReport(r);
  });

  test('a 4% latency regression is within the 5% threshold -> GO', async () => {
    const h = healthy(fake, stage, 2);
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: 0.208 }]);
    const r = await gate();
    expect(r.code).toBe(0);
    expect(r.report!.json.verdict).toBe('GO');
    expect(r.report!.json.checks.find((c) => c.id === 'degradation-latency')!.observed).toBe(4);
    expectCompleteReport(r);
  });

  test('fails when coverage is 98% (49 of 50 hosts on 7.72.0, one still on 7.71.1) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    const hosts = batchHosts(stage, 2);
    expect(hosts).toHaveLength(50);
    fake.metrics.set(
      h.queries.agentRunning,
      hosts.map((name, i) => ({ tags: [`host:${name}`, `version:${i === 0 ? '7.71.1' : '7.72.0'}`], value: 1 })),
    );
    const r = await gate();
    expect(r.code).toBe(1);
    const cov = r.report!.json.checks.find((c) => c.id === 'coverage')!;
    expect(cov).toEqual(expect.objectContaining({ status: 'fail', observed: 98, threshold: 99 }));
    expect(cov.details).toContain(`on an older version: ${hosts[0]} 7.71.1`);
    expectCompleteReport(r);
  });

  test('fails when every series is empty -> INCONCLUSIVE, exit 2 (missing data is never GO)', async () => {
    healthy(fake, stage, 2);
    fake.metrics.clear();
    const r = await gate();
    expect(r.code).toBe(2);
    expect(r.report!.json.verdict).toBe('INCONCLUSIVE');
    expect(status(r)).toEqual(
      expect.objectContaining({ coverage: 'inconclusive', 'degradation-error-rate': 'inconclusive', 'degradation-latency': 'inconclusive', soak: 'pass' }),
    );
    expect(r.report!.json.checks.find((c) => c.id === 'degradation-latency')!.summary).toBe(
      'too few data points to compare (batch 0, baseline 0; at least 10 each are required)',
    );
    expectCompleteReport(r);
  });

  test('429 with rate-limit headers, then success -> GO after waiting for the reset', async () => {
    healthy(fake, stage, 2);
    fake.script('query', rateLimited(1));
    fake.script('monitors', rateLimited(1));
    const r = await gate();
    expect(r.code).toBe(0);
    expect(r.report!.json.verdict).toBe('GO');
    expect(fake.requestsTo('query').filter((x) => x.answered === 429)).toHaveLength(1);
    expect(fake.requestsTo('monitors').filter((x) => x.answered === 429)).toHaveLength(1);
    expect(r.err).toMatch(/gate: GET \/api\/v1\/query: HTTP 429, rate limit resets in 1\.0 s; retrying in 1 s \(attempt 2 of 5\)/);
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expectCompleteReport(r);
  });

  test('fails when the API answers 500 again and again -> INCONCLUSIVE within the deadline', async () => {
    healthy(fake, stage, 2);
    for (const route of ['query', 'monitors', 'events:list', 'downtimes:list'] as const) fake.always(route, serverError(500));
    const r = await gate(['--deadline', '2'], { retry: DEFAULT_RETRY_POLICY });
    expect(r.code).toBe(2);
    expect(r.report!.json.verdict).toBe('INCONCLUSIVE');
    expect(Object.values(status(r)).every((s) => s === 'inconclusive')).toBe(true);
    expect(r.ms).toBeLessThan(2000 + 1000);
    expect(fake.requestsTo('query').length).toBeGreaterThan(1); // retried
    expect(r.report!.json.checks.find((c) => c.id === 'coverage')!.summary).toMatch(
      /^could not query the agents: GET \/api\/v1\/query: HTTP 500 after \d attempts?; backoff in [\d.]+ s, past the gate's deadline: Internal Server Error$/,
    );
    expectCompleteReport(r);
  });

  test('fails when a response never comes -> INCONCLUSIVE at the deadline', async () => {
    healthy(fake, stage, 2);
    fake.always('query', HANG);
    const r = await gate(['--deadline', '1.5']);
    expect(r.code).toBe(2);
    expect(r.report!.json.verdict).toBe('INCONCLUSIVE');
    expect(r.ms).toBeGreaterThanOrEqual(1400);
    expect(r.ms).toBeLessThan(1500 + 1000);
    expect(r.report!.json.checks.find((c) => c.id === 'coverage')!.summary).toBe(
      'could not query the agents: GET /api/v1/query: the deadline of 1.5 s was reached',
    );
    expect(status(r)['rollout-monitors']).toBe('pass'); // the other endpoints answered
    expectCompleteReport(r);
  });

  test('fails when the soak time has not elapsed (10 h of 48 h) -> NO-GO', async () => {
    healthy(fake, stage, 2);
    fake.events = [
      {
        id: 200,
        title: 'start',
        text: 'x',
        date_happened: (NOW - 10 * HOUR) / 1000,
        tags: ['env:prod', 'rollout_batch:2', 'rollout_phase:start', 'agent_version:7.72.0', `git.commit.sha:${COMMIT}`],
      },
    ];
    const r = await gate();
    expect(r.code).toBe(1);
    const soak = r.report!.json.checks.find((c) => c.id === 'soak')!;
    expect(soak).toEqual(expect.objectContaining({ status: 'fail', observed: 10, threshold: 48 }));
    expect(soak.summary).toBe("only 10 h since the batch's deploy start; the soak time is 48 h (soaked at 2025-06-04T02:00:00.000Z)");
    expectCompleteReport(r);
  });

  test('the last batch is compared with its own hosts before the upgrade', async () => {
    const h = healthy(fake, stage, 3);
    expect(h.queries.latencyBaseline).toBe(h.queries.latencyBatch);
    const deployS = h.deployStartMs / 1000;
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: (t) => (t < deployS ? 0.2 : 0.206) }]);
    const r = await gate(['--batch', '3']);
    expect(r.code).toBe(0);
    const lat = r.report!.json.checks.find((c) => c.id === 'degradation-latency')!;
    expect(lat.observed).toBe(3);
    expect(lat.measurements[0].window).toEqual({ fromMs: NOW - 72 * HOUR, toMs: NOW });
    expect(lat.measurements[1].window).toEqual({ fromMs: h.deployStartMs - 72 * HOUR, toMs: h.deployStartMs });
    expect(r.report!.json.settings.baseline).toMatch(/^the last batch has no hosts left to upgrade: it is compared with itself/);
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: (t) => (t < deployS ? 0.2 : 0.212) }]);
    expect((await gate(['--batch', '3'])).code).toBe(1);
  });

  test('--soft prints a NO-GO verdict but exits 0', async () => {
    healthy(fake, stage, 2);
    const i = fake.monitors.findIndex((m) => m.tags.includes('rollout_check:security'));
    fake.monitors[i] = { ...fake.monitors[i], overall_state: 'Alert' };
    const r = await gate(['--soft']);
    expect(r.code).toBe(0);
    expect(r.report!.json).toEqual(expect.objectContaining({ verdict: 'NO-GO', exitCode: 1, soft: true }));
    expect(r.out.split('\n').pop()).toMatch(/^GATE NO-GO: /);
    expect(r.err).toContain('gate: soft mode: the verdict is NO-GO (exit status 1), exiting 0');
    expect(r.report!.md).toContain('Soft mode: advisory');
  });

  test('the report is the same bytes for the same data and clock', async () => {
    healthy(fake, stage, 2);
    const a = await gate();
    const b = await gate();
    expect(b.report!.jsonText).toBe(a.report!.jsonText);
    expect(b.report!.md).toBe(a.report!.md);
  });

  test('--report FILE.json writes FILE.json and FILE.md; no temporary file is left', async () => {
    healthy(fake, stage, 2);
    const dir = path.join(tempDir('gate-'), 'nested', 'reports');
    const r = await runCommand(makeGateCommand(deps()), [
      '--config',
      configDir,
      '--stage',
      'prod',
      '--batch',
      '2',
      '--api-url',
      fake.url,
      '--report',
      path.join(dir, 'prod-2.json'),
    ]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['prod-2.json', 'prod-2.md']);
    everything.push(...fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')));
  });

  test('posts deployment start and end events that the gate reads back for the soak time', async () => {
    healthy(fake, stage, 2);
    fake.events = [];
    const event = (now: number, args: string[], env: Record<string, string> = {}): Promise<Ran> =>
      runCommand(makeEventCommand(deps({ now: () => now, env: { ...KEYS_ENV, ...env } })), ['--config', configDir, '--api-url', fake.url, ...args]);
    const start = await event(NOW - 50 * HOUR, ['--phase', 'start', '--stage', 'prod', '--batch', '2', '--commit', COMMIT]);
    expect(start.code).toBe(0);
    expect(start.out).toBe(`posted start event 5100000001: Datadog Agent 7.72.0 rollout started: prod batch 2 of 3 (commit ${COMMIT})`);
    // the playbook hook's way: phase, stage and batch from the environment
    const end = await event(NOW - 49 * HOUR, [], { ROLLOUT_EVENT_PHASE: 'end', ROLLOUT_STAGE: 'prod', ROLLOUT_BATCH: '2', ROLLOUT_COMMIT: COMMIT });
    expect(end.code).toBe(0);
    const posts = fake.requestsTo('events:post');
    expect(posts.map((p) => p.body)).toEqual([
      {
        title: 'Datadog Agent 7.72.0 rollout started: prod batch 2 of 3',
        text: `Deployment start of the Datadog Agent 7.72.0 to batch 2 of 3 of stage prod (50 hosts).\nCommit: ${COMMIT}.\nPosted by observability-rollout (rollout event).`,
        tags: ['env:prod', 'rollout_batch:2', 'rollout_phase:start', 'agent_version:7.72.0', `git.commit.sha:${COMMIT}`, 'managed-by:observability-rollout'],
        date_happened: (NOW - 50 * HOUR) / 1000,
        alert_type: 'info',
        aggregation_key: 'observability-rollout:prod:2:7.72.0',
        source_type_name: 'observability-rollout',
      },
      expect.objectContaining({ title: 'Datadog Agent 7.72.0 rollout finished: prod batch 2 of 3', alert_type: 'success' }),
    ]);
    expect(posts.every((p) => p.apiKeyOk)).toBe(true);
    const r = await gate();
    expect(r.code).toBe(0);
    expect(r.report!.json.checks.find((c) => c.id === 'soak')!.observed).toBe(50);
  });

  test('fails when Datadog refuses the event: exit 1, no retry on 403', async () => {
    fake.reset();
    const r = await runCommand(makeEventCommand(deps({ env: { DD_API_KEY: 'wrong-key-0000' } })), [
      '--config',
      configDir,
      '--api-url',
      fake.url,
      '--phase',
      'start',
      '--stage',
      'prod',
      '--batch',
      '1',
      '--commit',
      COMMIT,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('rollout event: the start event was not posted: POST /api/v1/events: HTTP 403 (not retried): Forbidden');
    expect(r.err).not.toContain('wrong-key-0000');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('rollout gate: bad command lines and setup (exit 2, one clear message)', () => {
  const bad = async (argv: string[], env: Record<string, string | undefined> = KEYS_ENV): Promise<Ran> =>
    runCommand(makeGateCommand(deps({ env })), ['--config', configDir, ...argv]);

  test.each([
    [['--stage', 'prod', '--batch', '4'], 'rollout gate: --batch: got "4", expected a batch number from 1 to 3 (stage prod has 3 batches)'],
    [['--stage', 'prod', '--batch', 'two'], 'rollout gate: --batch: got "two", expected a batch number from 1 to 3 (stage prod has 3 batches)'],
    [['--stage', 'prod'], 'rollout gate: --batch: got null, expected a batch number from 1 to 3 (stage prod has 3 batches)'],
    [['--stage', 'staging', '--batch', '1'], 'rollout gate: --stage: got "staging", expected one of prod'],
    [['--stage', 'prod', '--batch', '1', '--deadline', '0'], 'rollout gate: --deadline: got "0", expected a number of seconds greater than 0 and at most 3600'],
    [
      ['--stage', 'prod', '--batch', '1', '--deadline', '5m'],
      'rollout gate: --deadline: got "5m", expected a number of seconds greater than 0 and at most 3600',
    ],
    [
      ['--stage', 'prod', '--batch', '1', '--api-url', 'http://api.us5.datadoghq.com/'],
      'rollout gate: --api-url: got "http://api.us5.datadoghq.com/", expected https://api.<site>/ for a Datadog site (datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com), e.g. https://api.us5.datadoghq.com/, or a loopback address (127.0.0.1, localhost, [::1]) for tests; no path, credentials, query or fragment',
    ],
    [['--stage', 'prod', '--batch', '1', '--report', ''], 'rollout gate: --report: got "", expected a file path (the report goes to FILE.json and FILE.md)'],
  ])('fails when %j', async (argv, message) => {
    const r = await bad(argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });

  test('fails when an unknown option is given, suggesting the closest known one', async () => {
    const r = await bad(['--stage', 'prod', '--batch', '1', '--sof']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("rollout gate: unknown option '--sof' (did you mean --soft?); see rollout gate --help");
  });

  test.each(['DD_API_KEY', 'DD_APP_KEY'])('fails when %s is not set, naming it', async (name) => {
    const env: Record<string, string | undefined> = { ...KEYS_ENV, [name]: undefined };
    const r = await bad(['--stage', 'prod', '--batch', '1', '--api-url', fake.url], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^rollout gate: ${name}: got nothing, expected a Datadog (API|application) key in the environment`));
  });

  test.each(['https://evil.example/', 'evil.example', 'us5.datadoghq.com.evil.example', 'datadoghq.com:8443'])(
    "fails when DD_SITE is %j, not one of Datadog's sites",
    async (site) => {
      const r = await bad(['--stage', 'prod', '--batch', '1'], { ...KEYS_ENV, DD_SITE: site });
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `rollout gate: DD_SITE: got ${JSON.stringify(site)}, expected one of Datadog's sites: datadoghq.com, us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com`,
      );
    },
  );

  test.each([
    'https://api.us5.datadoghq.com.evil.example/',
    'https://proxy.example/datadog',
    'https://api.us5.datadoghq.com:8443/',
    'https://api.us5.datadoghq.com/api/v1/',
    'http://10.1.2.3:8080/',
  ])('fails when --api-url is %s, not a Datadog API host', async (url) => {
    const r = await bad(['--stage', 'prod', '--batch', '1', '--api-url', url]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^rollout gate: --api-url: got ${JSON.stringify(url).replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}, expected https://api.<site>/ for a Datadog site`,
      ),
    );
  });

  test('fails when the stage file names an API that is not a Datadog site', async () => {
    const yaml = largeStageYaml(3).replace('network:', 'datadog:\n  apiUrl: https://api.evil.example/\nnetwork:');
    const dir = tempConfig({ 'prod.yaml': yaml });
    const r = await runCommand(makeGateCommand(deps()), ['--config', dir, '--stage', 'prod', '--batch', '1']);
    // The stage file is refused where it is written, with its line (model/load-config.ts), before the gate runs.
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /stacks\/stages\/prod\.yaml:\d+ datadog\.apiUrl: got "https:\/\/api\.evil\.example\/", expected https:\/\/api\.us5\.datadoghq\.com\//,
    );
    expect(r.err).toContain('rollout gate: INCONCLUSIVE: the configuration is invalid');
  });

  test('fails when the configuration is invalid: exit 2, not a NO-GO', async () => {
    const r = await runCommand(makeGateCommand(deps()), ['--config', tempDir('no-config-'), '--stage', 'prod', '--batch', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('rollout gate: INCONCLUSIVE: the configuration is invalid');
  });

  test('event: fails when the phase or the commit is not given', async () => {
    const ev = makeEventCommand(deps());
    const a = await runCommand(ev, ['--config', configDir, '--stage', 'prod', '--batch', '1', '--phase', 'middle', '--commit', COMMIT]);
    expect(a.code).toBe(2);
    expect(a.err).toBe('rollout event: --phase: got "middle", expected one of start, end');
    const b = await runCommand(ev, ['--config', configDir, '--stage', 'prod', '--batch', '1', '--phase', 'start']);
    expect(b.code).toBe(2);
    expect(b.err).toBe(
      'rollout event: --commit: got null, expected a git commit id (7 to 40 lowercase hex digits), from --commit, ROLLOUT_COMMIT or GITHUB_SHA',
    );
  });
});

describe('rollout gate: the API URL', () => {
  test('is US5 by default, DD_SITE or --api-url override it', async () => {
    const { resolveApiUrl } = await import('../../cli/commands/gate');
    expect(resolveApiUrl('gate', undefined, {}, stage)).toEqual({ url: 'https://api.us5.datadoghq.com/', source: 'stage prod datadog.apiUrl' });
    expect(resolveApiUrl('gate', undefined, { DD_SITE: 'datadoghq.eu' }, stage)).toEqual({ url: 'https://api.datadoghq.eu/', source: 'DD_SITE' });
    expect(resolveApiUrl('gate', 'https://api.ap1.datadoghq.com', { DD_SITE: 'datadoghq.eu' }, stage)).toEqual({
      url: 'https://api.ap1.datadoghq.com/',
      source: '--api-url',
    });
    expect(() => resolveApiUrl('gate', 'https://proxy.example/datadog', {}, stage)).toThrow(UsageError);
  });
});

describe('rollout gate fails closed for real', () => {
  const coverageOf = (r: Ran) => r.report!.json.checks.find((c) => c.id === 'coverage')!;

  test('fails when the API redirects: INCONCLUSIVE, the redirect not followed, the keys never sent to the other origin', async () => {
    const elsewhere = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
    try {
      healthy(fake, stage, 2);
      for (const route of ['query', 'monitors', 'events:list', 'downtimes:list'] as const) fake.always(route, redirect(`${elsewhere.url}api/v1/anything`, 307));
      const r = await gate();
      expect(r.code).toBe(2);
      expect(r.report!.json.verdict).toBe('INCONCLUSIVE');
      expect(Object.values(status(r)).every((x) => x === 'inconclusive')).toBe(true);
      expect(coverageOf(r).summary).toBe(
        `could not query the agents: GET /api/v1/query: HTTP 307 is a redirect, which is never followed (the keys go to ${fake.url.replace(/\/$/, '')} only; check --api-url / DD_SITE)`,
      );
      expect(elsewhere.requests).toEqual([]);
      expectCompleteReport(r);
    } finally {
      await elsewhere.close();
    }
  });

  test('fails when a stray host on the new version would make up for a silent batch host (49 of 50 inventory hosts) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    const hosts = batchHosts(stage, 2);
    fake.metrics.set(h.queries.agentRunning, [
      ...hosts.slice(1).map((name) => ({ tags: [`host:${name}`, 'version:7.72.0'], value: 1 })),
      { tags: ['host:prod-app-999', 'version:7.72.0'], value: 1 }, // not in the inventory
      { tags: [`host:${hosts[0]}.ec2.internal`, 'version:7.72.0'], value: 1 }, // renamed
    ]);
    const r = await gate();
    expect(r.code).toBe(1);
    expect(coverageOf(r)).toEqual(expect.objectContaining({ status: 'fail', observed: 98 }));
    expect(coverageOf(r).details).toEqual(
      expect.arrayContaining([
        `batch hosts not reporting under their inventory name: ${hosts[0]}`,
        `reporting but not in the batch's inventory (not counted): ${hosts[0]}.ec2.internal 7.72.0, prod-app-999 7.72.0`,
      ]),
    );
  });

  test('fails when a batch host on the new version was silent for most of the window (its last point 8 minutes ago) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    const hosts = batchHosts(stage, 2);
    const cutoff = NOW / 1000 - 8 * 60;
    fake.metrics.set(h.queries.agentRunning, [
      ...hosts.slice(1).map((name) => ({ tags: [`host:${name}`, 'version:7.72.0'], value: 1 })),
      { tags: [`host:${hosts[0]}`, 'version:7.72.0'], value: (t: number) => (t <= cutoff ? 1 : null) },
    ]);
    const r = await gate();
    expect(r.code).toBe(1);
    expect(coverageOf(r)).toEqual(expect.objectContaining({ status: 'fail', observed: 98 }));
    expect(coverageOf(r).details).toContain(`on 7.72.0 but silent for most of the window (not counted): ${hosts[0]} (30% of the window)`);
  });

  test('fails when the soak time is 1 s short of 48 h (rounding to 2 decimals would have said 48 h) -> NO-GO', async () => {
    healthy(fake, stage, 2);
    fake.events = [
      {
        id: 300,
        title: 'start',
        text: 'x',
        date_happened: (NOW - 48 * HOUR) / 1000 + 1,
        tags: ['env:prod', 'rollout_batch:2', 'rollout_phase:start', 'agent_version:7.72.0', `git.commit.sha:${COMMIT}`],
      },
    ];
    const r = await gate();
    expect(r.code).toBe(1);
    const soak = r.report!.json.checks.find((c) => c.id === 'soak')!;
    expect(soak.status).toBe('fail');
    expect(soak.summary).toBe("only 47 h 59 min 59 s since the batch's deploy start; the soak time is 48 h (soaked at 2025-06-02T12:00:01.000Z)");
  });

  test('fails when mean latency is 5.0001% worse (rounding to 2 decimals would have said 5%) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: 0.2100002 }]);
    const r = await gate();
    expect(r.code).toBe(1);
    const lat = r.report!.json.checks.find((c) => c.id === 'degradation-latency')!;
    expect(lat.status).toBe('fail');
    expect(lat.summary).toBe('mean latency 210 ms in the batch vs 200 ms baseline (+5.0001%): worse by more than 5%');
  });

  test.each([
    [
      'an HTML page',
      raw('<html><body>502 Bad Gateway</body></html>', 200, 'text/html'),
      'bad response: expected application/json, got text/html: "<html><body>502 Bad Gateway</body></html>"',
    ],
    ['malformed JSON', raw('[{"id":1,"name":"m","overall_state":"OK"', 200), 'bad response: malformed JSON'],
    ['the wrong shape', raw('{"monitors":[]}', 200), 'bad response: the body: got an object, expected an array'],
  ])('is INCONCLUSIVE when the monitor answer is %s: reported as a bad response naming the endpoint, not as no data', async (_what, behaviour, problem) => {
    healthy(fake, stage, 2);
    fake.always('monitors', behaviour);
    const r = await gate();
    expect(r.code).toBe(2);
    const mon = r.report!.json.checks.find((c) => c.id === 'rollout-monitors')!;
    expect(mon.status).toBe('inconclusive');
    expect(mon.summary.startsWith(`could not read the monitors: GET /api/v1/monitor: ${problem}`)).toBe(true);
    expect(mon.summary).not.toContain('no monitor carries');
    expect(r.report!.md).toContain(`GET /api/v1/monitor: ${problem.split(':')[0]}`);
  });

  test('a busy stage cannot push the deploy-start event off the first page: the events are read page by page -> GO', async () => {
    healthy(fake, stage, 2);
    fake.eventTagsMatch = 'any'; // a tags filter that matches any tag: every event of the stage comes back
    const newer = Math.floor((NOW - HOUR) / 1000);
    for (let i = 0; i < 2500; i++) {
      fake.events.push({ id: 10_000 + i, title: 'noise', text: 'x', date_happened: newer - i, tags: ['env:prod', 'rollout_batch:1', 'rollout_phase:end'] });
    }
    const r = await gate();
    expect(r.code).toBe(0);
    expect(r.report!.json.checks.find((c) => c.id === 'soak')!.observed).toBe(49);
    expect(fake.requestsTo('events:list').map((x) => x.params.page)).toEqual(['0', '1', '2']);
  });

  test('shows muted monitors as muted; a muted monitor in Alert is still NO-GO', async () => {
    healthy(fake, stage, 2);
    const i = fake.monitors.findIndex((m) => m.tags.includes('rollout_batch:2'));
    const j = fake.monitors.findIndex((m) => m.tags.includes('rollout_check:security'));
    const downtime = { id: 4242, start: NOW / 1000 - 3600, end: NOW / 1000 + 3600, scope: ['env:prod'] };
    fake.monitors[i] = { ...fake.monitors[i], overall_state: 'Alert', downtimes: [downtime] };
    fake.monitors[j] = { ...fake.monitors[j], silenced: { '*': null } };
    const r = await gate();
    expect(r.code).toBe(1);
    const byId = Object.fromEntries(r.report!.json.checks.map((c) => [c.id, c]));
    const m = fake.monitors[i];
    expect(byId['rollout-monitors'].summary).toBe(`1 of 4 monitors in Alert: ${m.id} "${m.name}" (muted)`);
    expect(byId['rollout-monitors'].details).toContain(
      `monitor ${m.id} "${m.name}": Alert, muted (downtime 4242, scope env:prod, until 2025-06-02T13:00:00.000Z)`,
    );
    expect(byId['security-monitors'].summary).toBe(`none of 1 monitor in Alert; muted: ${fake.monitors[j].id} "${fake.monitors[j].name}"`);
    expect(r.report!.md).toContain(`- monitor ${fake.monitors[j].id} "${fake.monitors[j].name}": OK, muted (silenced, scope *, no end)`);
  });

  test('the report records the API URL used and its source, the tool version and the configuration commit (git HEAD)', async () => {
    healthy(fake, stage, 2);
    const sha = 'c0ffee0000000000000000000000000000000042';
    const dir = tempConfig({ 'prod.yaml': largeStageYaml() });
    fs.mkdirSync(path.join(dir, '.git', 'refs', 'heads'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'main'), `${sha}\n`);
    const base = path.join(tempDir('gate-report-'), 'gate');
    const r = await runCommand(makeGateCommand(deps({ env: { ...KEYS_ENV, GITHUB_SHA: COMMIT } })), [
      '--config',
      dir,
      '--stage',
      'prod',
      '--batch',
      '2',
      '--api-url',
      fake.url.replace('127.0.0.1', 'localhost'),
      '--report',
      base,
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as GateReport;
    const md = fs.readFileSync(`${base}.md`, 'utf8');
    everything.push(md);
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const apiUrl = fake.url.replace('127.0.0.1', 'localhost');
    expect(json).toEqual(
      expect.objectContaining({
        version: 2,
        apiUrl,
        apiUrlSource: '--api-url',
        toolVersion: `observability-rollout ${pkg.version}`,
        configCommit: { sha, source: `git HEAD of ${dir} (refs/heads/main)` },
      }),
    );
    expect(md).toContain(`against ${apiUrl} (from --api-url)`);
    expect(md).toContain(`Tool observability-rollout ${pkg.version}; configuration commit ${sha} (git HEAD of ${dir} (refs/heads/main)).`);
    // not a git checkout: GITHUB_SHA
    const plain = await gate([], { env: { ...KEYS_ENV, GITHUB_SHA: COMMIT } });
    expect(plain.report!.json.configCommit).toEqual({ sha: COMMIT, source: 'GITHUB_SHA' });
  });
});

describe('rollout gate: a run that cannot decide leaves no earlier report behind', () => {
  /** A GO report at `base`, then the run that cannot decide, at the same --report path. */
  async function afterGo(argv: (base: string) => string[], env: Record<string, string | undefined> = KEYS_ENV): Promise<{ r: Ran; base: string }> {
    healthy(fake, stage, 2);
    const base = path.join(tempDir('gate-stale-'), 'prod-2');
    const go = await gate([], {}, base);
    expect(go.report!.json.verdict).toBe('GO');
    const r = await runCommand(makeGateCommand(deps({ env })), argv(base));
    return { r, base };
  }
  const common = (base: string): string[] => ['--config', configDir, '--stage', 'prod', '--batch', '2', '--api-url', fake.url, '--report', base];

  test.each([
    ['DD_API_KEY is missing', (b: string) => common(b), { DD_APP_KEY: APP_KEY }, 'rollout gate: DD_API_KEY: got nothing'],
    ['DD_APP_KEY is missing', (b: string) => common(b), { DD_API_KEY: API_KEY }, 'rollout gate: DD_APP_KEY: got nothing'],
    [
      'the configuration is invalid',
      (b: string) => ['--config', tempDir('no-config-'), '--stage', 'prod', '--batch', '2', `--report=${b}.json`],
      KEYS_ENV,
      'the configuration is invalid',
    ],
    ['the command line is bad (unknown option)', (b: string) => [...common(b), '--sof'], KEYS_ENV, "unknown option '--sof'"],
    ['the batch does not exist', (b: string) => [...common(b).slice(0, 4), '--batch', '9', '--report', b], KEYS_ENV, 'rollout gate: --batch: got "9"'],
    [
      'DD_SITE is not a Datadog site',
      (b: string) => ['--config', configDir, '--stage', 'prod', '--batch', '2', '--report', b],
      { ...KEYS_ENV, DD_SITE: 'evil.example' },
      'DD_SITE',
    ],
  ])('fails when %s: exit 2, and the earlier GO report is removed', async (_what, argv, env, message) => {
    const { r, base } = await afterGo(argv, env);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`gate: removed the earlier report ${base}.json and ${base}.md (a report is written only when the gate decides)`);
    expect(fs.existsSync(`${base}.json`)).toBe(false);
    expect(fs.existsSync(`${base}.md`)).toBe(false);
  });

  test('is INCONCLUSIVE when the API fails: the earlier GO report is replaced by the INCONCLUSIVE one', async () => {
    healthy(fake, stage, 2);
    const base = path.join(tempDir('gate-stale-'), 'prod-2');
    expect((await gate([], {}, base)).report!.json.verdict).toBe('GO');
    for (const route of ['query', 'monitors', 'events:list', 'downtimes:list'] as const) fake.always(route, serverError(500));
    const r = await gate(['--deadline', '1'], {}, base);
    expect(r.code).toBe(2);
    expect(r.report!.json.verdict).toBe('INCONCLUSIVE');
  });

  test('reads --report before parsing, however it is written', async () => {
    const { reportArgument } = await import('../../cli/commands/gate');
    expect(reportArgument(['--report', 'a', '--report=b'])).toBe('b');
    expect(reportArgument(['--stage', 'x', '--report=c.json'])).toBe('c.json');
    expect(reportArgument(['--', '--report', 'd'])).toBeUndefined();
    expect(reportArgument(['--report'])).toBeUndefined();
    expect(reportArgument(['--report', '--soft'])).toBeUndefined(); // an option, not a path
    expect(reportArgument(['--report='])).toBeUndefined();
  });
});

describe('rollout event prints nothing the server sent as it was sent', () => {
  const post = (): Promise<Ran> =>
    runCommand(makeEventCommand(deps()), [
      '--config',
      configDir,
      '--api-url',
      fake.url,
      '--phase',
      'start',
      '--stage',
      'prod',
      '--batch',
      '1',
      '--commit',
      COMMIT,
    ]);
  const KEY_SHAPED = 'deadbeef'.repeat(4); // 32 hex digits, like a Datadog API key

  test('fails when Datadog refuses the event with a body echoing the key, a key-shaped token and terminal escapes: exit 1, all of it cleaned', async () => {
    fake.reset();
    fake.script('events:post', {
      kind: 'status',
      status: 400,
      body: { errors: [`Invalid key ${API_KEY.toUpperCase()} or ${KEY_SHAPED}\u001b[2J\u001b[1A\r\nposted start event 1: all good\u0007`] },
    });
    const r = await post();
    expect(r.code).toBe(1);
    // the forged "posted" line stays inside the error line: no line break, no cursor movement
    expect(r.err.split('\n').pop()).toBe(
      'rollout event: the start event was not posted: POST /api/v1/events: HTTP 400 (not retried): Invalid key [redacted] or [redacted] posted start event 1: all good',
    );
    expect(r.out).toBe('');
    for (const bad of ['\u001b', '\u0007', '\r', KEY_SHAPED, API_KEY.toUpperCase()]) expect(r.err).not.toContain(bad);
  });

  test('fails when the 202 answer carries an id that is not digits: exit 1, the id not printed', async () => {
    fake.reset();
    fake.script('events:post', raw(JSON.stringify({ status: 'ok', event: { id_str: `\u001b[31m1 ${API_KEY}` } }), 202));
    const r = await post();
    expect(r.code).toBe(1);
    expect(r.err).toContain('POST /api/v1/events: bad response: event.id_str: got a string, expected a decimal id');
    expect(r.err).not.toContain('\u001b');
    expect(r.out).toBe('');
  });

  test('fails when the event API redirects: exit 1, not followed', async () => {
    const elsewhere = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
    try {
      fake.reset();
      fake.script('events:post', redirect(`${elsewhere.url}api/v1/events`, 308));
      const r = await post();
      expect(r.code).toBe(1);
      expect(r.err).toContain('POST /api/v1/events: HTTP 308 is a redirect, which is never followed');
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('secrets (runs last)', () => {
  test('the keys appear nowhere: not in stdout, stderr or any report (they go to request headers only)', () => {
    expect(everything.length).toBeGreaterThan(50);
    for (const text of everything) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(APP_KEY);
    }
  });
});
