import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../cli/main';
import { REPO } from '../support/fixtures';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A configuration directory with the example's stages and policy, and no team files. */
function config(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-import-'));
  dirs.push(dir);
  fs.cpSync(path.join(REPO, 'stacks', 'stages'), path.join(dir, 'stacks', 'stages'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'monitors'));
  fs.copyFileSync(path.join(REPO, 'monitors', 'policy.yaml'), path.join(dir, 'monitors', 'policy.yaml'));
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

const IC = path.join(REPO, 'test/fixtures/datadog/integrations-core');
const MONITOR = {
  id: 555,
  name: '[test] Web errors',
  type: 'query alert',
  query: 'sum(last_5m):sum:trace.http.request.errors{env:test,service:web}.as_count() / sum:trace.http.request.hits{env:test,service:web}.as_count() > 0.05',
  message: 'Web errors.\n\nRunbook: https://runbooks.acme.example/web\n\n{{#is_alert}}@slack-storefront-alerts{{/is_alert}}',
  tags: ['env:test', 'team:storefront', 'service:web', 'cost_center:cc-web'],
  priority: 3,
  options: { thresholds: { critical: 0.05 }, include_tags: true, notify_audit: false, silenced: {} },
  org_id: 1,
  created: '2026-01-01T00:00:00+00:00',
  overall_state: 'OK',
};

describe('rollout import', () => {
  test('writes a team file that validates and says how many objects the stage adopts', async () => {
    const dir = config();
    const from = path.join(dir, 'export.json');
    fs.writeFileSync(from, JSON.stringify([MONITOR]));
    const r = await cli(['import', '--config', dir, '--stage', 'test', '--from', from]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('**1 monitor, 0 SLOs, 0 dashboards imported; 0 skipped. The first apply in test adopts 1 existing object');
    expect(r.out).toContain('The configuration validates.**');
    const yaml = fs.readFileSync(path.join(dir, 'monitors/storefront.yaml'), 'utf8');
    expect(yaml).toContain('query: sum(last_5m):sum:trace.http.request.errors{env:${env},service:web}.as_count()');
    expect(yaml).toMatch(/importIds:\n\s+test: "555"/);
    expect((await cli(['validate', '--config', dir])).code).toBe(0);
  });

  test('real exported JSON (integrations-core): files written, one located report of what to fix, exit 1', async () => {
    const dir = config();
    const r = await cli(['import', '--config', dir, '--stage', 'prod', '--from', IC, '--team', 'platform-team']);
    expect(r.code).toBe(1);
    expect(fs.existsSync(path.join(dir, 'monitors/platform-team.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'monitors/dashboards/nginx-metrics.json'))).toBe(true);
    expect(r.out).toMatch(/To fix \(`rollout validate` says the same\):\n- monitors\/platform-team\.yaml:\d+ monitors\.1\.query: got /);
    expect(r.out).toContain('`options.avalanche_window`: 20: team files have no field for it');
    const validate = await cli(['validate', '--config', dir]);
    expect(validate.code).toBe(1);
    expect(validate.err).toMatch(/monitors\/platform-team\.yaml:\d+ monitors\.1\.query/);
  });

  test('an existing team file is left alone: the import goes beside it', async () => {
    const dir = config();
    fs.writeFileSync(path.join(dir, 'monitors/storefront.yaml'), 'team: storefront\n');
    const from = path.join(dir, 'export.json');
    fs.writeFileSync(from, JSON.stringify(MONITOR));
    const r = await cli(['import', '--config', dir, '--stage', 'test', '--from', from]);
    expect(r.out).toContain('- `monitors/storefront-imported.yaml`');
    expect(fs.readFileSync(path.join(dir, 'monitors/storefront.yaml'), 'utf8')).toBe('team: storefront\n');
  });

  test('fails when a file is not JSON: one error with file and line, nothing written', async () => {
    const dir = config();
    const from = path.join(dir, 'exports');
    fs.mkdirSync(from);
    fs.writeFileSync(path.join(from, 'a.json'), JSON.stringify(MONITOR));
    fs.writeFileSync(path.join(from, 'b.json'), '[\n{"name": "x",}\n]');
    const r = await cli(['import', '--config', dir, '--stage', 'test', '--from', from]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/b\.json:2: got invalid JSON/);
    expect(fs.readdirSync(path.join(dir, 'monitors'))).toEqual(['policy.yaml']);
  });

  test('--help prints the usage', async () => {
    expect(await cli(['import', '--help'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Usage: rollout import \[options\][\s\S]*--from <FILE\|DIR>/),
    });
  });

  test('fails when the stage or the source is missing or unknown: usage error, exit 2', async () => {
    const dir = config();
    expect(await cli(['import', '--config', dir, '--from', IC])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--stage STAGE and one of --from FILE|DIR or --from-api are required'),
    });
    expect(await cli(['import', '--config', dir, '--stage', 'staging', '--from', IC])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--stage "staging": expected a stage of'),
    });
    expect(await cli(['import', '--config', dir, '--stage', 'prod', '--from', path.join(dir, 'nope')])).toMatchObject({
      code: 2,
      err: expect.stringContaining('no such file or directory'),
    });
  });
});
