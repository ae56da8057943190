/**
 * Derived changes: knock-on batch moves and the monitors and dashboards that
 * count a batch's hosts are grouped under the change that caused them. The
 * inventories are built by the real batch split (model/batches.ts) and
 * inventory renderer, so the moves are the ones the split makes.
 */
import { splitIntoBatches } from '../../../model/batches';
import type { Criticality, Host, Stage } from '../../../model/stage';
import { defaultRolloutPolicy } from '../../../model/load-config';
import { inventoryObject } from '../../../inventory/stage-inventory';
import { markDerived, explainValue } from '../../../review/diff/derived';
import { diffTrees } from '../../../review/diff/diff';
import { pinnedHosts, inventoryModel } from '../../../review/diff/inventory-diff';
import type { Change, DiffResult } from '../../../review/diff/types';
import { asTree, Json } from './trees';

function host(name: string, criticality: Criticality, batch?: number): Host {
  return { name, service: name.split('-')[1], team: 'team', criticality, managed: false, address: '10.0.0.1', tags: {}, ...(batch ? { batch } : {}) };
}

function stage(hosts: Host[], version = '7.72.0'): Stage {
  return {
    name: 'prod',
    sourceFile: 'stacks/stages/prod.yaml',
    region: 'us-east-1',
    owner: 'platform-team',
    state: { bucket: 'b', locking: 'both', lockTable: 't', keyPrefix: 'stages/prod', createKmsKey: false },
    datadog: { site: 'us5.datadoghq.com', apiUrl: 'https://api.us5.datadoghq.com/' },
    agent: { version, logsEnabled: true, apmEnabled: true, processEnabled: true },
    rollout: defaultRolloutPolicy(),
    network: { vpcId: 'vpc-00000000', subnetIds: [], datadogEgressCidrs: ['0.0.0.0/0'] },
    fleet: { instanceType: 't3.medium', amiSsmParameter: '/x', rootVolumeGb: 20 },
    hosts,
  } as unknown as Stage;
}

function inventory(s: Stage): Json {
  return inventoryObject(s, splitIntoBatches(s.hosts, s.rollout.batchPercentages)) as Json;
}

/** An observability stack with a batch-scoped coverage monitor per batch, a dashboard, and a monitor that is not batch-scoped. */
function observability(s: Stage): Json {
  const batches = splitIntoBatches(s.hosts, s.rollout.batchPercentages);
  const monitors: Json = {};
  for (const b of batches) {
    monitors[`monitoring_rollout-batch${b.number}-coverage_0000000${b.number}`] = {
      name: `[prod] Agent rollout batch ${b.number}/3: fewer than 99% of its ${b.hosts.length} hosts report an Agent`,
      type: 'query alert',
      query: `max(last_15m):default_zero(sum:datadog.agent.running{env:prod AND rollout_batch:${b.number}}) * 100 / ${b.hosts.length} < 99`,
      message: `Batch ${b.number} (agent ${s.agent.version}) @pagerduty-platform`,
      monitor_thresholds: { critical: '99' },
    };
  }
  monitors['monitoring_monitor-api-errors_0000000A'] = {
    name: '[prod] api errors',
    type: 'query alert',
    query: `sum(last_5m):sum:errors{env:prod} > ${batches[0].hosts.length}`,
    message: '@pagerduty-payments',
    monitor_thresholds: { critical: String(batches[0].hosts.length) },
  };
  const content = `Agent ${s.agent.version} to ${s.hosts.length} hosts in batches of ${batches.map((b) => b.hosts.length).join('/')}`;
  return {
    resource: {
      datadog_monitor: monitors,
      datadog_dashboard_json: {
        monitoring_dashboard_0000000D: {
          dashboard: JSON.stringify({ title: `[prod] Agent ${s.agent.version} rollout`, widgets: [{ definition: { content } }] }),
        },
      },
    },
  };
}

const BASE_HOSTS = [
  host('prod-web-01', 'low'),
  host('prod-web-02', 'low'),
  host('prod-web-03', 'low'),
  host('prod-search-01', 'medium'),
  host('prod-search-02', 'medium'),
  host('prod-search-03', 'medium'),
  host('prod-api-01', 'high'),
  host('prod-api-02', 'high'),
  host('prod-api-03', 'high'),
  host('prod-db-01', 'critical'),
];

function diffOf(before: Stage, after: Stage): DiffResult {
  return diffTrees(
    asTree({ stacks: { 'prod-observability': observability(before) }, inventories: { prod: inventory(before) } }),
    asTree({ stacks: { 'prod-observability': observability(after) }, inventories: { prod: inventory(after) } }),
  );
}

const find = (r: DiffResult, subject: string): Change => {
  const c = r.changes.find((x) => x.subject === subject);
  if (!c) throw new Error(`no change ${subject} in ${r.changes.map((x) => x.subject).join(', ')}`);
  return c;
};

describe('derived changes', () => {
  test('pinned hosts are read back from the split order', () => {
    const pinned = stage(BASE_HOSTS.map((h) => (h.name === 'prod-api-01' ? { ...h, batch: 1 } : h)));
    expect([...(pinnedHosts(inventoryModel(inventory(pinned)) as NonNullable<ReturnType<typeof inventoryModel>>) ?? [])]).toEqual(['prod-api-01']);
    expect([...(pinnedHosts(inventoryModel(inventory(stage(BASE_HOSTS))) as NonNullable<ReturnType<typeof inventoryModel>>) ?? [])]).toEqual([]);
  });

  test('a host joining: knock-on moves and the batch-scoped monitors are grouped under it, with the batch sizes as the reason', () => {
    const before = stage(BASE_HOSTS);
    const after = stage([...BASE_HOSTS, host('prod-web-04', 'low'), host('prod-web-05', 'low')]);
    const r = diffOf(before, after);
    const join = find(r, 'host prod-web-04');
    expect(join).toMatchObject({ kind: 'added', risk: 'high' });
    expect(join.derivedFrom).toBeUndefined();
    const reason = 'batch sizes 3/3/4 -> 4/4/4';
    const moves = r.changes.filter((c) => c.attributes.some((a) => a.path === 'batch'));
    expect(moves.length).toBeGreaterThan(0);
    for (const m of moves) expect(m.derivedFrom).toEqual({ stage: 'prod', stack: 'inventory', subject: 'host prod-web-04', reason });
    const coverage = r.changes.filter((c) => c.stack === 'prod-observability' && c.subject.includes('coverage'));
    expect(coverage.map((c) => c.subject).sort()).toEqual([
      'resource.datadog_monitor.monitoring_rollout-batch1-coverage_00000001',
      'resource.datadog_monitor.monitoring_rollout-batch2-coverage_00000002',
    ]);
    for (const c of coverage) expect(c.derivedFrom?.reason).toBe(reason);
    expect(find(r, 'resource.datadog_dashboard_json.monitoring_dashboard_0000000D').derivedFrom?.reason).toBe(reason);
  });

  test('a pin is its own change (pinned), the moves it forces follow from it', () => {
    const before = stage(BASE_HOSTS);
    const after = stage(BASE_HOSTS.map((h) => (h.name === 'prod-api-01' ? { ...h, batch: 1 } : h)));
    const r = diffOf(before, after);
    const pin = find(r, 'host prod-api-01');
    expect(pin.text).toMatch(/^host prod-api-01 moves from batch \d to batch 1 \(pinned\)$/);
    expect(pin.derivedFrom).toBeUndefined();
    const others = r.changes.filter((c) => c !== pin && c.stack === 'inventory');
    expect(others.length).toBeGreaterThan(0);
    for (const c of others) expect(c.derivedFrom).toMatchObject({ subject: 'host prod-api-01', reason: 'the batch split makes room for a pinned host' });
  });

  test('messages and dashboards that name the agent version follow from the version change', () => {
    const r = diffOf(stage(BASE_HOSTS), stage(BASE_HOSTS, '7.73.0'));
    const version = find(r, 'var datadog_agent_version');
    expect(version.derivedFrom).toBeUndefined();
    const derived = r.changes.filter((c) => c.derivedFrom);
    expect(derived.length).toBe(4); // three coverage monitors' messages and the dashboard
    for (const c of derived) expect(c.derivedFrom).toMatchObject({ subject: 'var datadog_agent_version', reason: 'agent version 7.72.0 -> 7.73.0' });
  });

  test('fails when a monitor that is not scoped to a batch changes a number equal to a batch size: it stands alone', () => {
    const before = stage(BASE_HOSTS);
    const after = stage([...BASE_HOSTS, host('prod-web-04', 'low'), host('prod-web-05', 'low')]);
    const r = diffOf(before, after);
    expect(find(r, 'resource.datadog_monitor.monitoring_monitor-api-errors_0000000A').derivedFrom).toBeUndefined();
    expect(explainValue('a > 3', 'a > 4', { sizes: { before: [3, 3, 4], after: [4, 3, 4] }, version: {} }, false)).toBeUndefined();
    expect(explainValue('of its 3 hosts', 'of its 4 hosts', { sizes: { before: [3, 3, 4], after: [4, 3, 4] }, version: {} }, true)).toEqual({
      version: false,
      sizes: true,
    });
    expect(explainValue('of its 3 hosts', 'of its 5 hosts', { sizes: { before: [3, 3, 4], after: [4, 3, 4] }, version: {} }, true)).toBeUndefined();
  });

  test('fails when the inventories carry no criticality tags: the split order cannot be rebuilt, so no move is taken for a knock-on', () => {
    const strip = (inv: Json): Json => {
      const copy = JSON.parse(JSON.stringify(inv)) as Json;
      for (const b of Object.values(copy.all.children.prod.children as Json)) {
        for (const h of Object.values((b as Json).hosts as Json))
          (h as Json).datadog_tags = (h as Json).datadog_tags.filter((t: string) => !t.startsWith('criticality:'));
      }
      return copy;
    };
    const before = stage(BASE_HOSTS);
    const after = stage([...BASE_HOSTS, host('prod-web-04', 'low'), host('prod-web-05', 'low')]);
    const base = asTree({ stacks: {}, inventories: { prod: strip(inventory(before)) } });
    const head = asTree({ stacks: {}, inventories: { prod: strip(inventory(after)) } });
    const r = diffTrees(base, head);
    expect(r.changes.filter((c) => c.attributes.some((a) => a.path === 'batch')).every((c) => c.derivedFrom === undefined)).toBe(true);
    expect(markDerived(r.changes, base, head).filter((c) => c.subject === 'batch sizes')).toEqual([]);
  });
});
