import fc from 'fast-check';
import { parse } from 'yaml';
import { emitYaml, yamlScalar } from '../../inventory/yaml-emit';

const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'true',
    'no',
    'Off',
    'null',
    '~',
    'y',
    '7.72.0',
    '10.0.0.1',
    '1e3',
    '0x1f',
    '12:30',
    '2026-11-22',
    '-',
    'a: b',
    'a #b',
    '@x',
    '"q"',
    "'s'",
    'env:dev',
    'k:',
    '::1',
    '',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('yes', '1', 'a b', 'x:y'));
const tree: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  map: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 4 }), tie('map')), { maxKeys: 5 }),
})).map as fc.Arbitrary<Record<string, unknown>>;

describe('emitYaml', () => {
  test('what it writes parses back to the same data (property)', () => {
    fc.assert(
      fc.property(tree, (data) => {
        expect(parse(emitYaml(data)) ?? {}).toEqual(data);
      }),
      { numRuns: 500 },
    );
  });

  test('keeps safe strings plain and quotes ambiguous ones', () => {
    expect(['web-01', 'env:dev', '7.72.0', '10.30.1.11', 'us5.datadoghq.com'].map(yamlScalar)).toEqual([
      'web-01',
      'env:dev',
      '7.72.0',
      '10.30.1.11',
      'us5.datadoghq.com',
    ]);
    expect(['yes', 'null', '1.5', '12:30', 'a b', ''].map(yamlScalar)).toEqual(['"yes"', '"null"', '"1.5"', '"12:30"', '"a b"', '""']);
    expect(emitYaml({ a: { b: [1, 'x'] }, c: {} })).toBe('a:\n  b: [1, "x"]\nc: {}\n');
  });

  test('fails when given a list of maps', () => {
    expect(() => emitYaml({ a: [{ b: 1 }] })).toThrow('emitYaml: lists of maps or lists are not supported');
  });
});
