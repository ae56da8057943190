/**
 * Small, synchronous git helpers for `rollout diff` (the git CLI, no library).
 */
import { spawnSync } from 'child_process';

/** A git command failed, or a ref does not name a commit. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** Environment for git: no pager, no prompts, a stable locale for messages. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
}

/** Run git in `cwd`; returns stdout (trimmed) or throws GitError with git's message. */
export function git(args: readonly string[], cwd: string): string {
  const res = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new GitError(`git ${args[0]}: ${res.error.message}`);
  if (res.status !== 0) {
    const msg = (res.stderr || res.stdout || '').trim().split('\n').filter(Boolean).slice(-3).join(' / ');
    throw new GitError(`git ${args.join(' ')}: ${msg || `exit ${res.status}`}`);
  }
  return res.stdout.trim();
}

/** The top-level directory of the work tree containing `dir`; undefined outside a git repository. */
export function gitToplevel(dir: string): string | undefined {
  try {
    return git(['rev-parse', '--show-toplevel'], dir);
  } catch {
    return undefined;
  }
}

/** The full commit id `ref` names in `repo`; undefined when it names no commit. */
export function resolveCommit(repo: string, ref: string): string | undefined {
  if (ref === '' || ref.startsWith('-')) return undefined;
  try {
    return git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], repo);
  } catch {
    return undefined;
  }
}

/** The short form of a commit id (7 characters, as git log shows them by default). */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
