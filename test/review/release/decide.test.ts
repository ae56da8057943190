/**
 * The deploy-vs-release decision on real example changes: this repo's
 * example configuration edited, synthesized, diffed by `rollout diff`'s own
 * code and read back from its JSON (scenarios.ts).
 */
import { decideRelease } from '../../../review/release/decide';
import { githubOutputs, renderPlanMarkdown } from '../../../review/release/render';
import type { ReleasePlan, StageDecision } from '../../../review/release/types';
import { ConfigFiles, diffReport, edited, exampleFiles, planOf, replaced, synthesize, withAgentVersion } from './scenarios';

function stageOf(plan: ReleasePlan, stage: string): StageDecision {
  const d = plan.stages.find((s) => s.stage === stage);
  if (!d) throw new Error(`no stage ${stage} in the plan`);
  return d;
}

function paths(plan: ReleasePlan): Record<string, string> {
  return Object.fromEntries(plan.stages.map((s) => [s.stage, s.path]));
}

/** The example configuration with the test stage cut down to two hosts (three batches: one stays empty). */
function twoHostTestStage(files: ConfigFiles): ConfigFiles {
  return edited(files, 'stacks/stages/test.yaml', (t) =>
    t
      .split('\n')
      .filter((l) => !/name: test-(web-02|api-01|api-02|db-proxy-01)\b/.test(l))
      .join('\n'),
  );
}

describe('deploy vs release on real example changes', () => {
  const a = exampleFiles();
  const bumped = withAgentVersion(a, '7.73.0');

  test('an Agent version bump is a release in every stage: stacks, then batches 1, 2, 3 with soaks and gates', () => {
    const plan = planOf(a, bumped);
    expect(paths(plan)).toEqual({ dev: 'release', prod: 'release', test: 'release' });
    const prod = stageOf(plan, 'prod');
    expect(prod.reason).toBe('agent 7.72.0 -> 7.73.0 on 38 hosts');
    expect(prod.agentVersion).toEqual({ from: '7.72.0', to: '7.73.0' });
    expect(prod.release).toEqual({
      steps: [
        { batch: 1, gate: 0, environment: 'prod' },
        { batch: 2, gate: 1, environment: 'prod-soak-1' },
        { batch: 3, gate: 2, environment: 'prod-soak-2' },
      ],
      finalGate: { batch: 3, environment: 'prod-soak-3' },
    });
    expect(prod.batches).toEqual([
      { number: 1, hosts: 12, soakHours: 48, changes: true },
      { number: 2, hosts: 13, soakHours: 48, changes: true },
      { number: 3, hosts: 13, soakHours: 72, changes: true },
    ]);
    expect(prod.rollback).toBeUndefined();
    // The dashboards name the version: the observability stack is applied first.
    expect(prod.stacks.map((s) => s.stack)).toEqual(['prod-observability']);
    expect(prod.advancePassed).toBe(false);
    expect(plan.adminStacks).toEqual([]);
  });

  test('a revert of the bump is a rollback: "rollback to 7.72.0 on N hosts", every batch newest first, no soak', () => {
    const plan = planOf(bumped, a);
    expect(paths(plan)).toEqual({ dev: 'rollback', prod: 'rollback', test: 'rollback' });
    const prod = stageOf(plan, 'prod');
    expect(prod.reason).toBe('rollback to 7.72.0 on 38 hosts (agent 7.73.0 -> 7.72.0)');
    expect(prod.rollback).toEqual({ from: '7.73.0', to: '7.72.0', order: [3, 2, 1], hosts: 38 });
    expect(prod.release).toBeUndefined();
    expect(renderPlanMarkdown(plan)).toContain('| prod | **rollback** | rollback to 7.72.0 on 38 hosts (agent 7.73.0 -> 7.72.0) | 3 → 2 → 1, no soak |');
    const out = Object.fromEntries(githubOutputs(plan, 'prod'));
    expect(out).toMatchObject({
      path: 'rollback',
      rollback_to: '7.72.0',
      rollback_from: '7.73.0',
      rollback_batches: '3 2 1',
      step_count: '0',
      environment: 'prod',
    });
  });

  test('a revert after a release stopped by a gate is a rollback too (the deployed commit is the base, not the last completed release)', () => {
    // Deployed: the bump (its release stopped); last completed release: the original; head: the revert.
    const plan = planOf(bumped, a, a);
    expect(stageOf(plan, 'prod').path).toBe('rollback');
    expect(stageOf(plan, 'prod').advancePassed).toBe(false);
  });

  test('a batch move (a pin) is a release of the batches whose hosts move', () => {
    const pinned = replaced(a, 'stacks/stages/prod.yaml', /(name: prod-api-01[^}]*)\}/, '$1, batch: 1 }');
    const plan = planOf(a, pinned);
    expect(paths(plan)).toEqual({ dev: 'none', prod: 'release', test: 'none' });
    const prod = stageOf(plan, 'prod');
    expect(prod.reason).toContain('host prod-api-01 moves from batch 3 to batch 1');
    expect(prod.release?.steps.map((s) => s.batch)).toEqual([1, 2, 3]);
    expect(prod.agentVersion).toEqual({ to: '7.72.0' });
  });

  test('a change to one host reaches only its batch: one step and the final gate', () => {
    const retagged = replaced(a, 'stacks/stages/test.yaml', 'name: test-db-proxy-01, service: db-proxy', 'name: test-db-proxy-01, service: pgbouncer');
    const test = stageOf(planOf(a, retagged), 'test');
    expect(test.path).toBe('release');
    const batch = test.batches.find((b) => b.changes)?.number as number;
    expect(test.batches.filter((b) => b.changes)).toHaveLength(1);
    expect(test.release).toEqual({ steps: [{ batch, gate: 0, environment: 'test' }], finalGate: { batch, environment: `test-soak-${batch}` } });
  });

  test('a monitor threshold alone is infra-only in every stage: no batch, no soak', () => {
    const raised = edited(a, 'monitors/payments.yaml', (t) =>
      t.replace(/(service:api\} > )2(\n\s+thresholds: \{ critical: )2(, warning: )1 \}/, '$13$23$31.5 }'),
    );
    const plan = planOf(a, raised);
    expect(paths(plan)).toEqual({ dev: 'infra-only', prod: 'infra-only', test: 'infra-only' });
    const prod = stageOf(plan, 'prod');
    expect(prod.reason).toBe('stacks change: prod-observability (1 change)');
    expect(prod.release).toBeUndefined();
    expect(prod.batches.every((b) => !b.changes)).toBe(true);
    expect(prod.advancePassed).toBe(true);
    expect(Object.fromEntries(githubOutputs(plan, 'prod'))).toMatchObject({
      path: 'infra-only',
      apply: 'true',
      stacks: '["prod-observability"]',
      step_count: '0',
    });
  });

  test('an infrastructure change (instance type) is infra-only for its stage and none elsewhere', () => {
    const plan = planOf(a, replaced(a, 'stacks/stages/dev.yaml', 'instanceType: t3.small', 'instanceType: t3.medium'));
    expect(paths(plan)).toEqual({ dev: 'infra-only', prod: 'none', test: 'none' });
    expect(stageOf(plan, 'dev').stacks.map((s) => s.stack)).toEqual(['dev-infra']);
    expect(stageOf(plan, 'prod').reason).toBe('nothing of this stage changes');
    expect(Object.fromEntries(githubOutputs(plan, 'prod'))).toMatchObject({ path: 'none', apply: 'false', stacks: '[]' });
  });

  test('a stage with fewer hosts than batches: its empty batch gets no step, no soak and no gate, in a release and in a rollback', () => {
    const two = twoHostTestStage(a);
    const twoBumped = withAgentVersion(two, '7.73.0', ['test']);
    const sizes = synthesize(two)
      .facts.find((f) => f.stage === 'test')
      ?.batches.map((b) => b.hosts.length);
    expect(sizes).toEqual([0, 1, 1]);

    const release = stageOf(planOf(two, twoBumped), 'test');
    expect(release.path).toBe('release');
    expect(release.release).toEqual({
      steps: [
        { batch: 2, gate: 0, environment: 'test' },
        { batch: 3, gate: 2, environment: 'test-soak-2' },
      ],
      finalGate: { batch: 3, environment: 'test-soak-3' },
    });
    expect(release.notes).toContain('batch 1 has no hosts: it gets no step, no soak and no gate');
    expect(release.batches[0]).toEqual({ number: 1, hosts: 0, soakHours: 48, changes: false });

    const rollback = stageOf(planOf(twoBumped, two), 'test');
    expect(rollback.rollback).toEqual({ from: '7.73.0', to: '7.72.0', order: [3, 2], hosts: 2 });
  });

  test('state and github stack changes are never a stage path: the report says loudly that an administrator applies them', () => {
    let admin = replaced(a, 'stacks/stages/prod.yaml', 'teams: [cab]', 'teams: [cab, sre]');
    for (const s of ['dev', 'test', 'prod'])
      admin = replaced(admin, `stacks/stages/${s}.yaml`, /lockTable: (\S+)/, 'lockTable: $1\n  accessLogBucket: acme-access-logs');
    const plan = planOf(a, admin);
    expect(paths(plan)).toEqual({ dev: 'none', prod: 'none', test: 'none' });
    expect(plan.adminStacks.map((s) => [s.stack, s.risk])).toEqual([
      ['github', 'high'],
      ['state', 'medium'],
    ]);
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('> [!WARNING]\n> **An administrator must apply `github`, `state`.** CI plans these stacks but never applies them');
    expect(md.indexOf('[!WARNING]')).toBeLessThan(md.indexOf('| stage | path |'));
    expect(Object.fromEntries(githubOutputs(plan))).toMatchObject({ admin_stacks: '["github","state"]', stages: '["dev","prod","test"]' });
  });

  test('rollout policy and a host leaving are not a release: the notes say what happens to them', () => {
    let p = replaced(a, 'stacks/stages/test.yaml', 'agent:\n', 'rollout:\n  maxFailedHostsPercent: 2\n\nagent:\n');
    p = edited(p, 'stacks/stages/test.yaml', (t) =>
      t
        .split('\n')
        .filter((l) => !l.includes('name: test-worker-01'))
        .join('\n'),
    );
    const test = stageOf(planOf(a, p), 'test');
    expect(test.path).toBe('infra-only'); // the rollout monitors count the batch's hosts
    expect(test.notes).toEqual([
      expect.stringMatching(/^host test-worker-01 leaves the rollout \(was in batch \d\): its Agent stays installed/),
      'rollout policy: failed-host limit (%) 1 -> 2',
    ]);
  });

  test('nothing deployed yet (--base none): every stage is a release of every batch, every stack is applied', () => {
    const plan = planOf(undefined, a);
    expect(paths(plan)).toEqual({ dev: 'release', prod: 'release', test: 'release' });
    expect(stageOf(plan, 'dev').stacks.map((s) => s.stack)).toEqual(['dev-infra', 'dev-observability']);
    expect(stageOf(plan, 'prod').release?.steps.map((s) => s.batch)).toEqual([1, 2, 3]);
    expect(plan.adminStacks.map((s) => s.stack)).toEqual(['github', 'state']);
  });

  test('a change after a release that has not completed: infra-only, with a note, and the stage has not passed it', () => {
    const raised = edited(bumped, 'monitors/payments.yaml', (t) =>
      t.replace(/(service:api\} > )2(\n\s+thresholds: \{ critical: )2(, warning: )1 \}/, '$13$23$31.5 }'),
    );
    const inFlight = stageOf(planOf(bumped, raised, a), 'prod');
    expect(inFlight.path).toBe('infra-only');
    expect(inFlight.advancePassed).toBe(false);
    expect(inFlight.notes[0]).toMatch(
      // The pending change in the diff's own words (review/diff/inventory-diff.ts).
      /^Agent changes since the last completed release are not through this stage yet .*7\.72\.0 -> 7\.73\.0.*; this change adds none$/,
    );
    // The release part of the workflow plans from the last completed release: the bump and the threshold.
    const releasePart = stageOf(planOf(a, raised), 'prod');
    expect(releasePart.path).toBe('release');
    // Once the release completed, the same change has passed the stage when its stacks are applied.
    expect(stageOf(planOf(bumped, raised, bumped), 'prod').advancePassed).toBe(true);
  });

  test('the decision is a function of the two commits: the same JSON gives the same plan, byte for byte', () => {
    const first = diffReport(a, bumped);
    const second = diffReport(a, bumped);
    expect(second.json).toBe(first.json);
    const facts = synthesize(bumped).facts;
    expect(JSON.stringify(decideRelease({ diff: second.report, stages: facts }))).toBe(JSON.stringify(decideRelease({ diff: first.report, stages: facts })));
  });
});
