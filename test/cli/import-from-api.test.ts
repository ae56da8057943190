/**
 * `rollout import --from-api` against the fake Datadog API on 127.0.0.1,
 * answering with recorded responses (test/fixtures/datadog/SOURCES.md):
 * monitors, SLOs and dashboards read over several pages, the files written
 * byte-identical to an import of the same answers saved as files, 429 then
 * success, fail closed on a 5xx or a bad answer, missing keys, keys never
 * printed or written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeImportCommand, ImportDeps } from '../../cli/commands/import';
import { FakeDatadog, type FakeSlo, rateLimited, raw, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, KEYS_ENV } from '../gate/scenario';
import { REPO, tempDir } from '../support/fixtures';
import { Ran, runCommand } from '../support/run-command';

jest.setTimeout(120_000); // the first run loads the Datadog client

const FIX = path.join(REPO, 'test/fixtures/datadog');
const rec = (name: string): string => fs.readFileSync(path.join(FIX, name), 'utf8');
const MONITORS = [rec('v1-monitor-list-page0.json'), rec('v1-monitor-list-page1.json')];
const SLOS = [rec('v1-slo-list-page0.json'), rec('v1-slo-list-page1.json')];
const DASHBOARDS = [rec('v1-dashboard-get-448-ktj-ezs.json'), rec('v1-dashboard-get-mv9-uwu-9q8.json')];

let fake: FakeDatadog;
const dirs: string[] = [];
const everything: string[] = [];

beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
});
afterAll(async () => {
  await fake.close();
  for (const d of dirs) {
    for (const f of files(d)) everything.push(fs.readFileSync(path.join(d, 'monitors', f), 'utf8'));
    fs.rmSync(d, { recursive: true, force: true });
  }
  for (const t of everything) {
    expect(t).not.toContain(API_KEY);
    expect(t).not.toContain(APP_KEY);
  }
});
beforeEach(() => {
  fake.reset();
  // Recorded pages of 2 then 1 (page_size=2 / limit=2), served byte for byte; two recorded dashboards, listed one a page.
  fake.script('monitors', raw(MONITORS[0]), raw(MONITORS[1]));
  fake.script('slos', raw(SLOS[0]), raw(SLOS[1]));
  fake.recordedDashboards = [...DASHBOARDS];
});

/** A configuration directory with the example's stages and policy, and no team files. */
function config(): string {
  const dir = tempDir('rollout-import-api-');
  dirs.push(dir);
  fs.cpSync(path.join(REPO, 'stacks', 'stages'), path.join(dir, 'stacks', 'stages'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'monitors'));
  fs.copyFileSync(path.join(REPO, 'monitors', 'policy.yaml'), path.join(dir, 'monitors', 'policy.yaml'));
  return dir;
}

/** Files under monitors/, relative, sorted. */
function files(dir: string): string[] {
  const root = path.join(dir, 'monitors');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
}

const PAGES = { monitors: 2, slos: 2, dashboards: 1 };
async function importApi(dir: string, args: string[] = [], d: Partial<ImportDeps> = {}): Promise<Ran> {
  const cmd = makeImportCommand({
    env: { ...KEYS_ENV },
    random: () => 0.5,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    pageSizes: PAGES,
    ...d,
  });
  return runCommand(cmd, ['--config', dir, '--stage', 'test', '--from-api', '--api-url', fake.url, ...args], everything);
}

describe('rollout import --from-api', () => {
  test('reads monitors, SLOs and dashboards over several pages each, with progress, and writes the team files', async () => {
    const dir = config();
    const r = await importApi(dir);
    expect(r.code).toBe(1); // written, with validation problems to fix (recorded objects are not this team's)
    expect(r.out).toContain('**3 monitors, 3 SLOs, 2 dashboards imported; 0 skipped. The first apply in test adopts 8 existing objects');
    expect(fake.requestsTo('monitors').map((q) => [q.params.page, q.params.page_size])).toEqual([
      ['0', '2'],
      ['1', '2'],
    ]);
    expect(fake.requestsTo('slos').map((q) => [q.params.offset, q.params.limit])).toEqual([
      ['0', '2'],
      ['2', '2'],
    ]);
    // count=1: two full pages, then an empty one ends the list.
    expect(fake.requestsTo('dashboards').map((q) => q.params.start)).toEqual(['0', '1', '2']);
    expect(fake.requestsTo('dashboard:get').map((q) => q.path)).toEqual(['/api/v1/dashboard/448-ktj-ezs', '/api/v1/dashboard/mv9-uwu-9q8']);
    expect(fake.requests.every((q) => q.apiKeyOk && q.appKeyOk)).toBe(true);
    expect(r.err).toContain('import: monitors: 3 read (page 2)');
    expect(r.err).toContain('import: SLOs: 3 read (page 2)');
    expect(r.err).toContain('import: dashboards: 2 of 2 read');
    expect(files(dir)).toEqual([
      'dashboards/test-get-a-dashboard-returns-author.json',
      'dashboards/test-get-a-dashboard-returns-ok.json',
      'developer_insights.yaml', // the recorded monitors' team tag
      'imported.yaml', // the recorded SLOs have none
      'policy.yaml',
    ]);
    expect(r.out).toContain(
      '- GET /api/v1/slo?limit=2&offset=0#1 (SLO 955ab6301fa656e7b061de4a05ad4774) `tags`: tag "baz" has no value: team files hold key: value tags; not kept',
    );
    expect(r.out).not.toContain('type_id'); // server-set (SLOTypeNumeric): dropped, not reported
  });

  test('writes byte for byte the files an import of the same answers saved as files writes', async () => {
    const api = config();
    const r = await importApi(api);
    expect(r.code).toBe(1);
    const fromFiles = config();
    const exportDir = tempDir('rollout-import-export-');
    dirs.push(exportDir);
    // The answers as a user would save them (curl ... > file), named so that the directory reads in the API's order.
    fs.writeFileSync(path.join(exportDir, '1-monitors-0.json'), MONITORS[0]);
    fs.writeFileSync(path.join(exportDir, '1-monitors-1.json'), MONITORS[1]);
    fs.writeFileSync(path.join(exportDir, '2-slos-0.json'), SLOS[0]);
    fs.writeFileSync(path.join(exportDir, '2-slos-1.json'), SLOS[1]);
    DASHBOARDS.forEach((d, i) => fs.writeFileSync(path.join(exportDir, `3-dashboard-${i}.json`), d));
    const f = await runCommand(makeImportCommand(), ['--config', fromFiles, '--stage', 'test', '--from', exportDir], everything);
    expect(f.code).toBe(r.code);
    expect(files(api)).toEqual(files(fromFiles));
    expect(files(api).length).toBeGreaterThanOrEqual(4);
    for (const file of files(api)) {
      expect([file, fs.readFileSync(path.join(api, 'monitors', file), 'utf8')]).toEqual([
        file,
        fs.readFileSync(path.join(fromFiles, 'monitors', file), 'utf8'),
      ]);
    }
    // The same summary and problems; only the notes' origins differ (request instead of file).
    expect(r.out.split('\n').slice(0, 3)).toEqual(f.out.split('\n').slice(0, 3));
  });

  test('honors a 429: waits the X-RateLimit-Reset the answer asks for, then reads on', async () => {
    fake.reset();
    fake.script('slos', rateLimited(1), raw(SLOS[0]), raw(SLOS[1]));
    const dir = config();
    const t0 = performance.now();
    const r = await importApi(dir, ['--kinds', 'slos'], { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(r.err).toContain('import: GET /api/v1/slo: HTTP 429, rate limit resets in 1.0 s; retrying in 1 s (attempt 2 of 3)');
    expect(fake.requestsTo('slos').map((q) => q.answered)).toEqual([429, 200, 200]);
    expect(r.out).toContain('**0 monitors, 3 SLOs, 0 dashboards imported');
    expect(fake.requestsTo('monitors')).toHaveLength(0);
  });

  test('fails when a read keeps failing with a 5xx: exit 2, one message naming the request, nothing written', async () => {
    fake.script('dashboard:get', serverError(500), serverError(503));
    const dir = config();
    const r = await importApi(dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      /rollout import: Datadog could not be read, so nothing was imported or written: GET \/api\/v1\/dashboard\/448-ktj-ezs: HTTP 503 after 2 attempts: Internal Server Error$/,
    );
    expect(files(dir)).toEqual(['policy.yaml']);
  });

  test('fails when an answer is not the shape the endpoint promises (a recorded SLO page for the monitors): nothing written', async () => {
    fake.reset();
    fake.script('monitors', raw(SLOS[0]));
    const dir = config();
    const r = await importApi(dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('GET /api/v1/monitor?page=0&page_size=2: bad response: expected a JSON list of monitors (ListMonitors), got an object');
    expect(files(dir)).toEqual(['policy.yaml']);
  });

  test('fails when DD_APP_KEY (or DD_API_KEY) is missing: exit 2, one message naming the variable, no request', async () => {
    const dir = config();
    const r = await importApi(dir, [], { env: { DD_API_KEY: API_KEY } });
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toBe(
      'rollout import: DD_APP_KEY: got nothing, expected a Datadog application key in the environment (keys are never taken from the command line)',
    );
    const r2 = await importApi(dir, [], { env: { DD_APP_KEY: APP_KEY } });
    expect(r2.err).toContain('rollout import: DD_API_KEY: got nothing');
    expect(fake.requests).toHaveLength(0);
    expect(files(dir)).toEqual(['policy.yaml']);
  });

  test('fails when the application key is refused (403): not retried, exit 2, the key named nowhere, nothing written', async () => {
    const dir = config();
    const wrong = `${APP_KEY.slice(0, -4)}ffff`;
    const r = await importApi(dir, [], { env: { DD_API_KEY: API_KEY, DD_APP_KEY: wrong } });
    expect(r.code).toBe(2);
    expect(r.err).toContain('GET /api/v1/monitor: HTTP 403 (not retried): Forbidden');
    expect(r.err).not.toContain(wrong);
    expect(fake.requests).toHaveLength(1);
    expect(files(dir)).toEqual(['policy.yaml']);
  });

  test('unknown object shapes are reported, not imported: a recorded synthetics monitor; listed dashboards gone when read', async () => {
    fake.reset();
    fake.script('monitors', raw(`[${rec('v1-monitor-synthetics.json').trim()}]`));
    fake.script('dashboards', raw(rec('v1-dashboard-list-page0.json')), raw(rec('v1-dashboard-list-page1.json')));
    const dir = config();
    const r = await importApi(dir, ['--kinds', 'monitors,dashboards'], { pageSizes: { monitors: 2, dashboards: 2 } });
    expect(r.out).toContain('**0 monitors, 0 SLOs, 0 dashboards imported; 1 skipped.');
    expect(r.out).toMatch(/GET \/api\/v1\/monitor\?page=0&page_size=2#0 \(monitor 150677868\)[^\n]*synthetics alert/);
    // The recorded list (2 + 1) names dashboards the fake does not hold: each GET answers 404.
    for (const id of ['5vp-fxm-s4j', 'ubf-m9i-gms', 'ja7-nhx-7zs'])
      expect(r.out).toContain(`- GET /api/v1/dashboard/${id}: listed, then gone (404) when read; not imported`);
    expect(r.err).toContain('import: dashboards: 3 listed');
    expect(fake.requestsTo('slos')).toHaveLength(0);
  });

  test('--tags narrows monitors and SLOs (sent to the API, and checked again here)', async () => {
    fake.reset();
    fake.script('monitors', raw(MONITORS[0]), raw(MONITORS[1]));
    // The fake serves the recorded SLOs itself and applies tags_query as the API does; the scripted monitor pages ignore the filter.
    fake.slos = SLOS.flatMap((p) => (JSON.parse(p) as { data: FakeSlo[] }).data);
    const dir = config();
    const r = await importApi(dir, ['--tags', 'type:test', '--kinds', 'monitors,slos']);
    expect(fake.requestsTo('monitors')[0].params.monitor_tags).toBe('type:test');
    expect(fake.requestsTo('slos')[0].params.tags_query).toBe('type:test');
    expect(fake.requestsTo('slos').map((q) => q.params.offset)).toEqual(['0']);
    // Checked again here: the monitors the (scripted) API returned despite the filter are dropped; the one SLO tagged type:test is kept.
    expect(r.out).toContain('**0 monitors, 1 SLO, 0 dashboards imported');
  });

  test('fails when the command line mixes sources or misnames a kind or tag: exit 2', async () => {
    const dir = config();
    const both = await runCommand(makeImportCommand(), ['--config', dir, '--stage', 'test', '--from', FIX, '--from-api'], everything);
    expect(both).toMatchObject({ code: 2, err: expect.stringContaining('one of --from FILE|DIR or --from-api are required') });
    const tagsWithFiles = await runCommand(makeImportCommand(), ['--config', dir, '--stage', 'test', '--from', FIX, '--tags', 'env:prod'], everything);
    expect(tagsWithFiles).toMatchObject({ code: 2, err: expect.stringContaining('go with --from-api') });
    expect(await importApi(dir, ['--kinds', 'monitors,notebooks'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--kinds: got "monitors,notebooks"'),
    });
    expect(await importApi(dir, ['--tags', 'prod'])).toMatchObject({ code: 2, err: expect.stringContaining('--tags: got "prod", expected key:value tags') });
    expect(fake.requests).toHaveLength(0);
  });
});
