/**
 * The shape of a `rollout` subcommand. Each subcommand lives in
 * cli/commands/<name>.ts, declares its options once (`defineCommand`: flags,
 * help text, default, environment fallback, allowed values), calls one
 * function, prints through `io`, and returns the exit status. Usage, `--help`,
 * parsing and the error for a bad command line all come from that one
 * declaration (cli/args.ts, on commander).
 */
import { commandLine, OptionDef, ParsedOptions, parseCommandLine, UsageError } from './args';

export type { OptionDef, ParsedOptions } from './args';

/** Where a subcommand writes (injected for tests). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/**
 * One subcommand, as cli/main.ts runs it. A command made with
 * `defineCommand` also carries its declaration (`definition`), from which
 * `rollout help` and docs/cli.md are rendered; an old-style command (name,
 * usage, run) still works: cli/main.ts wraps it (`legacyCommand`).
 */
export interface Command {
  /** Name on the command line. */
  readonly name: string;
  /** Usage lines for `rollout help` (first line: `name  summary`). */
  readonly usage: string;
  /** Run with the arguments after the subcommand name; resolves to the exit status. */
  run(argv: string[], io: Io): number | Promise<number>;
  /** The declaration, for commands made with `defineCommand`. */
  readonly definition?: CommandDefinition<Record<string, OptionDef>>;
}

/** A subcommand declared once: its options, arguments and help, and what it does with them. */
export interface CommandDefinition<O extends Record<string, OptionDef>> {
  /** Name on the command line. */
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** What it does, for `rollout help <name>` (the summary when absent). */
  readonly description?: string;
  /** Positional arguments in commander syntax, e.g. `<PLAN.json...>`; none when absent (a stray argument is then a usage error). */
  readonly arguments?: readonly string[];
  /** The options, keyed by the name the command reads them by (the camelCase of the flag: `--api-url` is `apiUrl`). */
  readonly options: O;
  /** Extra help text printed after the options (exit statuses, examples). */
  readonly epilog?: string;
  /** Run with the parsed options and positional arguments; resolves to the exit status. */
  action(options: ParsedOptions<O>, args: string[], io: Io): number | Promise<number>;
}

/** A subcommand from its declaration. `run(argv, io)` parses (usage errors throw UsageError; `--help` prints and returns 0) and runs the action. */
export function defineCommand<const O extends Record<string, OptionDef>>(definition: CommandDefinition<O>): Command {
  return {
    name: definition.name,
    get usage(): string {
      return commandLine(definition as CommandDefinition<Record<string, OptionDef>>);
    },
    definition: definition as CommandDefinition<Record<string, OptionDef>>,
    run(argv, io) {
      const parsed = parseCommandLine(definition as CommandDefinition<Record<string, OptionDef>>, argv, io);
      if (parsed === 'help') return 0;
      return definition.action(parsed.options as ParsedOptions<O>, parsed.args, io);
    },
  };
}

/** Parse the command line of a declared command without running it (`--help` is a usage error here); throws UsageError. */
export function parseDeclared(command: Command, argv: string[]): { options: Record<string, string | boolean | undefined>; args: string[] } {
  if (!command.definition) throw new Error(`rollout ${command.name}: not a declared command`);
  const parsed = parseCommandLine(command.definition, argv, { out: () => undefined, err: () => undefined });
  if (parsed === 'help') throw new UsageError(`rollout ${command.name}: see rollout help ${command.name}`);
  return parsed;
}

/** The configuration directory: --config, else $ROLLOUT_CONFIG, else the current directory (for old-style commands; declared commands use `CONFIG_OPTION`). */
export function configDirOf(flag: string | boolean | undefined): string {
  return (flag as string | undefined) ?? process.env.ROLLOUT_CONFIG ?? '.';
}
