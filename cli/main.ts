/**
 * `rollout`: one binary, one subcommand per job. Each subcommand parses its
 * arguments, calls one function, prints, and sets the exit status.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../model/errors';
import { loadConfig } from '../model/load';
import { renderInventory } from '../rollout/inventory';
import { addressesFromOutputs } from '../rollout/outputs';
import { stageStackNames } from '../stacks/app';
import { parseOptions, UsageError } from './args';
import { synthesize, writeFilesAtomically } from './synth';

/** Where a subcommand writes (injected for tests). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

const USAGE = `usage: rollout <command> [options]

commands:
  synth      validate the configuration and synthesize every stack into cdktf.out/
  validate   validate the configuration; print a summary of each stage
  inventory  print (or --out FILE) a stage's Ansible inventory; --outputs FILE fills in the
             addresses of managed hosts from Terraform outputs (terraform output -json, or
             cdktf deploy --outputs-file)
  help       this text

common options:
  --config DIR   configuration directory laid out like this repo (default: current directory,
                 or $ROLLOUT_CONFIG)`;

type Command = (argv: string[], io: Io) => number;

const commands: Record<string, Command> = {
  synth(argv, io) {
    const o = parseOptions('synth', argv, { config: { type: 'string' }, out: { type: 'string' } });
    const configDir = configDirOf(o.config);
    const outdir = (o.out as string | undefined) ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out';
    const res = synthesize({ configDir, outdir });
    io.out(`synthesized ${res.stacks.length} stacks into ${path.relative(process.cwd(), path.resolve(outdir)) || '.'}: ${res.stacks.join(', ')}`);
    io.out(`wrote ${res.inventories.length} inventories: ${res.inventories.join(', ')}`);
    return 0;
  },
  validate(argv, io) {
    const o = parseOptions('validate', argv, { config: { type: 'string' } });
    const config = loadConfig(configDirOf(o.config));
    for (const s of config.stages) {
      const managed = s.hosts.filter((h) => h.managed).length;
      io.out(
        `${s.name}: ${s.hosts.length} hosts (${managed} managed), agent ${s.agent.version}, site ${s.datadog.site}, ` +
          `batches ${s.rollout.batchPercentages.join('/')}%, stacks ${stageStackNames(s.name).join(' ')}`,
      );
    }
    io.out(`ok: ${config.stages.length} stages valid`);
    return 0;
  },
  inventory(argv, io) {
    const o = parseOptions('inventory', argv, {
      config: { type: 'string' },
      stage: { type: 'string' },
      outputs: { type: 'string' },
      out: { type: 'string' },
    });
    const config = loadConfig(configDirOf(o.config));
    const names = config.stages.map((s) => s.name);
    const stage = config.stages.find((s) => s.name === o.stage);
    if (!stage) throw new UsageError(`rollout inventory: --stage: got ${JSON.stringify(o.stage ?? null)}, expected one of ${names.join(', ')}`);
    let addresses: Record<string, string> = {};
    if (typeof o.outputs === 'string') {
      if (!fs.existsSync(o.outputs)) throw new UsageError(`rollout inventory: --outputs: got ${JSON.stringify(o.outputs)}, expected an existing file`);
      addresses = addressesFromOutputs(stage, o.outputs, fs.readFileSync(o.outputs, 'utf8'));
    }
    const text = renderInventory(stage, addresses);
    if (typeof o.out === 'string') {
      writeFilesAtomically(path.dirname(path.resolve(o.out)), [{ rel: path.basename(o.out), text }]);
      io.out(`wrote ${o.out} (${stage.hosts.length} hosts)`);
    } else io.out(text);
    return 0;
  },
  help(_argv, io) {
    io.out(USAGE);
    return 0;
  },
};

function configDirOf(flag: string | boolean | undefined): string {
  return (flag as string | undefined) ?? process.env.ROLLOUT_CONFIG ?? '.';
}

/** Run the CLI; returns the exit status (0 ok, 1 invalid input or failure, 2 usage). */
export function run(argv: string[], io: Io = processIo): number {
  const [name, ...rest] = argv;
  const cmd = name === undefined || name === '--help' || name === '-h' ? commands.help : commands[name];
  if (!cmd) {
    io.err(`rollout: unknown command ${JSON.stringify(name)}; commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    return cmd(rest, io);
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
  process.exitCode = run(process.argv.slice(2));
}
