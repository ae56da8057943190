/**
 * `rollout drift` against the fake Datadog API on 127.0.0.1: the example prod
 * stage as applied (test/drift/datadog-holds.ts), then drifted; with and
 * without the Terraform state; fail closed when Datadog cannot be read; keys
 * never printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeDriftCommand } from '../../cli/commands/drift';
import type { GateDeps } from '../../cli/commands/gate';
import type { DriftReport } from '../../drift/run';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, REPO, tempDir } from '../support/fixtures';
import { FakeDatadog, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, KEYS_ENV, NOW } from '../gate/scenario';
import { applied, idOf, showJson } from '../drift/datadog-holds';
import { Ran, runCommand } from '../support/run-command';

jest.setTimeout(120_000); // the first run loads the Datadog client

const config = exampleConfig();
const prod = config.stages.find((s) => s.name === 'prod')!;
const planned = planStage(prod, config.monitoring).monitors;

let fake: FakeDatadog;
let dir: string;
let stateFile: string;
const everything: string[] = [];

beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  dir = tempDir('rollout-drift-');
  stateFile = path.join(dir, 'prod.show.json');
  fs.writeFileSync(stateFile, showJson(planned));
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const t of everything) {
    expect(t).not.toContain(API_KEY);
    expect(t).not.toContain(APP_KEY);
  }
});
beforeEach(() => {
  fake.reset();
  fake.monitors = applied(planned);
});

async function drift(args: string[], d: Partial<GateDeps> = {}): Promise<Ran> {
  const cmd = makeDriftCommand({ env: { ...KEYS_ENV }, now: () => NOW, random: () => 0.5, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, ...d });
  return runCommand(cmd, ['--config', REPO, '--stage', 'prod', '--api-url', fake.url, ...args], everything);
}

describe('rollout drift', () => {
  test('right after an apply: NO DRIFT, exit 0, Markdown with the summary first', async () => {
    const r = await drift(['--state', stateFile]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('# Drift: prod: NO DRIFT');
    expect(lines[2]).toBe(`**NO DRIFT in stage prod: ${planned.length} monitors declared, ${planned.length} in sync**`);
    // Three listings (env tag, managed-by, stage prefix), every request with both keys.
    const listings = fake.requestsTo('monitors').map((q) => q.params.monitor_tags ?? `name=${q.params.name}`);
    expect(listings.sort()).toEqual(['env:prod', 'managed-by:observability-rollout', 'name=[prod]']);
    expect(fake.requests.every((q) => q.apiKeyOk && q.appKeyOk)).toBe(true);
  });

  test('fails when a monitor was edited and another deleted in the UI: DRIFT, exit 1; the deleted one is confirmed by id (404)', async () => {
    const i = planned.findIndex((p) => p.key === 'monitor-api-error-ratio');
    fake.monitors[i] = { ...fake.monitors[i], thresholds: { ...fake.monitors[i].thresholds, critical: 0.05 } };
    const j = planned.findIndex((p) => p.key === 'monitor-checkout-up');
    fake.monitors.splice(j, 1);
    const r = await drift(['--state', stateFile, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as DriftReport;
    expect(report.drift).toBe(true);
    expect(report.counts).toEqual({ changed: 1, deleted: 1 });
    expect(report.findings.find((f) => f.kind === 'deleted')).toMatchObject({ key: 'monitor-checkout-up', id: idOf(j) });
    expect(fake.requestsTo('monitor:get').map((q) => q.path)).toEqual([`/api/v1/monitor/${idOf(j)}`]);
    expect(r.err).toMatch(/drift: DRIFT in stage prod: \d+ monitors declared, \d+ in sync; 1 changed, 1 deleted/);
  });

  test('--report writes FILE.md and FILE.json (an earlier one removed first); a lookalike shows without the state', async () => {
    const base = path.join(dir, 'report', 'drift');
    fs.mkdirSync(path.dirname(base), { recursive: true });
    fs.writeFileSync(`${base}.md`, 'stale');
    fake.monitors.push({ id: 77, name: '[prod] hand-made copy', tags: ['env:prod'], overall_state: 'OK' });
    const r = await drift(['--report', base]);
    expect(r.code).toBe(1);
    const md = fs.readFileSync(`${base}.md`, 'utf8');
    expect(md).toContain('## Unmanaged monitors that look like ours (1)');
    expect(md).toContain('- monitor 77 `[prod] hand-made copy`: named with the stage prefix "[prod]", without the managed-by tag');
    expect((JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as DriftReport).matchedBy).toBe('names');
  });

  test('fails closed when Datadog cannot be read: UNKNOWN, exit 2, no report, never "no drift"', async () => {
    const base = path.join(dir, 'unknown', 'drift');
    fake.always('monitors', serverError(500));
    const r = await drift(['--state', stateFile, '--report', base]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rollout drift: UNKNOWN: Datadog could not be read, so drift is not known: GET \/api\/v1\/monitor: HTTP 500 after 2 attempts/);
    expect(r.out).toBe('');
    expect(fs.existsSync(`${base}.md`)).toBe(false);
  });

  test('fails when the state file is malformed or the stage unknown: one error, exit 2, nothing read', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"values": {"root_module": {"resources": [{"mode": "managed", "type": "datadog_monitor", "address": "a", "values": {"id": 5}}]}}}');
    const s = await drift(['--state', bad]);
    expect(s.code).toBe(2);
    expect(s.err).toBe(`rollout drift: UNKNOWN: ${bad}: values.root_module.resources[0].values.id: got number 5, expected a monitor id (digits)`);
    const u = await drift(['--stage', 'qa']);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^rollout drift: --stage: got "qa", expected one of dev, prod, test/);
    expect(fake.requests).toHaveLength(0);
  });

  test("--state-location prints the region and the one state object the stage's drift role may read, and reads nothing", async () => {
    const r = await drift(['--state-location'], { env: {} });
    expect(r).toEqual({ code: 0, out: 'us-east-1 s3://acme-observability-rollout-tfstate/stages/prod/observability.tfstate', err: '' });
    expect(fake.requests).toHaveLength(0);
  });

  test('fails when --state-location comes with --state or --report: bad usage, exit 2, nothing removed or read', async () => {
    const base = path.join(dir, 'keep');
    fs.writeFileSync(`${base}.md`, 'earlier');
    for (const extra of [
      ['--state', stateFile],
      ['--report', base],
    ]) {
      const r = await drift(['--state-location', ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/rollout drift: --state-location: got it with --state or --report, expected it alone/);
    }
    expect(fs.readFileSync(`${base}.md`, 'utf8')).toBe('earlier');
    expect(fake.requests).toHaveLength(0);
  });
});
