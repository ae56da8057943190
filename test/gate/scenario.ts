/**
 * Test scenarios for the gate: a stage large enough for 98% coverage to be
 * one host short (200 hosts in batches of 25/25/50%, so batch 2 has 50 hosts),
 * and a healthy Datadog in the fake: deploy-start event past the soak time,
 * every batch host on the stage's agent version, error rate and latency equal
 * to the baseline, every monitor OK.
 */
import { loadConfig } from '../../model/load-config';
import type { Stage } from '../../model/stage';
import { splitIntoBatches } from '../../model/batches';
import { baselineScope, batchScope, batchTag, checkTag, deploymentEventTags, envTag, MANAGED_BY_TAG, QUERIES } from '../../model/signals';
import type { FakeDatadog, FakeMonitor } from '../support/fake-datadog';
import { tempConfig } from '../support/fixtures';

/** Sentinel keys: they must reach the fake's headers and nothing else. */
export const API_KEY = 'sentinel0api0key0c0ffee0123456789ab';
export const APP_KEY = 'sentinel0app0key0decaf0fedcba9876543210ab';
export const KEYS_ENV = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };

/** The clock value every scenario evaluates at. */
export const NOW = Date.parse('2025-06-02T12:00:00Z');
export const HOUR = 3_600_000;
export const COMMIT = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';

const CRIT = ['low', 'medium', 'high', 'critical'] as const;

/** A prod stage file with `n` hosts, batches 25/25/50%, soak 48/48/72 h. */
export function largeStageYaml(n = 200): string {
  const hosts = Array.from({ length: n }, (_, i) => {
    const k = String(i + 1).padStart(3, '0');
    return `  - { name: prod-app-${k}, service: app, team: storefront, criticality: ${CRIT[i % 4]}, address: 10.40.${Math.floor(i / 200)}.${(i % 200) + 1} }`;
  });
  return [
    'stage: prod',
    'region: us-east-1',
    'owner: platform-team',
    'state:',
    '  bucket: acme-tfstate',
    '  lockTable: acme-tflock',
    'rollout:',
    '  batchPercentages: [25, 25, 50]',
    '  soakHours: [48, 48, 72]',
    'network:',
    '  vpcId: vpc-0123abcd',
    'hosts:',
    ...hosts,
    '',
  ].join('\n');
}

/** A temporary configuration directory holding the large prod stage; and the stage. */
export function largeConfig(): { dir: string; stage: Stage } {
  const dir = tempConfig({ 'prod.yaml': largeStageYaml() });
  const stage = loadConfig(dir).stages[0];
  return { dir, stage };
}

export function batchHosts(stage: Stage, batch: number): string[] {
  return splitIntoBatches(stage.hosts, stage.rollout.batchPercentages)[batch - 1].hosts.map((h) => h.name);
}

export interface Healthy {
  /** When the batch's deploy started (ms). */
  readonly deployStartMs: number;
  /** The queries the gate will send. */
  readonly queries: {
    readonly agentRunning: string;
    readonly errorBatch: string;
    readonly errorBaseline: string;
    readonly latencyBatch: string;
    readonly latencyBaseline: string;
  };
}

/** Fill the fake with a healthy batch `batch` of `stage`, evaluated at `now`. */
export function healthy(fake: FakeDatadog, stage: Stage, batch: number, now = NOW): Healthy {
  fake.reset();
  const soak = stage.rollout.soakHours[batch - 1];
  const deployStartMs = now - (soak + 1) * HOUR;
  const version = stage.agent.version;
  const count = stage.rollout.batchPercentages.length;
  // An older start event of the same batch, and one of another version: the gate takes the latest of its version.
  fake.events.push(
    {
      id: 101,
      title: 'start (earlier attempt)',
      text: 'x',
      date_happened: Math.floor((deployStartMs - 30 * HOUR) / 1000),
      tags: deploymentEventTags(stage.name, batch, 'start', version, COMMIT),
    },
    {
      id: 102,
      title: 'start of an older version',
      text: 'x',
      date_happened: Math.floor((deployStartMs - 10 * HOUR) / 1000),
      tags: deploymentEventTags(stage.name, batch, 'start', '7.71.1', COMMIT),
    },
    {
      id: 103,
      title: 'Datadog Agent rollout started',
      text: 'x',
      date_happened: Math.floor(deployStartMs / 1000),
      tags: deploymentEventTags(stage.name, batch, 'start', version, COMMIT),
    },
  );
  const scope = batchScope(stage.name, batch);
  const base = baselineScope(stage.name, batch, count) ?? scope;
  const queries = {
    agentRunning: QUERIES.agentRunning(scope),
    errorBatch: QUERIES.errorRatio(scope),
    errorBaseline: QUERIES.errorRatio(base),
    latencyBatch: QUERIES.latency(scope),
    latencyBaseline: QUERIES.latency(base),
  };
  fake.metrics.set(
    queries.agentRunning,
    batchHosts(stage, batch).map((h) => ({ tags: [`host:${h}`, `version:${version}`], value: 1 })),
  );
  fake.metrics.set(queries.errorBatch, [{ tags: [], value: 0.01 }]);
  fake.metrics.set(queries.errorBaseline, [{ tags: [], value: 0.01 }]);
  fake.metrics.set(queries.latencyBatch, [{ tags: [], value: 0.2 }]);
  fake.metrics.set(queries.latencyBaseline, [{ tags: [], value: 0.2 }]);
  fake.monitors = healthyMonitors(stage.name, batch, count);
  return { deployStartMs, queries };
}

/** Monitors of a healthy stage: per batch (rollout checks), security, app errors; all OK. */
export function healthyMonitors(stage: string, batch: number, count: number): FakeMonitor[] {
  const out: FakeMonitor[] = [];
  let id = 1000;
  for (let b = 1; b <= count; b++) {
    for (const kind of ['agent-running', 'coverage', 'error-rate', 'latency'] as const) {
      out.push({
        id: id++,
        name: `[${stage}] batch ${b}: ${kind}`,
        tags: [envTag(stage), batchTag(b), checkTag(kind), MANAGED_BY_TAG],
        // later batches are not upgraded yet: their rollout monitors may well have no data
        overall_state: b > batch ? 'No Data' : 'OK',
      });
    }
  }
  out.push({ id: id++, name: `[${stage}] security signals`, tags: [envTag(stage), checkTag('security'), MANAGED_BY_TAG], overall_state: 'OK' });
  out.push({ id: id++, name: `[${stage}] application errors`, tags: [envTag(stage), checkTag('app-errors'), MANAGED_BY_TAG], overall_state: 'OK' });
  // a monitor of another stage in Alert: not this gate's business
  out.push({ id, name: '[test] batch 1: latency', tags: [envTag('test'), batchTag(batch), checkTag('latency')], overall_state: 'Alert' });
  return out;
}
