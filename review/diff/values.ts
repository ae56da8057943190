/**
 * Structural comparison of JSON values (pure): objects by key, lists of
 * objects by an identity field when they have one (`sid`, `name`,
 * `timeframe`, ...), strings holding JSON (IAM policies, dashboards) by their
 * parsed content. Key order never matters; list order does (a reordered list
 * of soak hours is a real change).
 */

/** One leaf difference: where, and the values on both sides (undefined = absent). */
export interface Leaf {
  /** Path segments: object keys, `[3]` for a list index, `[name]` for a keyed list element. */
  readonly path: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

/** Fields that identify an element of a list of objects, tried in order. */
const IDENTITY_FIELDS = ['sid', 'Sid', 'name', 'timeframe', 'key', 'id', 'alias', 'cidr_ipv4'];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** Deep equality of JSON values; object key order is ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** A string that holds a JSON object or list, parsed; undefined otherwise. */
export function parseJsonString(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/** The identity field shared by every element of both lists, unique on each side. */
function identityField(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isPlainObject)) return undefined;
  for (const f of IDENTITY_FIELDS) {
    const ok = (list: readonly unknown[]): boolean => {
      const vals = list.map((x) => (x as Record<string, unknown>)[f]);
      return vals.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(vals).size === vals.length;
    };
    if (ok(a) && ok(b)) return f;
  }
  return undefined;
}

/** Every leaf difference between `before` and `after`, in a stable order. */
export function diffValues(before: unknown, after: unknown, path: readonly string[] = []): Leaf[] {
  if (deepEqual(before, after)) return [];
  // A block that appears or disappears is reported attribute by attribute (`lifecycle.prevent_destroy removed`).
  const objA = isPlainObject(before) ? before : before === undefined && isPlainObject(after) ? {} : undefined;
  const objB = isPlainObject(after) ? after : after === undefined && isPlainObject(before) ? {} : undefined;
  if (objA && objB && path.length > 0) {
    const keys = [...new Set([...Object.keys(objA), ...Object.keys(objB)])].sort();
    return keys.flatMap((k) => diffValues(objA[k], objB[k], [...path, k]));
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const id = identityField(before, after);
    if (id) {
      const index = (list: readonly unknown[]): Map<string, unknown> => new Map(list.map((x) => [String((x as Record<string, unknown>)[id]), x]));
      const ia = index(before);
      const ib = index(after);
      // Same members in a different order: a reorder, reported as one leaf.
      if (ia.size === ib.size && [...ia.keys()].every((k) => ib.has(k) && deepEqual(ia.get(k), ib.get(k)))) {
        return [{ path, before, after }];
      }
      const keys = [...new Set([...ia.keys(), ...ib.keys()])].sort();
      return keys.flatMap((k) =>
        // An element that comes or goes is one leaf (`statement[B]`), one on both sides is compared inside.
        ia.has(k) && ib.has(k) ? diffValues(ia.get(k), ib.get(k), [...path, `[${k}]`]) : [{ path: [...path, `[${k}]`], before: ia.get(k), after: ib.get(k) }],
      );
    }
    if (before.length === after.length && before.length > 0 && !before.every(isScalar)) {
      return before.flatMap((x, i) => diffValues(x, after[i], [...path, `[${i}]`]));
    }
    return [{ path, before, after }];
  }
  const ja = parseJsonString(before);
  const jb = parseJsonString(after);
  if (ja !== undefined && jb !== undefined) return diffValues(ja, jb, path);
  return [{ path, before, after }];
}

/** Render path segments: `statement[ReadDatadogApiKey].actions`. */
export function pathString(path: readonly string[]): string {
  let out = '';
  for (const seg of path) out += seg.startsWith('[') || out === '' ? seg : `.${seg}`;
  return out;
}

const PLAIN = /^[A-Za-z0-9_.:/@+=,-]{1,80}$/;

/** Longest free text shown whole in `set to` / `removed (was ...)`; longer text says how much is left out. */
const MAX_TEXT = 160;

/** A value for a sentence: plain tokens as is, other strings in backticks, lists and objects in full (never cut). */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(none)';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') {
    if (PLAIN.test(v)) return v;
    const flat = v.includes('\n') ? JSON.stringify(v) : v;
    return flat.length <= MAX_TEXT ? code(flat) : `${code(`${flat.slice(0, MAX_TEXT)}…`)} (${flat.length - MAX_TEXT} more characters)`;
  }
  if (Array.isArray(v) && v.every(isScalar)) {
    return code(`[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')}]`);
  }
  return code(describeElement(v));
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map((x) => String(x));

/**
 * An object in words, whole: an IAM policy statement as `Allow a, b on r`
 * (with its sid, principals and conditions), anything else as compact JSON
 * with sorted keys.
 */
export function describeElement(v: unknown): string {
  if (isPlainObject(v)) {
    const effect = v.Effect ?? v.effect;
    const actions = v.Action ?? v.actions ?? v.NotAction ?? v.not_actions;
    if (typeof effect === 'string' && actions !== undefined) {
      const not = v.NotAction !== undefined || v.not_actions !== undefined ? 'all but ' : '';
      const resources = v.Resource ?? v.resources ?? v.NotResource ?? v.not_resources;
      const principals = v.Principal ?? v.principals;
      const condition = v.Condition ?? v.condition;
      const sid = v.Sid ?? v.sid;
      return [
        typeof sid === 'string' && sid !== '' ? `${sid}: ` : '',
        `${effect} ${not}${asStrings(actions).join(', ')}`,
        resources !== undefined ? ` on ${asStrings(resources).join(', ')}` : '',
        principals !== undefined ? ` for ${JSON.stringify(sortKeys(principals))}` : '',
        condition !== undefined ? ` when ${JSON.stringify(sortKeys(condition))}` : '',
      ].join('');
    }
  }
  return JSON.stringify(sortKeys(v));
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const t = text.replace(/\r?\n/g, ' ');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** A copy with object keys sorted (stable JSON). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** For two lists of scalars: what was added and removed (as multisets). */
export function listDelta(before: readonly unknown[], after: readonly unknown[]): { added: unknown[]; removed: unknown[] } {
  const count = (list: readonly unknown[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of list) m.set(JSON.stringify(x), (m.get(JSON.stringify(x)) ?? 0) + 1);
    return m;
  };
  const cb = count(before);
  const ca = count(after);
  const added: unknown[] = [];
  const removed: unknown[] = [];
  for (const [k, n] of ca) for (let i = cb.get(k) ?? 0; i < n; i++) added.push(JSON.parse(k));
  for (const [k, n] of cb) for (let i = ca.get(k) ?? 0; i < n; i++) removed.push(JSON.parse(k));
  const byText = (x: unknown, y: unknown): number => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1);
  return { added: added.sort(byText), removed: removed.sort(byText) };
}

const LONG = 60;
const CONTEXT = 24;

/**
 * Two long strings that differ somewhere in the middle, as excerpts around the
 * difference: `…of the 12 hosts of batch 1…` -> `…of the 13 hosts of batch 1…`.
 */
export function stringExcerpts(before: string, after: string): [string, string] {
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  const cut = (t: string): string => {
    const from = Math.max(0, p - CONTEXT);
    const to = Math.min(t.length, t.length - s + CONTEXT);
    const mid = t.slice(from, to);
    const shown = mid.length > 2 * CONTEXT + 60 ? `${mid.slice(0, CONTEXT + 60)}…` : mid;
    return `${from > 0 ? '…' : ''}${shown}${to < t.length && !shown.endsWith('…') ? '…' : ''}`;
  };
  return [cut(before), cut(after)];
}

/** A list of strings, or one string standing for a list of one (IAM's `"Action": "s3:GetObject"`). */
function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** `adds a, b; removes c` (empty when nothing was added or removed). */
function addsRemoves(added: readonly unknown[], removed: readonly unknown[], word: (x: unknown) => string = (x) => formatValue(x)): string {
  const parts: string[] = [];
  if (added.length > 0) parts.push(`adds ${added.map(word).join(', ')}`);
  if (removed.length > 0) parts.push(`removes ${removed.map(word).join(', ')}`);
  return parts.join('; ');
}

/**
 * `from -> to` for one leaf, or `set to X` / `removed (was X)`. Lists read as
 * what they gain and lose (`adds s3:PutObject; removes s3:GetObject`),
 * whatever their length and never cut; only lists of numbers, whose order is
 * their meaning (soak hours), read `[48, 48, 72] -> [24, 48, 72]`.
 */
export function describeDelta(before: unknown, after: unknown): string {
  if (typeof before === 'string' && typeof after === 'string' && (before.length > LONG || after.length > LONG || /\n/.test(before + after))) {
    const [a, b] = stringExcerpts(before, after);
    return `${code(a.replace(/\r?\n/g, '⏎'))} -> ${code(b.replace(/\r?\n/g, '⏎'))}`;
  }
  if (before === undefined) return `set to ${formatValue(after)}`;
  if (after === undefined) return before === true ? 'removed' : `removed (was ${formatValue(before)})`;
  const sb = stringList(before);
  const sa = stringList(after);
  if (sb && sa && (Array.isArray(before) || Array.isArray(after))) {
    const { added, removed } = listDelta(sb, sa);
    if (added.length === 0 && removed.length === 0) return `reordered ${formatValue(before)} -> ${formatValue(after)}`;
    return addsRemoves(added, removed);
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.every((x) => typeof x === 'number') && after.every((x) => typeof x === 'number')) return `${formatValue(before)} -> ${formatValue(after)}`;
    const { added, removed } = listDelta(before.map(sortKeys), after.map(sortKeys));
    if (added.length === 0 && removed.length === 0) return `reordered (${before.length} elements)`;
    return addsRemoves(added, removed, (x) => (isScalar(x) ? formatValue(x) : code(describeElement(x))));
  }
  return `${formatValue(before)} -> ${formatValue(after)}`;
}
