/**
 * Synthesis: configuration in, `cdktf.out/` and the inventories
 * (`ansible/inventories/<stage>/hosts.yml`) out, together or not at all.
 * Validates everything first (nothing is written on invalid configuration);
 * then, holding a lock beside the output directory (`cdktf.out.lock`,
 * cli/output-lock.ts), finishes what an interrupted synth left (its journal,
 * stale temporaries), stages every output beside its target and replaces them
 * all in one journaled commit (cli/output-transaction.ts). After a failure or
 * a kill at any point, the outputs are all old or all new once the next synth
 * (or `recoverOutputs`) has run.
 */
import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../model/load-config';
import type { RolloutConfig } from '../model/stage';
import { ec2InventoryPath, hasEc2Inventory, renderEc2Inventory } from '../inventory/ec2-inventory';
import { INVENTORIES_DIR, inventoryPath, renderInventory } from '../inventory/stage-inventory';
import type { Stage } from '../model/stage';
import { playbookBundle, PlaybookBundle, readBundleFiles } from '../plan/ssm/bundle';
import { buildStacks } from '../stacks/app';
import { lockFileFor } from '../stacks/provider-locks';
import { acquireOutputLock } from './output-lock';
import { cleanStaleTemps, NODE_FS, OutputFs, OutputTransaction, recoverJournal, TEMP_PREFIX } from './output-transaction';

/** Options of one synthesis. */
export interface SynthOptions {
  /** Configuration directory (laid out like this repo). */
  readonly configDir: string;
  /** Output directory for the stacks. */
  readonly outdir: string;
  /** Root under which `ansible/inventories/<stage>/hosts.yml` are written.
   * @default - the configuration directory */
  readonly inventoryRoot?: string;
  /** Where notices go: a stale lock taken over, an interrupted synth recovered, stale temporaries removed.
   * @default - standard error */
  readonly log?: (line: string) => void;
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
    buildStacks(app, config, ssmBundles(config));
    app.synth();
  });
  const stacks = fs.readdirSync(path.join(outdir, 'stacks')).sort();
  for (const stack of stacks) writeProviderLock(path.join(outdir, 'stacks', stack));
  return stacks;
}

/**
 * The playbook bundle of each stage whose executor is ssm: the configuration
 * directory's `ansible/` tree without its inventories, plus the stage's own
 * inventory as this synth renders it (not as it is on disk, which this synth
 * may be about to replace), so the bundle is a function of the configuration.
 */
export function ssmBundles(config: RolloutConfig): Record<string, PlaybookBundle> {
  const stages = config.stages.filter((stage) => stage.rollout.executor === 'ssm');
  if (stages.length === 0) return {};
  const tree = path.join(config.dir, 'ansible');
  if (!fs.existsSync(tree)) {
    throw new Error(`${tree}: got no such directory, expected the Ansible tree the ssm executor bundles (stages ${stages.map((s) => s.name).join(', ')})`);
  }
  const shared = readBundleFiles(tree, (rel) => `ansible/${rel}` === INVENTORIES_DIR);
  return Object.fromEntries(stages.map((stage: Stage) => [stage.name, playbookBundle([...shared, stageInventoryFile(stage)])]));
}

/** The stage's inventory at its place inside the bundle (`inventories/<stage>/hosts.yml`). */
function stageInventoryFile(stage: Stage): { path: string; bytes: Buffer } {
  return { path: inventoryPath(stage.name).replace(/^ansible\//, ''), bytes: Buffer.from(renderInventory(stage), 'utf8') };
}

/** `.terraform.lock.hcl` beside a stack's cdk.tf.json when its providers are locked (stacks/provider-locks.ts). */
function writeProviderLock(stackDir: string): void {
  const config = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    terraform?: { required_providers?: Record<string, { source: string; version?: string }> };
  };
  const text = lockFileFor(config.terraform?.required_providers ?? {});
  if (text !== undefined) fs.writeFileSync(path.join(stackDir, '.terraform.lock.hcl'), text);
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

/**
 * Load, validate and synthesize, then replace `outdir` and the inventories
 * together or not at all (see the module comment). Nothing is written when
 * the configuration is invalid. `fsOps` is for tests (fault injection).
 */
export function synthesize(opts: SynthOptions, fsOps: OutputFs = NODE_FS): SynthResult {
  const config = loadConfig(opts.configDir);
  const paths = outputPaths(opts.outdir, opts.inventoryRoot ?? opts.configDir);
  const inventories = config.stages.flatMap((st) => [
    { rel: inventoryPath(st.name), text: renderInventory(st) },
    ...(hasEc2Inventory(st) ? [{ rel: ec2InventoryPath(st.name), text: renderEc2Inventory(st) }] : []),
  ]);
  return underLockRecovered(fsOps, paths, opts.log ?? logToStderr, () => {
    const tx = new OutputTransaction(fsOps, paths.journal, showPath);
    const pruned = staleInventories(fsOps, paths.inventoryRoot, new Set(inventories.map((i) => i.rel)));
    let stacks: string[];
    try {
      stacks = tx.stageDir(paths.outdir, (dir) => synthApp(config, dir));
      for (const inv of inventories) tx.stageFile(path.join(paths.inventoryRoot, inv.rel), inv.text, paths.inventoryRoot);
      for (const file of pruned) {
        // with its directory when it holds nothing else (nothing but files pruned here), in the same rename
        const dir = path.dirname(file);
        const rest = fsOps.readdirSync(dir).filter((name) => !pruned.includes(path.join(dir, name)));
        if (rest.length > 0) tx.stageRemoval(file);
        else if (pruned.find((f) => path.dirname(f) === dir) === file) tx.stageRemoval(dir);
      }
    } catch (e) {
      tx.abort();
      throw e;
    }
    tx.commit();
    return { config, stacks, inventories: inventories.map((i) => i.rel) };
  });
}

/**
 * Only the recovery a synth starts with: under the lock, finish (or undo) a
 * commit an interrupted synth left behind and remove stale temporaries.
 */
export function recoverOutputs(opts: { outdir: string; inventoryRoot: string; log?: (line: string) => void }, fsOps: OutputFs = NODE_FS): void {
  underLockRecovered(fsOps, outputPaths(opts.outdir, opts.inventoryRoot), opts.log ?? logToStderr, () => undefined);
}

/** Where one output directory's lock and journal live: beside it. */
interface OutputPaths {
  readonly outdir: string;
  readonly inventoryRoot: string;
  readonly lock: string;
  readonly journal: string;
}

function outputPaths(outdir: string, inventoryRoot: string): OutputPaths {
  const out = path.resolve(outdir);
  return { outdir: out, inventoryRoot: path.resolve(inventoryRoot), lock: `${out}.lock`, journal: `${out}.journal` };
}

function underLockRecovered<T>(fsOps: OutputFs, paths: OutputPaths, log: (line: string) => void, fn: () => T): T {
  fsOps.mkdirSync(path.dirname(paths.outdir), { recursive: true });
  const release = acquireOutputLock(fsOps, paths.lock, showPath(paths.outdir), showPath, log);
  try {
    recoverJournal(fsOps, paths.journal, showPath, log);
    const removed = removeStaleTemps(fsOps, paths);
    if (removed.length > 0) {
      log(`removed ${removed.length} stale temporar${removed.length === 1 ? 'y' : 'ies'} of interrupted synths: ${removed.map(showPath).join(', ')}`);
    }
    return fn();
  } finally {
    release();
  }
}

/**
 * Remove what interrupted synths left where this one writes: beside the
 * output directory, on the way down to the inventories (a new `ansible/`,
 * `inventories/` or stage directory is staged beside where it goes) and in
 * each stage directory.
 */
function removeStaleTemps(fsOps: OutputFs, paths: OutputPaths): string[] {
  const outNames = new Set([path.basename(paths.outdir), path.basename(paths.journal)]);
  const removed = cleanStaleTemps(fsOps, path.dirname(paths.outdir), (name) => outNames.has(name));
  let dir = paths.inventoryRoot;
  for (const segment of INVENTORIES_DIR.split('/')) {
    removed.push(...cleanStaleTemps(fsOps, dir, (name, legacy) => name === segment && !legacy));
    dir = path.join(dir, segment);
  }
  removed.push(...cleanStaleTemps(fsOps, dir, (_name, legacy) => !legacy)); // stage directories, new or set aside
  for (const stage of subdirectories(fsOps, dir))
    removed.push(...cleanStaleTemps(fsOps, path.join(dir, stage), (name) => name === 'hosts.yml' || name === 'aws_ec2.yml'));
  return [...new Set(removed)];
}
const GENERATED_MARK = '# Generated by `rollout synth`';

/** A path for a message: relative to the working directory, like the rest of the CLI's output. */
function showPath(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

function logToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
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

/** Generated inventory files (`hosts.yml`, `aws_ec2.yml`) this synth does not write (their stage is gone, or no longer on EC2 tags), sorted. */
function staleInventories(fsOps: OutputFs, root: string, written: ReadonlySet<string>): string[] {
  const dir = path.join(root, INVENTORIES_DIR);
  return subdirectories(fsOps, dir)
    .filter((name) => !name.startsWith(TEMP_PREFIX))
    .flatMap((name) => [inventoryPath(name), ec2InventoryPath(name)])
    .filter((rel) => !written.has(rel))
    .map((rel) => path.join(root, rel))
    .filter((file) => fsOps.existsSync(file) && fsOps.readFileSync(file, 'utf8').startsWith(GENERATED_MARK));
}

function subdirectories(fsOps: OutputFs, dir: string): string[] {
  if (!fsOps.existsSync(dir)) return [];
  return fsOps
    .readdirSync(dir)
    .filter((name) => isDirectory(fsOps, path.join(dir, name)))
    .sort();
}

function isDirectory(fsOps: OutputFs, p: string): boolean {
  try {
    return fsOps.statSync(p).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    return false; // e.g. a dangling symbolic link
  }
}
