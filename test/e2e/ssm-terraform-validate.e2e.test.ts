/**
 * Hermetic `terraform init -backend=false && terraform validate` of the
 * stacks of a stage on the SSM executor (test/fixtures/ssm): its infra stack
 * (associations, bundle object, instance tags) and the bootstrap stack (SSM
 * bucket and its policy, the stage's SSM document, host permissions, deploy role), with hashicorp/aws 5.100.0 from the
 * local filesystem mirror, like terraform-validate.e2e.test.ts.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { synthApp } from '../../cli/synthesize';
import { tempDir } from '../support/fixtures';
import { ssmFixtureConfig } from '../support/ssm-fixture';
import { describeResult, findProviderMirror, terraform, tfEnv, writeCliConfig } from '../support/terraform';

jest.setTimeout(300_000);

describe('terraform validate of a stage on the SSM executor', () => {
  const work = tempDir('rollout-tf-validate-ssm-');
  const out = path.join(work, 'cdktf.out');
  let env: Record<string, string>;
  let stacks: string[];

  beforeAll(() => {
    stacks = synthApp(ssmFixtureConfig(), out).filter((s) => s === 'state' || s.endsWith('-infra'));
    env = tfEnv(writeCliConfig(work, findProviderMirror()));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synthesis writes the bundle where the infra stack points, with the bundle bytes', () => {
    expect(stacks).toEqual(['lab-infra', 'state']);
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'lab-infra', 'cdk.tf.json'), 'utf8')) as {
      resource: { aws_s3_object: Record<string, { source: string; key: string; source_hash: string }> };
    };
    const object = Object.values(stack.resource.aws_s3_object)[0];
    const bytes = fs.readFileSync(path.join(out, 'stacks', 'lab-infra', object.source));
    expect(object.key).toBe(`bundles/${object.source_hash}.zip`);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(object.source_hash);
  });

  test("the infra stack's associations run the document the bootstrap stack creates, by the same name", () => {
    const read = (stack: string): { resource: Record<string, Record<string, { name: string }>> } =>
      JSON.parse(fs.readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { name: string }>> };
    const documents = Object.values(read('state').resource.aws_ssm_document).map((d) => d.name);
    const used = [...new Set(Object.values(read('lab-infra').resource.aws_ssm_association).map((a) => a.name))];
    expect(documents).toEqual(['observability-rollout-lab-apply']);
    expect(used).toEqual(documents);
  });

  test.each(['lab-infra', 'state'])('%s initializes from the mirror and validates', async (stack) => {
    const cwd = path.join(out, 'stacks', stack);
    const init = await terraform(['init', '-backend=false', '-input=false', '-no-color'], { cwd, env, timeoutMs: 180_000 });
    expect({ code: init.code, out: describeResult(init) }).toEqual({ code: 0, out: expect.stringContaining('hashicorp/aws v5.100.0') });
    const validate = await terraform(['validate', '-json', '-no-color'], { cwd, env, timeoutMs: 180_000 });
    const result = JSON.parse(validate.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
    expect(result.diagnostics.map((d) => `${d.severity}: ${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validate.code).toBe(0);
  });
});
