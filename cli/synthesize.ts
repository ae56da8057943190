/**
 * Synthesis: configuration in, `cdktf.out/` out. Validates everything first
 * and writes into a temporary sibling directory that replaces the output only
 * when complete, so a failure never leaves half-written output.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../model/load-config';
import type { RolloutConfig } from '../model/stage';
import { INVENTORIES_DIR, inventoryPath, renderInventory } from '../inventory/stage-inventory';
import { buildStacks } from '../stacks/app';

/** Options of one synthesis. */
export interface SynthOptions {
  /** Configuration directory (laid out like this repo). */
  readonly configDir: string;
  /** Output directory for the stacks. */
  readonly outdir: string;
  /** Root under which `ansible/inventories/<stage>/hosts.yml` are written.
   * @default - the configuration directory */
  readonly inventoryRoot?: string;
}

/** What a synthesis produced. */
export interface SynthResult {
  readonly config: RolloutConfig;
  /** Stack names, sorted. */
  readonly stacks: string[];
  /** Inventory files written, relative to the configuration directory. */
  readonly inventories: string[];
}

/** Build the cdktf app for `config` into `outdir` (no atomicity; see synthesize). */
export function synthApp(config: RolloutConfig, outdir: string): string[] {
  withoutTokenStackTraces(() => {
    const app = new App({ outdir, stackTraces: false });
    buildStacks(app, config);
    app.synth();
  });
  return fs.readdirSync(path.join(outdir, 'stacks')).sort();
}

/**
 * Run `fn` while stack traces are not formatted. cdktf records a full stack
 * trace for every token it creates (used only in its own debug messages);
 * formatting them was the largest single cost of a synth in the profile
 * (see BENCHMARKS.md). Error messages are unaffected, only `.stack` text.
 */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (err: Error) => `${err.name}: ${err.message}`;
  // cdktf 0.21 also *captures* an unlimited-depth trace per token through this
  // private module (~0.9 s at 10,000 hosts). Its callers read the export at
  // call time, so it can be stubbed for the duration; if a cdktf version moves
  // it, nothing is stubbed and synth is only slower.
  const traces = cdktfStackTraceModule();
  const capture = traces?.captureStackTrace;
  if (traces && capture) traces.captureStackTrace = () => [];
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
    if (traces && capture) traces.captureStackTrace = capture;
  }
}

function cdktfStackTraceModule(): { captureStackTrace?: (below?: unknown) => string[] } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace?: (below?: unknown) => string[] };
  } catch {
    return undefined;
  }
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
    const inventories = config.stages.map((st) => ({ rel: inventoryPath(st.name), text: renderInventory(st) }));
    replaceDir(tmp, outdir);
    const root = opts.inventoryRoot ?? opts.configDir;
    writeFilesAtomically(root, inventories);
    pruneStaleInventories(root, new Set(config.stages.map((st) => st.name)));
    return { config, stacks, inventories: inventories.map((i) => i.rel) };
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

/** Write every file to a temporary sibling first, then rename them all into place. */
export function writeFilesAtomically(root: string, files: ReadonlyArray<{ rel: string; text: string }>): void {
  const staged: Array<[string, string]> = [];
  try {
    for (const f of files) {
      const dest = path.join(root, f.rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, f.text);
      staged.push([tmp, dest]);
    }
  } catch (e) {
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, dest] of staged) fs.renameSync(tmp, dest);
}

/** Remove generated inventories of stages that no longer exist (only files synth wrote). */
function pruneStaleInventories(root: string, stages: ReadonlySet<string>): void {
  const dir = path.join(root, INVENTORIES_DIR);
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name, 'hosts.yml');
    if (stages.has(name) || !fs.existsSync(file)) continue;
    if (fs.readFileSync(file, 'utf8').startsWith('# Generated by `rollout synth`')) {
      fs.rmSync(file);
      if (fs.readdirSync(path.join(dir, name)).length === 0) fs.rmdirSync(path.join(dir, name));
    }
  }
}
