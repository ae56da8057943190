/**
 * The decision's rules one by one, on small hand-written diff reports (the
 * shapes review/diff/inventory-diff.ts and stack-diff.ts produce).
 */
import type { Change } from '../../../review/diff/types';
import { decideRelease, releaseSchedule } from '../../../review/release/decide';
import { githubOutputs, MAX_STEPS, renderGithubOutputs, renderPlanJson } from '../../../review/release/render';
import type { DiffReport, StageFacts } from '../../../review/release/types';

function report(changes: Change[], base = 'base'): DiffReport {
  return { base, head: 'head', highestRisk: changes.length ? 'high' : null, changes };
}

function inv(stage: string, subject: string, kind: Change['kind'], text: string, attributes: Change['attributes'] = []): Change {
  return { stage, stack: 'inventory', subject, kind, risk: 'high', why: 'test', label: subject, text, attributes };
}

function attr(path: string, before: unknown, after: unknown): Change['attributes'][number] {
  return { path, before, after, text: `${path} ${String(before)} -> ${String(after)}`, risk: 'high', why: 'test' };
}

function stack(stage: string, name: string, risk: Change['risk'] = 'medium'): Change {
  return { stage, stack: name, subject: `resource.x.${name}`, kind: 'changed', risk, why: 'test', label: name, text: `${name} changes`, attributes: [] };
}

const version = (stage: string, from: string, to: string): Change =>
  inv(stage, 'var datadog_agent_version', 'changed', `agent version ${from} -> ${to} on 6 hosts`, [attr('datadog_agent_version', from, to)]);

const facts = (stage: string, batches: string[][], environment = stage): StageFacts => ({
  stage,
  environment,
  agentVersion: '7.72.0',
  batches: batches.map((hosts, i) => ({ number: i + 1, hosts, soakHours: [48, 48, 72, 24, 24][i] })),
});

const TEST = facts(
  'test',
  [
    ['t1', 't2'],
    ['t3', 't4'],
    ['t5', 't6'],
  ],
  'qa',
);

describe('release decision rules', () => {
  test('the environment comes from the stage facts (ci.environment), soak environments follow it', () => {
    const d = decideRelease({ diff: report([version('test', '7.72.0', '7.73.0')]), stages: [TEST] }).stages[0];
    expect(d.environment).toBe('qa');
    expect(d.release?.steps.map((s) => s.environment)).toEqual(['qa', 'qa-soak-1', 'qa-soak-2']);
    expect(d.release?.finalGate).toEqual({ batch: 3, environment: 'qa-soak-3' });
  });

  test('a version decrease wins over everything else in the change: rollback', () => {
    const diff = report([
      version('test', '7.73.0', '7.72.0'),
      inv('test', 'host t1', 'changed', 'host t1 moves from batch 2 to batch 1', [attr('batch', 2, 1)]),
      stack('test', 'test-infra'),
    ]);
    const d = decideRelease({ diff, stages: [TEST] }).stages[0];
    expect(d.path).toBe('rollback');
    expect(d.rollback).toEqual({ from: '7.73.0', to: '7.72.0', order: [3, 2, 1], hosts: 6 });
    expect(d.stacks).toEqual([{ stack: 'test-infra', changes: 1, risk: 'medium' }]);
  });

  test('agent settings reach every host; a host join, move or new tags only its batch; bookkeeping variables none', () => {
    const settings = decideRelease({
      diff: report([inv('test', 'var datadog_logs_enabled', 'changed', 'log collection true -> false on 6 hosts')]),
      stages: [TEST],
    }).stages[0];
    expect(settings.release?.steps.map((s) => s.batch)).toEqual([1, 2, 3]);

    const join = decideRelease({ diff: report([inv('test', 'host t4', 'added', 'host t4 joins the rollout in batch 2')]), stages: [TEST] }).stages[0];
    expect(join.path).toBe('release');
    expect(join.release).toEqual({ steps: [{ batch: 2, gate: 0, environment: 'qa' }], finalGate: { batch: 2, environment: 'qa-soak-2' } });

    const tags = decideRelease({
      diff: report([inv('test', 'host t6', 'changed', 'host t6 Datadog tags change', [attr('datadog_tags', ['a'], ['b'])])]),
      stages: [TEST],
    }).stages[0];
    expect(tags.release?.steps.map((s) => s.batch)).toEqual([3]);

    const bookkeeping = decideRelease({
      diff: report([inv('test', 'host t6', 'changed', 'host t6 criticality low -> high', [attr('rollout_criticality', 'low', 'high')])]),
      stages: [TEST],
    }).stages[0];
    expect(bookkeeping.path).toBe('none');
    expect(bookkeeping.reason).toBe('only rollout policy changes (the next release uses it)');
  });

  test('an inventory rollout synth did not write is assumed to reach every host', () => {
    const d = decideRelease({ diff: report([inv('test', 'inventory', 'changed', 'inventory: 2 settings change')]), stages: [TEST] }).stages[0];
    expect(d.path).toBe('release');
    expect(d.release?.steps).toHaveLength(3);
  });

  test('a removed stage is none: its hosts keep their Agent, its stacks are left for a person to destroy', () => {
    const diff = report([inv('old', 'inventory', 'removed', 'inventory of stage old is removed: 2 hosts leave the rollout'), stack('old', 'old-infra')]);
    const d = decideRelease({ diff, stages: [TEST] }).stages.find((s) => s.stage === 'old');
    expect(d).toMatchObject({ path: 'none', reason: 'the stage is removed: its hosts keep their Agent', advancePassed: false, environment: 'old' });
    expect(d?.notes[0]).toMatch(/CI neither applies nor destroys them/);
  });

  test('a pending release (since the last completed one) keeps the stage from passing, and a rollback never passes it by itself', () => {
    const pending = decideRelease({
      diff: report([stack('test', 'test-observability')]),
      sincePassed: report([version('test', '7.72.0', '7.73.0')], 'passed'),
      stages: [TEST],
    });
    expect(pending.passed).toBe('passed');
    expect(pending.stages[0]).toMatchObject({ path: 'infra-only', advancePassed: false });
    const rollback = decideRelease({ diff: report([version('test', '7.73.0', '7.72.0')]), stages: [TEST] }).stages[0];
    expect(rollback.advancePassed).toBe(false);
    const clean = decideRelease({ diff: report([stack('test', 'test-observability')]), stages: [TEST] }).stages[0];
    expect(clean.advancePassed).toBe(true);
  });

  test('the shared stacks are listed once, for an administrator, with at most ten changes in words', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...stack('shared', 'state', i === 0 ? 'critical' : 'low'), subject: `r${i}`, text: `change ${i}` }));
    const plan = decideRelease({ diff: report(many), stages: [TEST] });
    expect(plan.adminStacks).toEqual([{ stack: 'state', changes: 12, risk: 'critical', texts: many.slice(0, 10).map((c) => c.text) }]);
    expect(plan.stages.map((s) => s.stage)).toEqual(['test']);
  });

  test('releaseSchedule: no batch, no release; gates follow the previous step', () => {
    expect(releaseSchedule('prod', [])).toBeUndefined();
    expect(releaseSchedule('prod', [2, 5])).toEqual({
      steps: [
        { batch: 2, gate: 0, environment: 'prod' },
        { batch: 5, gate: 2, environment: 'prod-soak-2' },
      ],
      finalGate: { batch: 5, environment: 'prod-soak-5' },
    });
  });
});

describe('release plan outputs', () => {
  const plan = decideRelease({ diff: report([version('test', '7.72.0', '7.73.0'), stack('test', 'test-infra')]), stages: [TEST] });

  test('workflow outputs: one line each, every step key present, unused steps empty', () => {
    const text = renderGithubOutputs(githubOutputs(plan, 'test'));
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => /^[a-z_0-9]+=/.test(l))).toBe(true);
    const out = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(out).toMatchObject({
      stage: 'test',
      path: 'release',
      environment: 'qa',
      apply: 'true',
      stacks: '["test-infra"]',
      agent_version: '7.73.0',
      agent_version_from: '7.72.0',
      advance_passed: 'false',
      step_count: '3',
      step_1_batch: '1',
      step_1_gate: '0',
      step_1_environment: 'qa',
      step_3_batch: '3',
      step_3_gate: '2',
      step_3_environment: 'qa-soak-2',
      step_4_batch: '0',
      step_4_environment: '',
      step_5_batch: '0',
      final_gate_batch: '3',
      final_gate_environment: 'qa-soak-3',
      rollback_to: '',
    });
    expect(JSON.parse(out.plan)).toEqual(JSON.parse(renderPlanJson(plan)));
  });

  test('a value never spans lines, an unknown stage is an error, and more steps than jobs is refused', () => {
    expect(renderGithubOutputs([['reason', 'a\nb\r\n  c']])).toBe('reason=a b c\n');
    expect(() => githubOutputs(plan, 'nope')).toThrow('stage "nope" is not in the plan (stages: test)');
    const six = facts('big', [['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
    const big = decideRelease({ diff: report([version('big', '7.72.0', '7.73.0')]), stages: [six] });
    expect(() => githubOutputs(big, 'big')).toThrow(`stage big: 6 release steps, the deploy workflows run at most ${MAX_STEPS}`);
  });
});
