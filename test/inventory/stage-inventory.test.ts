import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ConfigError } from '../../model/errors';
import { addressesFromOutputs } from '../../inventory/terraform-outputs';
import type { Stage } from '../../model/stage';
import { splitIntoBatches } from '../../model/batches';
import { inventoryObject, inventoryPath, renderInventory } from '../../inventory/stage-inventory';
import { emitYaml } from '../../inventory/yaml-emit';
import { exampleConfig, exampleStage, REPO } from '../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('inventory', () => {
  test.each(['dev', 'test', 'prod'])('the committed %s inventory is what synth produces', (stage) => {
    const committed = fs.readFileSync(path.join(REPO, inventoryPath(stage)), 'utf8');
    expect(committed).toBe(renderInventory(exampleStage(stage)));
  });

  test('groups the stage and its three batches, with the agent settings as stage vars', () => {
    const inv = parse(renderInventory(exampleStage('test'))) as Json;
    const stage = inv.all.children.test;
    expect(Object.keys(stage.children)).toEqual(['batch_1', 'batch_2', 'batch_3']);
    expect(stage.vars).toEqual(
      expect.objectContaining({
        datadog_agent_version: '7.72.0',
        datadog_site: 'us5.datadoghq.com',
        datadog_agent_allow_downgrade: false,
        datadog_api_key_secret_id: 'observability-rollout/test/datadog-api-key',
        rollout_stage: 'test',
        rollout_batch_count: 3,
        rollout_max_failed_hosts_percent: 1,
        rollout_soak_hours: [48, 48, 72],
      }),
    );
    expect(stage.vars).not.toHaveProperty('datadog_api_key');
    for (const n of [1, 2, 3]) {
      const batch = stage.children[`batch_${n}`];
      expect(batch.vars.rollout_batch).toBe(n);
      expect(Object.keys(batch.hosts)).toHaveLength(2);
      for (const [name, vars] of Object.entries(batch.hosts) as Array<[string, Json]>) {
        const h = exampleStage('test').hosts.find((x) => x.name === name)!;
        expect(vars.ansible_host).toBe(h.address);
        expect(vars.datadog_tags).toEqual(expect.arrayContaining([`env:test`, `service:${h.service}`, `team:${h.team}`, `rollout_batch:${n}`]));
      }
    }
    expect(Object.keys(stage.children.batch_3.hosts)).toContain('test-db-proxy-01');
  });

  test('an egress proxy reaches the role as datadog_proxy_url; without one the variable is absent', () => {
    const dev = exampleStage('dev');
    const vars = (stage: Stage): Record<string, unknown> =>
      (parse(renderInventory(stage)) as { all: { children: Record<string, { vars: Record<string, unknown> }> } }).all.children.dev.vars;
    expect(vars(dev)).not.toHaveProperty('datadog_proxy_url');
    const proxied: Stage = { ...dev, network: { ...dev.network, egressProxy: { url: 'http://proxy.internal:3128', port: 3128, cidrs: ['10.0.9.10/32'] } } };
    expect(vars(proxied).datadog_proxy_url).toBe('http://proxy.internal:3128');
  });

  test('prod puts every critical host in the last batch', () => {
    const inv = parse(renderInventory(exampleStage('prod'))) as Json;
    const batches = inv.all.children.prod.children;
    const crit = exampleStage('prod')
      .hosts.filter((h) => h.criticality === 'critical')
      .map((h) => h.name);
    expect(Object.keys(batches.batch_3.hosts)).toEqual(expect.arrayContaining(crit));
    expect(Object.keys(batches.batch_1.hosts).map((n) => exampleStage('prod').hosts.find((h) => h.name === n)!.criticality)).not.toContain('high');
  });

  test('no secret-looking value appears in any inventory', () => {
    for (const st of exampleConfig().stages) {
      const text = renderInventory(st);
      expect(text).not.toMatch(/api_key:|app_key:|[0-9a-f]{32}/);
    }
  });

  test('managed hosts take their addresses from Terraform outputs', () => {
    const dev = exampleStage('dev');
    const tfOutput = JSON.stringify({
      host_addresses: { sensitive: false, type: ['object', {}], value: { 'dev-api-01': '10.20.1.5', 'dev-web-01': '10.20.1.6', 'dev-worker-01': '10.20.2.7' } },
    });
    const addrs = addressesFromOutputs(dev, 'outputs.json', tfOutput);
    const inv = parse(renderInventory(dev, addrs)) as Json;
    const all = Object.assign({}, ...Object.values(inv.all.children.dev.children).map((b) => (b as Json).hosts));
    expect(all['dev-web-01'].ansible_host).toBe('10.20.1.6');
    expect(all['dev-api-01'].ansible_host).toBe('10.20.1.5');
    const cdktfOutputs = JSON.stringify({
      'dev-infra': { host_addresses: { 'dev-api-01': '10.20.1.5', 'dev-web-01': '10.20.1.6', 'dev-worker-01': '10.20.2.7' } },
    });
    expect(addressesFromOutputs(dev, 'outputs.json', cdktfOutputs)).toEqual(addrs);
  });

  test('fails when the outputs miss a managed host, name an unknown one, or hold a non-address', () => {
    const text = JSON.stringify({ host_addresses: { value: { 'dev-api-01': 'not-an-ip', 'dev-web-01': '10.0.0.1', 'dev-db-09': '10.0.0.2' } } }, null, 2);
    let err: unknown;
    try {
      addressesFromOutputs(exampleStage('dev'), 'out.json', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      [
        'invalid Terraform outputs: 3 problems',
        '  out.json:3 host_addresses.value.dev-worker-01: got missing, expected an address for managed host dev-worker-01',
        '  out.json:4 host_addresses.value.dev-api-01: got "not-an-ip", expected an IPv4 address',
        '  out.json:6 host_addresses.value.dev-db-09: got "dev-db-09", expected a managed host of stage dev (dev-api-01, dev-web-01, dev-worker-01)',
      ].join('\n'),
    );
  });

  test('fails when the outputs file has no host_addresses output', () => {
    expect(() => addressesFromOutputs(exampleStage('dev'), 'out.json', '{"other": {"value": 1}}')).toThrow(
      'out.json:1 host_addresses: got missing, expected a map of host name to address (output host_addresses of stack dev-infra)',
    );
  });
});

describe('inventory fast path', () => {
  test('writes exactly what the generic emitter writes for the inventory object', () => {
    const dev = exampleStage('dev');
    const extra: Record<string, string> = { tier: 'frontend', 'zz-last': 'x:y' };
    const withTags: Stage = { ...dev, hosts: dev.hosts.map((h, i) => ({ ...h, tags: i === 0 ? extra : {} })) };
    const cases: Array<[Stage, Record<string, string>]> = [
      [exampleStage('prod'), {}],
      [exampleStage('test'), {}],
      [dev, {}],
      [withTags, { 'dev-api-01': '10.20.1.5' }],
    ];
    for (const [stage, addrs] of cases) {
      const text = renderInventory(stage, addrs);
      const body = text.slice(text.indexOf('\nall:') + 1);
      expect(body).toBe(emitYaml(inventoryObject(stage, splitIntoBatches(stage.hosts, stage.rollout.batchPercentages), addrs)));
      expect(parse(body)).toEqual(inventoryObject(stage, splitIntoBatches(stage.hosts, stage.rollout.batchPercentages), addrs));
    }
  });
});
