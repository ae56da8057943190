/**
 * Which batches an apply of `<stage>-infra` runs State Manager on, read from
 * the Terraform plan (terraform show -json). The plans here are built from
 * planSsmExecutor's associations as the provider names their attributes
 * (aws_ssm_association: association_name, parameters), before and after a
 * commit, without cdktf.
 */
import { parseStage } from '../../../model/load-config';
import type { Stage } from '../../../model/stage';
import { ssmBatchesRunByPlan, ssmQuietMinutes } from '../../../plan/ssm/quiet-batches';
import { ssmDocumentName } from '../../../plan/ssm/ssm-document';
import { planSsmExecutor, SsmAssociationPlan } from '../../../plan/ssm/ssm-plan';
import { minimalStageYaml, mustReplace } from '../../support/fixtures';

function ssmStage(released: number): Stage {
  const hosts = Array.from(
    { length: 6 },
    (_, i) => `  - { name: h-${i}, service: web, team: storefront, criticality: low, address: 10.0.0.${i + 1}, instanceId: i-1000000${i} }`,
  );
  let text = mustReplace(minimalStageYaml(), /hosts:\n.*\n/, ['hosts:', ...hosts, ''].join('\n'));
  text = mustReplace(text, 'network:', ['rollout:', '  executor: ssm', `  releasedBatches: ${released}`, 'network:'].join('\n'));
  const { stage, problems } = parseStage('stacks/stages/dev.yaml', text);
  expect(problems).toEqual([]);
  return stage!;
}

const associations = (released: number, key = 'bundles/abc.zip'): readonly SsmAssociationPlan[] => planSsmExecutor(ssmStage(released), { key }).associations;

/** The attributes terraform show -json reports for an association (the ones that matter here). */
const attrs = (a: SsmAssociationPlan): Record<string, unknown> => ({
  association_name: a.name,
  name: ssmDocumentName('dev'),
  parameters: { ...a.parameters },
  max_concurrency: a.maxConcurrency,
  max_errors: a.maxErrors,
});

/** The plan of going from `before` to `after`: one resource change per association, as Terraform would list it. */
function planJson(before: readonly SsmAssociationPlan[], after: readonly SsmAssociationPlan[]): unknown {
  const changes = after.map((a) => {
    const b = before.find((x) => x.batch === a.batch);
    const actions = b === undefined ? ['create'] : JSON.stringify(attrs(b)) === JSON.stringify(attrs(a)) ? ['no-op'] : ['update'];
    return {
      address: `aws_ssm_association.ssm_batch-${a.batch}_ABCD1234`,
      type: 'aws_ssm_association',
      change: { actions, before: b === undefined ? null : attrs(b), after: attrs(a) },
    };
  });
  const other = { address: 'aws_s3_object.bundle', type: 'aws_s3_object', change: { actions: ['create'], before: null, after: { key: 'bundles/x.zip' } } };
  return { format_version: '1.2', resource_changes: [other, ...changes] };
}

describe('batches an SSM apply runs (ssmBatchesRunByPlan)', () => {
  test('a release (releasedBatches 1 -> 2) runs batch 2 only, in apply mode', () => {
    expect(ssmBatchesRunByPlan(planJson(associations(1), associations(2)), 'dev')).toEqual([{ batch: 2, actions: ['update'], mode: 'apply' }]);
  });

  test('its revert (2 -> 1) runs batch 2 only, in rollback mode', () => {
    expect(ssmBatchesRunByPlan(planJson(associations(2), associations(1)), 'dev')).toEqual([{ batch: 2, actions: ['update'], mode: 'rollback' }]);
  });

  test('a new bundle changes every association; a first apply creates them all', () => {
    const bundle = ssmBatchesRunByPlan(planJson(associations(1), associations(1, 'bundles/def.zip')), 'dev');
    expect(bundle.map((r) => [r.batch, r.mode])).toEqual([
      [1, 'apply'],
      [2, 'rollback'],
      [3, 'rollback'],
    ]);
    expect(ssmBatchesRunByPlan(planJson([], associations(0)), 'dev').map((r) => [r.batch, r.actions])).toEqual([
      [1, ['create']],
      [2, ['create']],
      [3, ['create']],
    ]);
  });

  test('no change runs nothing; a deletion alone runs nothing; a replacement runs', () => {
    expect(ssmBatchesRunByPlan(planJson(associations(1), associations(1)), 'dev')).toEqual([]);
    const [a1] = associations(1);
    const plan = {
      resource_changes: [
        { type: 'aws_ssm_association', change: { actions: ['delete'], before: attrs(a1), after: null } },
        { type: 'aws_ssm_association', change: { actions: ['delete', 'create'], before: attrs(a1), after: attrs(associations(2)[1]) } },
      ],
    };
    expect(ssmBatchesRunByPlan(plan, 'dev')).toEqual([{ batch: 2, actions: ['delete', 'create'], mode: 'apply' }]);
  });

  test("another stage's association, or one not of ours, is not this stage's batch", () => {
    const plan = planJson([], associations(1));
    expect(ssmBatchesRunByPlan(plan, 'prod')).toEqual([]);
    expect(ssmBatchesRunByPlan(plan, 'de')).toEqual([]);
    expect(ssmBatchesRunByPlan({ resource_changes: [] }, 'dev')).toEqual([]);
    expect(ssmBatchesRunByPlan({ format_version: '1.2' }, 'dev')).toEqual([]);
  });

  test('the mode is left undefined when the plan does not know the parameters yet', () => {
    const [a1] = associations(1);
    const after = { ...attrs(a1), parameters: undefined };
    expect(
      ssmBatchesRunByPlan({ resource_changes: [{ type: 'aws_ssm_association', change: { actions: ['update'], before: attrs(a1), after } }] }, 'dev'),
    ).toEqual([{ batch: 1, actions: ['update'] }]);
  });

  test('fails when the plan is not shaped as Terraform writes it, naming the path', () => {
    expect(() => ssmBatchesRunByPlan([], 'dev')).toThrow('the plan: got an array, expected an object');
    expect(() => ssmBatchesRunByPlan({ resource_changes: {} }, 'dev')).toThrow('resource_changes: got object, expected an array');
    expect(() => ssmBatchesRunByPlan({ resource_changes: [{ type: 'aws_ssm_association', change: { actions: 'update' } }] }, 'dev')).toThrow(
      'resource_changes[0].change.actions: got string, expected an array of strings',
    );
    expect(() => ssmBatchesRunByPlan({ resource_changes: [{ type: 'aws_ssm_association', change: { actions: ['create'], after: null } }] }, 'dev')).toThrow(
      'resource_changes[0].change.after: got null, expected an object',
    );
    const twice = planJson([], associations(1)) as { resource_changes: unknown[] };
    twice.resource_changes.push(twice.resource_changes[1]);
    expect(() => ssmBatchesRunByPlan(twice, 'dev')).toThrow(
      'resource_changes[4]: association observability-rollout-dev-batch-1: got it twice, expected one per batch',
    );
  });

  test("the downtime lasts the apply's wait for an association (15 minutes) plus 5", () => {
    expect(ssmQuietMinutes()).toBe(20);
    expect(ssmQuietMinutes(601)).toBe(16);
  });
});
