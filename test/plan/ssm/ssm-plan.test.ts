import { parseStage } from '../../../model/load-config';
import type { Stage } from '../../../model/stage';
import { allowedFailures, batchSeconds, concurrentHosts, defaultSsmMaxConcurrency, planSsmExecutor } from '../../../plan/ssm/ssm-plan';
import { minimalStageYaml, mustReplace } from '../../support/fixtures';

const BUNDLE = { key: 'bundles/abc.zip' };

/** A stage of `n` existing hosts with the ssm executor and these rollout lines. */
function ssmStage(n: number, rollout: string[] = ['releasedBatches: 1']): Stage {
  const hosts = Array.from({ length: n }, (_, i) => {
    const id = (0x10000000 + i).toString(16);
    return `  - { name: h-${String(i).padStart(3, '0')}, service: web, team: storefront, criticality: low, address: 10.0.${Math.floor(i / 250)}.${(i % 250) + 1}, instanceId: i-${id} }`;
  });
  let text = mustReplace(minimalStageYaml(), /hosts:\n.*\n/, ['hosts:', ...hosts, ''].join('\n'));
  text = mustReplace(text, 'network:', ['rollout:', '  executor: ssm', ...rollout.map((l) => `  ${l}`), 'network:'].join('\n'));
  const { stage, problems } = parseStage('stacks/stages/dev.yaml', text);
  expect(problems).toEqual([]);
  return stage!;
}

describe('SSM executor plan', () => {
  test('one association per batch: released batches apply, the others roll back, each targeting its batch tag', () => {
    const plan = planSsmExecutor(ssmStage(6), BUNDLE);
    expect(plan.associations.map((a) => [a.batch, a.name, a.mode, a.hosts, a.targetTag.value])).toEqual([
      [1, 'observability-rollout-dev-batch-1', 'apply', 2, 'dev-1'],
      [2, 'observability-rollout-dev-batch-2', 'rollback', 2, 'dev-2'],
      [3, 'observability-rollout-dev-batch-3', 'rollback', 2, 'dev-3'],
    ]);
    // The stage's own document, and only the three values it takes: the bucket, the stage and the command line are the document's.
    expect(plan.documentName).toBe('observability-rollout-dev-apply');
    expect(plan.associations[0].parameters).toEqual({ BundleKey: 'bundles/abc.zip', Batch: '1', Mode: 'apply' });
    expect(plan.associations[1].parameters).toEqual({ BundleKey: 'bundles/abc.zip', Batch: '2', Mode: 'rollback' });
    expect(plan.associations.map((a) => a.outputPrefix)).toEqual(['output/batch-1/', 'output/batch-2/', 'output/batch-3/']);
  });

  test('releasing batch 2 changes only batch 2, and reverting it gives back the same plan', () => {
    const one = planSsmExecutor(ssmStage(6, ['releasedBatches: 1']), BUNDLE);
    const two = planSsmExecutor(ssmStage(6, ['releasedBatches: 2']), BUNDLE);
    const changed = two.associations.filter((a, i) => JSON.stringify(a) !== JSON.stringify(one.associations[i])).map((a) => [a.batch, a.mode]);
    expect(changed).toEqual([[2, 'apply']]);
    expect(planSsmExecutor(ssmStage(6, ['releasedBatches: 1']), BUNDLE)).toEqual(one);
  });

  test('every host is tagged with its batch and name; existing hosts carry their instance id', () => {
    const stage = ssmStage(3, ['releasedBatches: 0']);
    const plan = planSsmExecutor(stage, BUNDLE);
    expect(plan.hostTags.map((t) => t.host)).toEqual(['h-000', 'h-001', 'h-002']);
    expect(new Set(plan.hostTags.map((t) => t.batch))).toEqual(new Set([1, 2, 3]));
    for (const t of plan.hostTags) {
      expect(t.instanceId).toBe(stage.hosts.find((h) => h.name === t.host)!.instanceId);
      expect(t.tags).toEqual({ 'rollout-batch': `dev-${t.batch}`, 'rollout-host': t.host });
    }
  });

  test('MaxErrors is the failed-host count the stage allows per batch (floor of 1%), MaxConcurrency the stage setting or the default', () => {
    const plan = planSsmExecutor(ssmStage(300), BUNDLE);
    expect(plan.associations.map((a) => [a.hosts, a.maxErrors, a.maxConcurrency])).toEqual([
      [99, '0', '25%'],
      [99, '0', '25%'],
      [102, '1', '25%'],
    ]);
    const own = planSsmExecutor(ssmStage(6, ['releasedBatches: 3', 'ssmMaxConcurrency: 50']), BUNDLE);
    expect(own.associations.map((a) => a.maxConcurrency)).toEqual(['50', '50', '50']);
    expect(allowedFailures(100, 1)).toBe(1);
    expect(allowedFailures(3400, 1)).toBe(34);
    expect(allowedFailures(199, 0.5)).toBe(0);
    expect(allowedFailures(200, 0.5)).toBe(1);
  });

  test('the default concurrency keeps a batch within 15 minutes at the assumed per-host time, at any batch size', () => {
    expect(defaultSsmMaxConcurrency()).toBe('25%');
    expect(defaultSsmMaxConcurrency(90)).toBe('13%');
    expect(defaultSsmMaxConcurrency(1000)).toBe('100%');
    for (const hosts of [1, 2, 3, 34, 99, 3300, 3400]) {
      const c = concurrentHosts(hosts, defaultSsmMaxConcurrency());
      expect(batchSeconds(hosts, c, 180)).toBeLessThanOrEqual(900);
    }
    expect(concurrentHosts(3400, '25%')).toBe(850);
    expect(concurrentHosts(3, '25%')).toBe(1);
    expect(concurrentHosts(3, '50')).toBe(3);
  });

  test('fails when the stage does not use the ssm executor', () => {
    const { stage } = parseStage('stacks/stages/dev.yaml', minimalStageYaml());
    expect(() => planSsmExecutor(stage!, BUNDLE)).toThrow('planSsmExecutor: stage dev rollout.executor: got ansible, expected ssm');
  });
});
