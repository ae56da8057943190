/**
 * Temporary git repositories for the `rollout diff` tests: built from this
 * project's files, committed with a fixed identity and date so commit ids are
 * reproducible, with this checkout's node_modules linked in (and excluded).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Checkout, DiffSynthesizers, synthesizeWorkingTree } from '../../../cli/commands/diff';
import { REPO, tempDir } from '../../support/fixtures';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Rollout Test',
  GIT_AUTHOR_EMAIL: 'rollout-test@example.invalid',
  GIT_COMMITTER_NAME: 'Rollout Test',
  GIT_COMMITTER_EMAIL: 'rollout-test@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Run git in `cwd` with a fixed identity, no user or system config; returns stdout, trimmed. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Commit everything in `repo`; returns the commit id. */
export function commitAll(repo: string, message: string): string {
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-q', '-m', message);
  return gitIn(repo, 'rev-parse', 'HEAD');
}

/**
 * A new repository holding `files` (relative path -> text) plus a
 * node_modules link to this checkout's, excluded from git.
 */
export function repoWith(files: Record<string, string>, prefix = 'rollout-git-'): string {
  const dir = fs.realpathSync(tempDir(prefix));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  gitIn(dir, 'init', '-q');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** This project's committed files at HEAD (`git archive`), as relative path -> text. */
export function projectFilesAtHead(): Record<string, string> {
  const out = tempDir('rollout-archive-');
  try {
    execFileSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C '${out}'`], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    const files: Record<string, string> = {};
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) files[path.relative(out, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(out);
    return files;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** This repo's example configuration (stage files, monitors/), plus cdktf.json (what `rollout diff` needs to find the project). */
export function exampleConfigFiles(): Record<string, string> {
  const files: Record<string, string> = { 'cdktf.json': fs.readFileSync(path.join(REPO, 'cdktf.json'), 'utf8') };
  const add = (rel: string): void => {
    const abs = path.join(REPO, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) for (const f of fs.readdirSync(abs).sort()) add(path.join(rel, f));
    else files[rel.split(path.sep).join('/')] = fs.readFileSync(abs, 'utf8');
  };
  add(path.join('stacks', 'stages'));
  add('monitors'); // teams' monitor definitions, when the configuration has them
  return files;
}

/** Edit a file of `repo` in place. */
export function edit(repo: string, rel: string, change: (text: string) => string): void {
  const file = path.join(repo, rel);
  const before = fs.readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${rel} changed nothing`);
  fs.writeFileSync(file, after);
}

/**
 * Synthesizers for `rollout diff` / `rollout release plan` tests: a ref's
 * configuration is extracted with `git archive` and synthesized by this
 * process's code (no worktree, no build). `onRef` counts ref syntheses.
 */
export function inProcessSynthesizers(onRef: () => void = () => undefined): DiffSynthesizers {
  return {
    ref: async (co: Checkout, sha: string) => {
      onRef();
      const dir = tempDir('rollout-ref-');
      try {
        execFileSync('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C '${dir}'`], { cwd: co.repo });
        return synthesizeWorkingTree(path.join(dir, co.configRel));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    workingTree: synthesizeWorkingTree,
  };
}
