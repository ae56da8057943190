/**
 * Drift on the example prod stage: every planned monitor as Datadog holds it
 * after an apply (datadog-holds.ts), then edited, deleted, cloned and copied
 * the ways people do in the UI.
 */
import { compareMonitors, sameQuery } from '../../drift/compare';
import { LiveMonitor, parseLiveMonitor } from '../../drift/live';
import { readState, StateFileError, stateMonitors } from '../../drift/state';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig } from '../support/fixtures';
import type { FakeMonitor } from '../support/fake-datadog';
import { applied, idOf, showJson, sloIdOf } from './datadog-holds';

const config = exampleConfig();
const prod = config.stages.find((s) => s.name === 'prod')!;
const planned = planStage(prod, config.monitoring).monitors;

/** A fake monitor as the API answers it, read back by drift's parser. */
function live(m: FakeMonitor): LiveMonitor {
  return parseLiveMonitor({
    id: m.id,
    name: m.name,
    type: m.type ?? 'query alert',
    query: m.query ?? 'avg(last_5m):avg:system.load.1{*} > 100',
    message: m.message,
    tags: m.tags,
    priority: m.priority,
    options: { thresholds: m.thresholds, notify_no_data: m.notify_no_data, no_data_timeframe: m.no_data_timeframe },
  });
}

const holds = (): FakeMonitor[] => applied(planned);
const state = stateMonitors(showJson(planned), 'prod.show.json');
const index = (key: string): number => planned.findIndex((p) => p.key === key);

describe('drift: compare', () => {
  test('right after an apply: no finding, every monitor in sync (composites, burn-rate alerts and all)', () => {
    expect(planned.some((p) => p.kind === 'composite')).toBe(true);
    expect(planned.some((p) => p.origin === 'burn-rate')).toBe(true);
    for (const withState of [true, false]) {
      const r = compareMonitors({ stage: 'prod', planned, live: holds().map(live), ...(withState ? { state } : {}) });
      expect(r.findings).toEqual([]);
      expect(r.inSync).toBe(planned.length);
    }
  });

  test('fails when a threshold, the routing and a tag were edited in the UI: each field named with both values', () => {
    const ms = holds();
    const i = index('monitor-api-error-ratio');
    ms[i] = {
      ...ms[i],
      thresholds: { ...ms[i].thresholds, critical: 0.05 },
      message: (ms[i].message ?? '').replace('@pagerduty-payments', '@slack-payments-alerts'),
      tags: [...ms[i].tags, 'muted-by:alice'],
    };
    const r = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f.kind).toBe('changed');
    if (f.kind !== 'changed') return;
    expect(f.id).toBe(idOf(i));
    expect(f.fields.map((x) => x.field)).toEqual(['message', 'tags', 'thresholds.critical']);
    expect(f.fields.find((x) => x.field === 'thresholds.critical')).toEqual({ field: 'thresholds.critical', declared: '0.02', live: '0.05' });
    expect(f.fields.find((x) => x.field === 'tags')).toEqual({ field: 'tags', declared: 'no muted-by:alice', live: 'muted-by:alice' });
    expect(f.fields.find((x) => x.field === 'message')?.declared).toContain('@pagerduty-payments');
  });

  test('fails when a monitor was renamed in the UI: with the state it is "changed: name"; without, it is missing and its copy orphaned', () => {
    const ms = holds();
    const i = index('monitor-web-5xx-ratio');
    ms[i] = { ...ms[i], name: `${ms[i].name} (temp)` };
    const withState = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state });
    expect(withState.findings).toEqual([
      expect.objectContaining({ kind: 'changed', key: 'monitor-web-5xx-ratio', fields: [expect.objectContaining({ field: 'name' })] }),
    ]);
    const names = compareMonitors({ stage: 'prod', planned, live: ms.map(live) });
    expect(names.findings.map((f) => f.kind).sort()).toEqual(['missing', 'orphaned']);
  });

  test('fails when a monitor was deleted in the UI (404 by id); a declared monitor not in the state is pending, not drift', () => {
    const ms = holds();
    const i = index('monitor-checkout-up');
    const gone = ms.splice(i, 1)[0];
    const r = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state, gone: [gone.id] });
    expect(r.findings).toEqual([{ object: 'monitor', kind: 'deleted', key: 'monitor-checkout-up', id: gone.id, name: gone.name }]);
    const partial = compareMonitors({ stage: 'prod', planned, live: holds().map(live), state: state.filter((s) => s.id !== idOf(0)) });
    expect(partial.findings.map((f) => f.kind)).toEqual(['not-applied', 'orphaned']);
  });

  test('fails when someone cloned a managed monitor, or made one by hand with our name or stage prefix: orphaned and lookalikes', () => {
    const ms = holds();
    const src = ms[index('monitor-web-5xx-ratio')];
    ms.push({ ...src, id: 9_000_001, name: `${src.name} (clone)` }); // a UI clone keeps the tags
    ms.push({ id: 9_000_002, name: src.name, tags: ['env:prod'], overall_state: 'OK', query: 'avg(last_5m):avg:system.load.1{*} > 3', message: '' });
    ms.push({
      id: 9_000_003,
      name: '[prod] disk full on db',
      tags: [],
      overall_state: 'OK',
      query: 'avg(last_5m):avg:system.disk.in_use{*} > 0.9',
      message: '',
    });
    ms.push({ id: 9_000_004, name: 'copy', tags: [], overall_state: 'OK', query: ` ${src.query}  `, message: '' });
    ms.push({ id: 9_000_005, name: 'unrelated', tags: ['env:prod'], overall_state: 'OK', query: 'avg(last_5m):avg:system.load.1{*} > 9', message: '' });
    const r = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state });
    expect(r.findings).toEqual([
      { object: 'monitor', kind: 'orphaned', id: 9_000_001, name: `${src.name} (clone)`, inState: false },
      { object: 'monitor', kind: 'lookalike', id: 9_000_002, name: src.name, why: 'has the name of a declared monitor' },
      { object: 'monitor', kind: 'lookalike', id: 9_000_003, name: '[prod] disk full on db', why: 'named with the stage prefix "[prod]"' },
      { object: 'monitor', kind: 'lookalike', id: 9_000_004, name: 'copy', why: 'has the query of a declared monitor' },
    ]);
  });

  test('fails when a burn-rate alert was pointed at another SLO in the UI: with the SLOs found, the query must name its own SLO', () => {
    const plan = planStage(prod, config.monitoring);
    const liveSloIdOf = new Map(plan.slos.map((s, i) => [s.key, sloIdOf(i)]));
    const ms = applied(planned, plan.slos);
    expect(compareMonitors({ stage: 'prod', planned, live: ms.map(live), state, liveSloIdOf }).findings).toEqual([]);
    const i = planned.findIndex((p) => p.origin === 'burn-rate' && p.refs.slo === 'checkout-availability');
    const other = sloIdOf(plan.slos.findIndex((s) => s.id === 'web-availability'));
    ms[i] = { ...ms[i], query: ms[i].query!.replace(sloIdOf(plan.slos.findIndex((s) => s.id === 'checkout-availability')), other) };
    const [f] = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state, liveSloIdOf }).findings;
    expect(f).toMatchObject({ object: 'monitor', kind: 'changed', key: planned[i].key, fields: [{ field: 'query', live: expect.stringContaining(other) }] });
    // Without the SLOs' ids (not found), any id stands: the SLO itself is reported.
    expect(compareMonitors({ stage: 'prod', planned, live: ms.map(live), state }).findings).toEqual([]);
  });

  test('queries compare up to whitespace; the SLO placeholder stands for an id, not for anything', () => {
    expect(sameQuery('avg(last_5m):avg:a{env:prod} > 1', 'avg(last_5m): avg:a{env:prod}>1')).toBe(true);
    expect(sameQuery('avg(last_5m):avg:a{env:prod} > 1', 'avg(last_5m):avg:a{env:prod} > 2')).toBe(false);
    expect(sameQuery('burn_rate("__SLO_ID__").over("7d") > 14', 'burn_rate("abc123").over("7d") > 14')).toBe(true);
    expect(sameQuery('burn_rate("__SLO_ID__").over("7d") > 14', 'burn_rate("abc123").over("30d") > 14')).toBe(false);
    expect(sameQuery('burn_rate("__SLO_ID__").over("7d") > 14', 'burn_rate("a" OR "b").over("7d") > 14')).toBe(false);
  });

  test('server text is cleaned before it is reported: no terminal escapes, bounded length', () => {
    const ms = holds();
    ms.push({ id: 9_100_000, name: `[prod] \u001b[31mred\u001b[0m ${'x'.repeat(400)}`, tags: [], overall_state: 'OK', message: '' });
    const f = compareMonitors({ stage: 'prod', planned, live: ms.map(live), state }).findings[0];
    expect(f.kind).toBe('lookalike');
    expect(JSON.stringify(f)).not.toContain('\u001b');
    expect((f as { name: string }).name.length).toBeLessThanOrEqual(203);
  });
});

describe('drift: state files', () => {
  test('reads terraform show -json and terraform state pull alike', () => {
    expect(state).toHaveLength(planned.length);
    const pulled = JSON.stringify({
      version: 4,
      resources: [
        { mode: 'managed', type: 'datadog_monitor', name: 'm', instances: [{ attributes: { id: '42', name: '[prod] x' } }] },
        {
          mode: 'managed',
          type: 'datadog_dashboard_json',
          name: 'd',
          instances: [{ attributes: { id: 'abc-def-ghi', dashboard: '{"title":"[prod] Board"}' } }],
        },
        {
          mode: 'managed',
          type: 'datadog_service_level_objective',
          name: 's',
          instances: [{ attributes: { id: 'ebf2e048f49a5134b61a586438c66505', name: '[prod] SLO' } }],
        },
        { mode: 'data', type: 'datadog_monitor', name: 'other', instances: [{ attributes: { id: 'not read' } }] },
      ],
    });
    expect(stateMonitors(pulled, 'prod.tfstate')).toEqual([{ address: 'datadog_monitor.m', id: 42, name: '[prod] x' }]);
    expect(readState(pulled, 'prod.tfstate')).toEqual({
      monitors: [{ address: 'datadog_monitor.m', id: 42, name: '[prod] x' }],
      slos: [{ address: 'datadog_service_level_objective.s', id: 'ebf2e048f49a5134b61a586438c66505', name: '[prod] SLO' }],
      dashboards: [{ address: 'datadog_dashboard_json.d', id: 'abc-def-ghi', name: '[prod] Board' }],
    });
  });

  test('fails when the state is not JSON or a monitor id is not digits: one error naming the file, the path and the value', () => {
    expect(() => stateMonitors('{', 'prod.json')).toThrow(StateFileError);
    expect(() => stateMonitors('{', 'prod.json')).toThrow(/^prod\.json: not JSON/);
    const bad = JSON.stringify({
      values: { root_module: { resources: [{ address: 'datadog_monitor.a', mode: 'managed', type: 'datadog_monitor', values: { id: 'x1', name: 'n' } }] } },
    });
    expect(() => stateMonitors(bad, 'prod.json')).toThrow('prod.json: values.root_module.resources[0].values.id: got "x1", expected a monitor id (digits)');
    expect(() => stateMonitors('{"format_version":"1.0"}', 'prod.json')).toThrow(/neither "values" nor "resources"/);
    const dash = JSON.stringify({
      values: {
        root_module: {
          resources: [{ address: 'datadog_dashboard_json.d', mode: 'managed', type: 'datadog_dashboard_json', values: { id: 'abc-def-ghi', dashboard: '{' } }],
        },
      },
    });
    expect(() => readState(dash, 'prod.json')).toThrow(
      'prod.json: values.root_module.resources[0].values.dashboard: got "{", expected the dashboard JSON (a string) with a "title"',
    );
  });

  test('fails when the state is cut or corrupt without quoting it: a state holds secrets in clear', () => {
    // V8 quotes short texts ("hunter2" is not valid JSON) and excerpts of long ones; the error keeps the position only.
    for (const text of ['hunter2', '{"resources": [{"instances": [{"attributes": {"password": "hunter2"} x', `{"a": "hunter2"\n${'x'.repeat(60)}`]) {
      let message = '';
      try {
        stateMonitors(text, 'prod.tfstate');
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^prod\.tfstate: not JSON( \(at position \d+\))?; expected the output of `terraform show -json` or `terraform state pull`$/);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('password');
    }
  });
});
