/**
 * `rollout`: one binary, one subcommand per job (cli/commands/). Each
 * subcommand parses its arguments, calls one function, prints, and sets the
 * exit status: 0 ok, 1 invalid input or failure, 2 bad command line; a
 * subcommand may define more (the gate's verdicts).
 */
import { ConfigError } from '../model/errors';
import { UsageError } from './args';
import { Command, Io } from './command';
import { diffCommand } from './commands/diff';
import { eventCommand } from './commands/event';
import { gateCommand } from './commands/gate';
import { importCommand } from './commands/import';
import { inventoryCommand } from './commands/inventory';
import { planSummaryCommand } from './commands/plan-summary';
import { releaseCommand } from './commands/release';
import { synthCommand } from './commands/synth';
import { validateCommand } from './commands/validate';

export type { Io } from './command';

const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Every subcommand, in the order `rollout help` lists them. */
export const COMMANDS: readonly Command[] = [
  synthCommand,
  validateCommand,
  inventoryCommand,
  diffCommand,
  releaseCommand,
  planSummaryCommand,
  gateCommand,
  eventCommand,
  importCommand,
];

function usage(): string {
  const lines = ['usage: rollout <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage}`);
  lines.push('  help', '      this text', '', '--config DIR: a configuration directory laid out like this repo (default: $ROLLOUT_CONFIG, else .)');
  return lines.join('\n');
}

/** Run the CLI; resolves to the exit status. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`rollout: unknown command ${JSON.stringify(name)}; commands: ${[...COMMANDS.map((c) => c.name), 'help'].join(', ')}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 2;
    }
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    io.err(`rollout ${name}: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
