/**
 * Synthesizing a commit with its own code: in its worktree, run the `app`
 * command of its cdktf.json (the cdktf contract every commit of this project
 * honours: `npm run --silent build && node dist/main.js`, output directory
 * from $CDKTF_OUTDIR, configuration from $ROLLOUT_CONFIG), then read what it
 * wrote.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Synthesis of a commit failed (its build, its configuration, or a timeout). */
export class SynthRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthRefError';
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly timedOut: boolean;
}

/** Run a shell command in its own process group; on timeout the whole group is killed. */
export function runShell(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const keep = (d: Buffer): void => {
      output = (output + d.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${e.message}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** The `app` command of a project's cdktf.json. */
export function cdktfAppCommand(projectDir: string): string {
  const file = path.join(projectDir, 'cdktf.json');
  if (!fs.existsSync(file)) throw new SynthRefError(`no cdktf.json in ${projectDir}: cannot synthesize this commit`);
  let app: unknown;
  try {
    app = (JSON.parse(fs.readFileSync(file, 'utf8')) as { app?: unknown }).app;
  } catch (e) {
    throw new SynthRefError(`cdktf.json is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof app !== 'string' || app.trim() === '') throw new SynthRefError('cdktf.json has no "app" command');
  return app;
}

export interface SynthCommitOptions {
  /** The project inside the worktree (where cdktf.json is). */
  readonly projectDir: string;
  /** The configuration directory inside the worktree. */
  readonly configDir: string;
  /** Where the stacks go (CDKTF_OUTDIR); must not exist yet or be empty. */
  readonly outdir: string;
  /** @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
}

/** Build and synthesize a checked-out commit with its own code. */
export async function synthesizeCommit(opts: SynthCommitOptions): Promise<void> {
  const app = cdktfAppCommand(opts.projectDir);
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: opts.outdir, ROLLOUT_CONFIG: opts.configDir, CHECKPOINT_DISABLE: '1' };
  const res = await runShell(app, { cwd: opts.projectDir, env, timeoutMs: opts.timeoutMs ?? 600_000 });
  if (res.code === 0 && fs.existsSync(path.join(opts.outdir, 'stacks'))) return;
  const tail = res.output
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^npm warn/i.test(l))
    .slice(-15)
    .join('\n');
  const why = res.timedOut ? `timed out after ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s` : res.code === 0 ? 'it wrote no stacks' : `exit ${res.code}`;
  throw new SynthRefError(`\`${app}\` failed (${why})${tail ? `:\n${tail}` : ''}`);
}

/** The files of a synthesized tree: `stacks/<s>/cdk.tf.json` under `outdir`, inventories under `inventoryRoot`. */
export function readSynthFiles(outdir: string, inventoryRoot: string): Record<string, string> {
  const files: Record<string, string> = {};
  const stacks = path.join(outdir, 'stacks');
  if (fs.existsSync(stacks)) {
    for (const s of fs.readdirSync(stacks).sort()) {
      const f = path.join(stacks, s, 'cdk.tf.json');
      if (fs.existsSync(f)) files[`stacks/${s}/cdk.tf.json`] = fs.readFileSync(f, 'utf8');
    }
  }
  const inv = path.join(inventoryRoot, 'ansible', 'inventories');
  if (fs.existsSync(inv)) {
    for (const s of fs.readdirSync(inv).sort()) {
      const f = path.join(inv, s, 'hosts.yml');
      if (fs.existsSync(f)) files[`ansible/inventories/${s}/hosts.yml`] = fs.readFileSync(f, 'utf8');
    }
  }
  return files;
}
