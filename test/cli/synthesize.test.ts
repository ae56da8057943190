import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS, run } from '../../cli/main';
import { synthesize } from '../../cli/synthesize';
import { minimalStageYaml, mustReplace, readTree, REPO, tempConfig, tempDir } from '../support/fixtures';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const SENTINELS = {
  DD_API_KEY: 'sentinel-dd-api-key-from-the-environment',
  DD_APP_KEY: 'sentinel-dd-app-key-from-the-environment',
  TF_VAR_datadog_api_key: 'sentinel-tfvar-api-key-value',
  AWS_SECRET_ACCESS_KEY: 'sentinel-aws-secret-access-key',
};

describe('synthesis', () => {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries(SENTINELS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const k of Object.keys(SENTINELS)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  test('writes every stack of the example configuration', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    const res = synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    expect(res.stacks).toEqual(['dev-infra', 'dev-observability', 'prod-infra', 'prod-observability', 'state', 'test-infra', 'test-observability']);
    for (const s of res.stacks) expect(fs.existsSync(path.join(out, 'stacks', s, 'cdk.tf.json'))).toBe(true);
  });

  test('is deterministic: two syntheses in different directories are byte-identical', async () => {
    const a = path.join(tempDir('rollout-a-'), 'out');
    const b = path.join(tempDir('rollout-b-'), 'nested', 'other');
    synthesize({ configDir: REPO, outdir: a, inventoryRoot: path.dirname(a) });
    synthesize({ configDir: REPO, outdir: b, inventoryRoot: path.dirname(b) });
    const ta = readTree(a);
    const tb = readTree(b);
    expect(Object.keys(ta).length).toBeGreaterThan(7);
    expect(tb).toEqual(ta);
    const inv = (d: string): Record<string, string> => readTree(path.join(path.dirname(d), 'ansible'));
    expect(Object.keys(inv(a))).toEqual(['inventories/dev/hosts.yml', 'inventories/prod/hosts.yml', 'inventories/test/hosts.yml']);
    expect(inv(b)).toEqual(inv(a));
    const all = Object.values(ta).join('\n');
    expect(all).not.toContain(REPO);
    expect(all).not.toContain(a);
    expect(all).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });

  test('no secret from the environment reaches the output', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    const all = Object.values(readTree(out)).join('\n');
    for (const v of Object.values(SENTINELS)) expect(all).not.toContain(v);
    expect(all).not.toMatch(/secret_string|"api_key": "(?!\$\{var\.)/);
  });

  test('fails when the configuration is invalid, and leaves the previous output untouched', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    const before = readTree(out);
    const bad = tempConfig({
      'dev.yaml': mustReplace(mustReplace(minimalStageYaml(), 'criticality: low', 'criticality: urgent'), 'region: us-east-1', 'region: nowhere'),
    });
    const c = capture();
    const code = await run(['synth', '--config', bad, '--out', out], c.io);
    expect(code).toBe(1);
    expect(c.err.join('\n')).toBe(
      [
        'invalid stage configuration: 2 problems',
        '  stacks/stages/dev.yaml:2 region: got "nowhere", expected an AWS region such as us-east-1',
        '  stacks/stages/dev.yaml:10 hosts.0.criticality: got "urgent", expected one of "low", "medium", "high", "critical"',
      ].join('\n'),
    );
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['ansible', 'cdktf.out']);
  });

  test('fails when the configuration is invalid, and writes nothing where there was nothing', async () => {
    const dir = tempDir();
    const bad = tempConfig({ 'dev.yaml': 'stage: dev\n' });
    expect(await run(['synth', '--config', bad, '--out', path.join(dir, 'cdktf.out')], capture().io)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('rollout CLI', () => {
  test('validate summarizes each stage', async () => {
    const c = capture();
    expect(await run(['validate', '--config', REPO], c.io)).toBe(0);
    expect(c.out).toEqual([
      'dev: 3 hosts (3 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks dev-infra dev-observability',
      'prod: 38 hosts (0 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks prod-infra prod-observability',
      'test: 6 hosts (0 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks test-infra test-observability',
      'monitoring: 13 monitors, 4 SLOs, 2 dashboards from monitors/payments.yaml, monitors/policy.yaml, monitors/storefront.yaml',
      '  dev: 31 monitors (12 team, 2 burn-rate, 17 rollout), 1 SLO, 2 dashboards',
      '  prod: 41 monitors (13 team, 11 burn-rate, 17 rollout), 4 SLOs, 3 dashboards',
      '  test: 40 monitors (12 team, 11 burn-rate, 17 rollout), 4 SLOs, 3 dashboards',
      'rules: 10 rules (ROLLOUT-M001 to ROLLOUT-M010) pass in 3 stages, 1 suppression',
      expect.stringMatching(/^ {2}suppressed monitors\/payments\.yaml:\d+ ROLLOUT-M001 monitor-api-host-cpu: ".+" \(dev, prod, test\)$/),
      'ok: 3 stages valid',
    ]);
  });

  test('fails when an option is unknown, with exit status 2 and the allowed options', async () => {
    const c = capture();
    expect(await run(['synth', '--conifg', 'x'], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/^rollout synth: Unknown option '--conifg'.*; allowed options: --config VALUE, --out VALUE$/);
  });

  test('fails when the command is unknown', async () => {
    const c = capture();
    expect(await run(['deploy'], c.io)).toBe(2);
    expect(c.err[0]).toBe(`rollout: unknown command "deploy"; commands: ${[...COMMANDS.map((x) => x.name), 'help'].join(', ')}`);
  });

  test('fails when the configuration directory does not exist', async () => {
    const c = capture();
    expect(await run(['validate', '--config', path.join(tempDir(), 'missing')], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/stacks\/stages:1: got no such directory, expected a directory of stage files in /);
  });
});

describe('rollout inventory', () => {
  test('prints a stage inventory, filling managed hosts from Terraform outputs', async () => {
    const dir = tempDir();
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(
      outputs,
      JSON.stringify({ host_addresses: { value: { 'dev-api-01': '10.1.0.1', 'dev-web-01': '10.1.0.2', 'dev-worker-01': '10.1.0.3' } } }),
    );
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('ansible_host: 10.1.0.2');
    expect(c.out.join('\n')).not.toContain('fills them in');
    const out = path.join(dir, 'inv', 'hosts.yml');
    fs.mkdirSync(path.dirname(out));
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs, '--out', out], capture().io)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(`${c.out.join('\n')}`);
  });

  test('fails when the stage is unknown', async () => {
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'qa'], c.io)).toBe(2);
    expect(c.err[0]).toBe('rollout inventory: --stage: got "qa", expected one of dev, prod, test');
  });

  test('fails when the outputs are incomplete, writing nothing', async () => {
    const dir = tempDir();
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(outputs, JSON.stringify({ host_addresses: { value: {} } }));
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs, '--out', path.join(dir, 'hosts.yml')], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^invalid Terraform outputs: 3 problems/);
    expect(fs.readdirSync(dir)).toEqual(['outputs.json']);
  });
});
