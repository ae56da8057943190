/**
 * `rollout plan-summary` on plans produced by the real `terraform plan -out`
 * and `terraform show -json`.
 *
 * 1. State in the local S3 / DynamoDB emulators (s3rver + dynalite on
 *    127.0.0.1), built-in `terraform_data` resources (no provider): one apply
 *    creates five resources, the next plan updates, replaces (both orders),
 *    destroys, creates and reads a data source during apply. The headline
 *    must equal Terraform's own `Plan:` line; an errored and a `-target` plan
 *    exit 1 naming what they left out; joined with `rollout diff` of the two
 *    configurations, the summary says where the diff's prediction of a
 *    replacement and the plan disagree.
 * 2. hashicorp/aws 5.100.0 from the local provider mirror (discovered by
 *    test/support/terraform.ts), offline: the state is built from the plan of
 *    the base configuration, so the plan of the head is Terraform's real
 *    verdict, attribute by attribute, of update in place or replacement, and
 *    the diff must predict the same for every resource type we synthesize,
 *    with the same risk classes as the plan summary.
 */
import * as fs from 'fs';
import * as path from 'path';
import { planSummaryCommand } from '../../cli/commands/plan-summary';
import { renderJson } from '../../review/diff/change-report';
import { diffTrees } from '../../review/diff/diff';
import { diffStack, stateStorageOf } from '../../review/diff/stack-diff';
import { parsePlan } from '../../review/plan-summary/terraform-plan';
import { summarizePlan } from '../../review/plan-summary/summary';
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
import { describeResult, findProviderMirror, killAllTerraform, terraform, TerraformResult, tfEnv, writeCliConfig } from '../support/terraform';

jest.setTimeout(300_000);

const BUCKET = 'plan-summary-e2e-tfstate';
const TABLE = 'plan-summary-e2e-tflock';
const KEY = 'stages/e2e/infra.tfstate';
const SECRETS = ['s3cr3t-value-one', 's3cr3t-value-two'];
/** The plans are titled and judged as this stack's. */
const STACK = 'e2e-infra';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function config(emu: Emulators, resources: Json, data: Json = {}): Json {
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
    ...(Object.keys(data).length > 0 ? { data } : {}),
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
/** Read during apply: it depends on a resource with a pending change. */
const DEFERRED_READ: Json = {
  terraform_remote_state: { deferred: { backend: 'local', config: { path: 'deferred.tfstate' }, depends_on: ['terraform_data.keep'] } },
};

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

/** Terraform's own `Plan: ...` line from `terraform plan` output. */
function terraformHeadline(stdout: string): string {
  const m = /^Plan: (.*)$/m.exec(stdout);
  if (!m) throw new Error(`no Plan: line in\n${stdout}`);
  return m[1];
}

describe('plan-summary of real terraform plans (state on s3rver + dynalite)', () => {
  let emu: Emulators;
  let work = '';
  let env: Record<string, string> = {};
  const tf = async (args: string[], allowFailure = false): Promise<TerraformResult> => {
    const r = await terraform([...args, '-no-color'], { cwd: work, env, timeoutMs: 120_000 });
    if (r.code !== 0 && !allowFailure) throw new Error(`terraform ${args.join(' ')} failed: ${describeResult(r)}`);
    return r;
  };
  const writeConfig = (resources: Json, data: Json = {}): Json => {
    const c = config(emu, resources, data);
    fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(c, null, 2));
    return c;
  };
  /** terraform plan -out (extra flags allowed, failure allowed) + terraform show -json; the JSON plan's path (named as the stack) and plan's stdout. */
  const planJson = async (name: string, flags: string[] = [], allowFailure = false): Promise<{ file: string; plan: TerraformResult }> => {
    const plan = await tf(['plan', '-input=false', `-out=${name}.tfplan`, ...flags], allowFailure);
    const show = await tf(['show', '-json', `${name}.tfplan`]);
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${STACK}.json`);
    fs.writeFileSync(file, show.stdout);
    return { file, plan };
  };
  const summary = (args: string[], expected = 0): { md: string; err: string[] } => {
    const c = capture();
    expect(planSummaryCommand.run(args, c.io)).toBe(expected);
    return { md: c.out.join(''), err: c.err };
  };

  beforeAll(async () => {
    emu = await startEmulators();
    await createBucket(emu.s3Endpoint, BUCKET);
    await createLockTable(emu.dynamoEndpoint, TABLE);
    work = tempDir('rollout-plan-e2e-');
    env = tfEnv(writeCliConfig(work)); // terraform_data is built in: no provider, no mirror needed
    fs.writeFileSync(
      path.join(work, 'deferred.tfstate'),
      JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-0000-0000-000000000000', outputs: {}, resources: [] }),
    );
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

  test("headline counts equal Terraform's own (replacements counted as Terraform counts them, the data read left out), risky changes first, the full plan collapsed", async () => {
    writeConfig(V2, DEFERRED_READ);
    const { file, plan } = await planJson('v2');
    const { md } = summary([file]);
    const theirs = terraformHeadline(plan.stdout);
    expect(theirs).toBe('3 to add, 2 to change, 3 to destroy.');
    expect(md.split('\n').slice(0, 3)).toEqual([
      `### Terraform plan: ${STACK}`,
      '',
      `**Plan: ${theirs}** 2 replacements (each counted once to add and once to destroy, as Terraform counts); 1 data source read during apply, not counted. Highest risk: medium.`,
    ]);
    expect(md).toContain(
      [
        '**Replacements, destroys and changes above low risk** (highest risk first):',
        '- medium replace `terraform_data.replace_cbd`: forced by `triggers_replace` (create, then delete)',
        '- medium replace `terraform_data.replace_me`: forced by `triggers_replace` (delete, then create)',
        '- medium destroy `terraform_data.doomed`: removed from the configuration',
        '- medium create `terraform_data.created`',
        '- medium update `terraform_data.keep`: `input`, `output` (known after apply)',
        '- medium update `terraform_data.secret`: `input`, `output` (known after apply)',
        '',
        '<details><summary>Full plan: 8 changes (2 replace, 1 delete, 1 create, 2 update, 1 read, 1 output)</summary>',
      ].join('\n'),
    );
    expect(md).toContain('| read during apply | 1 |');
    expect(md).toContain('- low read `data.terraform_remote_state.deferred`');
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
    // What terraform planned, action by action.
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource_changes: Array<{ change: { actions: string[] } }> };
    expect(json.resource_changes.map((r) => r.change.actions.join('+')).sort()).toEqual([
      'create',
      'create+delete',
      'delete',
      'delete+create',
      'read',
      'update',
      'update',
    ]);
  });

  test('no value from the plan reaches the summary, sensitive ones included', async () => {
    const file = path.join(work, 'v2', `${STACK}.json`);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).toContain(SECRETS[0]); // the plan itself carries it (prior state)...
    const { md } = summary([file]);
    for (const s of [...SECRETS, 'hello', 'bye']) expect(md).not.toContain(s); // ...the summary never does
  });

  test('after applying, a new plan has no changes', async () => {
    await tf(['apply', '-input=false', '-auto-approve']);
    const { file, plan } = await planJson('after');
    expect(plan.stdout).toContain('No changes.');
    expect(summary([file]).md).toBe(`### Terraform plan: ${STACK}\n\n**No changes.** The infrastructure matches the configuration.\n`);
  });

  test('joined with the diff: where the diff predicted a replacement and the plan disagrees (and the other way round), the summary says so', async () => {
    const base = config(emu, V2, DEFERRED_READ);
    // replace_me: the trigger is rewritten to an expression of the same value (the diff sees a changed trigger, Terraform no change);
    // keep: an input change the diff calls an update, planned with -replace (Terraform replaces it).
    const v3 = { ...V2, replace_me: { ...V2.replace_me, triggers_replace: ['${lower("V2")}'] }, keep: { input: 'c' } };
    const head = writeConfig(v3, DEFERRED_READ);
    const report = path.join(work, 'review.json');
    fs.writeFileSync(
      report,
      renderJson(diffTrees({ stacks: { [STACK]: base }, inventories: {} }, { stacks: { [STACK]: head }, inventories: {} }), { base: 'v2', head: 'v3' }),
    );
    const predicted = (JSON.parse(fs.readFileSync(report, 'utf8')) as { changes: Array<{ subject: string; kind: string }> }).changes;
    expect(predicted.filter((c) => c.subject.startsWith('resource.')).map((c) => [c.subject, c.kind])).toEqual([
      ['resource.terraform_data.keep', 'changed'],
      ['resource.terraform_data.replace_me', 'replaced'],
    ]);
    const { file, plan } = await planJson('v3', ['-replace=terraform_data.keep']);
    expect(terraformHeadline(plan.stdout)).toBe('1 to add, 0 to change, 1 to destroy.');
    const { md } = summary([file, '--diff', report]);
    expect(md).toContain(
      [
        '**The diff and the plan disagree** (what `rollout diff` predicted for this stack, and what Terraform will do):',
        '- `terraform_data.keep`: the diff predicted an in-place update; Terraform replaces it',
        '- `terraform_data.replace_me`: the diff predicted a replacement (forced by triggers_replace); the plan has no change for it (already applied, or the same value at apply time)',
      ].join('\n'),
    );
    expect(md).toContain('- medium replace `terraform_data.keep`: requested with -replace (delete, then create)');
  });

  test('fails when the plan errored: exit 1, the partial summary, and what was not planned named', async () => {
    writeConfig({
      ...V2,
      guarded: { input: 'y', lifecycle: { precondition: [{ condition: '${terraform_data.keep.input == "never"}', error_message: 'the guard holds' }] } },
    });
    const { file, plan } = await planJson('errored', [], true);
    expect(plan.code).toBe(1);
    expect(plan.stderr + plan.stdout).toContain('the guard holds');
    const { md, err } = summary([file], 1);
    expect(md).toContain('**The plan did not complete** (Terraform stopped on an error)');
    expect(md).toContain('Not planned: `terraform_data.guarded`.');
    expect(err).toEqual([`rollout plan-summary: ${file}: the plan did not complete (Terraform stopped on an error); not planned: terraform_data.guarded`]);
  });

  test('fails when the plan is partial (-target): exit 1 naming the resources it left out', async () => {
    writeConfig({ ...V2, keep: { input: 'd' }, created: { input: 'hello again' } });
    const { file } = await planJson('partial', ['-target=terraform_data.keep']);
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { complete: boolean }).complete).toBe(false);
    const { md, err } = summary([file], 1);
    expect(md).toContain('**The plan is partial** (it covers part of the configuration, e.g. `-target`)');
    expect(err[0]).toMatch(/the plan is partial \(complete: false, e\.g\. -target\); not planned: .*terraform_data\.created/);
  });
});

/** A provider schema's empty value for a type (what an unknown computed attribute is in the state we build). */
function empty(type: unknown): unknown {
  if (Array.isArray(type)) return type[0] === 'list' || type[0] === 'set' ? [] : type[0] === 'map' ? {} : null;
  return type === 'string' ? '' : type === 'bool' ? false : type === 'number' ? 0 : null;
}

interface SchemaBlock {
  attributes?: Record<string, { type: unknown; computed?: boolean }>;
  block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}

/** Fill what the plan left unknown with empty values, so the next plan sees a settled object (as after a real apply). */
function settle(values: Json, unknown: Json, block: SchemaBlock): void {
  for (const [name, a] of Object.entries(block.attributes ?? {})) {
    if ((values[name] === undefined || values[name] === null) && a.computed && (unknown[name] === true || !(name in values))) values[name] = empty(a.type);
  }
  for (const [name, b] of Object.entries(block.block_types ?? {})) {
    if (values[name] === undefined || values[name] === null) values[name] = b.nesting_mode === 'list' || b.nesting_mode === 'set' ? [] : null;
    else if (Array.isArray(values[name]) && Array.isArray(unknown[name])) {
      (values[name] as Json[]).forEach((v, i) => settle(v, (unknown[name] as Json[])[i] ?? {}, b.block));
    }
  }
}

describe('in place or replaced: the diff predicts what hashicorp/aws plans (offline, state built from the base plan)', () => {
  const work = tempDir('rollout-plan-aws-');
  let env: Record<string, string> = {};
  beforeAll(() => {
    env = tfEnv(writeCliConfig(work, findProviderMirror()));
  });
  const tf = async (args: string[]): Promise<TerraformResult> => {
    const r = await terraform([...args, '-no-color'], { cwd: work, env, timeoutMs: 180_000 });
    if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} failed: ${describeResult(r)}`);
    return r;
  };
  const instance = (name: string): Json => ({
    ami: 'ami-0123456789abcdef0',
    instance_type: 't3.small',
    subnet_id: 'subnet-0a11de5e0001d001',
    root_block_device: { volume_size: 20, encrypted: true },
    tags: { Name: name, team: 'storefront' },
  });
  const role = (name: string): Json => ({ name, assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }), description: 'agent' });
  const table = (name: string): Json => ({
    name,
    hash_key: 'LockID',
    billing_mode: 'PAY_PER_REQUEST',
    attribute: [{ name: 'LockID', type: 'S' }],
    point_in_time_recovery: { enabled: true },
  });
  const rule = (): Json => ({ security_group_id: 'sg-0123456789abcdef0', cidr_ipv4: '10.0.0.0/8', ip_protocol: 'tcp', from_port: 443, to_port: 443 });
  const BASE: Json = {
    terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
    provider: {
      aws: [
        {
          region: 'us-east-1',
          access_key: 'offline',
          secret_key: 'offline',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
        },
      ],
    },
    resource: {
      aws_instance: {
        web_type: instance('dev-web-01'),
        web_subnet: instance('dev-web-02'),
        web_disk: instance('dev-web-03'),
        web_tags: instance('dev-web-04'),
      },
      aws_security_group: {
        sg_description: { name: 'g1', description: 'egress', vpc_id: 'vpc-0a11de5e0000d001' },
        sg_tags: { name: 'g2', description: 'egress', vpc_id: 'vpc-0a11de5e0000d001', tags: { a: '1' } },
      },
      aws_vpc_security_group_egress_rule: { rule_cidr: rule(), rule_group: rule() },
      aws_iam_role: { role_description: role('observability-rollout-dev-a'), role_name: role('observability-rollout-dev-b') },
      aws_dynamodb_table: { table_pitr: table('lock-a'), table_hash: table('lock-b') },
      aws_s3_bucket: { bucket_tags: { bucket: 'acme-e2e-a', tags: { a: '1' } }, bucket_name: { bucket: 'acme-e2e-b' } },
      aws_secretsmanager_secret: { secret_description: { name: 'e2e-a', description: 'x' }, secret_name: { name: 'e2e-b' } },
    },
  };
  const head = JSON.parse(JSON.stringify(BASE)) as Json;
  const r = head.resource;
  r.aws_instance.web_type.instance_type = 't3.large';
  r.aws_instance.web_subnet.subnet_id = 'subnet-0a11de5e0002d001';
  r.aws_instance.web_disk.root_block_device.volume_size = 40;
  r.aws_instance.web_tags.tags.team = 'payments';
  r.aws_security_group.sg_description.description = 'egress to Datadog';
  r.aws_security_group.sg_tags.tags = { a: '2' };
  r.aws_vpc_security_group_egress_rule.rule_cidr.cidr_ipv4 = '0.0.0.0/0';
  r.aws_vpc_security_group_egress_rule.rule_group.security_group_id = 'sg-0fedcba9876543210';
  r.aws_iam_role.role_description.description = 'the agent';
  r.aws_iam_role.role_name.name = 'observability-rollout-dev-c';
  r.aws_dynamodb_table.table_pitr.point_in_time_recovery.enabled = false;
  r.aws_dynamodb_table.table_hash.hash_key = 'Id';
  r.aws_dynamodb_table.table_hash.attribute = [{ name: 'Id', type: 'S' }];
  r.aws_s3_bucket.bucket_tags.tags = { a: '2' };
  r.aws_s3_bucket.bucket_name.bucket = 'acme-e2e-c';
  r.aws_secretsmanager_secret.secret_description.description = 'y';
  r.aws_secretsmanager_secret.secret_name.name = 'e2e-c';

  afterAll(async () => {
    await killAllTerraform();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('every attribute change Terraform applies in place is a change in the diff, every forced replacement a replacement, with the same risk classes', async () => {
    fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(BASE, null, 2));
    await tf(['init', '-input=false', '-backend=false']);
    await tf(['plan', '-input=false', '-refresh=false', '-out=base.tfplan']);
    const basePlan = JSON.parse((await tf(['show', '-json', 'base.tfplan'])).stdout) as Json;
    const schemas = (JSON.parse((await tf(['providers', 'schema', '-json'])).stdout) as Json).provider_schemas['registry.terraform.io/hashicorp/aws']
      .resource_schemas as Record<string, { version: number; block: SchemaBlock }>;
    const unknown = new Map<string, Json>((basePlan.resource_changes as Json[]).map((c) => [c.address as string, c.change.after_unknown as Json]));
    const resources = (basePlan.planned_values.root_module.resources as Json[]).map((res) => {
      const attributes = { ...(res.values as Json), id: `offline-${res.name as string}` };
      settle(attributes, unknown.get(res.address as string) ?? {}, schemas[res.type as string].block);
      return {
        mode: 'managed',
        type: res.type,
        name: res.name,
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [{ schema_version: schemas[res.type as string].version, attributes }],
      };
    });
    const state = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-0000-0000-000000000001', outputs: {}, resources };
    fs.writeFileSync(path.join(work, 'terraform.tfstate'), JSON.stringify(state));
    // The state is settled: the base configuration plans no change.
    expect((await tf(['plan', '-input=false', '-refresh=false', '-detailed-exitcode'])).stdout).toContain('No changes.');

    fs.writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify(head, null, 2));
    await tf(['plan', '-input=false', '-refresh=false', '-out=head.tfplan']);
    const planText = (await tf(['show', '-json', 'head.tfplan'])).stdout;
    const plan = JSON.parse(planText) as { resource_changes: Array<{ address: string; change: { actions: string[] } }> };
    const terraformSays = Object.fromEntries(plan.resource_changes.map((c) => [c.address, c.change.actions.join('+') === 'update' ? 'changed' : 'replaced']));
    const changes = diffStack('dev', 'dev-infra', BASE, head, stateStorageOf([BASE, head])).filter((c) => c.subject.startsWith('resource.'));
    const diffSays = Object.fromEntries(changes.map((c) => [c.subject.slice('resource.'.length), c.kind]));
    expect(diffSays).toEqual(terraformSays);
    // Some of each, so the comparison means something.
    expect(Object.values(terraformSays).filter((k) => k === 'changed').length).toBeGreaterThanOrEqual(8);
    expect(Object.values(terraformSays).filter((k) => k === 'replaced').length).toBeGreaterThanOrEqual(7);
    // The plan summary names and judges each resource as the diff does.
    const summary = summarizePlan(parsePlan(planText), 'dev-infra');
    const judged = Object.fromEntries(summary.items.map((i) => [i.address, [i.label, i.risk]]));
    expect(judged).toEqual(Object.fromEntries(changes.map((c) => [c.subject.slice('resource.'.length), [c.label, c.risk]])));
  });
});
