/**
 * Configuration problems, collected and reported together.
 *
 * Every problem names the file, the line, the field path, the value received
 * and what is allowed, so a user can fix all of them in one pass.
 */

/** One thing wrong with one input file. */
export interface Problem {
  /** Path of the file, relative to the configuration directory. */
  readonly file: string;
  /** 1-based line of the offending node (or of its nearest existing parent). */
  readonly line: number;
  /** Dotted field path, e.g. `hosts.2.criticality`; empty for the whole file. */
  readonly path: string;
  /** The value received, rendered for humans (`missing` when absent). */
  readonly got: string;
  /** What is allowed instead. */
  readonly expected: string;
}

/** Render one problem as `file:line path: got X, expected Y`. */
export function formatProblem(p: Problem): string {
  const where = p.path === '' ? '' : ` ${p.path}`;
  return `${p.file}:${p.line}${where}: got ${p.got}, expected ${p.expected}`;
}

/** Sort problems by file, then line, then path, so reports are stable. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.path, b.path) || cmp(a.expected, b.expected));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Thrown when configuration is invalid; carries every problem found. */
export class ConfigError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], what = 'configuration') {
    const sorted = sortProblems(problems);
    const n = sorted.length;
    super(`invalid ${what}: ${n} problem${n === 1 ? '' : 's'}\n` + sorted.map((p) => `  ${formatProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

/** Render a received value compactly for an error message. */
export function describeValue(value: unknown): string {
  // YAML reads `key:` with no value as null: for a person the value is missing.
  if (value === undefined || value === null) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return value.length <= 6 ? JSON.stringify(value) : `an array of ${value.length} items`;
  if (typeof value === 'object') {
    const n = Object.keys(value as object).length;
    return `an object (${n} key${n === 1 ? '' : 's'})`;
  }
  return String(value);
}
