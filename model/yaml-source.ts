/**
 * YAML parsing that remembers where every value came from, so validation
 * problems can be reported with the line of the offending field.
 */
import { Document, ErrorCode, isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar, visit } from 'yaml';
import { describeValue, Problem } from './errors';

/** A parsed YAML file: its plain data and a way to find the line of a path. */
export interface YamlSource {
  /** File path as shown in messages (relative to the configuration directory). */
  readonly file: string;
  /** The parsed data (plain JSON-like values). */
  readonly data: unknown;
  /** 1-based line of the node at `path`, or of its deepest existing ancestor. */
  lineOf(path: readonly PropertyKey[]): number;
  /** 1-based line of the key `key` inside the mapping at `path` (for unknown keys). */
  lineOfKey(path: readonly PropertyKey[], key: string): number;
}

/**
 * Most aliases one file may expand. YAML aliases can nest (`b: [*a, *a]`,
 * `c: [*b, *b]`...), so a few lines can expand to gigabytes (the "billion
 * laughs"); yaml's `toJS` refuses past `maxAliasCount`
 * (https://eemeli.org/yaml/#tojs-options). Configuration files need few.
 */
export const MAX_ALIAS_COUNT = 100;

/** Parse YAML text; syntax errors are returned as problems, never thrown. */
export function parseYaml(file: string, text: string): { source?: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const line = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    // yaml goes on after the first syntax error and its later errors mostly follow from it: report the first, and every repeated key.
    const errors = doc.errors.filter((e, i) => i === 0 || e.code === 'DUPLICATE_KEY');
    const problems = errors.map((e) => ({
      file,
      line: line(startOfError(doc, e.code, e.pos[0])),
      path: '',
      ...yamlErrorText(e.code, e.message, e.code === 'DUPLICATE_KEY' ? keyAt(text, e.pos[0]) : text.slice(e.pos[0], e.pos[1])),
    }));
    return { problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (e) {
    return { problems: [aliasProblem(file, doc, line, e instanceof Error ? e.message : String(e))] };
  }
  const nodeAt = (path: readonly PropertyKey[]): Node | undefined => deepestNode(doc, path);
  return {
    problems: [],
    source: {
      file,
      data,
      lineOf: (path) => line(startOf(doc, path)),
      lineOfKey: (path, key) => {
        const node = nodeAt(path);
        if (isMap(node)) {
          const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === key);
          const keyNode = pair?.key as Node | undefined;
          if (keyNode?.range) return line(keyNode.range[0]);
        }
        return line(node?.range?.[0]);
      },
    },
  };
}

/**
 * Where the node at `path` (or its deepest existing ancestor) starts for a
 * reader: a block object or array given as a key's value starts at its key
 * (`reviewers:`), not at its first item on the next line.
 */
function startOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let keyStart: number | undefined;
  for (const seg of path) {
    let next: unknown;
    let key: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      key = pair?.key as Node | undefined;
      next = pair?.value ?? (pair?.key as unknown);
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    node = next;
    keyStart = key?.range?.[0];
  }
  const n = node as Node | undefined;
  if (isCollection(n) && n.flow !== true && keyStart !== undefined) return keyStart;
  return n?.range?.[0];
}

/** Walk `path` from the document root; stop at the deepest node that exists. */
function deepestNode(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      next = pair?.value ?? (pair?.key as unknown);
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    node = next;
  }
  return node as Node | undefined;
}

/** Read the raw value at `path` in plain data (used to show what was received). */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** Convenience: build a problem for `path` in `source`. */
export function problemAt(source: YamlSource, path: readonly PropertyKey[], expected: string, got?: string): Problem {
  return {
    file: source.file,
    line: source.lineOf(path),
    path: path.map(String).join('.'),
    got: got ?? describeValue(valueAt(source.data, path)),
    expected,
  };
}

/**
 * Where a syntax error starts. yaml reports an unclosed quote or flow
 * collection (`"abc`, `[1, 2`) where it noticed, often the end of the file;
 * the person needs the line that opened it: the innermost quoted scalar or
 * flow collection around the error.
 */
function startOfError(doc: Document, code: ErrorCode, offset: number): number {
  if (code !== 'MISSING_CHAR' && code !== 'BAD_INDENT' && code !== 'BLOCK_IN_FLOW' && code !== 'UNEXPECTED_TOKEN') return offset;
  let best: number | undefined;
  visit(doc, (_key, node) => {
    const range = (node as Node).range;
    if (!range || range[0] > offset || offset > range[2]) return;
    const opens = (isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) || (isCollection(node) && node.flow === true);
    if (opens && (best === undefined || range[0] > best)) best = range[0];
  });
  return best ?? offset;
}

/** A yaml error in words for a person (no parser codes or API names). */
function yamlErrorText(code: ErrorCode, message: string, source: string): { got: string; expected: string } {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return { got: 'a second YAML document (a "---" or "..." line)', expected: 'one document per file' };
    case 'DUPLICATE_KEY':
      return { got: `the key ${quoteShort(source)} a second time in the same object`, expected: 'each key once' };
    case 'TAB_AS_INDENT':
      return { got: 'a tab used for indentation', expected: 'spaces for indentation (YAML does not allow tabs)' };
    case 'MISSING_CHAR':
      return { got: 'a quoted value whose closing quote is missing', expected: 'the value closed by the quote it opened with' };
    case 'BLOCK_IN_FLOW':
      return { got: 'a "- item" or "key:" line inside [ ] or { }', expected: 'inside brackets, items separated by commas ([a, b], {k: v}); or no brackets' };
    case 'BAD_INDENT': {
      const close = /end with an? ([\]}])/.exec(message)?.[1];
      if (close !== undefined) {
        const open = close === ']' ? '[' : '{';
        return { got: `a ${open} that is not closed`, expected: `a closing ${close} (a flow value must end before the next key)` };
      }
      return { got: `invalid YAML: ${lowerFirst(message.split('\n')[0])}`, expected: 'well-formed YAML' };
    }
    default: {
      // yaml's messages describe the text ("All mapping items must start at the same column"); drop hints at its API.
      const text = message
        .split('\n')[0]
        .replace(/;?\s*(please )?use [A-Za-z.]+\(\)/, '')
        .replace(/\bmapping(s?)\b/g, 'object$1')
        .replace(/\bsequence(s?)\b/g, 'array$1')
        .trim();
      const at = source.trim() === '' ? '' : ` at ${quoteShort(source)}`;
      return { got: `invalid YAML: ${lowerFirst(text)}${at}`, expected: 'well-formed YAML' };
    }
  }
}

/** The key written at `offset` (yaml points a repeated key's error at its first character). */
function keyAt(text: string, offset: number): string {
  return text
    .slice(offset)
    .split('\n')[0]
    .split(/:(\s|$)/)[0]
    .replace(/^["']|["']$/g, '');
}

function quoteShort(source: string): string {
  const t = source.trim().split('\n')[0];
  return JSON.stringify(t.length > 30 ? `${t.slice(0, 27)}...` : t);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The problem of a document whose aliases could not be expanded: too many, or one with no anchor before it. */
function aliasProblem(file: string, doc: Document, line: (offset: number | undefined) => number, message: string): Problem {
  let first: number | undefined;
  let unresolved: { name: string; offset: number } | undefined;
  const anchors = new Set<string>();
  visit(doc, (_key, node) => {
    const n = node as Node & { anchor?: string };
    if (typeof n.anchor === 'string') anchors.add(n.anchor);
    if (isAlias(node)) {
      first ??= node.range?.[0];
      if (!anchors.has(node.source) && unresolved === undefined) unresolved = { name: node.source, offset: node.range?.[0] ?? 0 };
    }
  });
  if (unresolved !== undefined || /unresolved alias/i.test(message)) {
    const name = unresolved?.name ?? '';
    return {
      file,
      line: line(unresolved?.offset ?? first),
      path: '',
      got: `the alias *${name} with no anchor &${name} before it`,
      expected: `an anchor &${name} defined above its first use`,
    };
  }
  return {
    file,
    line: line(first),
    path: '',
    got: `aliases that expand to more than ${MAX_ALIAS_COUNT} copies (a file this small should not need that many; a "billion laughs" file is refused)`,
    expected: `at most ${MAX_ALIAS_COUNT} alias expansions per file`,
  };
}
