/**
 * A small, fast YAML emitter for plain data: maps in block style, lists of
 * scalars in flow style (one line each, strings quoted). The generic `yaml` stringifier takes ~9 s for a 100,000-host
 * inventory; this takes well under a second. Strings are written plain only
 * when YAML (1.1 and 1.2) reads them back as the same string; otherwise they
 * are double-quoted (JSON string syntax is valid YAML).
 */

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@:+-]*$/;
const DOTTED_NUMBERS = /^\d+(\.\d+){2,}$/; // 7.72.0, 10.30.1.11: never a number or a date
const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

const cache = new Map<string, string>();

/** Render one scalar. */
export function yamlScalar(v: unknown): string {
  if (typeof v === 'string') {
    let r = cache.get(v);
    if (r === undefined) {
      r = renderString(v);
      // Host names are unique; only short, repeating strings are worth keeping.
      if (cache.size < 10_000) cache.set(v, r);
    }
    return r;
  }
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`yamlScalar: got ${v}, expected a finite number`);
    return String(v);
  }
  throw new Error(`yamlScalar: got ${typeof v}, expected a string, number, boolean or null`);
}

function renderString(v: string): string {
  if ((PLAIN.test(v) && !RESERVED.test(v) && !v.endsWith(':') && !v.includes('::')) || DOTTED_NUMBERS.test(v)) return v;
  return JSON.stringify(v);
}

const quoted = new Map<string, string>();

/** A scalar inside a flow list: strings always double-quoted (no flow-context ambiguity). */
export function flowScalar(item: unknown): string {
  if (typeof item === 'string') {
    let q = quoted.get(item);
    if (q === undefined) {
      q = JSON.stringify(item);
      if (quoted.size > 10_000) quoted.clear();
      quoted.set(item, q);
    }
    return q;
  }
  if (isMap(item) || Array.isArray(item)) throw new Error('emitYaml: lists of maps or lists are not supported');
  return yamlScalar(item);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Emit `value` (a map at the top) as YAML, keys in insertion order, 2-space indent. */
/**
 * A map value rendered by the caller: `render(pad)` returns the block's lines
 * (each ending in a newline) indented by `pad`. For hot paths only; tests
 * check it against the generic emitter.
 */
export class RawBlock {
  constructor(readonly render: (pad: string) => string) {}
}

export function emitYaml(value: Record<string, unknown>): string {
  return emitMap(value, '');
}

function emitMap(map: Record<string, unknown>, pad: string): string {
  let out = '';
  for (const k in map) {
    const v = map[k];
    if (v === undefined) continue;
    const key = `${pad}${yamlScalar(k)}:`;
    if (v instanceof RawBlock) {
      out += `${key}\n${v.render(`${pad}  `)}`;
    } else if (Array.isArray(v)) {
      out += `${key} [${v.map(flowScalar).join(', ')}]\n`;
    } else if (isMap(v)) {
      let empty = true;
      for (const _ in v) {
        empty = false;
        break;
      }
      out += empty ? `${key} {}\n` : `${key}\n${emitMap(v, `${pad}  `)}`;
    } else out += `${key} ${yamlScalar(v)}\n`;
  }
  return out;
}
