/**
 * `rollout downtime schedule|cancel` against the fake Datadog API on
 * 127.0.0.1 (v2 downtimes shaped like the recorded cassettes): exactly the
 * batch's hosts, only the agent-health monitors, all or nothing, cancel
 * removes only this batch's, keys never printed.
 */
import { makeDowntimeCommand } from '../../cli/commands/downtime';
import type { GateDeps } from '../../cli/commands/gate';
import type { Stage } from '../../model/stage';
import { FakeDatadog, OK, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, batchHosts, KEYS_ENV, largeConfig, NOW } from '../gate/scenario';
import { Ran, runCommand } from '../support/run-command';
import { tempDir } from '../support/fixtures';
import * as fs from 'fs';
import * as path from 'path';

jest.setTimeout(120_000); // the first run loads the Datadog client (seconds on a busy machine)

let fake: FakeDatadog;
let configDir: string;
let stage: Stage;
const everything: string[] = [];

beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
  ({ dir: configDir, stage } = largeConfig());
});
afterAll(async () => {
  await fake.close();
  // No output of any run carries a key.
  for (const text of everything) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(APP_KEY);
  }
});
beforeEach(() => {
  fake.reset();
  fake.nowMs = NOW;
});

const deps = (extra: Partial<GateDeps> = {}): Partial<GateDeps> => ({
  env: { ...KEYS_ENV },
  now: () => NOW,
  random: () => 0.5,
  retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  ...extra,
});

const downtime = (action: string, args: string[] = [], d: Partial<GateDeps> = {}): Promise<Ran> =>
  runCommand(makeDowntimeCommand(deps(d)), [action, '--config', configDir, '--stage', 'prod', '--api-url', fake.url, ...args], everything);

describe('rollout downtime schedule', () => {
  test("mutes the batch's agent-running and agent-overhead monitors on exactly its hosts, for 30 minutes", async () => {
    const r = await downtime('schedule', ['--batch', '2']);
    expect(r.code).toBe(0);
    const hosts = batchHosts(stage, 2).sort();
    const creates = fake.requestsTo('downtimes:create');
    expect(creates).toHaveLength(2);
    const attrs = creates.map((c) => (c.body as { data: { attributes: Record<string, unknown> } }).data.attributes);
    for (const a of attrs) {
      expect(a.scope).toBe(hosts.map((h) => `host:"${h}"`).join(' OR '));
      expect(a.schedule).toEqual({ end: '2025-06-02T12:30:00.000Z' });
      expect(a.notify_end_types).toEqual(['canceled', 'expired']);
      expect(a.notify_end_states).toEqual(['alert', 'no data', 'warn']);
      expect(a.mute_first_recovery_notification).toBe(true);
      expect(String(a.message)).toMatch(/^\[observability-rollout quiet-restart env:prod rollout_batch:2\] /);
    }
    expect(attrs.map((a) => (a.monitor_identifier as { monitor_tags: string[] }).monitor_tags)).toEqual([
      ['env:prod', 'rollout_batch:2', 'rollout_check:agent-running', 'managed-by:observability-rollout'],
      ['env:prod', 'rollout_batch:2', 'rollout_check:agent-overhead', 'managed-by:observability-rollout'],
    ]);
    expect(fake.downtimes.map((d) => d.status)).toEqual(['active', 'active']);
    expect(r.out).toMatch(/^quiet restart: 2 downtimes on 50 hosts of batch 2 of prod until 2025-06-02T12:30:00.000Z: /);
    expect(creates.every((c) => c.apiKeyOk && c.appKeyOk)).toBe(true);
  });

  test('--hosts narrows the scope to hosts of the batch; --minutes sets the end', async () => {
    const [a, b] = batchHosts(stage, 1).sort();
    const r = await downtime('schedule', ['--batch', '1', '--hosts', `${b},${a}`, '--minutes', '10']);
    expect(r.code).toBe(0);
    const body = fake.requestsTo('downtimes:create')[0].body as { data: { attributes: { scope: string; schedule: { end: string } } } };
    expect(body.data.attributes.scope).toBe(`host:"${a}" OR host:"${b}"`);
    expect(body.data.attributes.schedule.end).toBe('2025-06-02T12:10:00.000Z');
  });

  test('fails when --hosts names a host outside the batch, or --minutes is out of range: exit 2, nothing sent', async () => {
    const other = batchHosts(stage, 3)[0];
    const r = await downtime('schedule', ['--batch', '1', '--hosts', `${batchHosts(stage, 1)[0]},${other}`]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--hosts: got`);
    expect(r.err).toContain(`not in the batch: ${other}`);
    const m = await downtime('schedule', ['--batch', '1', '--minutes', '600']);
    expect(m.code).toBe(2);
    expect(m.err).toBe('rollout downtime: --minutes: got "600", expected a whole number of minutes from 1 to 120');
    const q = await downtime('schedule', ['--batch', '1', '--hosts', 'a"b']);
    expect(q.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });

  test('fails when the second downtime is refused: the first is cancelled again (all or nothing), exit 1', async () => {
    fake.script('downtimes:create', OK, serverError(503), serverError(503));
    const r = await downtime('schedule', ['--batch', '2']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rollout downtime schedule: POST \/api\/v2\/downtime: HTTP 503 after 2 attempts/);
    expect(fake.downtimes.map((d) => d.status)).toEqual(['canceled']);
    expect(r.err).toContain('cancelled 00000001-0187-11ee-bb05-da7ad0900002 again (the schedule failed)');
  });

  test('fails without keys or with a non-Datadog API URL: exit 2, nothing sent, no key printed', async () => {
    const r = await downtime('schedule', ['--batch', '2'], { env: { DD_API_KEY: API_KEY } });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/DD_APP_KEY: got nothing/);
    const u = await runCommand(makeDowntimeCommand(deps()), [
      'schedule',
      '--config',
      configDir,
      '--stage',
      'prod',
      '--batch',
      '2',
      '--api-url',
      'https://evil.example/',
    ]);
    expect(u.code).toBe(2);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('rollout downtime cancel', () => {
  test("cancels this batch's quiet-restart downtimes only, reading every page", async () => {
    await downtime('schedule', ['--batch', '1']);
    await downtime('schedule', ['--batch', '2']);
    // Someone else's downtime, and 120 more in force, so the list takes two pages.
    for (let i = 0; i < 120; i++) {
      fake.downtimes.push({
        id: `foreign-${i}`,
        scope: 'env:prod',
        monitor_identifier: { monitor_tags: ['*'] },
        schedule: { start: new Date(NOW - 60_000).toISOString(), end: null },
        message: i === 0 ? 'maintenance window [observability-rollout quiet-restart env:prod rollout_batch:2]' : null,
        status: 'active',
        canceled: null,
      });
    }
    const r = await downtime('cancel', ['--batch', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('quiet restart over: 2 downtimes of batch 2 of prod cancelled');
    expect(fake.requestsTo('downtimes:list').map((q) => q.params)).toEqual([
      { current_only: 'true', 'page[offset]': '0', 'page[limit]': '100' },
      { current_only: 'true', 'page[offset]': '100', 'page[limit]': '100' },
    ]);
    const status = (pred: (d: (typeof fake.downtimes)[number]) => boolean): string[] => fake.downtimes.filter(pred).map((d) => d.status);
    expect(status((d) => (d.message ?? '').startsWith('[observability-rollout quiet-restart env:prod rollout_batch:2]'))).toEqual(['canceled', 'canceled']);
    expect(status((d) => (d.message ?? '').startsWith('[observability-rollout quiet-restart env:prod rollout_batch:1]'))).toEqual(['active', 'active']);
    expect(status((d) => d.id.startsWith('foreign-')).every((s) => s === 'active')).toBe(true);
  });

  test('with none in force it succeeds and says so; a downtime gone in between (404) is not an error', async () => {
    const none = await downtime('cancel', ['--batch', '3']);
    expect(none.code).toBe(0);
    expect(none.out).toBe('quiet restart over: 0 downtimes of batch 3 of prod cancelled (none in force)');
    await downtime('schedule', ['--batch', '3']);
    fake.script('downtimes:cancel', { kind: 'status', status: 404, body: { errors: ['Downtime 00000001-0187-11ee-bb05-da7ad0900002 not found'] } });
    const r = await downtime('cancel', ['--batch', '3']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('already gone: downtime 00000001-0187-11ee-bb05-da7ad0900002');
    expect(r.out).toBe('quiet restart over: 1 downtime of batch 3 of prod cancelled');
  });

  test('fails when the downtimes cannot be listed: exit 1, the error named, nothing cancelled', async () => {
    await downtime('schedule', ['--batch', '2']);
    fake.always('downtimes:list', { kind: 'raw', body: '<html>proxy</html>', contentType: 'text/html' });
    const r = await downtime('cancel', ['--batch', '2']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GET \/api\/v2\/downtime: bad response: expected application\/json, got text\/html/);
    expect(fake.downtimes.every((d) => d.status === 'active')).toBe(true);
  });

  test('fails when the action is missing or cancel gets --hosts', async () => {
    const a = await runCommand(makeDowntimeCommand(deps()), [], everything);
    expect(a.code).toBe(2);
    expect(a.err).toBe("rollout downtime: missing required argument 'schedule|cancel'; see rollout downtime --help");
    const b = await downtime('cancel', ['--batch', '1', '--hosts', 'x']);
    expect(b.code).toBe(2);
  });
});

/**
 * The SSM executor: the deploy job passes the plan it applies
 * (terraform show -json) and the command mutes every batch whose association
 * the plan creates or updates (plan/ssm/quiet-batches.ts).
 */
describe('rollout downtime --terraform-plan (SSM executor)', () => {
  /** A plan (terraform show -json shape) that updates these batches' associations of prod to `mode`. */
  const planFile = (batches: number[], mode: 'apply' | 'rollback' = 'apply', extra: unknown[] = []): string => {
    const association = (b: number, m: string): Record<string, unknown> => ({
      association_name: `observability-rollout-prod-batch-${b}`,
      parameters: { BundleKey: `bundles/${'0'.repeat(64)}.zip`, Batch: String(b), Mode: m },
    });
    const changes = [1, 2, 3].map((b) => ({
      address: `aws_ssm_association.ssm_batch-${b}`,
      type: 'aws_ssm_association',
      change: batches.includes(b)
        ? { actions: ['update'], before: association(b, mode === 'apply' ? 'rollback' : 'apply'), after: association(b, mode) }
        : { actions: ['no-op'], before: association(b, 'rollback'), after: association(b, 'rollback') },
    }));
    const file = path.join(tempDir('rollout-tfplan-'), 'plan.json');
    fs.writeFileSync(file, JSON.stringify({ format_version: '1.2', resource_changes: [...changes, ...extra] }));
    return file;
  };
  const scopes = (): string[] => fake.requestsTo('downtimes:create').map((c) => (c.body as { data: { attributes: { scope: string } } }).data.attributes.scope);
  const scopeOf = (batch: number): string =>
    batchHosts(stage, batch)
      .sort()
      .map((h) => `host:"${h}"`)
      .join(' OR ');

  test("mutes every host of each batch the plan runs, for the apply's 15-minute wait plus 5", async () => {
    const r = await downtime('schedule', ['--terraform-plan', planFile([1, 3])]);
    expect(r.code).toBe(0);
    expect(scopes()).toEqual([scopeOf(1), scopeOf(1), scopeOf(3), scopeOf(3)]);
    const ends = fake
      .requestsTo('downtimes:create')
      .map((c) => (c.body as { data: { attributes: { schedule: { end: string } } } }).data.attributes.schedule.end);
    expect(new Set(ends)).toEqual(new Set(['2025-06-02T12:20:00.000Z']));
    expect(r.err).toContain('downtime: the plan runs State Manager on batch 1 (apply), batch 3 (apply) of prod');
    expect(r.out.split('\n').map((l) => l.replace(/Z: .*$/, 'Z'))).toEqual([
      `quiet restart: 2 downtimes on ${batchHosts(stage, 1).length} hosts of batch 1 of prod until 2025-06-02T12:20:00.000Z`,
      `quiet restart: 2 downtimes on ${batchHosts(stage, 3).length} hosts of batch 3 of prod until 2025-06-02T12:20:00.000Z`,
    ]);
  });

  test('cancel with the same plan ends those batches only, one listing', async () => {
    const plan = planFile([1, 3]);
    await downtime('schedule', ['--terraform-plan', plan]);
    await downtime('schedule', ['--batch', '2']);
    const r = await downtime('cancel', ['--terraform-plan', plan]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      ['quiet restart over: 2 downtimes of batch 1 of prod cancelled', 'quiet restart over: 2 downtimes of batch 3 of prod cancelled'].join('\n'),
    );
    expect(fake.requestsTo('downtimes:list')).toHaveLength(1);
    const status = (b: number): string[] =>
      fake.downtimes.filter((d) => (d.message ?? '').startsWith(`[observability-rollout quiet-restart env:prod rollout_batch:${b}]`)).map((d) => d.status);
    expect([status(1), status(2), status(3)]).toEqual([
      ['canceled', 'canceled'],
      ['active', 'active'],
      ['canceled', 'canceled'],
    ]);
  });

  test('a plan that runs no association of the stage: nothing sent, exit 0 (schedule and cancel)', async () => {
    const other = {
      type: 'aws_ssm_association',
      change: { actions: ['create'], before: null, after: { association_name: 'observability-rollout-test-batch-1' } },
    };
    const file = planFile([], 'apply', [other]);
    const s = await downtime('schedule', ['--terraform-plan', file]);
    expect(s.code).toBe(0);
    expect(s.out).toBe('quiet restart: the plan runs no batch with hosts of prod; nothing to schedule');
    const c = await downtime('cancel', ['--terraform-plan', file]);
    expect(c.code).toBe(0);
    expect(c.out).toBe('quiet restart: the plan runs no batch with hosts of prod; nothing to cancel');
    expect(fake.requests).toHaveLength(0);
  });

  test('fails when a later batch is refused on a release: every downtime cancelled again (all or nothing), exit 1', async () => {
    fake.script('downtimes:create', OK, OK, serverError(503), serverError(503));
    const r = await downtime('schedule', ['--terraform-plan', planFile([1, 2])]);
    expect(r.code).toBe(1);
    expect(fake.downtimes.map((d) => d.status)).toEqual(['canceled', 'canceled']);
    expect(r.err).not.toContain('QUIET RESTART NOT SCHEDULED');
  });

  test('a rollback (the plan turns an association to rollback mode) fails open: Datadog refusing is reported, exit 0', async () => {
    fake.always('downtimes:create', serverError(503));
    const r = await downtime('schedule', ['--terraform-plan', planFile([2], 'rollback')]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('downtime: the plan runs State Manager on batch 2 (rollback) of prod');
    expect(r.err).toContain('QUIET RESTART NOT SCHEDULED for batch 2 of prod: going on without it (--fail-open)');
    expect(r.err).toMatch(/POST \/api\/v2\/downtime: HTTP 503 after 2 attempts/);
  });

  test('--fail-open makes any schedule fail open (the deploy job passes it on its rollback path); a bad command line still fails', async () => {
    fake.always('downtimes:create', serverError(503));
    const r = await downtime('schedule', ['--terraform-plan', planFile([1]), '--fail-open']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('QUIET RESTART NOT SCHEDULED for batch 1 of prod');
    const b = await downtime('schedule', ['--batch', '1', '--fail-open']);
    expect(b.code).toBe(0);
    const bad = await downtime('schedule', ['--batch', '9', '--fail-open']);
    expect(bad.code).toBe(2);
    const c = await downtime('cancel', ['--batch', '1', '--fail-open']);
    expect(c.code).toBe(2);
  });

  test('fails when the plan file is missing, not JSON or not a plan, or comes with --batch: exit 2, the file named, nothing sent', async () => {
    const dir = tempDir('rollout-tfplan-');
    const missing = await downtime('schedule', ['--terraform-plan', path.join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`rollout downtime schedule: --terraform-plan: cannot read ${path.join(dir, 'none.json')}: ENOENT`);
    const text = path.join(dir, 'plan.txt');
    fs.writeFileSync(text, 'Terraform will perform the following actions:');
    const notJson = await downtime('schedule', ['--terraform-plan', text]);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(new RegExp(`^rollout downtime schedule: --terraform-plan ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Unexpected token`));
    expect(notJson.err).toContain('(expected the output of terraform show -json PLANFILE); nothing was changed');
    const shape = path.join(dir, 'shape.json');
    fs.writeFileSync(shape, JSON.stringify({ resource_changes: [{ type: 'aws_ssm_association', change: { actions: 'update' } }] }));
    const badShape = await downtime('cancel', ['--terraform-plan', shape]);
    expect(badShape.code).toBe(2);
    expect(badShape.err).toContain(`--terraform-plan ${shape}: resource_changes[0].change.actions: got string, expected an array of strings`);
    const both = await downtime('schedule', ['--terraform-plan', planFile([1]), '--batch', '1']);
    expect(both.code).toBe(2);
    expect(both.err).toBe('rollout downtime schedule: --terraform-plan names the batches (all their hosts): leave out --batch and --hosts');
    expect(fake.requests).toHaveLength(0);
  });
});
