/**
 * The `moved` and `import` blocks of constructs/monitoring/refactor-blocks.ts
 * as real Terraform (1.11, local state, built-in `terraform_data`: no
 * provider) reads them: a resource whose construct id changed twice is moved
 * along the chain, not destroyed and created; an object named by an import
 * block is adopted; and the plan summary says "1 to import, 0 to add".
 */
import { Testing, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { addLineage } from '../../constructs/monitoring/refactor-blocks';
import { parsePlan } from '../../review/plan-summary/terraform-plan';
import { headline, summarizePlan } from '../../review/plan-summary/summary';
import { tempDir } from '../support/fixtures';
import { describeResult, killAllTerraform, terraform, tfEnv, writeCliConfig } from '../support/terraform';

jest.setTimeout(180_000);

type Lineage = { previousKeys?: string[]; importId?: string };

/** A stack like StageMonitoring's: `terraform_data` resources under a `monitoring` scope, by construct id. */
function synth(resources: Record<string, Lineage>): string {
  return Testing.synthScope((stack) => {
    const scope = new Construct(stack, 'monitoring');
    for (const [key, lineage] of Object.entries(resources)) {
      const r = new TerraformResource(scope, key, { terraformResourceType: 'terraform_data' });
      addLineage(r, lineage);
    }
  });
}

describe('moved and import blocks under terraform 1.11', () => {
  const dir = tempDir('rollout-refactor-');
  const env = tfEnv(writeCliConfig(dir));
  const tf = async (...args: string[]): Promise<string> => {
    const r = await terraform(args, { cwd: dir, env });
    if (r.code !== 0) throw new Error(describeResult(r));
    return r.stdout;
  };
  afterAll(async () => {
    await killAllTerraform();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a twice-renamed resource is moved along the chain and an existing object is adopted: 1 to import, 0 to add', async () => {
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), synth({ 'monitor-web-errors': {}, 'monitor-api-slow': {} }));
    await tf('init', '-input=false', '-no-color');
    await tf('apply', '-auto-approve', '-input=false', '-no-color');
    // The second object was made outside Terraform: drop it from state, then adopt it by its id.
    const stateBefore = JSON.parse(await tf('show', '-json')) as { values: { root_module: { resources: Array<{ address: string; values: { id: string } }> } } };
    const slow = stateBefore.values.root_module.resources.find((r) => r.address.includes('monitor-api-slow')) as { address: string; values: { id: string } };
    await tf('state', 'rm', '-no-color', slow.address);

    fs.writeFileSync(
      path.join(dir, 'cdk.tf.json'),
      synth({
        'monitor-web-5xx': { previousKeys: ['monitor-web-errors', 'monitor-web-error-ratio'] },
        'monitor-api-slow': { importId: slow.values.id },
      }),
    );
    const human = await tf('plan', '-input=false', '-no-color', '-out', 'plan.bin');
    expect(human).toMatch(/terraform_data\.monitoring_monitor-web-errors_[0-9A-F]{8} has moved to terraform_data\.monitoring_monitor-web-5xx_[0-9A-F]{8}/);
    const plan = parsePlan(await tf('show', '-json', 'plan.bin'));
    const s = summarizePlan(plan, 'e2e-observability');
    expect(headline(s.terraform)).toBe('1 to import, 0 to add, 0 to change, 0 to destroy');
    expect(human).toContain('Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.');
    const moved = plan.resource_changes.find((r) => r.address.includes('monitor-web-5xx'));
    expect(moved?.previous_address).toMatch(/^terraform_data\.monitoring_monitor-web-errors_[0-9A-F]{8}$/);
    await tf('apply', '-auto-approve', '-input=false', '-no-color', 'plan.bin');
    // Applied: the blocks are no-ops now.
    expect(await tf('plan', '-input=false', '-no-color', '-detailed-exitcode')).toContain('No changes.');
  });
});
