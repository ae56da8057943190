/**
 * YAML parsing that remembers where every value came from, so validation
 * problems can be reported with the line of the offending field.
 */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
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

/** Parse YAML text; syntax errors are returned as problems, never thrown. */
export function parseYaml(file: string, text: string): { source?: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const line = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        line: line(e.pos[0]),
        path: '',
        got: `invalid YAML (${e.code}: ${e.message.split('\n')[0]})`,
        expected: 'well-formed YAML',
      })),
    };
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const nodeAt = (path: readonly PropertyKey[]): Node | undefined => deepestNode(doc, path);
  return {
    problems: [],
    source: {
      file,
      data,
      lineOf: (path) => line(nodeAt(path)?.range?.[0]),
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
