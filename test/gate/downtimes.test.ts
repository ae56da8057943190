/**
 * Quiet restarts and the gate's downtime check: the downtimes `rollout
 * downtime` schedules matched against the monitors synth plans (never a
 * rollback trigger); the gate's check with downtimes on its monitors. The
 * recorded v2 downtime answers are replayed in replay.test.ts.
 */
import { downtimesCheck } from '../../gate/checks';
import { checkKindOf, coversMonitor, Downtime, QUIET_RESTART_CHECKS, quietRestartDowntimes, ROLLBACK_TRIGGER_CHECKS } from '../../gate/downtimes';
import type { MonitorObservation } from '../../gate/types';
import { CHECK_KINDS } from '../../model/signals';
import { splitIntoBatches } from '../../model/batches';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig } from '../support/fixtures';
import { NOW } from './scenario';

describe('which monitors a quiet restart mutes', () => {
  test('the quiet-restart and rollback-trigger check kinds are disjoint, and neither names a kind that does not exist', () => {
    expect(QUIET_RESTART_CHECKS.filter((k) => ROLLBACK_TRIGGER_CHECKS.includes(k))).toEqual([]);
    for (const k of [...QUIET_RESTART_CHECKS, ...ROLLBACK_TRIGGER_CHECKS]) expect(CHECK_KINDS).toContain(k);
  });

  test("against every monitor synth plans for prod: only the batch's agent-running and agent-overhead monitors, never a gate trigger or a team monitor", () => {
    const config = exampleConfig();
    const prod = config.stages.find((s) => s.name === 'prod')!;
    const plan = planStage(prod, config.monitoring);
    const hosts = splitIntoBatches(prod.hosts, prod.rollout.batchPercentages)[1].hosts.map((h) => h.name);
    const downtimes: Downtime[] = quietRestartDowntimes({ stage: 'prod', batch: 2, hosts, nowMs: NOW, minutes: 30 }).map((r, i) => ({
      id: `d${i}`,
      scope: r.scope,
      monitorTags: r.monitorTags,
      status: 'active',
      message: r.message,
      startMs: NOW,
      endMs: r.endMs,
    }));
    const covered = plan.monitors.filter((m, i) => downtimes.some((d) => coversMonitor(d, { id: i, tags: m.tags })));
    expect(covered.map((m) => m.key).sort()).toEqual(['rollout-batch2-agent-cpu', 'rollout-batch2-agent-memory', 'rollout-batch2-agent-running']);
    for (const m of covered) expect(ROLLBACK_TRIGGER_CHECKS).not.toContain(checkKindOf(m.tags));
    expect(downtimes[0].scope).toBe(
      hosts
        .sort()
        .map((h) => `host:"${h}"`)
        .join(' OR '),
    );
  });

  test('fails when a host name could break out of the scope', () => {
    expect(() => quietRestartDowntimes({ stage: 'prod', batch: 1, hosts: ['web-1" OR host:*'], nowMs: NOW, minutes: 5 })).toThrow(/is not a host name/);
    expect(() => quietRestartDowntimes({ stage: 'prod', batch: 1, hosts: [], nowMs: NOW, minutes: 5 })).toThrow(/no hosts/);
  });
});

describe('gate check: downtimes on the gate monitors', () => {
  const mon = (id: number, check: string, batch = true): { id: number; name: string; state: string; tags: string[] } => ({
    id,
    name: `monitor ${id}`,
    state: 'OK',
    tags: ['env:prod', 'managed-by:observability-rollout', `rollout_check:${check}`, ...(batch ? ['rollout_batch:2'] : [])],
  });
  const observations = (): MonitorObservation[] => [
    { tags: ['env:prod', 'rollout_batch:2'], result: { ok: true, value: [mon(1, 'agent-running'), mon(2, 'error-rate'), mon(3, 'agent-overhead')] } },
    { tags: ['env:prod', 'rollout_check:security'], result: { ok: true, value: [mon(4, 'security', false)] } },
    { tags: ['env:prod', 'rollout_check:app-errors'], result: { ok: true, value: [mon(5, 'app-errors', false)] } },
  ];
  const dt = (over: Partial<Downtime>): Downtime => ({ id: 'x', scope: '*', status: 'active', message: null, startMs: NOW - 1, endMs: NOW + 60_000, ...over });

  test('no downtime on them: pass', () => {
    const r = downtimesCheck({ ok: true, value: [dt({ monitorTags: ['team:other'] })] }, observations(), NOW);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe("no downtime in force covers the gate's monitors (1 downtime in force in the organization)");
  });

  test('a leftover quiet-restart downtime (agent-health only): pass with a warning naming it', () => {
    const r = downtimesCheck(
      { ok: true, value: [dt({ id: 'q1', monitorTags: ['env:prod', 'rollout_batch:2', 'rollout_check:agent-running'] })] },
      observations(),
      NOW,
    );
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^warning: 1 agent-health monitor .* under a downtime, no rollback trigger/);
    expect(r.details[0]).toMatch(
      /^downtime q1 \(monitor tags env:prod,rollout_batch:2,rollout_check:agent-running; scope \*; until .*\) covers 1 "monitor 1" \(agent-running\)$/,
    );
  });

  test('fails when a downtime covers a rollback trigger: by monitor id, by tags, or "*"', () => {
    for (const d of [dt({ monitorId: 5 }), dt({ monitorTags: ['rollout_check:error-rate'] }), dt({ monitorTags: ['*'], scope: 'host:"prod-app-001"' })]) {
      const r = downtimesCheck({ ok: true, value: [d] }, observations(), NOW);
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/rollback-trigger monitors? under a downtime: a regression during the soak paged nobody/);
    }
  });

  test('an ended, cancelled or future downtime does not count', () => {
    const value = [
      dt({ monitorId: 5, status: 'canceled' }),
      dt({ monitorId: 5, status: 'ended' }),
      dt({ monitorId: 5, status: 'scheduled', startMs: NOW + 60_000, endMs: NOW + 120_000 }),
    ];
    expect(downtimesCheck({ ok: true, value }, observations(), NOW).status).toBe('pass');
  });

  test('fails closed when the downtimes cannot be read: inconclusive', () => {
    const r = downtimesCheck({ ok: false, error: 'GET /api/v2/downtime: HTTP 403 (not retried)' }, observations(), NOW);
    expect(r.status).toBe('inconclusive');
    expect(r.summary).toBe('could not read the downtimes: GET /api/v2/downtime: HTTP 403 (not retried)');
  });
});
