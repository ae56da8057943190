/**
 * Synthesis: configuration in, `cdktf.out/` out. Validates everything first
 * and writes into a temporary sibling directory that replaces the output only
 * when complete, so a failure never leaves half-written output.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../model/load';
import type { RolloutConfig } from '../model/stage';
import { buildStacks } from '../stacks/app';

/** Options of one synthesis. */
export interface SynthOptions {
  /** Configuration directory (laid out like this repo). */
  readonly configDir: string;
  /** Output directory for the stacks. */
  readonly outdir: string;
}

/** What a synthesis produced. */
export interface SynthResult {
  readonly config: RolloutConfig;
  /** Stack names, sorted. */
  readonly stacks: string[];
}

/** Build the cdktf app for `config` into `outdir` (no atomicity; see synthesize). */
export function synthApp(config: RolloutConfig, outdir: string): string[] {
  const app = new App({ outdir, stackTraces: false });
  buildStacks(app, config);
  app.synth();
  return fs.readdirSync(path.join(outdir, 'stacks')).sort();
}

/** Load, validate and synthesize; replaces `outdir` atomically. */
export function synthesize(opts: SynthOptions): SynthResult {
  const config = loadConfig(opts.configDir);
  const outdir = path.resolve(opts.outdir);
  const tmp = `${outdir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  try {
    const stacks = synthApp(config, tmp);
    replaceDir(tmp, outdir);
    return { config, stacks };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Replace `dest` with `src` (rename-based; the old tree is removed last). */
export function replaceDir(src: string, dest: string): void {
  const old = `${dest}.old-${process.pid}`;
  const hadOld = fs.existsSync(dest);
  if (hadOld) fs.renameSync(dest, old);
  try {
    fs.renameSync(src, dest);
  } catch (e) {
    if (hadOld) fs.renameSync(old, dest);
    throw e;
  }
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
