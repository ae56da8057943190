/**
 * Agent versions compared as versions, never as strings: 7.9.0 < 7.10.0.
 * `MAJOR.MINOR.PATCH`, an optional `-prerelease` (dot-separated; numeric
 * parts compare as numbers, and a prerelease is lower than its release) and
 * an optional `+build` (ignored), as semver orders them. Pure.
 */

export interface AgentVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly string[];
}

const VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** The version a text names, or undefined when it is not one. */
export function parseVersion(text: string): AgentVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (m === null) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch, prerelease: m[4] === undefined ? [] : m[4].split('.') };
}

/**
 * Order of two version texts: negative, zero or positive. A text that is not
 * a version sorts below every version; two such texts are equal only when
 * identical (their order among themselves is by code points, for a stable
 * listing; they never equal a version).
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (x === undefined || y === undefined) {
    if (x !== undefined) return 1;
    if (y !== undefined) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  for (const k of ['major', 'minor', 'patch'] as const) if (x[k] !== y[k]) return x[k] - y[k];
  return comparePrerelease(x.prerelease, y.prerelease);
}

/** Whether two texts name the same version (build metadata aside). */
export function sameVersion(a: string, b: string): boolean {
  return parseVersion(a) !== undefined && compareVersions(a, b) === 0;
}

function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release outranks its prereleases
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareIdentifier(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort below alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}
