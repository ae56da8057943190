/**
 * Hermetic `terraform init -backend=false && terraform validate` of every
 * synthesized AWS-only stack, with hashicorp/aws 5.100.0 taken from a local
 * filesystem mirror (TF_PLUGIN_MIRROR, or discovered). No network, no credentials.
 */
import * as fs from 'fs';
import * as path from 'path';
import { synthApp } from '../../cli/synthesize';
import { exampleConfig, tempDir } from '../support/fixtures';
import { describeResult, findProviderMirror, terraform, tfEnv, writeCliConfig } from '../support/terraform';

jest.setTimeout(300_000);

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
}

describe('terraform validate of the synthesized AWS stacks', () => {
  const work = tempDir('rollout-tf-validate-');
  const out = path.join(work, 'cdktf.out');
  let env: Record<string, string>;
  let stacks: string[];

  beforeAll(() => {
    stacks = synthApp(exampleConfig(), out).filter((s) => s === 'state' || s.endsWith('-infra'));
    env = tfEnv(writeCliConfig(work, findProviderMirror()));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the AWS-only stacks are state and one infra stack per stage', () => {
    expect(stacks).toEqual(['dev-infra', 'prod-infra', 'state', 'test-infra']);
  });

  test.each(['state', 'dev-infra', 'test-infra', 'prod-infra'])('%s initializes from the mirror and validates', async (stack) => {
    const cwd = path.join(out, 'stacks', stack);
    const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], { cwd, env, timeoutMs: 180_000 });
    expect({ code: init.code, out: describeResult(init) }).toEqual({ code: 0, out: expect.stringContaining('hashicorp/aws v5.100.0') });
    const lock = fs.readFileSync(path.join(cwd, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain('provider "registry.terraform.io/hashicorp/aws"');
    expect(lock).toContain('version     = "5.100.0"');

    const validate = await terraform(['validate', '-json', '-no-color'], { cwd, env, timeoutMs: 180_000 });
    const result = JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: Diagnostic[] };
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`);
    expect(errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validate.code).toBe(0);
    const warnings = result.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.summary);
    expect(warnings).toEqual([]);
  });
});
