/**
 * SLO drift: the recorded API answers parsed (test/fixtures/datadog/
 * v1-slo-*.json, SOURCES.md), and the example prod stage's SLOs as applied
 * (datadog-holds.ts), then edited, deleted, cloned and copied in the UI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BadResponseError } from '../../gate/datadog-responses';
import { compareMonitors } from '../../drift/compare';
import { LiveSlo, parseLiveSlo, parseLiveSloList, parseLiveSloResponse } from '../../drift/slo';
import { compareSlos } from '../../drift/slo';
import { parseLiveMonitor } from '../../drift/live';
import { readState } from '../../drift/state';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, mustReplace, REPO } from '../support/fixtures';
import type { FakeSlo } from '../support/fake-datadog';
import { applied, appliedSlos, idOf, showJson, sloIdOf } from './datadog-holds';

const fixture = (name: string): string => fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'datadog', name), 'utf8');

const config = exampleConfig();
const prod = config.stages.find((s) => s.name === 'prod')!;
const plan = planStage(prod, config.monitoring);
const state = readState(showJson(plan), 'prod.show.json');
const liveIdOfTeam = compareMonitors({
  stage: 'prod',
  planned: plan.monitors,
  live: applied(plan.monitors).map((m) => parseLiveMonitor({ ...m, options: { thresholds: m.thresholds } })),
}).liveIdOfTeam;
const live = (xs: FakeSlo[]): LiveSlo[] => xs.map((x) => parseLiveSlo(x));
const index = (key: string): number => plan.slos.findIndex((s) => s.key === key);

describe('drift: SLOs as Datadog answers them', () => {
  test('reads the recorded list pages, a read by id, and a time-slice SLO', () => {
    const page0 = parseLiveSloList(JSON.parse(fixture('v1-slo-list-page0.json')));
    const page1 = parseLiveSloList(JSON.parse(fixture('v1-slo-list-page1.json')));
    expect(page0.map((s) => s.id)).toEqual(['70e82706f4ae56ff8bdd7f02e767f97c', '955ab6301fa656e7b061de4a05ad4774']);
    expect(page0[1]).toMatchObject({
      tags: ['foo:bar', 'baz'],
      thresholds: [
        { timeframe: '7d', target: 99.5, warning: 99.8 },
        { timeframe: '30d', target: 98, warning: 99 },
        { timeframe: '90d', target: 99.9 },
      ],
      timeframe: '7d',
      targetThreshold: 99.5,
      warningThreshold: 99.8,
      query: { numerator: 'sum:my.metric{type:good}.as_count()' },
    });
    expect(page1[0]).toMatchObject({ type: 'monitor', monitorIds: [112445445], description: '' });
    const one = parseLiveSloResponse(JSON.parse(fixture('v1-slo-get.json')));
    expect(one).toMatchObject({ id: 'ebf2e048f49a5134b61a586438c66505', targetThreshold: 95, warningThreshold: 98 });
    const [slice] = parseLiveSloList(JSON.parse(fixture('v1-slo-time-slice-created.json')));
    expect(slice.timeSlice).toEqual({ query: 'trace.servlet.request{env:prod}', comparator: '>', threshold: 5, intervalSeconds: 300 });
  });

  test('fails when an answer is not an SLO: one error naming the field, the value and what was expected', () => {
    const text = mustReplace(fixture('v1-slo-get.json'), '"target":95.0', '"target":"95"');
    expect(() => parseLiveSloResponse(JSON.parse(text))).toThrow(BadResponseError);
    expect(() => parseLiveSloResponse(JSON.parse(text))).toThrow('data.thresholds[0].target: got a string, expected a number');
    const noId = mustReplace(fixture('v1-slo-list-page1.json'), '"id":"a17acfd48b7c55d19192e3a697cc1d01",', '');
    expect(() => parseLiveSloList(JSON.parse(noId))).toThrow(/^data\[0\]\.id: got nothing, expected an SLO id/);
    expect(() => parseLiveSloList({ errors: ['Forbidden'] })).toThrow(/the body\.data: got nothing, expected/);
  });
});

describe('drift: compare SLOs', () => {
  test('right after an apply: every SLO in sync (metric, monitor and time-slice), with and without the state', () => {
    expect(new Set(plan.slos.map((s) => s.type))).toEqual(new Set(['metric', 'monitor', 'time_slice']));
    for (const withState of [true, false]) {
      const r = compareSlos({ stage: 'prod', planned: plan.slos, live: live(appliedSlos(plan)), liveIdOfTeam, ...(withState ? { state: state.slos } : {}) });
      expect(r.findings).toEqual([]);
      expect(r.inSync).toBe(plan.slos.length);
    }
  });

  test('fails when a target, the primary warning, the description, a tag and the query were edited in the UI: each field named with both values', () => {
    const xs = appliedSlos(plan);
    const i = index('slo-checkout-availability');
    const x = xs[i] as FakeSlo & {
      thresholds: Array<{ timeframe: string; target: number; warning?: number }>;
      query: { numerator: string; denominator: string };
    };
    xs[i] = {
      ...x,
      thresholds: x.thresholds.map((t) => (t.timeframe === '7d' ? { ...t, target: 99.5 } : t)),
      warning_threshold: 99.99,
      description: `${String(x.description)} (raised for the launch)`,
      tags: [...x.tags, 'muted-by:alice'],
      query: { ...x.query, numerator: x.query.numerator.replace('checkout', 'checkout-v2') },
    };
    const r = compareSlos({ stage: 'prod', planned: plan.slos, live: live(xs), liveIdOfTeam, state: state.slos });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f).toMatchObject({ object: 'slo', kind: 'changed', id: sloIdOf(i), key: 'slo-checkout-availability' });
    if (f.kind !== 'changed') return;
    expect(f.fields.map((d) => d.field)).toEqual(['description', 'query.numerator', 'thresholds.7d.target', 'warning_threshold', 'tags']);
    expect(f.fields.find((d) => d.field === 'thresholds.7d.target')).toEqual({ field: 'thresholds.7d.target', declared: '99.95', live: '99.5' });
    expect(f.fields.find((d) => d.field === 'description')?.live).toContain('(raised for the launch)');
  });

  test('fails when a monitor SLO points at another monitor, or a time-slice SLO lost a target', () => {
    const xs = appliedSlos(plan);
    const m = index('slo-checkout-uptime');
    xs[m] = { ...xs[m], monitor_ids: [idOf(0)] };
    const t = index('slo-api-latency');
    xs[t] = { ...xs[t], thresholds: [{ timeframe: '7d', target: 99.5 }] };
    const r = compareSlos({ stage: 'prod', planned: plan.slos, live: live(xs), liveIdOfTeam, state: state.slos });
    const fields = Object.fromEntries(r.findings.map((f) => [f.kind === 'changed' ? f.key : f.kind, f.kind === 'changed' ? f.fields.map((d) => d.field) : []]));
    expect(fields).toEqual({ 'slo-api-latency': ['thresholds.30d', 'thresholds.7d'], 'slo-checkout-uptime': ['monitor_ids'] });
    // Without the monitors' ids (not found live), a monitor SLO's monitors are not compared: the monitor is reported instead.
    expect(compareSlos({ stage: 'prod', planned: plan.slos, live: live(xs), state: state.slos }).findings.map((f) => f.kind === 'changed' && f.key)).toEqual([
      'slo-api-latency',
    ]);
  });

  test('fails when an SLO was deleted (with the state), renamed (without), cloned, or copied by hand: deleted, missing, orphaned, lookalikes', () => {
    const xs = appliedSlos(plan);
    const i = index('slo-web-availability');
    const [gone] = xs.splice(i, 1);
    expect(compareSlos({ stage: 'prod', planned: plan.slos, live: live(xs), liveIdOfTeam, state: state.slos, gone: [gone.id] }).findings).toEqual([
      { object: 'slo', kind: 'deleted', key: 'slo-web-availability', id: gone.id, name: gone.name },
    ]);
    const ys = appliedSlos(plan);
    ys[i] = { ...ys[i], name: `${ys[i].name} (old)` };
    ys.push({ ...ys[0], id: 'c1', name: `${ys[0].name} (clone)` });
    ys.push({ ...ys[i], id: 'c2', name: '[prod] by hand', tags: ['env:prod'] });
    ys.push({ ...ys[index('slo-checkout-availability')], id: 'c3', name: 'same query, other name', tags: [] });
    const r = compareSlos({ stage: 'prod', planned: plan.slos, live: live(ys), liveIdOfTeam });
    expect(r.findings).toEqual([
      { object: 'slo', kind: 'missing', key: 'slo-web-availability', name: plan.slos[i].name },
      { object: 'slo', kind: 'orphaned', id: sloIdOf(i), name: `${plan.slos[i].name} (old)`, inState: false },
      { object: 'slo', kind: 'orphaned', id: 'c1', name: `${plan.slos[0].name} (clone)`, inState: false },
      { object: 'slo', kind: 'lookalike', id: 'c2', name: '[prod] by hand', why: 'named with the stage prefix "[prod]"' },
      { object: 'slo', kind: 'lookalike', id: 'c3', name: 'same query, other name', why: 'has the query of a declared SLO' },
    ]);
  });
});
