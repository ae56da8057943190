import fc from 'fast-check';
import type { Criticality, Host } from '../../model/stage';
import { batchSizes, splitIntoBatches } from '../../model/batches';

const DEFAULT = [33, 33, 34];
const CRIT: Criticality[] = ['low', 'medium', 'high', 'critical'];
const host = (name: string, criticality: Criticality = 'low', batch?: number): Host => ({
  name,
  service: 'svc',
  team: 'team',
  criticality,
  managed: false,
  address: '10.0.0.1',
  tags: {},
  ...(batch !== undefined ? { batch } : {}),
});

/** Distinct host names with criticalities. */
const hostsArb = (min = 0, max = 120): fc.Arbitrary<Host[]> =>
  fc
    .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.constantFrom(...CRIT)), { minLength: min, maxLength: max, selector: (t) => t[0] })
    .map((ts) => ts.map(([n, c]) => host(n, c)));

const placement = (batches: ReturnType<typeof splitIntoBatches>): Map<string, number> =>
  new Map(batches.flatMap((b) => b.hosts.map((h) => [h.name, b.number] as [string, number])));

describe('batchSizes', () => {
  test.each([
    [3, [1, 1, 1]],
    [6, [2, 2, 2]],
    [10, [3, 3, 4]],
    [100, [33, 33, 34]],
    [38, [12, 13, 13]],
    [0, [0, 0, 0]],
    [1, [0, 0, 1]],
    [2, [0, 1, 1]],
  ])('%i hosts split 33/33/34 into %j', (n, expected) => {
    expect(batchSizes(n, DEFAULT)).toEqual(expected);
  });

  test('no batch is empty when there are at least as many hosts as batches, even with skewed percentages', () => {
    expect(batchSizes(3, [10, 10, 80])).toEqual([1, 1, 1]);
    expect(batchSizes(4, [1, 1, 98])).toEqual([1, 1, 2]);
  });

  test('sizes follow largest-remainder rounding for every N (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => {
        const sizes = batchSizes(n, DEFAULT);
        const quotas = DEFAULT.map((p) => (n * p) / 100);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
        sizes.forEach((s, i) => {
          // largest remainder: each size is the floor or the ceiling of its quota
          expect(s === Math.floor(quotas[i]) || s === Math.ceil(quotas[i]) || (n >= 3 && s === 1)).toBe(true);
        });
        if (n >= 3) expect(Math.min(...sizes)).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  test('fails when percentages do not sum to 100', () => {
    expect(() => batchSizes(10, [50, 40])).toThrow('batchSizes: percentages: got [50,40], expected positive whole numbers summing to 100');
  });
});

describe('splitIntoBatches', () => {
  test('least critical hosts go first', () => {
    const hosts = [host('db', 'critical'), host('web', 'low'), host('api', 'high'), host('cache', 'medium'), host('w2', 'low'), host('db2', 'critical')];
    const batches = splitIntoBatches(hosts, DEFAULT);
    expect(batches.map((b) => b.hosts.map((h) => h.criticality))).toEqual([
      ['low', 'low'],
      ['medium', 'high'],
      ['critical', 'critical'],
    ]);
  });

  test('a pinned host stays in its batch and counts toward its size', () => {
    const hosts = [host('a'), host('b'), host('c'), host('d'), host('e'), host('crit', 'critical', 1)];
    const batches = splitIntoBatches(hosts, DEFAULT);
    expect(batches[0].hosts.map((h) => h.name)).toContain('crit');
    expect(batches.map((b) => b.hosts.length)).toEqual([2, 2, 2]);
  });

  test('every host is in exactly one batch and sizes match batchSizes (property)', () => {
    fc.assert(
      fc.property(hostsArb(), (hosts) => {
        const batches = splitIntoBatches(hosts, DEFAULT);
        const names = batches.flatMap((b) => b.hosts.map((h) => h.name));
        expect(names.length).toBe(hosts.length);
        expect(new Set(names)).toEqual(new Set(hosts.map((h) => h.name)));
        expect(batches.map((b) => b.hosts.length)).toEqual(batchSizes(hosts.length, DEFAULT));
      }),
      { numRuns: 300 },
    );
  });

  test('the same hosts in any order give the same batches (property)', () => {
    fc.assert(
      fc.property(hostsArb(1), fc.integer(), (hosts, seed) => {
        const shuffled = [...hosts].sort((a, b) => ((a.name.charCodeAt(0) * seed) % 7) - ((b.name.charCodeAt(0) * seed) % 7) || (a.name < b.name ? 1 : -1));
        expect(splitIntoBatches(shuffled, DEFAULT)).toEqual(splitIntoBatches(hosts, DEFAULT));
      }),
      { numRuns: 300 },
    );
  });

  test('adding or removing one host moves at most two other hosts between batches (property)', () => {
    fc.assert(
      fc.property(hostsArb(0, 150), fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.constantFrom(...CRIT), (hosts, name, crit) => {
        fc.pre(!hosts.some((h) => h.name === name));
        const before = placement(splitIntoBatches(hosts, DEFAULT));
        const after = placement(splitIntoBatches([...hosts, host(name, crit)], DEFAULT));
        const moved = hosts.filter((h) => before.get(h.name) !== after.get(h.name));
        expect(moved.length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 1000 },
    );
  });

  test('fails when a host is pinned outside the batches', () => {
    expect(() => splitIntoBatches([host('a', 'low', 4)], DEFAULT)).toThrow('splitIntoBatches: host a batch: got 4, expected a batch from 1 to 3');
  });
});
