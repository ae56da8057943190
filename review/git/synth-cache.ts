/**
 * A cache of synthesized refs, keyed by what decides the output: the git
 * tree of the commit (its code and configuration, whatever the commit id),
 * where the project and configuration sit in it, and the dependencies linked
 * in (node_modules/.package-lock.json). A hit skips the worktree, the build
 * and the synth of the base: the pull-request loop reruns against the same
 * base. Entries are written whole (temporary file, then rename) and one that
 * cannot be read is ignored and rewritten; the oldest go beyond MAX_ENTRIES.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { git } from './git';

/** Bump when the shape of an entry or of what synthesis writes changes. */
const FORMAT = 'rollout-diff-synth-v1';

/** Entries kept; older ones are removed when a new one is written. */
export const MAX_ENTRIES = 20;

/** What the key is made of (a test can give these directly). */
export interface CacheKeyParts {
  /** `git rev-parse <commit>^{tree}`. */
  readonly tree: string;
  readonly projectRel: string;
  readonly configRel: string;
  /** Digest of the linked dependencies ('' when unknown). */
  readonly dependencies: string;
}

/** The tree of a commit. */
export function treeOf(repo: string, sha: string): string {
  return git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{tree}`], repo);
}

/** Digest of the dependencies in `nodeModules` (npm's hidden lockfile), '' when there is none. */
export function dependenciesDigest(nodeModules: string): string {
  try {
    return createHash('sha256')
      .update(fs.readFileSync(path.join(nodeModules, '.package-lock.json')))
      .digest('hex');
  } catch {
    return '';
  }
}

/** The cache key (hex). */
export function cacheKey(p: CacheKeyParts): string {
  return createHash('sha256').update([FORMAT, p.tree, p.projectRel, p.configRel, p.dependencies].join('\0')).digest('hex');
}

const entryPath = (dir: string, key: string): string => path.join(dir, `${key}.json`);

/** The cached files of `key`; undefined on a miss or an entry that cannot be read. */
export function readEntry(dir: string, key: string): Record<string, string> | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(entryPath(dir, key), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || (doc as { format?: unknown }).format !== FORMAT) return undefined;
  const files = (doc as { files?: unknown }).files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return undefined;
  if (!Object.values(files).every((v) => typeof v === 'string')) return undefined;
  return files as Record<string, string>;
}

/** Write `files` under `key` (atomically), then drop the oldest entries beyond MAX_ENTRIES. Failures are ignored: the cache is an optimization. */
export function writeEntry(dir: string, key: string, files: Readonly<Record<string, string>>): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${key}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, files }));
    fs.renameSync(tmp, entryPath(dir, key));
    const entries = fs
      .readdirSync(dir)
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const e of entries.slice(MAX_ENTRIES)) fs.rmSync(path.join(dir, e.f), { force: true });
  } catch {
    /* a read-only or full cache directory only costs the next run its time */
  }
}

/** The files of `key` from the cache, or from `synth` (then cached); `hit` says which. */
export async function cached(dir: string, key: string, synth: () => Promise<Record<string, string>>): Promise<{ files: Record<string, string>; hit: boolean }> {
  const hit = readEntry(dir, key);
  if (hit) return { files: hit, hit: true };
  const files = await synth();
  writeEntry(dir, key, files);
  return { files, hit: false };
}
