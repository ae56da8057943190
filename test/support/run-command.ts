/**
 * Run one subcommand the way cli/main.ts does (a UsageError prints and exits
 * 2), capturing what it printed; every output is also kept in `sink`, so a
 * suite can check at the end that no key was ever printed.
 */
import { UsageError } from '../../cli/args';
import type { Command } from '../../cli/command';

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCommand(cmd: Command, argv: string[], sink: string[] = []): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  let code: number;
  try {
    code = await cmd.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.push(e.message);
    code = 2;
  }
  const r = { code, out: out.join('\n'), err: err.join('\n') };
  sink.push(r.out, r.err);
  return r;
}
