/**
 * node's fs as the `OutputFs` of a synth commit (cli/output-transaction.ts),
 * with faults injected by step. A step is one call that changes the file
 * system (mkdir, write, create, rename, remove), labelled with paths
 * relative to `root` and this process's pid written `<pid>`.
 *
 * `crashAt: n` simulates a kill before step n: the step does not happen (with
 * `torn`, a write step writes half its text first) and every later call of
 * the process throws `SimulatedCrash`, so nothing it would do in `catch` or
 * `finally` reaches the disk (its open files are closed, as the system would).
 */
import * as nodeFs from 'fs';
import * as path from 'path';
import type { OutputFs } from '../../cli/output-transaction';

/** What a simulated kill throws (at the step, and at every call after it). */
export class SimulatedCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedCrash';
  }
}

export interface FaultOptions {
  /** Step labels are relative to this directory. */
  readonly root: string;
  /** Kill the process before this step (1-based). */
  readonly crashAt?: number;
  /** With `crashAt` on a write step: the write is torn (half the text reaches the disk). */
  readonly torn?: boolean;
  /** Called before each step runs (e.g. to start a concurrent synth). */
  readonly before?: (step: string) => void;
  /** An error to throw instead of running this step (the process lives on). */
  readonly fail?: (step: string) => Error | undefined;
}

/** An errno-style error, as node's fs throws. */
export function fsError(code: string, step: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${step}`), { code });
}

export function faultFs(opts: FaultOptions): { fs: OutputFs; steps: string[] } {
  const steps: string[] = [];
  const fdPaths = new Map<number, string>();
  let dead = false;
  const show = (p: string): string => (path.relative(opts.root, p) || '.').split(`-${process.pid}-`).join('-<pid>-');
  const alive = (): void => {
    if (dead) throw new SimulatedCrash('the process was killed');
  };
  const step = (label: string, tear?: () => void): void => {
    alive();
    steps.push(label);
    opts.before?.(label);
    if (steps.length === opts.crashAt) {
      dead = true;
      if (opts.torn) tear?.();
      throw new SimulatedCrash(`killed before step ${steps.length}: ${label}`);
    }
    const err = opts.fail?.(label);
    if (err) throw err;
  };
  const half = (t: string): string => t.slice(0, Math.floor(t.length / 2));
  const fs: OutputFs = {
    existsSync(p) {
      alive();
      return nodeFs.existsSync(p);
    },
    readFileSync(p, encoding) {
      alive();
      return nodeFs.readFileSync(p, encoding);
    },
    readdirSync(p) {
      alive();
      return nodeFs.readdirSync(p);
    },
    statSync(p) {
      alive();
      return nodeFs.statSync(p);
    },
    mkdirSync(p, o) {
      step(`mkdir ${show(p)}`);
      return nodeFs.mkdirSync(p, o);
    },
    writeFileSync(p, text) {
      step(`write ${show(p)}`, () => nodeFs.writeFileSync(p, half(text)));
      nodeFs.writeFileSync(p, text);
    },
    openSync(p, flags) {
      step(`create ${show(p)}`);
      const fd = nodeFs.openSync(p, flags);
      fdPaths.set(fd, p);
      return fd;
    },
    writeSync(fd, text) {
      step(`write ${show(fdPaths.get(fd) ?? `fd ${fd}`)}`, () => nodeFs.writeSync(fd, half(text)));
      return nodeFs.writeSync(fd, text);
    },
    closeSync(fd) {
      fdPaths.delete(fd);
      nodeFs.closeSync(fd);
      alive();
    },
    renameSync(from, to) {
      step(`rename ${show(from)} -> ${show(to)}`);
      nodeFs.renameSync(from, to);
    },
    rmSync(p, o) {
      step(`remove ${show(p)}`);
      nodeFs.rmSync(p, o);
    },
  };
  return { fs, steps };
}
