/**
 * How a difference between a declared and a live value is reported (pure):
 * both sides cleaned and bounded (gate/redact.ts `printable`), long texts cut
 * around where they start to differ, tag lists as what each side has that
 * the other has not.
 */
import { printable } from '../gate/redact';
import type { FieldDrift } from './compare';

/** `field` as one difference when `declared` and `live` differ (none when equal); long texts are cut around the first difference. */
export function differences(field: string, declared: string, live: string): FieldDrift[] {
  if (declared === live) return [];
  const d = firstDifference(declared, live);
  return [{ field, declared: printable(d.declared, 300), live: printable(d.live, 300) }];
}

/**
 * Tags that differ, each side saying what it has that the other has not:
 * declared `env:prod, no muted-by:alice`, live `muted-by:alice, no env:prod`.
 * Undefined when the sets are equal.
 */
export function tagDrift(declared: readonly string[], live: readonly string[]): { declared: string; live: string } | undefined {
  const d = [...new Set(declared)].sort();
  const l = [...new Set(live)].sort();
  if (d.join(',') === l.join(',')) return undefined;
  const added = l.filter((t) => !d.includes(t));
  const removed = d.filter((t) => !l.includes(t));
  return { declared: [...removed, ...added.map((t) => `no ${t}`)].join(', '), live: [...added, ...removed.map((t) => `no ${t}`)].join(', ') };
}

/** Where two texts start to differ, with some context on each side (for a message, which can be long). */
export function firstDifference(a: string, b: string): { declared: string; live: string } {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 20);
  const cut = (s: string): string => `${from > 0 ? '...' : ''}${s.slice(from, i + 60)}${s.length > i + 60 ? '...' : ''}`;
  return { declared: cut(a), live: cut(b) };
}
