/**
 * All-or-nothing replacement of a set of outputs (directories and files), for
 * `rollout synth` (cli/synthesize.ts): `cdktf.out/` and the inventories change
 * together or not at all, also when the process is killed at any point.
 *
 * 1. Stage: each new output is written to a temporary sibling of its target,
 *    `.rollout-synth-<pid>-new-<name>` (same directory: the final rename never
 *    crosses a file system, and a failure to write shows up here, before
 *    anything was replaced). A file in a directory that does not exist yet is
 *    staged inside a staged tree of its topmost missing directory, so not even
 *    an empty directory appears before the commit.
 * 2. Commit point: a journal listing every planned rename (paths relative to
 *    the journal) is written to a temporary file and renamed into place.
 * 3. Apply: each old target is renamed aside to `.rollout-synth-<pid>-old-<name>`
 *    and its staged replacement renamed in; a removed target is only set aside.
 * 4. Done: the journal is removed, then the set-aside old outputs.
 *
 * Recovery (`recoverJournal`, next run, under the lock): without a journal
 * nothing was committed, and staged or set-aside leftovers are stale
 * temporaries (`cleanStaleTemps`). With a journal the commit was decided, so
 * it is rolled forward: the renames are finished (each step checks what is
 * already done, so recovery may itself be interrupted and rerun). The journal
 * is only written once everything is staged, so a staged output it names can
 * be missing only if removed by hand; then all-new is impossible and the
 * commit is rolled back from the set-aside old outputs instead, which are kept
 * until the journal is gone.
 *
 * In-process, a failing rename after the commit point (roll forward just
 * failed) rolls back at once; if that fails too, the journal is kept for the
 * next run. Scope: a killed or crashing process; nothing is fsync'ed, so a
 * power loss may still lose the last renames like any other write.
 */
import * as nodeFs from 'fs';
import * as path from 'path';

/** The file operations of a commit: node's `fs` in production; tests inject faults through it. */
export interface OutputFs {
  existsSync(p: string): boolean;
  readFileSync(p: string, encoding: 'utf8'): string;
  readdirSync(p: string): string[];
  statSync(p: string): { isDirectory(): boolean };
  mkdirSync(p: string, options: { recursive: true }): string | undefined;
  writeFileSync(p: string, text: string): void;
  openSync(p: string, flags: 'wx'): number;
  writeSync(fd: number, text: string): number;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  rmSync(p: string, options: { recursive: true; force: true }): void;
}

/** The real file system. */
export const NODE_FS: OutputFs = nodeFs;

/** Renders a path for a message (relative, never this machine's absolute path). */
export type ShowPath = (p: string) => string;

/** Prefix of every temporary name: `.rollout-synth-<pid>-new-<name>` (staged), `-old-` (set aside). */
export const TEMP_PREFIX = '.rollout-synth-';
const TEMP_NAME = /^\.rollout-synth-(\d+)-(?:new|old)-(.+)$/;
/** Temporaries of synth versions before the journal: `<name>.tmp-<pid>` (only ever staging). */
const LEGACY_TEMP_NAME = /^(.+)\.tmp-(\d+)$/;

/** The temporary sibling of `target` for a staged (`new`) or set-aside (`old`) copy. */
export function tempPath(target: string, role: 'new' | 'old', pid: number = process.pid): string {
  return path.join(path.dirname(target), `${TEMP_PREFIX}${pid}-${role}-${path.basename(target)}`);
}

/** The process and target name of a temporary name (`legacy`: of an earlier version), or undefined when it is not one. */
export function parseTempName(name: string): { pid: number; base: string; legacy: boolean } | undefined {
  const m = TEMP_NAME.exec(name);
  if (m) return { pid: Number(m[1]), base: m[2], legacy: false };
  const legacy = LEGACY_TEMP_NAME.exec(name);
  return legacy ? { pid: Number(legacy[2]), base: legacy[1], legacy: true } : undefined;
}

/**
 * Whether `pid` is another process that is running on this host. This
 * process counts as not running: it runs one synth at a time, so a name or
 * lock with its pid is left over (by an earlier process with the same pid, or
 * by an earlier failed synth in this process).
 */
export function isOtherLiveProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file-system error in words (`undefined` for an error that is not one: it is passed on as is). */
export function fsReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EIO: 'input/output error',
    EBUSY: 'resource busy',
    ENOTDIR: 'a path component is not a directory',
    EEXIST: 'a file is in the way',
    ENOENT: 'no such file or directory',
  };
  return words[code] ?? code;
}

/** An error of a commit, already worded for the user. */
export class OutputError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'OutputError';
  }
}

/** One planned rename of a file or directory. `staged` null: the target is removed. Paths absolute in memory. */
interface Entry {
  readonly target: string;
  readonly staged: string | null;
  readonly backup: string;
  /** Whether the target existed when the journal was written. */
  hadOld: boolean;
}

const JOURNAL_FORMAT = 'rollout-synth-journal/1';

/** Stages outputs, then replaces them all in one commit (see the module comment). */
export class OutputTransaction {
  private readonly entries: Entry[] = [];

  constructor(
    private readonly fs: OutputFs,
    /** Path of the journal; its directory must exist. */
    private readonly journal: string,
    private readonly show: ShowPath,
  ) {}

  /** Create an empty staging directory for directory `target` and fill it with `fill`. */
  stageDir<T>(target: string, fill: (dir: string) => T): T {
    const staged = this.add(target);
    try {
      this.fs.mkdirSync(staged, { recursive: true });
      return fill(staged);
    } catch (err) {
      throw this.stagingError(target, err);
    }
  }

  /**
   * Stage `text` as the new content of file `target`, below directory `base`
   * (created if missing). Directories missing between them are not created
   * now: the topmost one is staged as a tree and renamed in with the rest, so
   * nothing (not even an empty directory) appears before the commit.
   */
  stageFile(target: string, text: string, base: string): void {
    try {
      if (!this.fs.existsSync(base)) this.fs.mkdirSync(base, { recursive: true });
      const top = topMissingDir(this.fs, path.dirname(target), base);
      if (top === undefined) {
        this.fs.writeFileSync(this.add(target), text);
        return;
      }
      const tree = this.entries.find((e) => e.target === top)?.staged ?? this.add(top);
      const file = path.join(tree, path.relative(top, target));
      this.fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fs.writeFileSync(file, text);
    } catch (err) {
      throw this.stagingError(target, err);
    }
  }

  /** Remove `target` (a file or a directory) in the same commit. */
  stageRemoval(target: string): void {
    this.entries.push({ target, staged: null, backup: tempPath(target, 'old'), hadOld: true });
  }

  /** Before `commit`: delete everything staged (best effort; nothing was replaced). */
  abort(): void {
    bestEffort(() => discardStaged(this.fs, this.entries));
  }

  /** Write the journal (the commit point), apply every rename, remove the journal and the old outputs. */
  commit(): void {
    const entries = this.entries.filter((e) => e.staged !== null || this.fs.existsSync(e.target));
    try {
      for (const e of entries) {
        if (e.staged !== null && !this.fs.existsSync(e.staged)) throw new OutputError(`cannot replace ${this.show(e.target)}: its staged copy is missing`);
        e.hadOld = this.fs.existsSync(e.target);
      }
      this.writeJournal(entries);
    } catch (err) {
      this.abort();
      throw err;
    }
    try {
      rollForward(this.fs, entries);
    } catch (err) {
      // Roll forward just failed, so do not leave it to the next run: undo now if possible.
      const { target, cause } = StepError.unwrap(err, this.journal);
      let rolledBack = false;
      try {
        rollBack(this.fs, entries);
        this.fs.rmSync(this.journal, { recursive: true, force: true });
        rolledBack = true;
      } catch (undo) {
        if (fsReason(undo) === undefined) throw undo;
        // the journal stays: the next run finishes (or undoes) the commit
      }
      if (rolledBack) bestEffort(() => discardStaged(this.fs, entries));
      const why = fsReason(cause);
      if (why === undefined) throw cause;
      const outcome = rolledBack
        ? 'rolled back, nothing was replaced'
        : `${this.show(this.journal)} is kept: the next rollout synth finishes the commit (or undoes it)`;
      throw new OutputError(`cannot replace ${this.show(target)}: ${why}; ${outcome}`, cause);
    }
    this.fs.rmSync(this.journal, { recursive: true, force: true });
    bestEffort(() => finish(this.fs, entries));
  }

  /** Plan to replace `target`; returns its staging path. */
  private add(target: string): string {
    const staged = tempPath(target, 'new');
    this.entries.push({ target, staged, backup: tempPath(target, 'old'), hadOld: false });
    return staged;
  }

  private stagingError(target: string, err: unknown): unknown {
    let why = fsReason(err);
    if (why === undefined || err instanceof OutputError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      const blocker = firstNonDirectory(this.fs, path.dirname(target));
      if (blocker) why = `${this.show(blocker)} is a file, expected a directory`;
    }
    return new OutputError(`cannot write ${this.show(target)}: ${why}; nothing was replaced`, err);
  }

  private writeJournal(entries: readonly Entry[]): void {
    const dir = path.dirname(this.journal);
    const rel = (p: string | null): string | null => (p === null ? null : path.relative(dir, p));
    const body = {
      format: JOURNAL_FORMAT,
      about: 'written by rollout synth before it replaces its outputs; the next rollout synth finishes these renames (or undoes them)',
      pid: process.pid,
      entries: entries.map((e) => ({ target: rel(e.target), staged: rel(e.staged), backup: rel(e.backup), hadOld: e.hadOld })),
    };
    const tmp = tempPath(this.journal, 'new');
    try {
      this.fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
      this.fs.renameSync(tmp, this.journal);
    } catch (err) {
      bestEffort(() => this.fs.rmSync(tmp, { recursive: true, force: true }));
      const why = fsReason(err);
      if (why === undefined) throw err;
      throw new OutputError(`cannot write ${this.show(this.journal)}: ${why}; nothing was replaced`, err);
    }
  }
}

/** A rename of the apply step failed; names the target. */
class StepError extends Error {
  constructor(
    public readonly target: string,
    public readonly failure: unknown,
  ) {
    super(`${target}: ${String(failure)}`);
  }

  /** The failed target (else `fallback`) and the underlying error. */
  static unwrap(err: unknown, fallback: string): { target: string; cause: unknown } {
    return err instanceof StepError ? { target: err.target, cause: err.failure } : { target: fallback, cause: err };
  }
}

/** Finish every rename (idempotent: each step checks what is already done). */
function rollForward(fs: OutputFs, entries: readonly Entry[]): void {
  for (const e of entries) {
    try {
      if (e.staged === null) {
        if (fs.existsSync(e.target)) setAside(fs, e);
        continue;
      }
      if (!fs.existsSync(e.staged)) continue; // already installed
      if (fs.existsSync(e.target)) setAside(fs, e);
      fs.renameSync(e.staged, e.target);
    } catch (err) {
      throw new StepError(e.target, err);
    }
  }
}

function setAside(fs: OutputFs, e: Entry): void {
  // A leftover under the same name can only be stale: the target is still the old output.
  if (fs.existsSync(e.backup)) fs.rmSync(e.backup, { recursive: true, force: true });
  fs.renameSync(e.target, e.backup);
}

/** Whether entry `e` of a journal can still be rolled forward: its new output is staged or installed. */
function canRollForward(fs: OutputFs, e: Entry): boolean {
  if (e.staged === null || fs.existsSync(e.staged)) return true;
  // Installed: the target is the new output, and the old one (if any) is set aside (kept until the journal is gone).
  return fs.existsSync(e.target) && (!e.hadOld || fs.existsSync(e.backup));
}

/**
 * Undo the renames, last first: an installed new output goes back to its
 * staged name (so an interrupted roll back can still be rolled forward), the
 * set-aside old output back to its target. Idempotent like `rollForward`.
 */
function rollBack(fs: OutputFs, entries: readonly Entry[]): void {
  for (const e of [...entries].reverse()) {
    if (e.staged !== null && !fs.existsSync(e.staged) && fs.existsSync(e.target) && (!e.hadOld || fs.existsSync(e.backup))) {
      fs.renameSync(e.target, e.staged);
    }
    if (e.hadOld && fs.existsSync(e.backup) && !fs.existsSync(e.target)) fs.renameSync(e.backup, e.target);
  }
}

/** After a roll forward and the journal's removal: drop the old outputs. */
function finish(fs: OutputFs, entries: readonly Entry[]): void {
  for (const e of entries) if (e.hadOld) fs.rmSync(e.backup, { recursive: true, force: true });
}

/** Delete the staged outputs (nothing else was created). */
function discardStaged(fs: OutputFs, entries: readonly Entry[]): void {
  for (const e of entries) if (e.staged !== null) fs.rmSync(e.staged, { recursive: true, force: true });
}

/** The topmost missing directory from `dir` up to (not including) `base`; undefined when `dir` exists. */
function topMissingDir(fs: OutputFs, dir: string, base: string): string | undefined {
  let top: string | undefined;
  for (let d = dir; d !== base && d !== path.dirname(d) && !fs.existsSync(d); d = path.dirname(d)) top = d;
  return top;
}

function firstNonDirectory(fs: OutputFs, dir: string): string | undefined {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(d)) return fs.statSync(d).isDirectory() ? undefined : d;
  }
  return undefined;
}

/** Run a clean-up step; a file-system error leaves a stale temporary for the next run to remove. */
function bestEffort(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (fsReason(e) === undefined) throw e;
  }
}

/** Read and check a journal; throws an `OutputError` naming it when it is not one of ours. */
function readJournal(fs: OutputFs, journal: string, show: ShowPath): Entry[] {
  const bad = (got: string): OutputError =>
    new OutputError(
      `${show(journal)}: got ${got}, expected a journal written by rollout synth; check the outputs beside it, then remove it to synthesize again`,
    );
  let text: string;
  try {
    text = fs.readFileSync(journal, 'utf8');
  } catch (e) {
    const why = fsReason(e);
    if (why === undefined) throw e;
    throw new OutputError(`cannot read ${show(journal)}: ${why}`, e);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw bad('text that is not JSON');
  }
  const b = body as { format?: unknown; entries?: unknown };
  if (typeof body !== 'object' || body === null || b.format !== JOURNAL_FORMAT || !Array.isArray(b.entries)) throw bad(`no "format": "${JOURNAL_FORMAT}"`);
  const dir = path.dirname(journal);
  return b.entries.map((raw: unknown, i: number) => {
    const r = raw as Record<string, unknown>;
    const str = (v: unknown): v is string => typeof v === 'string' && v !== '';
    const ok =
      typeof r === 'object' &&
      r !== null &&
      str(r.target) &&
      str(r.backup) &&
      (r.staged === null || str(r.staged)) &&
      typeof r.hadOld === 'boolean' &&
      [r.staged, r.backup].every(
        (t) => t === null || (path.basename(t as string).startsWith(TEMP_PREFIX) && path.dirname(t as string) === path.dirname(r.target as string)),
      );
    if (!ok) throw bad(`an unexpected entry ${i + 1}`);
    const abs = (p: string): string => path.resolve(dir, p);
    return {
      target: abs(r.target as string),
      staged: r.staged === null ? null : abs(r.staged as string),
      backup: abs(r.backup as string),
      hadOld: r.hadOld as boolean,
    };
  });
}

/** What `recoverJournal` did. */
export type Recovery = 'none' | 'rolled-forward' | 'rolled-back';

/** Finish (or, when a staged output is missing, undo) a commit that a killed run left behind. Call with the lock held. */
export function recoverJournal(fs: OutputFs, journal: string, show: ShowPath, log: (line: string) => void): Recovery {
  if (!fs.existsSync(journal)) return 'none';
  const entries = readJournal(fs, journal, show);
  const missing = entries.filter((e) => !canRollForward(fs, e));
  try {
    if (missing.length === 0) {
      rollForward(fs, entries);
      fs.rmSync(journal, { recursive: true, force: true });
      bestEffort(() => finish(fs, entries));
      log(`recovered an interrupted rollout synth: finished its commit from ${show(journal)}`);
      return 'rolled-forward';
    }
    rollBack(fs, entries);
    fs.rmSync(journal, { recursive: true, force: true });
    bestEffort(() => discardStaged(fs, entries));
    log(
      `recovered an interrupted rollout synth: undid its commit from ${show(journal)} (staged ${show(missing[0].target)} was missing); the previous outputs are back`,
    );
    return 'rolled-back';
  } catch (err) {
    const { target, cause } = StepError.unwrap(err, journal);
    const why = fsReason(cause);
    if (why === undefined) throw cause;
    throw new OutputError(`cannot recover the interrupted commit of ${show(journal)}: ${show(target)}: ${why}; fix that and run rollout synth again`, cause);
  }
}

/**
 * Remove temporaries of interrupted runs from `dir`: names
 * `.rollout-synth-<pid>-(new|old)-<name>` (or `<name>.tmp-<pid>` of earlier
 * versions, `legacy`) whose process has ended and whose `<name>` `accept`s.
 * Call with the lock held and after `recoverJournal`, so none of them belongs
 * to a commit in progress. Returns the removed paths.
 */
export function cleanStaleTemps(fs: OutputFs, dir: string, accept: (name: string, legacy: boolean) => boolean): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const removed: string[] = [];
  for (const entry of fs.readdirSync(dir).sort()) {
    const t = parseTempName(entry);
    if (!t || !accept(t.base, t.legacy) || isOtherLiveProcess(t.pid)) continue;
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    removed.push(path.join(dir, entry));
  }
  return removed;
}
