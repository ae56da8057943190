import { deepEqual, describeDelta, describeElement, diffValues, formatValue, pathString, stringExcerpts } from '../../../review/diff/values';
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

  test('lists read as what they gain and lose, short or long, never cut', () => {
    expect(describeDelta(['a', 'b'], ['a', 'c'])).toBe('adds c; removes b');
    expect(describeDelta(['10.0.0.0/8'], ['10.0.0.0/8', '192.168.0.0/16'])).toBe('adds 192.168.0.0/16');
    expect(describeDelta(['b', 'a'], ['a', 'b'])).toBe('reordered `[b, a]` -> `[a, b]`');
    // IAM writes one action as a string: a string and a list compare as lists.
    expect(describeDelta('s3:GetObject', ['s3:GetObject', 's3:PutObject'])).toBe('adds s3:PutObject');
    const actions = Array.from({ length: 60 }, (_, i) => `secretsmanager:VeryLongActionName${i}`);
    const added = describeDelta([], actions);
    expect(added).toBe(`adds ${[...actions].sort().join(', ')}`);
    expect(formatValue(actions)).toBe(`\`[${actions.join(', ')}]\``);
    // Numbers keep their order as their meaning: soak hours per batch.
    expect(describeDelta([48, 48, 72], [24, 48, 72])).toBe('`[48, 48, 72]` -> `[24, 48, 72]`');
  });

  test('objects in a list (IAM statements) read in words, whole', () => {
    const s1 = { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' };
    const s2 = { Effect: 'Deny', NotAction: 'iam:*', Resource: ['*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    expect(describeElement(s1)).toBe('Read: Allow s3:GetObject on arn:aws:s3:::b/*');
    expect(describeElement(s2)).toBe('Deny all but iam:* on * when {"Bool":{"aws:SecureTransport":"false"}}');
    expect(describeDelta([s1], [s1, s2])).toBe('adds `Deny all but iam:* on * when {"Bool":{"aws:SecureTransport":"false"}}`');
    expect(describeElement({ b: 1, a: [1, 2] })).toBe('{"a":[1,2],"b":1}');
  });

  test('fails when free text is very long: the whole is not printed, and the report says how much is left out', () => {
    const text = `a b ${'x'.repeat(300)}`;
    expect(formatValue(text)).toMatch(/^`a b x+…` \(144 more characters\)$/);
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
