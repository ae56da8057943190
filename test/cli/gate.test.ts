/**
 * `rollout gate` and `rollout event` end to end against a local fake of the
 * Datadog API (test/support/fake-datadog.ts): the scenarios of issue 6, the
 * reports, soft mode, bad command lines, and keys that never leak.
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
import { FakeDatadog, HANG, rateLimited, serverError, startFakeDatadog } from '../support/fake-datadog';
import { tempDir } from '../support/fixtures';
import { API_KEY, APP_KEY, batchHosts, COMMIT, healthy, HOUR, KEYS_ENV, largeConfig, NOW } from '../gate/scenario';

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

/** Run a command the way cli/main.ts does (a UsageError prints and exits 2). */
async function runCommand(cmd: Command, argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const t0 = performance.now();
  let code: number;
  try {
    code = await cmd.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.push(e.message);
    code = 2;
  }
  const r: Ran = { code, out: out.join('\n'), err: err.join('\n'), ms: performance.now() - t0 };
  everything.push(r.out, r.err);
  return r;
}

/** `rollout gate` on the large prod stage against the fake, with a report. */
async function gate(args: string[] = [], d: Partial<GateDeps> = {}): Promise<Ran> {
  const base = path.join(tempDir('gate-report-'), 'gate');
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
    expect(Object.values(status(r))).toEqual(Array(7).fill('pass'));
    expect(r.out.split('\n').pop()).toBe('GATE GO: stage prod, batch 2 of 3, agent 7.72.0: 7 passed, 0 failed, 0 inconclusive');
    expectCompleteReport(r);
    const byId = Object.fromEntries(r.report!.json.checks.map((c) => [c.id, c]));
    expect(byId.soak.observed).toBe(49);
    expect(byId.coverage.observed).toBe(100);
    expect(byId.coverage.threshold).toBe(99);
    expect(byId['degradation-latency'].measurements.map((m) => m.query)).toEqual([h.queries.latencyBatch, h.queries.latencyBaseline]);
    expect(h.queries.latencyBaseline).toBe('p95:trace.http.request{env:prod AND (rollout_batch:3)}');
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
    expect(r.out.split('\n').pop()).toMatch(/^GATE NO-GO: .* 6 passed, 1 failed, 0 inconclusive$/);
    expectCompleteReport(r);
  });

  test('fails when p95 latency regresses by 6% (threshold 5%) -> NO-GO', async () => {
    const h = healthy(fake, stage, 2);
    fake.metrics.set(h.queries.latencyBatch, [{ tags: [], value: 0.212 }]);
    const r = await gate();
    expect(r.code).toBe(1);
    expect(status(r)['degradation-latency']).toBe('fail');
    const lat = r.report!.json.checks.find((c) => c.id === 'degradation-latency')!;
    expect(lat.observed).toBe(6);
    expect(lat.summary).toBe('p95 latency 212 ms in the batch vs 200 ms baseline (+6%): worse by more than 5%');
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
    expect(cov.details).toContain(`on another version: ${hosts[0]} 7.71.1`);
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
    for (const route of ['query', 'monitors', 'events:list'] as const) fake.always(route, serverError(500));
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
      'rollout gate: --api-url: got "http://api.us5.datadoghq.com/", expected an https URL such as https://api.us5.datadoghq.com/ (plain http only for 127.0.0.1 or localhost), without credentials, query or fragment',
    ],
    [['--stage', 'prod', '--batch', '1', '--report', ''], 'rollout gate: --report: got "", expected a file path (the report goes to FILE.json and FILE.md)'],
  ])('fails when %j', async (argv, message) => {
    const r = await bad(argv);
    expect(r.code).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });

  test('fails when an option is unknown, naming the allowed ones', async () => {
    const r = await bad(['--stage', 'prod', '--batch', '1', '--sof']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "rollout gate: Unknown option '--sof'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--sof\"; allowed options: --config VALUE, --stage VALUE, --batch VALUE, --api-url VALUE, --soft, --report VALUE, --deadline VALUE",
    );
  });

  test.each(['DD_API_KEY', 'DD_APP_KEY'])('fails when %s is not set, naming it', async (name) => {
    const env: Record<string, string | undefined> = { ...KEYS_ENV, [name]: undefined };
    const r = await bad(['--stage', 'prod', '--batch', '1', '--api-url', fake.url], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^rollout gate: ${name}: got nothing, expected a Datadog (API|application) key in the environment`));
  });

  test('fails when DD_SITE is not a site name', async () => {
    const r = await bad(['--stage', 'prod', '--batch', '1'], { ...KEYS_ENV, DD_SITE: 'https://evil.example/' });
    expect(r.code).toBe(2);
    expect(r.err).toBe('rollout gate: DD_SITE: got "https://evil.example/", expected a Datadog site such as us5.datadoghq.com');
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
    expect(resolveApiUrl('gate', undefined, {}, stage)).toEqual({ url: 'https://api.us5.datadoghq.com/', source: 'stage prod' });
    expect(resolveApiUrl('gate', undefined, { DD_SITE: 'datadoghq.eu' }, stage)).toEqual({ url: 'https://api.datadoghq.eu/', source: 'DD_SITE' });
    expect(resolveApiUrl('gate', 'https://proxy.example/datadog', { DD_SITE: 'datadoghq.eu' }, stage)).toEqual({
      url: 'https://proxy.example/datadog/',
      source: '--api-url',
    });
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
