/**
 * The generated `aws_ec2.yml` of a stage on the SSM executor, read by the real
 * amazon.aws.aws_ec2 plugin (ansible-inventory, this repo's ansible.cfg)
 * against a fake of EC2's DescribeInstances on 127.0.0.1
 * (test/support/fake-ec2.ts): instances of the stage in all three batches,
 * tagged the way the infra stack tags them (plan/ssm/ssm-plan.ts), plus a
 * stopped instance of the stage and a running one of another stage that must
 * not appear. The stage group's graph equals the static inventory's (with the
 * same addresses, as `rollout inventory --outputs` would fill them in), and
 * both sources together give EC2's addresses with the stage file's variables.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { renderEc2Inventory } from '../../inventory/ec2-inventory';
import { renderInventory } from '../../inventory/stage-inventory';
import { planSsmExecutor } from '../../plan/ssm/ssm-plan';
import { ec2Redirect, FakeEc2, FakeInstance, startFakeEc2 } from '../support/fake-ec2';
import { REPO, tempDir } from '../support/fixtures';
import { ssmFixtureConfig } from '../support/ssm-fixture';

jest.setTimeout(180_000);

const lab = ssmFixtureConfig().stages[0];
const plan = planSsmExecutor(lab, { key: 'bundles/x.zip' });
/** Every lab host as EC2 knows it: the stage file's instance id or a made-up one for managed hosts, an address of its own. */
const instances: FakeInstance[] = plan.hostTags.map((h, i) => ({
  instanceId: h.instanceId ?? `i-0bbbbbbbbbbbb000${i}`,
  state: 'running',
  privateIpAddress: `10.20.1.${i + 10}`,
  tags: { ...h.tags, Name: h.host, stage: 'lab' },
}));
const strays: FakeInstance[] = [
  { instanceId: 'i-0ccccccccccccc001', state: 'stopped', privateIpAddress: '10.20.1.99', tags: { 'rollout-batch': 'lab-2', 'rollout-host': 'lab-old-01' } },
  { instanceId: 'i-0ccccccccccccc002', state: 'running', privateIpAddress: '10.30.1.10', tags: { 'rollout-batch': 'prod-1', 'rollout-host': 'prod-web-01' } },
];

/** Run a command without blocking the event loop (the fake answers in this process). */
function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd, encoding: 'utf8', timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) || 1 : 0, stdout, stderr });
    });
  });
}

/**
 * `ansible-inventory --graph` output as group -> sorted members (`@group` or host): the
 * plugin adds groups in the order EC2 answers, the static file in batch order.
 */
function graphTree(graph: string): Record<string, string[]> {
  const tree: Record<string, string[]> = {};
  const stack: string[] = [];
  for (const line of graph.split('\n').filter((l) => l.trim().length > 0)) {
    const depth = line.includes('|--') ? (line.indexOf('|--') + 1) / 3 : 0;
    const name = (line.includes('|--') ? line.slice(line.indexOf('|--') + 3) : line.trim()).replace(/:$/, '');
    stack.length = depth;
    if (depth > 0) (tree[stack[depth - 1]] ??= []).push(name);
    stack.push(name);
  }
  for (const members of Object.values(tree)) members.sort();
  return tree;
}

describe('the EC2 inventory source against a fake DescribeInstances', () => {
  const work = tempDir('rollout-ec2-inv-');
  const inventories = path.join(work, 'inventories', 'lab');
  let fake: FakeEc2;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = await startFakeEc2([...instances, ...strays]);
    fs.mkdirSync(inventories, { recursive: true });
    const addresses = Object.fromEntries(plan.hostTags.map((h, i) => [h.host, instances[i].privateIpAddress]));
    fs.writeFileSync(path.join(inventories, 'hosts.yml'), renderInventory(lab, addresses));
    fs.writeFileSync(path.join(inventories, 'aws_ec2.yml'), renderEc2Inventory(lab));
    env = {
      ...process.env,
      ANSIBLE_CONFIG: path.join(REPO, 'ansible', 'ansible.cfg'),
      ANSIBLE_NOCOLOR: '1',
      AWS_DATA_PATH: ec2Redirect(path.join(work, 'botocore-data'), fake.url),
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-the-local-fake',
      AWS_CONFIG_FILE: path.join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'),
    };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
  });
  afterAll(async () => {
    await fake.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const inventory = (...args: string[]) => runAsync('ansible-inventory', args, env, work);

  test('the plugin asks EC2 for the stage batch tags and running instances only', async () => {
    const res = await inventory('-i', 'inventories/lab/aws_ec2.yml', '--list');
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('Failed to parse') });
    const request = fake.requests[fake.requests.length - 1];
    expect(Object.fromEntries(request.entries())).toEqual({
      Action: 'DescribeInstances',
      Version: '2016-11-15',
      'Filter.1.Name': 'tag:rollout-batch',
      'Filter.1.Value.1': 'lab-1',
      'Filter.1.Value.2': 'lab-2',
      'Filter.1.Value.3': 'lab-3',
      'Filter.2.Name': 'instance-state-name',
      'Filter.2.Value.1': 'running',
    });
  });

  test('the stage graph from EC2 tags equals the static inventory graph: same groups, same hosts', async () => {
    const fromEc2 = await inventory('-i', 'inventories/lab/aws_ec2.yml', '--graph', 'lab');
    const fromFile = await inventory('-i', 'inventories/lab/hosts.yml', '--graph', 'lab');
    expect(fromEc2.code).toBe(0);
    expect(fromFile.code).toBe(0);
    expect(graphTree(fromEc2.stdout)).toEqual(graphTree(fromFile.stdout));
    const tree = graphTree(fromFile.stdout);
    expect(Object.keys(tree).sort()).toEqual(['@batch_1', '@batch_2', '@batch_3', '@lab']);
    expect(
      Object.values(tree)
        .flat()
        .filter((m) => !m.startsWith('@'))
        .sort(),
    ).toEqual(plan.hostTags.map((h) => h.host).sort());
    for (const batch of [1, 2, 3]) expect(fromEc2.stdout).toContain(`@batch_${batch}:`);
    expect(fromEc2.stdout).not.toContain('lab-old-01');
    expect(fromEc2.stdout).not.toContain('prod-web-01');
  });

  test('every host gets its private address from EC2; with both sources the stage file variables come along', async () => {
    const fromEc2 = JSON.parse((await inventory('-i', 'inventories/lab/aws_ec2.yml', '--list')).stdout) as {
      _meta: { hostvars: Record<string, Record<string, unknown>> };
    };
    const expected = Object.fromEntries(plan.hostTags.map((h, i) => [h.host, instances[i].privateIpAddress]));
    const got = Object.fromEntries(Object.entries(fromEc2._meta.hostvars).map(([host, vars]) => [host, vars.ansible_host]));
    expect(got).toEqual(expected);
    const both = JSON.parse((await inventory('-i', 'inventories/lab/hosts.yml', '-i', 'inventories/lab/aws_ec2.yml', '--list')).stdout) as {
      _meta: { hostvars: Record<string, Record<string, unknown>> };
    };
    for (const h of plan.hostTags) {
      expect(both._meta.hostvars[h.host]).toMatchObject({
        ansible_host: expected[h.host],
        rollout_stage: 'lab',
        rollout_batch: h.batch,
        datadog_agent_version: lab.agent.version,
      });
    }
  });
});
