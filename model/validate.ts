/**
 * Turn zod issues into located problems (`file:line path: got X, expected Y`).
 */
import { z } from 'zod';
import { describeValue, Problem } from './errors';
import type { Format } from './patterns';
import { valueAt, YamlSource } from './yaml-source';

/** Marks a custom invalid-type message of ours (zod's own start otherwise). */
const DOMAIN = '\u0000domain:';

/**
 * A string schema of one shared format (model/patterns.ts). Its errors keep
 * the format's words: a wrong type says what the format allows, not "a
 * string", and a number or boolean where text belongs (YAML reads `7.72`,
 * `yes`, `1e3` unquoted as such) says to quote it. `hint` may say more about
 * a value that breaks the pattern in a known way.
 */
export function stringOf(format: Format, hint?: (value: string) => string | undefined): z.ZodString {
  return z
    .string({
      error: (issue) => {
        const kind = typeof issue.input;
        const quote = kind === 'number' || kind === 'boolean' ? ` (YAML read ${String(issue.input)} as a ${kind}: quote it)` : '';
        return `${DOMAIN}${format.expected}${quote}`;
      },
    })
    .regex(format.pattern, { error: (issue) => (hint && typeof issue.input === 'string' ? hint(issue.input) : undefined) ?? format.expected })
    .meta({ [ALLOWED_KEY]: format.expected });
}

/** JSON Schema keyword carrying a format's words (`an AWS region such as us-east-1`) into the generated schemas and field reference. */
export const ALLOWED_KEY = 'x-allowed';

/** Validate the data of `source` against `schema`; every issue becomes a problem. */
export function validateSource<S extends z.ZodType>(schema: S, source: YamlSource): { value?: z.output<S>; problems: Problem[] } {
  if (source.data === null || source.data === undefined) {
    // An empty file (or one of comments only) parses to nothing.
    const required = requiredKeysOf(schema);
    const expected = required.length > 0 ? `an object with at least ${required.join(', ')}` : 'an object';
    return { problems: [{ file: source.file, line: 1, path: '', got: 'an empty file', expected }] };
  }
  const result = schema.safeParse(source.data);
  if (result.success) return { value: result.data, problems: [] };
  return { problems: result.error.issues.flatMap((issue) => toProblems(schema, source, issue)) };
}

function toProblems(root: z.ZodType, source: YamlSource, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path as PropertyKey[];
  const dotted = (p: readonly PropertyKey[]): string => p.map(String).join('.');
  const got = describeValue(valueAt(source.data, path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(root, path);
      return issue.keys.map((key) => {
        const near = closestKey(key, allowed);
        const known = allowed.length > 0 ? `one of the known keys: ${allowed.join(', ')}` : 'no other keys here';
        return {
          file: source.file,
          line: source.lineOfKey(path, key),
          path: dotted([...path, key]),
          got: `unknown key ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${near}?)`}`,
          expected: known,
        };
      });
    }
    case 'invalid_key': {
      // A record key that breaks its format (a tag key with a space): name the key, say what a key must be.
      const key = path[path.length - 1];
      const inner = issue.issues[0] as z.core.$ZodIssue | undefined;
      return [
        {
          file: source.file,
          line: source.lineOfKey(path.slice(0, -1), String(key)),
          path: dotted(path),
          got: `the key ${JSON.stringify(String(key))}`,
          expected: inner === undefined ? 'a valid key' : `a key that is ${expectedOf(inner)}`,
        },
      ];
    }
    case 'invalid_union':
      return [{ file: source.file, line: source.lineOf(path), path: dotted(path), got, expected: issue.message }];
    default:
      return [{ file: source.file, line: source.lineOf(path), path: dotted(path), got, expected: expectedOf(issue, valueAt(source.data, path)) }];
  }
}

/** zod's type names in the words of the stage and team file reference (docs/configuration.md). */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'an object',
  record: 'an object',
  array: 'an array',
  tuple: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  nonoptional: 'a value',
};

/**
 * The known key an unknown one most likely meant: the closest by edit
 * distance (a swap of two neighbours counts as one edit), case ignored, if
 * it is close enough to be a typo (at most a third of the key's letters).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (best === undefined || d < best.d) best = { name, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.name : undefined;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** What the schema allows, in words, for one issue. */
export function expectedOf(issue: z.core.$ZodIssue, input?: unknown): string {
  const plural = (n: unknown, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.message.startsWith(DOMAIN)) return issue.message.slice(DOMAIN.length);
      const words = TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
      // YAML 1.2 (the yaml library's default) reads yes/no/on/off as text, unlike YAML 1.1 tools.
      const yaml11 = issue.expected === 'boolean' && typeof input === 'string' && /^(yes|no|on|off|y|n)$/i.test(input);
      return yaml11 ? `${words} (YAML reads ${JSON.stringify(input)} as text: write true or false)` : words;
    }
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small': {
      const op = issue.inclusive === false ? 'more than' : 'at least';
      if (issue.origin === 'array') return `${op} ${plural(issue.minimum, 'item')}`;
      if (issue.origin === 'string') return `${op} ${plural(issue.minimum, 'character')}`;
      return `a number ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    }
    case 'too_big': {
      const op = issue.inclusive === false ? 'fewer than' : 'at most';
      if (issue.origin === 'array') return `${op} ${plural(issue.maximum, 'item')}`;
      if (issue.origin === 'string') return `${op} ${plural(issue.maximum, 'character')}`;
      return `a number ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    }
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** Known keys of the object schema found at `path` (through defaults, optionals, arrays). */
function objectKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = unwrap(root);
  for (const seg of path) {
    if (!schema) return [];
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') schema = unwrap((def.shape as Record<string, z.core.$ZodType>)[String(seg)]);
    else if (def.type === 'array') schema = unwrap(def.element as z.core.$ZodType);
    else if (def.type === 'record') schema = unwrap(def.valueType as z.core.$ZodType);
    else return [];
  }
  const def = schema?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === 'object' ? Object.keys(def.shape as object).sort() : [];
}

/** Keys of an object schema that have no default and are not optional, in schema order. */
function requiredKeysOf(schema: z.core.$ZodType): string[] {
  const def = unwrap(schema)?._zod.def as unknown as Record<string, unknown> | undefined;
  if (def?.type !== 'object') return [];
  const shape = def.shape as Record<string, z.core.$ZodType>;
  return Object.keys(shape).filter((k) => !['optional', 'default', 'prefault'].includes((shape[k]._zod.def as unknown as { type: string }).type));
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type as string)) {
      s = def.innerType as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      s = def.in as z.core.$ZodType;
    } else break;
  }
  return s;
}
