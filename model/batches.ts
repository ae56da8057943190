/**
 * The rollout batch split: which host is upgraded in which batch.
 *
 * Rules (pure; no cdktf, no I/O):
 * 1. Batch sizes come from the stage's percentages by largest-remainder
 *    rounding over whole hosts: each batch gets floor(N * p / 100); the hosts
 *    left over go one each to the batches with the largest remainders (a tie
 *    goes to the later batch, keeping early batches small).
 *    33/33/34 gives 3 hosts 1/1/1, 6 hosts 2/2/2, 10 hosts 3/3/4, 100 hosts 33/33/34.
 * 2. When there are at least as many hosts as batches, no batch is empty: an
 *    empty batch takes one host from the largest batch (the later one on a tie).
 * 3. Hosts are ordered least critical first (low, medium, high, critical),
 *    then by a stable hash of the host name (then the name), and fill the
 *    batches in that order. The result never depends on file order, and
 *    adding or removing one host moves at most one host across each batch
 *    boundary (at most two moves with three batches).
 * 4. A host with `batch: N` is pinned there; pinned hosts count toward their
 *    batch's size and the others fill the remaining places in order. A batch
 *    pinned beyond its size grows, and the last batches come out smaller.
 */
import { stableHash } from './hash';
import type { Criticality, Host } from './stage';

const RANK: Record<Criticality, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** One rollout batch: its 1-based number and hosts, in rollout order. */
export interface Batch {
  readonly number: number;
  readonly hosts: readonly Host[];
}

/** Batch sizes for `n` hosts and the given percentages (rules 1 and 2). */
export function batchSizes(n: number, percentages: readonly number[]): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`batchSizes: n: got ${n}, expected a whole number >= 0`);
  const sum = percentages.reduce((a, b) => a + b, 0);
  if (percentages.length === 0 || sum !== 100 || percentages.some((p) => !Number.isInteger(p) || p <= 0)) {
    throw new Error(`batchSizes: percentages: got ${JSON.stringify(percentages)}, expected positive whole numbers summing to 100`);
  }
  const k = percentages.length;
  const sizes = percentages.map((p) => Math.floor((n * p) / 100));
  const left = n - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = percentages.map((p, i) => ({ i, r: (n * p) % 100 })).sort((a, b) => b.r - a.r || b.i - a.i);
  for (let j = 0; j < left; j++) sizes[byRemainder[j].i]++;
  if (n >= k) {
    for (let i = 0; i < k; i++) {
      if (sizes[i] > 0) continue;
      let largest = 0;
      for (let j = 0; j < k; j++) if (sizes[j] >= sizes[largest]) largest = j;
      sizes[largest]--;
      sizes[i]++;
    }
  }
  return sizes;
}

/** Split hosts into batches (rules 1-4). Every host lands in exactly one batch. */
export function splitIntoBatches(hosts: readonly Host[], percentages: readonly number[]): Batch[] {
  const k = percentages.length;
  const sizes = batchSizes(hosts.length, percentages);
  const members: Host[][] = percentages.map(() => []);
  const free: Host[] = [];
  for (const h of sortForRollout(hosts)) {
    if (h.batch === undefined) free.push(h);
    else if (h.batch >= 1 && h.batch <= k && Number.isInteger(h.batch)) members[h.batch - 1].push(h);
    else throw new Error(`splitIntoBatches: host ${h.name} batch: got ${h.batch}, expected a batch from 1 to ${k}`);
  }
  let next = 0;
  for (let i = 0; i < k; i++) {
    const room = i === k - 1 ? free.length - next : Math.max(0, sizes[i] - members[i].length);
    members[i].push(...free.slice(next, next + room));
    next += room;
  }
  return members.map((hs, i) => ({ number: i + 1, hosts: sortForRollout(hs) }));
}

/** `hosts` in rollout order; computes each host's sort key once (hashing in the comparator is slow at 100k hosts). */
export function sortForRollout(hosts: readonly Host[]): Host[] {
  return hosts
    .map((h) => ({ h, rank: RANK[h.criticality], hash: stableHash(h.name) }))
    .sort((a, b) => a.rank - b.rank || a.hash - b.hash || (a.h.name < b.h.name ? -1 : a.h.name > b.h.name ? 1 : 0))
    .map((x) => x.h);
}
