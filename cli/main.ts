/**
 * `rollout`: one binary, one subcommand per job (cli/commands/). Each
 * subcommand declares its options once (cli/command.ts `defineCommand`),
 * calls one function, prints, and sets the exit status: 0 ok, 1 invalid
 * input or failure, 2 bad command line; a subcommand may define more (the
 * gate's verdicts). `rollout help [command]`, `rollout <command> --help`
 * and `rollout --version` print and exit 0.
 */
import { Command as Commander, CommanderError } from 'commander';
import { toolVersion } from '../gate/provenance';
import { ConfigError } from '../model/errors';
import { commanderOf, configure, isHelp, UsageError, usageErrorOf } from './args';
import { Command, Io } from './command';
import { coverageCommand } from './commands/coverage';
import { diffCommand } from './commands/diff';
import { downtimeCommand } from './commands/downtime';
import { driftCommand } from './commands/drift';
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

/**
 * An old-style command (name, usage, run(argv, io) with parseOptions) as the
 * CLI hosts it: `--help`/`-h` print its usage and exit 0; everything else is
 * its own `run`. (To declare its options once instead, see docs/cli.md,
 * "Adding a command".)
 */
export function legacyCommand(c: Command): Command {
  return {
    name: c.name,
    usage: c.usage,
    run(argv, io) {
      const end = argv.indexOf('--');
      const own = end === -1 ? argv : argv.slice(0, end);
      if (own.includes('--help') || own.includes('-h')) {
        io.out(`usage: rollout ${c.usage}`);
        return 0;
      }
      return c.run(argv, io);
    },
  };
}

/** Every subcommand, in the order `rollout help` lists them. */
export const COMMANDS: readonly Command[] = [
  synthCommand,
  validateCommand,
  coverageCommand,
  inventoryCommand,
  diffCommand,
  releaseCommand,
  planSummaryCommand,
  gateCommand,
  eventCommand,
  downtimeCommand,
  driftCommand,
  importCommand,
].map((c) => (c.definition ? c : legacyCommand(c)));

/** The top-level commander program: `rollout --help`, `help [command]`, `--version`, and the error for an unknown command. */
export function program(io: Io, commands: readonly Command[] = COMMANDS): Commander {
  const p = configure(new Commander('rollout'), io)
    .description('Roll the Datadog Agent out to a fleet in batches and keep its monitoring as code.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .helpCommand('help [command]', 'print the help of a command');
  p.configureHelp({ ...p.configureHelp(), subcommandTerm: (c) => c.name() });
  for (const c of commands) {
    if (c.definition) p.addCommand(commanderOf(c.definition, io));
    else {
      const [line, ...rest] = c.usage.split('\n');
      const sub = configure(new Commander(c.name), io)
        .usage(line.slice(c.name.length).trim())
        .description(rest.map((l) => l.trim()).join(' ') || line)
        .summary(rest[0]?.trim() ?? '');
      sub.helpInformation = () => `usage: rollout ${c.usage}\n`;
      p.addCommand(sub);
    }
  }
  p.addHelpText(
    'after',
    '\nExit status: 0 ok, 1 invalid input or failure, 2 bad command line; the gate: 0 GO, 1 NO-GO, 2 INCONCLUSIVE.\n' +
      'Every command that reads the configuration takes --config DIR (else $ROLLOUT_CONFIG, else .). See docs/cli.md.',
  );
  return p;
}

/** Run the CLI; resolves to the exit status. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    if (name === undefined) {
      program(io).outputHelp();
      return 0;
    }
    // `help X` for an unknown X is the error for X (commander would print the list of commands instead).
    const asked = name === 'help' && rest.length > 0 && !COMMANDS.some((c) => c.name === rest[0]) ? rest : argv;
    try {
      program(io).parse(asked, { from: 'user' });
    } catch (e) {
      if (isHelp(e)) return 0;
      if (e instanceof CommanderError) {
        io.err(usageErrorOf('', e).message);
        return 2;
      }
      throw e;
    }
    program(io).outputHelp();
    return 0;
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
