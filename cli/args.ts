/**
 * Argument parsing shared by the subcommands: one clear error for a bad
 * argument, naming the option, the value and what is allowed.
 */
import { parseArgs } from 'util';

/** A bad command line; the CLI prints it and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Option spec: name -> type. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** Parse `argv` for `command`; unknown options and stray arguments are usage errors. */
export function parseOptions(command: string, argv: string[], spec: OptionSpec): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
    if (positionals.length > 0) {
      throw new UsageError(`rollout ${command}: unexpected argument ${JSON.stringify(positionals[0])}; allowed options: ${allowed(spec)}`);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const msg = (e as Error).message.split('\n')[0];
    throw new UsageError(`rollout ${command}: ${msg}; allowed options: ${allowed(spec)}`);
  }
}

function allowed(spec: OptionSpec): string {
  return Object.entries(spec)
    .map(([k, v]) => (v.type === 'string' ? `--${k} VALUE` : `--${k}`))
    .join(', ');
}
