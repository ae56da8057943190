/**
 * A commit checked out in a temporary git worktree, with this checkout's
 * node_modules linked in, removed again however the work ends (including
 * SIGINT / SIGTERM while it runs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { git, GitError } from './git';

/** A temporary worktree of one commit. */
export interface Worktree {
  /** Root of the worktree (the repository's top level at that commit). */
  readonly dir: string;
  readonly sha: string;
}

export interface WorktreeOptions {
  /** The repository (its top level). */
  readonly repo: string;
  readonly sha: string;
  /** node_modules to link into the worktree, at `<worktree>/<projectRel>/node_modules`. */
  readonly nodeModules?: string;
  /** Project directory relative to the repository top level ('' for the top level). */
  readonly projectRel?: string;
}

/** Worktrees alive in this process, removed on SIGINT / SIGTERM. */
const live = new Set<() => void>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const cleanup of [...live]) cleanup();
      process.kill(process.pid, sig);
    });
  }
}

function removeWorktree(repo: string, dir: string, parent: string, link?: string): void {
  if (link) {
    try {
      fs.unlinkSync(link); // the link only, never what it points at
    } catch {
      /* not there */
    }
  }
  try {
    git(['worktree', 'remove', '--force', dir], repo);
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      git(['worktree', 'prune'], repo);
    } catch {
      /* best effort */
    }
  }
  fs.rmSync(parent, { recursive: true, force: true });
}

/** Check out `sha` in a temporary worktree, run `fn` there, and remove the worktree. */
export async function withWorktree<T>(opts: WorktreeOptions, fn: (wt: Worktree) => Promise<T> | T): Promise<T> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-diff-'));
  const dir = path.join(parent, 'worktree');
  try {
    git(['worktree', 'add', '--detach', '--quiet', dir, opts.sha], opts.repo);
  } catch (e) {
    fs.rmSync(parent, { recursive: true, force: true });
    throw new GitError(`cannot check out ${opts.sha} in a temporary worktree: ${(e as Error).message}`);
  }
  let link: string | undefined;
  const cleanup = (): void => {
    live.delete(cleanup);
    removeWorktree(opts.repo, dir, parent, link);
  };
  live.add(cleanup);
  installSignalHandlers();
  try {
    if (opts.nodeModules) {
      const project = path.join(dir, opts.projectRel ?? '');
      link = path.join(project, 'node_modules');
      if (fs.existsSync(project) && !fs.existsSync(link)) fs.symlinkSync(opts.nodeModules, link, 'dir');
      else link = undefined;
    }
    return await fn({ dir, sha: opts.sha });
  } finally {
    cleanup();
  }
}
