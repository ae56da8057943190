/**
 * Helpers for running the real `terraform` CLI from tests, hermetically:
 *  - a CLI config file written per test (never the machine's TF_CLI_CONFIG_FILE / ~/.terraformrc),
 *  - a clean environment (no inherited AWS_* or TF_* variables),
 *  - the hashicorp/aws provider taken from a local filesystem mirror (discovered, not hard-coded),
 *  - every process bounded by a timeout that kills its whole process group.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const AWS_PROVIDER_ADDRESS = 'registry.terraform.io/hashicorp/aws';
export const AWS_PROVIDER_VERSION = '5.100.0';
export const AWS_PROVIDER_PLATFORM = 'linux_amd64';
export const DEFAULT_TERRAFORM_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------
// Provider mirror discovery
// ---------------------------------------------------------------------------

/** Relative to a mirror dir: unpacked layout dir, and packed layout zip. */
const UNPACKED_REL = path.join('registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION, AWS_PROVIDER_PLATFORM);
const PACKED_REL = path.join('registry.terraform.io', 'hashicorp', 'aws', `terraform-provider-aws_${AWS_PROVIDER_VERSION}_${AWS_PROVIDER_PLATFORM}.zip`);

export type MirrorLayout = 'unpacked' | 'packed';

/** Which layout (if any) `mirrorDir` holds hashicorp/aws 5.100.0 linux_amd64 in. */
export function mirrorLayout(mirrorDir: string): MirrorLayout | undefined {
  try {
    const unpacked = path.join(mirrorDir, UNPACKED_REL);
    if (fs.statSync(unpacked).isDirectory() && fs.readdirSync(unpacked).some((f) => f.startsWith('terraform-provider-aws'))) {
      return 'unpacked';
    }
  } catch {
    /* not there */
  }
  try {
    if (fs.statSync(path.join(mirrorDir, PACKED_REL)).isFile()) return 'packed';
  } catch {
    /* not there */
  }
  return undefined;
}

/** Terraform's implied local mirror directories on Linux (see "Implied Local Mirror Directories"). */
export function impliedMirrorDirs(): string[] {
  const home = os.homedir();
  const dataHome = process.env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const dataDirs = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const dirs = [
    path.join(home, '.terraform.d', 'plugins'),
    path.join(dataHome, 'terraform', 'plugins'),
    ...dataDirs.map((d) => path.join(d, 'terraform', 'plugins')),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  return [...new Set(dirs)];
}

const SKIP_ABSOLUTE = new Set(['/proc', '/sys', '/dev', '/run']);
const SKIP_NAMES = new Set(['node_modules', '.git', '.terraform', 'lost+found']);
const SEARCH_MAX_DEPTH = 5; // depth of directories we descend into ("/" is 0, "/a" is 1, ...)
const SEARCH_BUDGET_MS = 2_000;

export interface MirrorSearchOptions {
  roots?: string[];
  maxDepth?: number;
  budgetMs?: number;
}

/**
 * Breadth-first search (shallowest hit first, entries sorted for determinism) for a directory
 * named `registry.terraform.io` that holds the aws provider; returns its parent (the mirror dir).
 * Symlinks are not followed. Bounded by depth and by a time budget.
 */
export function searchForMirror(opts: MirrorSearchOptions = {}): { found?: string; visited: number; truncated: boolean } {
  const maxDepth = opts.maxDepth ?? SEARCH_MAX_DEPTH;
  const deadline = Date.now() + (opts.budgetMs ?? SEARCH_BUDGET_MS);
  const queue: Array<{ dir: string; depth: number }> = (opts.roots ?? [path.parse(process.cwd()).root]).map((dir) => ({ dir, depth: 0 }));
  let visited = 0;
  for (let i = 0; i < queue.length; i++) {
    if (Date.now() > deadline) return { visited, truncated: true };
    const { dir, depth } = queue[i];
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable
    }
    visited++;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (!e.isDirectory()) continue; // also skips symlinks
      const child = path.join(dir, e.name);
      if (e.name === 'registry.terraform.io' && mirrorLayout(dir)) return { found: dir, visited, truncated: false };
      if (depth + 1 > maxDepth || SKIP_NAMES.has(e.name) || SKIP_ABSOLUTE.has(child)) continue;
      queue.push({ dir: child, depth: depth + 1 });
    }
  }
  return { visited, truncated: false };
}

let cachedMirror: string | undefined;

/**
 * Path of a Terraform filesystem mirror directory (the one CONTAINING `registry.terraform.io/`)
 * that holds hashicorp/aws 5.100.0 for linux_amd64.
 * Order: $TF_PLUGIN_MIRROR (validated), Terraform's implied mirror dirs, bounded filesystem search.
 */
export function findProviderMirror(): string {
  const fromEnv = process.env.TF_PLUGIN_MIRROR;
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    if (mirrorLayout(dir)) return dir;
    const hint =
      path.basename(dir) === 'registry.terraform.io' && mirrorLayout(path.dirname(dir))
        ? ` (it points at the registry.terraform.io directory itself; set it to its parent ${path.dirname(dir)})`
        : '';
    throw new Error(
      `TF_PLUGIN_MIRROR=${fromEnv} is not a Terraform filesystem mirror holding hashicorp/aws ${AWS_PROVIDER_VERSION} ` +
        `for ${AWS_PROVIDER_PLATFORM}: expected ${path.join(dir, UNPACKED_REL)}/terraform-provider-aws_* ` +
        `or ${path.join(dir, PACKED_REL)}${hint}.`,
    );
  }
  if (cachedMirror && mirrorLayout(cachedMirror)) return cachedMirror;

  const implied = impliedMirrorDirs();
  const hit = implied.find((d) => mirrorLayout(d));
  if (hit) return (cachedMirror = hit);

  const started = Date.now();
  const search = searchForMirror();
  if (search.found) return (cachedMirror = search.found);
  throw new Error(
    `No Terraform provider mirror with hashicorp/aws ${AWS_PROVIDER_VERSION} (${AWS_PROVIDER_PLATFORM}) found. ` +
      `Checked the implied mirror dirs [${implied.join(', ')}] and searched the filesystem from / ` +
      `(directories named registry.terraform.io containing hashicorp/aws/${AWS_PROVIDER_VERSION}/${AWS_PROVIDER_PLATFORM}; ` +
      `max depth ${SEARCH_MAX_DEPTH}; skipping ${[...SKIP_ABSOLUTE].join(', ')}, ${[...SKIP_NAMES].join(', ')}, symlinks; ` +
      `${search.visited} dirs in ${Date.now() - started} ms${search.truncated ? `, stopped at the ${SEARCH_BUDGET_MS} ms budget` : ''}). ` +
      `Set TF_PLUGIN_MIRROR to the directory that contains registry.terraform.io/.`,
  );
}

// ---------------------------------------------------------------------------
// CLI config + environment
// ---------------------------------------------------------------------------

function hclString(s: string): string {
  // JSON string escaping is valid HCL; additionally neutralise template sequences.
  return JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

export interface CliConfigOptions {
  /**
   * plugin_cache_dir to use. Default: none for an unpacked mirror (Terraform installs from an
   * unpacked mirror by symlinking, so there is nothing to cache), and a per-user shared dir under
   * os.tmpdir() for a packed (zip) mirror, where each init would otherwise extract ~700 MB.
   * Pass `false` to disable.
   */
  pluginCacheDir?: string | false;
}

/**
 * Writes `<dir>/terraform.rc` and returns its path. With a mirror, hashicorp/aws is installed only
 * from that mirror (direct installation excluded for it); without one, no provider_installation
 * block is written (fine for configurations that need only built-in resources like terraform_data).
 */
export function writeCliConfig(dir: string, mirror?: string, opts: CliConfigOptions = {}): string {
  const lines = ['disable_checkpoint = true'];
  let cacheDir: string | undefined;
  if (opts.pluginCacheDir) cacheDir = opts.pluginCacheDir;
  else if (opts.pluginCacheDir === undefined && mirror && mirrorLayout(mirror) === 'packed') {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
    cacheDir = path.join(os.tmpdir(), `observability-rollout-tf-plugin-cache-${uid}`);
  }
  if (cacheDir) {
    fs.mkdirSync(cacheDir, { recursive: true }); // Terraform refuses a missing cache dir
    lines.push(`plugin_cache_dir = ${hclString(cacheDir)}`);
    // Without a lock file Terraform >= 1.4 would bypass the cache; tests init from scratch.
    lines.push('plugin_cache_may_break_dependency_lock_file = true');
  }
  if (mirror) {
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${hclString(path.resolve(mirror))}`,
      `    include = [${hclString(AWS_PROVIDER_ADDRESS)}]`,
      '  }',
      '  direct {',
      `    exclude = [${hclString(AWS_PROVIDER_ADDRESS)}]`,
      '  }',
      '}',
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'terraform.rc');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * A clean environment for terraform: the parent environment minus every AWS_* and TF_* variable,
 * plus TF_CLI_CONFIG_FILE=<cliConfigPath>, CHECKPOINT_DISABLE=1, TF_IN_AUTOMATION=1, then `extra`.
 */
export function tfEnv(cliConfigPath: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(AWS_|TF_)/i.test(k)) continue;
    env[k] = v;
  }
  env.TF_CLI_CONFIG_FILE = cliConfigPath;
  env.CHECKPOINT_DISABLE = '1';
  env.TF_IN_AUTOMATION = '1';
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------
// Running terraform
// ---------------------------------------------------------------------------

export interface TerraformOptions {
  cwd: string;
  /** Full environment (use tfEnv). Defaults to tfEnv() with a CLI config written next to cwd. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface TerraformResult {
  code: number | null;
  stdout: string;
  stderr: string;
  signal?: string;
  timedOut?: boolean;
  durationMs: number;
}

export interface TerraformProcess {
  readonly pid: number;
  readonly args: readonly string[];
  /** Resolves (never rejects) once the process exited and its output streams closed. */
  readonly result: Promise<TerraformResult>;
  /** Output captured so far. */
  output(): { stdout: string; stderr: string };
  /** Sends `signal` (default SIGKILL) to the whole process group (terraform, providers, provisioners). */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when stdout+stderr match `pattern`; rejects if the process exits first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: boolean;
}

const running = new Set<TerraformProcess>();

/** Starts terraform in its own process group, in the background. */
export function startTerraform(args: string[], opts: TerraformOptions): TerraformProcess {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TERRAFORM_TIMEOUT_MS;
  // Without an explicit env, use a throw-away CLI config (no mirror) removed when the process ends.
  const ownCliDir = opts.env ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
  const env = opts.env ?? tfEnv(writeCliConfig(ownCliDir as string));
  const started = Date.now();
  const child = spawn('terraform', args, { cwd: opts.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let exited = false;
  let timedOut = false;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    notify();
  });

  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  };

  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGKILL');
  }, timeoutMs);

  const result = new Promise<TerraformResult>((resolve) => {
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      exited = true;
      clearTimeout(timer);
      // Reap stragglers of the group (e.g. a provisioner's `sleep` after terraform itself died).
      killGroup('SIGKILL');
      running.delete(proc);
      if (ownCliDir) fs.rmSync(ownCliDir, { recursive: true, force: true });
      notify();
      if (spawnError) stderr += `\n[spawn error] ${spawnError.message}\n`;
      if (timedOut) stderr += `\n[terraform ${args.join(' ')}: killed after ${timeoutMs} ms timeout]\n`;
      resolve({
        code,
        stdout,
        stderr,
        ...(signal ? { signal } : {}),
        ...(timedOut ? { timedOut } : {}),
        durationMs: Date.now() - started,
      });
    };
    child.on('error', (err) => finish(null, null, err));
    // 'close' fires after stdio ends; a grandchild keeping the pipes open is covered by the group kill on timeout.
    child.on('close', (code, signal) => finish(code, signal));
  });

  const proc: TerraformProcess = {
    pid: child.pid ?? -1,
    args,
    result,
    output: () => ({ stdout, stderr }),
    kill: (signal: NodeJS.Signals = 'SIGKILL') => killGroup(signal),
    get exited() {
      return exited;
    },
    waitForOutput(pattern: RegExp, waitMs = 60_000): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout) || pattern.test(stderr)) done();
          else if (exited) done(new Error(`terraform ${args.join(' ')} exited before output matched ${pattern}\n${stdout}\n${stderr}`));
        };
        const t = setTimeout(
          () => done(new Error(`timed out after ${waitMs} ms waiting for ${pattern} from terraform ${args.join(' ')}\n${stdout}\n${stderr}`)),
          waitMs,
        );
        const done = (err?: Error): void => {
          clearTimeout(t);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
  running.add(proc);
  return proc;
}

/** Runs terraform to completion (bounded by opts.timeoutMs, default 120 s). Never rejects. */
export function terraform(args: string[], opts: TerraformOptions): Promise<TerraformResult> {
  return startTerraform(args, opts).result;
}

/** SIGKILLs the process groups of all still-running terraform processes started by this module. */
export async function killAllTerraform(): Promise<void> {
  const procs = [...running];
  procs.forEach((p) => p.kill('SIGKILL'));
  await Promise.all(procs.map((p) => p.result));
}

/** Formats a result for assertion messages. */
export function describeResult(r: TerraformResult): string {
  return `exit code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}${r.timedOut ? ' [TIMED OUT]' : ''} after ${r.durationMs} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/**
 * Polls `fn` until it returns a non-undefined value; rejects when the deadline passes or as soon as
 * `fn` throws (errors are not retried, so a poll can be aborted by throwing).
 */
export async function pollUntil<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
