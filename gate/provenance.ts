/**
 * Where a gate report came from: this tool's version (package.json) and the
 * configuration's commit. The commit is read from the files git keeps, never
 * by running git: the git HEAD of the configuration directory's repository
 * (`.git` found upward from it; a `.git` file of a worktree or submodule is
 * followed; the branch's ref is read loose, else from `packed-refs`). When
 * the directory is not in a git checkout, `ROLLOUT_COMMIT`, else `GITHUB_SHA`
 * (set by GitHub Actions). A working tree's uncommitted changes are not seen.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ConfigCommit } from './types';

const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const PACKAGE_NAME = 'observability-rollout';

/** `observability-rollout <version>` from the nearest package.json of this tool, above this module. */
export function toolVersion(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return `${PACKAGE_NAME} ${pkg.version}`;
    } catch {
      // no package.json here, or not ours: go up
    }
    if (path.dirname(dir) === dir) return `${PACKAGE_NAME} (version unknown)`;
  }
}

/** The configuration's commit: its git HEAD, else ROLLOUT_COMMIT / GITHUB_SHA; null when none is known. */
export function configCommit(configDir: string, env: Readonly<Record<string, string | undefined>>): ConfigCommit | null {
  const git = gitHead(configDir);
  if (git !== undefined) return git;
  for (const name of ['ROLLOUT_COMMIT', 'GITHUB_SHA'] as const) {
    const v = env[name]?.trim().toLowerCase();
    if (v !== undefined && /^[0-9a-f]{7,64}$/.test(v)) return { sha: v, source: name };
  }
  return null;
}

/** The HEAD commit of the git repository holding `dir`, read from files; undefined when there is none or it cannot be read. */
export function gitHead(dir: string): ConfigCommit | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const dotGit = path.join(d, '.git');
    const gitDir = resolveGitDir(dotGit);
    if (gitDir !== undefined) {
      const sha = readHead(gitDir);
      return sha === undefined ? undefined : { sha: sha.sha, source: `git HEAD of ${d}${sha.ref ? ` (${sha.ref})` : ''}` };
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function resolveGitDir(dotGit: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(dotGit);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return dotGit;
  if (!st.isFile()) return undefined;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readSmall(dotGit) ?? '');
  return m === null ? undefined : path.resolve(path.dirname(dotGit), m[1]);
}

function readHead(gitDir: string): { sha: string; ref?: string } | undefined {
  const head = readSmall(path.join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (SHA.test(head)) return { sha: head };
  const m = /^ref:\s*(refs\/\S+)$/.exec(head);
  if (m === null) return undefined;
  const ref = m[1];
  // A linked worktree keeps its HEAD but shares refs with the main repository (`commondir`).
  const common = readSmall(path.join(gitDir, 'commondir'))?.trim();
  const dirs = [gitDir, ...(common ? [path.resolve(gitDir, common)] : [])];
  for (const d of dirs) {
    const loose = readSmall(path.join(d, ...ref.split('/')))?.trim();
    if (loose !== undefined && SHA.test(loose)) return { sha: loose, ref };
  }
  for (const d of dirs) {
    const packed = readSmall(path.join(d, 'packed-refs'));
    if (packed === undefined) continue;
    for (const line of packed.split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && SHA.test(sha)) return { sha, ref };
    }
  }
  return undefined;
}

/** A small text file (at most 1 MiB), or undefined. */
function readSmall(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 1 << 20) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
