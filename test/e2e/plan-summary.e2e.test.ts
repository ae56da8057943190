/**
 * `rollout plan-summary` on plans produced by the real `terraform plan`, with
 * state in the local S3 / DynamoDB emulators (s3rver + dynalite on
 * 127.0.0.1). The configuration uses only the built-in `terraform_data`
 * resource, so no provider is installed: one apply creates five resources,
 * the next plan updates, replaces (both orders), destroys and creates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { planSummaryCommand } from '../../cli/commands/plan-summary';
import {
  createBucket,
  createLockTable,
  EMULATOR_REGION,
  Emulators,
  getStateDigests,
  listObjectKeys,
  startEmulators,
  emulatorBackendSettings,
} from '../support/emulators';
import { tempDir } from '../support/fixtures';
import { describeResult, killAllTerraform, terraform, TerraformResult, tfEnv, writeCliConfig } from '../support/terraform';

jest.setTimeout(300_000);

const BUCKET = 'plan-summary-e2e-tfstate';
const TABLE = 'plan-summary-e2e-tflock';
const KEY = 'stages/e2e/infra.tfstate';
const SECRETS = ['s3cr3t-value-one', 's3cr3t-value-two'];

type Json = Record<string, unknown>;

function config(emu: Emulators, resources: Json): Json {
  return {
    terraform: {
      backend: {
        s3: {
          bucket: BUCKET,
          key: KEY,
          region: EMULATOR_REGION,
          encrypt: true,
          dynamodb_table: TABLE,
          ...emulatorBackendSettings(emu),
        },
      },
    },
    resource: { terraform_data: resources },
    output: { kept: { value: '${terraform_data.keep.output}' } },
  };
}

const V1: Json = {
  keep: { input: 'a' },
  replace_me: { input: 'same', triggers_replace: ['v1'] },
  replace_cbd: { input: 'same', triggers_replace: ['v1'], lifecycle: { create_before_destroy: true } },
  doomed: { input: 'bye' },
  secret: { input: `\${sensitive("${SECRETS[0]}")}` },
};
const V2: Json = {
  keep: { input: 'b' },
  replace_me: { input: 'same', triggers_replace: ['v2'] },
  replace_cbd: { input: 'same', triggers_replace: ['v2'], lifecycle: { create_before_destroy: true } },
  created: { input: 'hello' },
  secret: { input: `\${sensitive("${SECRETS[1]}")}` },
};

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[] } {
  const out: string[] = [];
  return { io: { out: (t) => out.push(t), err: () => undefined }, out };
}

describe('plan-summary of real terraform plans (state on s3rver + dynalite)', () => {
  let emu: Emulators;
  let work = '';
  let env: Record<string, string> = {};
  const tf = async (args: string[]): Promise<TerraformResult> => {
    const r = await terraform([...args, '-no-color'], { cwd: work, env, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} failed: ${describeResult(r)}`);
    return r;
  };
  const writeConfig = (resources: Json): void => fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(config(emu, resources), null, 2));
  /** terraform plan -out + terraform show -json; returns the JSON plan's path. */
  const planJson = async (name: string): Promise<string> => {
    await tf(['plan', '-input=false', `-out=${name}.tfplan`]);
    const show = await tf(['show', '-json', `${name}.tfplan`]);
    const file = path.join(work, `${name}.json`);
    fs.writeFileSync(file, show.stdout);
    return file;
  };
  const summary = (file: string): string => {
    const c = capture();
    expect(planSummaryCommand.run([file], c.io)).toBe(0);
    return c.out.join('');
  };

  beforeAll(async () => {
    emu = await startEmulators();
    await createBucket(emu.s3Endpoint, BUCKET);
    await createLockTable(emu.dynamoEndpoint, TABLE);
    work = tempDir('rollout-plan-e2e-');
    env = tfEnv(writeCliConfig(work)); // terraform_data is built in: no provider, no mirror needed
    writeConfig(V1);
    await tf(['init', '-input=false']);
    await tf(['apply', '-input=false', '-auto-approve']);
  });

  afterAll(async () => {
    await killAllTerraform();
    await emu?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the first apply kept its state in the emulated bucket, with the lock table digest', async () => {
    expect(await listObjectKeys(emu.s3Endpoint, BUCKET)).toEqual([KEY]);
    expect(Object.keys(await getStateDigests(emu.dynamoEndpoint, TABLE))).toEqual([`${BUCKET}/${KEY}-md5`]);
  });

  test('update, replacement (both orders), destroy and create: counts, replacements and destroys first, the rest collapsed', async () => {
    writeConfig(V2);
    const file = await planJson('v2');
    const md = summary(file);
    expect(md.split('\n').slice(0, 3)).toEqual(['### Terraform plan: v2', '', '**Plan: 1 to add, 2 to change, 2 to replace, 1 to destroy.**']);
    expect(md).toContain('| replace | 2 |\n| destroy | 1 |\n| create | 1 |\n| update in place | 2 |');
    expect(md).toContain(
      [
        '**Replaced** (destroyed and re-created):',
        '- `terraform_data.replace_cbd`: forced by `triggers_replace` (create, then delete)',
        '- `terraform_data.replace_me`: forced by `triggers_replace` (delete, then create)',
        '',
        '**Destroyed**:',
        '- `terraform_data.doomed`: removed from the configuration',
        '',
        '<details><summary>4 more: 1 create, 2 update, 1 output</summary>',
        '',
        '- create `terraform_data.created`',
        '- update `terraform_data.keep`: `input`, `output` (known after apply)',
        '- update `terraform_data.secret`: `input`, `output` (known after apply)',
        '- output `kept`: update',
        '',
        '</details>',
      ].join('\n'),
    );
    // What terraform planned, action by action.
    const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource_changes: Array<{ change: { actions: string[] } }> };
    expect(plan.resource_changes.map((r) => r.change.actions.join('+')).sort()).toEqual([
      'create',
      'create+delete',
      'delete',
      'delete+create',
      'update',
      'update',
    ]);
  });

  test('no value from the plan reaches the summary, sensitive ones included', async () => {
    const file = path.join(work, 'v2.json');
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).toContain(SECRETS[0]); // the plan itself carries it (prior state)...
    const md = summary(file);
    for (const s of [...SECRETS, 'hello', 'bye']) expect(md).not.toContain(s); // ...the summary never does
  });

  test('after applying, a new plan has no changes', async () => {
    await tf(['apply', '-input=false', '-auto-approve']);
    expect(summary(await planJson('after'))).toBe('### Terraform plan: after\n\n**No changes.** The infrastructure matches the configuration.\n');
  });
});
