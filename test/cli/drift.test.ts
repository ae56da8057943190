/**
 * `rollout drift` against the fake Datadog API on 127.0.0.1: the example prod
 * stage as applied (test/drift/datadog-holds.ts: monitors, SLOs, dashboards),
 * then drifted; with and without the Terraform state; every page of the SLO
 * and dashboard lists read; fail closed when Datadog cannot be read; keys
 * never printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeDriftCommand } from '../../cli/commands/drift';
import type { GateDeps } from '../../cli/commands/gate';
import type { DriftReport } from '../../drift/run';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, REPO, tempDir } from '../support/fixtures';
import { FakeDatadog, raw, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, KEYS_ENV, NOW } from '../gate/scenario';
import { applied, appliedDashboards, appliedSlos, dashboardIdOf, idOf, showJson, sloIdOf } from '../drift/datadog-holds';
import { Ran, runCommand } from '../support/run-command';

jest.setTimeout(120_000); // the first run loads the Datadog client

const config = exampleConfig();
const prod = config.stages.find((s) => s.name === 'prod')!;
const plan = planStage(prod, config.monitoring);
const planned = plan.monitors;
const declared = `${planned.length} monitors, ${plan.slos.length} SLOs, ${plan.dashboards.length} dashboards declared`;
const total = planned.length + plan.slos.length + plan.dashboards.length;

let fake: FakeDatadog;
let dir: string;
let stateFile: string;
const everything: string[] = [];

beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  dir = tempDir('rollout-drift-');
  stateFile = path.join(dir, 'prod.show.json');
  fs.writeFileSync(stateFile, showJson(plan));
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
  fake.monitors = applied(planned, plan.slos);
  fake.slos = appliedSlos(plan);
  fake.dashboards = appliedDashboards(plan.dashboards);
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
    expect(lines[2]).toBe(`**NO DRIFT in stage prod: ${declared}, ${total} in sync**`);
    expect(plan.slos.length).toBeGreaterThan(0);
    expect(plan.dashboards.length).toBeGreaterThan(0);
    // Three listings (env tag, managed-by, stage prefix), every request with both keys.
    const listings = fake.requestsTo('monitors').map((q) => q.params.monitor_tags ?? `name=${q.params.name}`);
    expect(listings.sort()).toEqual(['env:prod', 'managed-by:observability-rollout', 'name=[prod]']);
    // SLOs the same way (tags_query takes one tag); the dashboard list has no filter, and the stage's are read by id.
    const sloListings = fake.requestsTo('slos').map((q) => q.params.tags_query ?? `query=${q.params.query}`);
    expect(sloListings.sort()).toEqual(['env:prod', 'managed-by:observability-rollout', 'query=[prod]']);
    expect(fake.requestsTo('dashboards').map((q) => q.params)).toEqual([{ count: '100', start: '0' }]);
    expect(fake.requestsTo('dashboard:get').map((q) => q.path)).toEqual(plan.dashboards.map((_, i) => `/api/v1/dashboard/${dashboardIdOf(i)}`));
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
    expect(r.err).toContain(`drift: DRIFT in stage prod: ${declared}, ${total - 2} in sync; 1 changed, 1 deleted`);
  });

  test('fails when an SLO target and a dashboard widget were edited in the UI and an SLO deleted: each field named, the deletion confirmed by id (404)', async () => {
    const i = plan.slos.findIndex((x) => x.key === 'slo-checkout-availability');
    const slo = fake.slos[i];
    fake.slos[i] = {
      ...slo,
      thresholds: (slo.thresholds as Array<Record<string, number | string>>).map((t) => (t.timeframe === '30d' ? { ...t, target: 99 } : t)),
    };
    const j = plan.slos.findIndex((x) => x.key === 'slo-web-availability');
    fake.slos.splice(j, 1);
    const k = plan.dashboards.findIndex((x) => x.key === 'dashboard-payments-checkout');
    const board = fake.dashboards[k] as unknown as { widgets: Array<{ definition: Record<string, unknown> }> };
    fake.dashboards[k] = {
      ...fake.dashboards[k],
      widgets: [{ definition: { ...board.widgets[0].definition, title: 'edited in the UI' } }, ...board.widgets.slice(1)],
    };
    const r = await drift(['--state', stateFile, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as DriftReport;
    expect(report.counts).toEqual({ changed: 2, deleted: 1 });
    expect(report.objects.slo).toEqual({ declared: plan.slos.length, inSync: plan.slos.length - 2, liveRead: plan.slos.length - 1 });
    expect(report.findings).toEqual([
      { object: 'slo', kind: 'deleted', key: 'slo-web-availability', id: sloIdOf(j), name: plan.slos[j].name },
      {
        object: 'slo',
        kind: 'changed',
        key: 'slo-checkout-availability',
        id: sloIdOf(i),
        name: plan.slos[i].name,
        fields: [{ field: 'thresholds.30d.target', declared: '99.95', live: '99' }],
      },
      {
        object: 'dashboard',
        kind: 'changed',
        key: 'dashboard-payments-checkout',
        id: dashboardIdOf(k),
        name: plan.dashboards[k].title,
        fields: [{ field: 'widgets[0].definition.title', declared: expect.any(String), live: 'edited in the UI' }],
      },
    ]);
    expect(fake.requestsTo('slo:get').map((q) => q.path)).toEqual([`/api/v1/slo/${sloIdOf(j)}`]);
  });

  test("reads every page: the stage's SLOs and dashboards on the second page of their lists are found (NO DRIFT, matched by names)", async () => {
    // Ids sort before ours, so the fake serves these first: 1000 SLOs of the stage that are not ours, 150 dashboards of other teams.
    for (let n = 0; n < 1000; n++)
      fake.slos.push({ id: `0000${String(n).padStart(28, '0')}`, name: `hand-made ${n}`, tags: ['env:prod'], type: 'metric', thresholds: [] });
    for (let n = 0; n < 150; n++)
      fake.dashboards.push({ id: `a${String(n).padStart(2, '0')}-oth-ers`, title: `Team board ${n}`, layout_type: 'ordered', widgets: [] });
    const r = await drift(['--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as DriftReport;
    expect(report.objects.slo.inSync).toBe(plan.slos.length);
    expect(report.objects.dashboard.inSync).toBe(plan.dashboards.length);
    expect(
      fake
        .requestsTo('slos')
        .filter((q) => q.params.tags_query === 'env:prod')
        .map((q) => q.params.offset),
    ).toEqual(['0', '1000']);
    expect(fake.requestsTo('dashboards').map((q) => q.params.start)).toEqual(['0', '100']);
    // Only the stage's dashboards are read by id, not the other teams'.
    expect(fake.requestsTo('dashboard:get')).toHaveLength(plan.dashboards.length);
  });

  test('fails closed when the dashboards or an SLO page cannot be read: UNKNOWN, exit 2, no report; a key the server echoes is not printed', async () => {
    const base = path.join(dir, 'unknown-objects', 'drift');
    fake.always('dashboards', { kind: 'status', status: 403, body: { errors: [`Forbidden: application key ${APP_KEY} lacks dashboards_read`] } });
    const d = await drift(['--report', base]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/rollout drift: UNKNOWN: Datadog could not be read, so drift is not known: GET \/api\/v1\/dashboard: HTTP 403/);
    expect(d.out).toBe('');
    expect(fs.existsSync(`${base}.md`)).toBe(false);
    fake.reset();
    fake.monitors = applied(planned, plan.slos);
    fake.script('slos', raw('{"data": {"not": "a list"}, "error": null}'));
    for (let n = 0; n < 450; n++)
      fake.dashboards.push({ id: `a${String(n).padStart(3, '0')}-oth-ers`, title: `Team board ${n}`, layout_type: 'ordered', widgets: [] });
    const sl = await drift(['--report', base]);
    expect(sl.code).toBe(2);
    // The other reads ended before the command did: nothing is sent after it returned.
    const sent = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.requests.length).toBe(sent);
    expect(fake.requestsTo('dashboards')).toHaveLength(5);
    expect(sl.err).toMatch(/GET \/api\/v1\/slo: bad response: the body\.data: got an object, expected/);
    expect(sl.out).toBe('');
    expect(fs.existsSync(`${base}.json`)).toBe(false);
  });

  test('fails closed when a list never ends (a server that ignores start): UNKNOWN after 100 pages, not a partial report', async () => {
    const page = JSON.stringify({
      dashboards: Array.from({ length: 100 }, (_, n) => ({ id: `p${String(n).padStart(2, '0')}-sam-eee`, title: `Team board ${n}`, description: null })),
    });
    fake.always('dashboards', raw(page));
    const r = await drift(['--state', stateFile]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('rollout drift: UNKNOWN: Datadog could not be read, so drift is not known: GET /api/v1/dashboard: more than 100 pages of 100');
    expect(r.out).toBe('');
    expect(fake.requestsTo('dashboards')).toHaveLength(100);
  });

  test('--report writes FILE.md and FILE.json (an earlier one removed first); a lookalike shows without the state', async () => {
    const base = path.join(dir, 'report', 'drift');
    fs.mkdirSync(path.dirname(base), { recursive: true });
    fs.writeFileSync(`${base}.md`, 'stale');
    fake.monitors.push({ id: 77, name: '[prod] hand-made copy', tags: ['env:prod'], overall_state: 'OK' });
    const r = await drift(['--report', base]);
    expect(r.code).toBe(1);
    const md = fs.readFileSync(`${base}.md`, 'utf8');
    expect(md).toContain('## Unmanaged objects that look like ours (1)');
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
