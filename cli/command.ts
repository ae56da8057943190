/**
 * The shape of a `rollout` subcommand. Each subcommand lives in
 * cli/commands/<name>.ts, parses its arguments (cli/args.ts), calls one
 * function, prints through `io`, and returns the exit status.
 */

/** Where a subcommand writes (injected for tests). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** One subcommand. */
export interface Command {
  /** Name on the command line. */
  readonly name: string;
  /** Usage lines for `rollout help` (first line: `name  summary`). */
  readonly usage: string;
  /** Run with the arguments after the subcommand name; resolves to the exit status. */
  run(argv: string[], io: Io): number | Promise<number>;
}

/** The configuration directory: --config, else $ROLLOUT_CONFIG, else the current directory. */
export function configDirOf(flag: string | boolean | undefined): string {
  return (flag as string | undefined) ?? process.env.ROLLOUT_CONFIG ?? '.';
}
