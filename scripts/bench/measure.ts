/** Run a command several times; wall time and peak RSS (median, min, max). */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const RSS_HOOK = path.resolve(__dirname, '..', '..', '..', 'scripts', 'bench', 'rss-hook.js');

/** Figures of several runs. */
export interface Figures {
  readonly runs: number;
  readonly wallMs: { median: number; min: number; max: number };
  /** Peak RSS in MiB (undefined when the command is not a node process we can hook). */
  readonly rssMb?: { median: number; min: number; max: number };
}

const stats = (xs: number[]): { median: number; min: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

/** Run `node -r rss-hook <args>` `runs` times. Fails loudly when a run fails. */
export function measureNode(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; runs: number; label: string }): Figures {
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rss-')), 'rss');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-r', RSS_HOOK, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, BENCH_RSS_FILE: rssFile, CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${opts.label}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
    walls.push(ms);
    rss.push(Number(fs.readFileSync(rssFile, 'utf8')) / 1024);
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
    process.stderr.write(`  ${opts.label} run ${i + 1}/${opts.runs}: ${(ms / 1000).toFixed(2)} s, ${rss[rss.length - 1].toFixed(0)} MiB\n`);
  }
  return { runs: opts.runs, wallMs: stats(walls), rssMb: stats(rss) };
}

/** Run any command `runs` times (wall time only). */
export function measureCommand(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; runs: number; label: string }): Figures {
  const walls: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${opts.label}: exit ${r.status}\n${(r.stderr || r.stdout).slice(-2000)}`);
    walls.push(ms);
    process.stderr.write(`  ${opts.label} run ${i + 1}/${opts.runs}: ${(ms / 1000).toFixed(2)} s\n`);
  }
  return { runs: opts.runs, wallMs: stats(walls) };
}

/** Measure an in-process function (wall time of each call). */
export function measureFn(fn: () => void, runs: number): Figures {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { runs, wallMs: stats(walls) };
}
