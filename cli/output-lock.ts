/**
 * One `rollout synth` at a time per output directory: an exclusive lock file
 * beside it (`cdktf.out.lock`, created with `open(..., 'wx')`) holding the
 * holder's pid and hostname. A lock whose holder is this host's process that
 * has ended (or unreadable after a short wait) is stale and taken over, with a
 * notice. A lock from another host is never taken over: its process cannot be
 * checked from here.
 */
import * as os from 'os';
import { fsReason, isOtherLiveProcess, OutputError, OutputFs, ShowPath } from './output-transaction';

/** Locks this process holds (a lock naming this pid but not in here is a leftover). */
const held = new Set<string>();

/** Thrown when another synth holds the lock. */
export class OutputLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputLockedError';
  }
}

interface Holder {
  readonly text: string;
  readonly pid?: number;
  readonly hostname?: string;
}

/** How long to wait before calling an unreadable lock stale (its holder may be between creating and writing it). */
const UNREADABLE_GRACE_MS = 100;

/**
 * Take the lock `lock` for writing `what`; returns its release (call it in a
 * `finally`). Throws an `OutputLockedError` naming the lock and its holder
 * when another live synth holds it.
 */
export function acquireOutputLock(fs: OutputFs, lock: string, what: string, show: ShowPath, log: (line: string) => void): () => void {
  const mine = `${JSON.stringify({ pid: process.pid, hostname: os.hostname() })}\n`;
  for (let attempt = 1; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (e) {
      const why = fsReason(e);
      if (why === undefined) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(`cannot create ${show(lock)}: ${why}`, e);
      const holder = readHolder(fs, lock);
      if (holder === undefined && attempt <= 3) continue; // released meanwhile
      if (holder === undefined) throw new OutputLockedError(`${show(lock)} keeps changing: another rollout synth is writing ${what}; run one at a time`);
      if (!isStale(holder, lock) || attempt > 3) throw lockedError(holder, lock, what, show);
      log(
        holder.pid === undefined
          ? `taking over ${show(lock)}: got unreadable contents, expected the pid of a running synth`
          : `taking over ${show(lock)}: pid ${holder.pid} has ended (an interrupted rollout synth)`,
      );
      // Only if it is still the stale lock just read: another run may have taken it over meanwhile. (Two runs
      // that find the same stale lock at the same instant can still both remove it; the window is this line.)
      if (readText(fs, lock) === holder.text) fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    try {
      fs.writeSync(fd, mine);
    } catch (e) {
      try {
        fs.closeSync(fd);
        fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // left for the next run to take over
      }
      const why = fsReason(e);
      if (why === undefined) throw e;
      throw new OutputError(`cannot write ${show(lock)}: ${why}`, e);
    }
    fs.closeSync(fd);
    held.add(lock);
    return () => {
      held.delete(lock);
      try {
        if (readText(fs, lock) === mine) fs.rmSync(lock, { recursive: true, force: true });
      } catch (e) {
        if (fsReason(e) === undefined) throw e;
        // a lock that stays names this pid: the next run takes it over
      }
    };
  }
}

function lockedError(holder: Holder, lock: string, what: string, show: ShowPath): OutputLockedError {
  if (holder.pid === undefined) return new OutputLockedError(`${show(lock)} is being taken by another rollout synth; run one synth of ${what} at a time`);
  if (holder.hostname !== os.hostname()) {
    return new OutputLockedError(
      `${show(lock)} is held by pid ${holder.pid} on host ${holder.hostname}: another rollout synth may be writing ${what}; run one at a time, or remove the lock if no synth runs there`,
    );
  }
  return new OutputLockedError(
    `${show(lock)} is held by pid ${holder.pid}: another rollout synth is writing ${what}; run one at a time (the lock is taken over once pid ${holder.pid} has ended)`,
  );
}

function isStale(holder: Holder, lock: string): boolean {
  if (holder.pid === undefined) return true;
  if (holder.hostname !== os.hostname()) return false;
  return !held.has(lock) && !isOtherLiveProcess(holder.pid);
}

function readHolder(fs: OutputFs, lock: string): Holder | undefined {
  for (let tries = 0; ; tries++) {
    const text = readText(fs, lock);
    if (text === undefined) return undefined;
    const parsed = parseHolder(text);
    if (parsed || tries > 0) return { text, ...parsed };
    sleep(UNREADABLE_GRACE_MS);
  }
}

function parseHolder(text: string): { pid: number; hostname: string } | undefined {
  try {
    const v = JSON.parse(text) as { pid?: unknown; hostname?: unknown };
    if (Number.isInteger(v.pid) && (v.pid as number) > 0 && typeof v.hostname === 'string') return { pid: v.pid as number, hostname: v.hostname };
  } catch {
    // unreadable
  }
  return undefined;
}

function readText(fs: OutputFs, file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
