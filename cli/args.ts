/**
 * The command line, on commander (https://github.com/tj/commander.js): each
 * subcommand declares its options once (cli/command.ts `defineCommand`), and
 * its usage, `--help`, parsing, defaults, environment fallbacks and the one
 * error for a bad command line all come from that declaration. Errors name the
 * option, the value and what is allowed, and suggest the closest known option
 * ("did you mean --stage?"); commander's and Node's parser texts never reach
 * the user as such.
 */
import * as fs from 'fs';
import { Command as Commander, CommanderError, Option } from 'commander';
import type { CommandDefinition, Io } from './command';

/** A bad command line; the CLI prints it and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One option, declared once. */
export interface OptionDef {
  /** Commander flags: `--stage <S>` takes a value, `--soft` is a switch, `--no-cache` turns `cache` off. */
  readonly flags: string;
  /** One line of help. */
  readonly description: string;
  /** Value when neither the flag nor `env` is given. */
  readonly default?: string;
  /** Environment variable read when the flag is not given (shown in the help). */
  readonly env?: string;
  /** The values allowed (checked after parsing, so the error names the source and the value). */
  readonly choices?: readonly string[];
  /** The value must be an existing directory (checked after parsing). */
  readonly directory?: boolean;
}

type ValueOf<D extends OptionDef> = D['flags'] extends `${string}<${string}` ? (D extends { default: string } ? string : string | undefined) : boolean;

/** The parsed options of a declaration: a string (or undefined) for an option that takes a value, a boolean for a switch. */
export type ParsedOptions<O extends Record<string, OptionDef>> = { readonly [K in keyof O]: ValueOf<O[K]> };

/** `--config DIR`, the same in every command that reads the configuration. */
export const CONFIG_OPTION = {
  flags: '--config <DIR>',
  description: 'configuration directory laid out like this repository (stacks/stages/, monitors/)',
  default: '.',
  env: 'ROLLOUT_CONFIG',
  directory: true,
} as const satisfies OptionDef;

const HELP_WIDTH = 100;

function optionOf(key: string, def: OptionDef): Option {
  const o = new Option(def.flags, def.choices ? `${def.description} (one of: ${def.choices.join(', ')})` : def.description);
  if (o.attributeName() !== key) throw new Error(`rollout: option ${def.flags} is declared as ${JSON.stringify(key)}; its name is ${o.attributeName()}`);
  if (def.default !== undefined) o.default(def.default);
  if (def.env !== undefined) o.env(def.env);
  return o;
}

/** A commander command for a declaration (usage, help and parser); it writes through `io` and throws instead of exiting. */
export function commanderOf(def: CommandDefinition<Record<string, OptionDef>>, io: Io): Commander {
  const c = new Commander(def.name).description(def.description ?? def.summary).summary(def.summary);
  for (const a of def.arguments ?? []) c.argument(a);
  for (const [key, o] of Object.entries(def.options)) c.addOption(optionOf(key, o));
  c.allowExcessArguments(true); // checked after parsing, to name the argument
  if (def.epilog) c.addHelpText('after', `\n${def.epilog}`);
  return configure(c, io);
}

/** Settings every commander command of the CLI shares: write through `io`, throw instead of exiting, a fixed help width. */
export function configure(c: Commander, io: Io): Commander {
  return c
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => undefined })
    .configureHelp({ helpWidth: HELP_WIDTH, sortOptions: false })
    .helpOption('-h, --help', 'print this help');
}

/** The usage line of a declaration, e.g. `synth [--config DIR] [--out DIR]`. */
export function commandLine(def: CommandDefinition<Record<string, OptionDef>>): string {
  const parts = [def.name, ...(def.arguments ?? [])];
  for (const o of Object.values(def.options)) parts.push(`[${o.flags.replace(/<([^>]+)>/, '$1')}]`);
  return `${parts.join(' ')}\n      ${def.summary}`;
}

/** The message of a commander error, in the CLI's words: `rollout <command>: ...` (`command` '' for the top level). */
export function usageErrorOf(command: string, e: CommanderError): UsageError {
  const [first, ...rest] = e.message.replace(/^error: /, '').split('\n');
  const suggestion = rest
    .join(' ')
    .trim()
    .replace(/^\(Did you mean (.*)\?\)$/, 'did you mean $1?');
  const detail = suggestion === '' ? '' : ` (${suggestion})`;
  const prog = command === '' ? 'rollout' : `rollout ${command}`;
  return new UsageError(`${prog}: ${first.replace(/\.$/, '')}${detail}; see ${prog} --help`);
}

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Whether a commander error only means "help (or the version) was printed". */
export function isHelp(e: unknown): boolean {
  return e instanceof CommanderError && HELP_CODES.has(e.code);
}

/** Parse `argv` by a declaration: `'help'` when help was printed, else the options (checked) and the positional arguments. Throws UsageError. */
export function parseCommandLine(
  def: CommandDefinition<Record<string, OptionDef>>,
  argv: string[],
  io: Io,
): 'help' | { options: Record<string, string | boolean | undefined>; args: string[] } {
  const root = configure(new Commander('rollout'), io);
  const sub = commanderOf(def, io);
  root.addCommand(sub);
  let parsed: { options: Record<string, string | boolean | undefined>; args: string[] } | undefined;
  sub.action(() => {
    parsed = { options: sub.opts(), args: sub.args };
  });
  try {
    root.parse([def.name, ...argv], { from: 'user' });
  } catch (e) {
    if (isHelp(e)) return 'help';
    if (e instanceof CommanderError) throw usageErrorOf(def.name, e);
    throw e;
  }
  if (!parsed) throw new Error(`rollout ${def.name}: the command line was not parsed`);
  const declared = def.arguments ?? [];
  if (!declared.some((a) => a.includes('...')) && parsed.args.length > declared.length) {
    throw new UsageError(`rollout ${def.name}: unexpected argument ${JSON.stringify(parsed.args[declared.length])}; see rollout ${def.name} --help`);
  }
  const options: Record<string, string | boolean | undefined> = {};
  for (const [key, o] of Object.entries(def.options)) {
    const value = parsed.options[key];
    const from = sub.getOptionValueSource(key) === 'env' && o.env ? o.env : new Option(o.flags).long;
    if (!o.flags.includes('<')) {
      options[key] = o.flags.startsWith('--no-') ? value !== false : value === true;
      continue;
    }
    if (typeof value === 'string' && o.choices && !o.choices.includes(value)) {
      throw new UsageError(`rollout ${def.name}: ${from}: got ${JSON.stringify(value)}, expected one of ${o.choices.join(', ')}`);
    }
    if (typeof value === 'string' && o.directory) checkDirectory(def.name, from as string, value);
    options[key] = value as string | undefined;
  }
  return { options, args: parsed.args };
}

function checkDirectory(command: string, from: string, value: string): void {
  let why: string | undefined;
  try {
    if (!fs.statSync(value).isDirectory()) why = 'it is not a directory';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    why = code === 'ENOENT' || code === 'ENOTDIR' ? 'it does not exist' : code === 'EACCES' ? 'it cannot be read (permission denied)' : 'it cannot be read';
  }
  if (why) throw new UsageError(`rollout ${command}: ${from}: got ${JSON.stringify(value)}, expected an existing directory (${why})`);
}

/** Old-style option spec: name -> type (for commands written before `defineCommand`). */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/**
 * Parse `argv` for an old-style command (name -> type spec): the same parser
 * and errors as declared commands, so an unknown option gets "did you mean";
 * stray arguments are usage errors. Values are keyed by the spec's names.
 */
export function parseOptions(command: string, argv: string[], spec: OptionSpec): Record<string, string | boolean | undefined> {
  const options: Record<string, OptionDef> = {};
  const keys: Record<string, string> = {};
  for (const [name, s] of Object.entries(spec)) {
    const flags = s.type === 'string' ? `--${name} <${name.toUpperCase()}>` : `--${name}`;
    const key = new Option(flags).attributeName();
    keys[name] = key;
    options[key] = { flags, description: '', ...(typeof s.default === 'string' ? { default: s.default } : {}) };
  }
  const io: Io = { out: () => undefined, err: () => undefined };
  const parsed = parseCommandLine({ name: command, summary: '', options, action: () => 0 }, argv, io);
  if (parsed === 'help') throw new UsageError(`rollout ${command}: --help is answered by rollout help ${command}`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, s] of Object.entries(spec)) {
    const v = parsed.options[keys[name]];
    if (s.type === 'string') {
      if (v !== undefined) values[name] = v;
    } else if (name.startsWith('no-') ? v === false : v === true) values[name] = true;
  }
  return values;
}
