import { deepEqual, describeDelta, diffValues, formatValue, pathString, stringExcerpts } from '../../../review/diff/values';
import { mustReplace } from '../../support/fixtures';

const leaves = (a: unknown, b: unknown): Array<[string, unknown, unknown]> => diffValues(a, b).map((l) => [pathString(l.path), l.before, l.after]);

describe('diffValues', () => {
  test('object key order is no difference; values are compared structurally', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(leaves({ a: 1, b: { c: 2 } }, { b: { c: 3 }, a: 1 })).toEqual([['b.c', 2, 3]]);
  });

  test('a block that appears or disappears is reported attribute by attribute', () => {
    expect(leaves({ lifecycle: { prevent_destroy: true } }, {})).toEqual([['lifecycle.prevent_destroy', true, undefined]]);
    expect(leaves({}, { monitor_thresholds: { critical: 1, warning: 0.5 } })).toEqual([
      ['monitor_thresholds.critical', undefined, 1],
      ['monitor_thresholds.warning', undefined, 0.5],
    ]);
  });

  test('lists of objects with an identity field are matched by it, not by position', () => {
    const a = [
      { sid: 'A', actions: ['x'] },
      { sid: 'B', actions: ['y'] },
    ];
    const b = [
      { sid: 'C', actions: ['z'] },
      { sid: 'A', actions: ['x', 'w'] },
    ];
    expect(leaves({ statement: a }, { statement: b })).toEqual([
      ['statement[A].actions', ['x'], ['x', 'w']],
      ['statement[B]', { sid: 'B', actions: ['y'] }, undefined],
      ['statement[C]', undefined, { sid: 'C', actions: ['z'] }],
    ]);
  });

  test('a reordered list is one change (order can matter: soak hours)', () => {
    expect(leaves({ soak: [48, 72] }, { soak: [72, 48] })).toEqual([['soak', [48, 72], [72, 48]]]);
  });

  test('strings holding JSON are compared by content', () => {
    expect(leaves({ policy: '{"a":1,"b":2}' }, { policy: '{\n  "b": 2,\n  "a": 1\n}' })).toEqual([]);
    expect(leaves({ policy: '{"a":1}' }, { policy: '{"a":2}' })).toEqual([['policy.a', 1, 2]]);
  });
});

describe('wording of values', () => {
  test('plain tokens as is, other strings in backticks, lists compact', () => {
    expect(formatValue('7.72.0')).toBe('7.72.0');
    expect(formatValue('api latency')).toBe('`api latency`');
    expect(formatValue([48, 48, 72])).toBe('`[48, 48, 72]`');
    expect(formatValue(undefined)).toBe('(none)');
    expect(formatValue('a`b c')).toBe('`` a`b c ``');
  });

  test('deltas', () => {
    expect(describeDelta(0.5, 0.8)).toBe('0.5 -> 0.8');
    expect(describeDelta(true, undefined)).toBe('removed');
    expect(describeDelta('x', undefined)).toBe('removed (was x)');
    expect(describeDelta(undefined, 3)).toBe('set to 3');
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(describeDelta(many, [...many.slice(1), 'h'])).toBe('adds h; removes a');
  });

  test('long strings are shown around their difference', () => {
    const a = `avg(last_5m):avg:trace.http.request.duration{env:prod,service:api,team:payments,version:1} > 0.5`;
    const b = mustReplace(a, '> 0.5', '> 0.8');
    expect(stringExcerpts(a, b)).toEqual(['…payments,version:1} > 0.5', '…payments,version:1} > 0.8']);
    const m = 'Only {{value}}% of the 12 hosts of batch 1 (the batch split of stacks/stages/prod.yaml) report an Agent.';
    expect(describeDelta(m, mustReplace(m, '12 hosts', '13 hosts'))).toBe(
      '`Only {{value}}% of the 12 hosts of batch 1 (the b…` -> `Only {{value}}% of the 13 hosts of batch 1 (the b…`',
    );
  });
});
