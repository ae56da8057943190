/**
 * The `rollout` binary's own behaviour (cli/main.ts): help for every
 * command, the version, unknown commands and options, --config checks, and
 * hosting an old-style command.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseOptions } from '../../cli/args';
import { Command } from '../../cli/command';
import { COMMANDS, legacyCommand, program, run } from '../../cli/main';
import { REPO, tempDir } from '../support/fixtures';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await run(argv, c.io);
  return { code, out: c.out.join(''), err: c.err.join('\n') };
}

const NAMES = COMMANDS.map((c) => c.name);

describe('rollout --help, -h and help <command>', () => {
  test('every command is declared once (options, help, defaults), so none is hosted as an old-style command', () => {
    expect(NAMES).toEqual(['synth', 'validate', 'coverage', 'inventory', 'diff', 'release', 'plan-summary', 'gate', 'event', 'downtime', 'drift', 'import']);
    for (const c of COMMANDS) expect([c.name, c.definition !== undefined]).toEqual([c.name, true]);
  });

  test.each(NAMES)('%s: --help and -h print its usage and exit 0; rollout help %s prints the same', async (name) => {
    const long = await cli([name, '--help']);
    expect(long).toMatchObject({ code: 0, err: '' });
    expect(long.out).toMatch(new RegExp(`^Usage: rollout ${name} \\[options\\]`));
    expect(long.out).toContain('-h, --help');
    const def = COMMANDS.find((c) => c.name === name)?.definition;
    for (const o of Object.values(def?.options ?? {})) expect(long.out).toContain(o.flags);
    expect(await cli([name, '-h'])).toEqual(long);
    expect(await cli(['help', name])).toEqual(long);
  });

  test('--help wins over a bad command line (no usage error, nothing run)', async () => {
    const r = await cli(['gate', '--bogus', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: rollout gate/);
  });

  test('rollout, rollout help and rollout --help list every command with its summary', async () => {
    const plain = await cli([]);
    expect(plain.code).toBe(0);
    for (const c of COMMANDS)
      expect(plain.out).toMatch(new RegExp(`\\n  ${c.name} +${(c.definition?.summary ?? '').slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(await cli(['help'])).toEqual(plain);
    const long = await cli(['--help']);
    expect(long).toEqual(await cli(['-h']));
    expect(long.out).toContain('Exit status: 0 ok, 1 invalid input or failure, 2 bad command line');
  });

  test('rollout --version prints the version of package.json', async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await cli(['--version'])).toEqual({ code: 0, out: `observability-rollout ${version}\n`, err: '' });
    expect(await cli(['-V'])).toEqual(await cli(['--version']));
  });

  test('fails when help is asked for an unknown command', async () => {
    expect(await cli(['help', 'sytnh'])).toMatchObject({ code: 2, out: '' });
  });
});

describe('rollout: bad command lines (exit 2, one line, never the parser text)', () => {
  test.each([
    [['synth', '--conifg', 'x'], "rollout synth: unknown option '--conifg' (did you mean --config?); see rollout synth --help"],
    [['inventory', '--stag', 'dev'], "rollout inventory: unknown option '--stag' (did you mean --stage?); see rollout inventory --help"],
    [['gate', '--api-ulr', 'x'], "rollout gate: unknown option '--api-ulr' (did you mean --api-url?); see rollout gate --help"],
    [['diff', '--base', 'x', '--formt', 'json'], "rollout diff: unknown option '--formt' (did you mean --format?); see rollout diff --help"],
    [['validate', '--zzz'], "rollout validate: unknown option '--zzz'; see rollout validate --help"],
    [['--verison'], "rollout: unknown option '--verison' (did you mean --version?); see rollout --help"],
    [['valdate'], "rollout: unknown command 'valdate' (did you mean validate?); see rollout --help"],
    [['inventory', '--stage'], "rollout inventory: option '--stage <S>' argument missing; see rollout inventory --help"],
    [['validate', 'extra'], 'rollout validate: unexpected argument "extra"; see rollout validate --help'],
    [['validate', '--format', 'xml'], 'rollout validate: --format: got "xml", expected one of text, json'],
  ])('fails when an unknown option is given or a value is bad: %j', async (argv, message) => {
    const r = await cli(argv);
    expect(r).toEqual({ code: 2, out: '', err: message });
    expect(r.err).not.toMatch(/To specify a positional argument|ERR_PARSE_ARGS|error: /);
  });
});

describe('rollout --config', () => {
  const missing = (): string => path.join(tempDir(), 'missing');

  test.each(['synth', 'validate', 'gate', 'event', 'inventory', 'diff'])(
    '%s: fails when --config does not exist: usage error (exit 2) naming the path',
    async (name) => {
      const dir = missing();
      const extra = name === 'diff' ? ['--base', 'HEAD'] : [];
      const r = await cli([name, ...extra, '--config', dir]);
      expect(r).toEqual({ code: 2, out: '', err: `rollout ${name}: --config: got ${JSON.stringify(dir)}, expected an existing directory (it does not exist)` });
    },
  );

  test('fails when --config is a file, not a directory', async () => {
    const file = path.join(tempDir(), 'stage.yaml');
    fs.writeFileSync(file, 'stage: dev\n');
    expect(await cli(['validate', '--config', file])).toEqual({
      code: 2,
      out: '',
      err: `rollout validate: --config: got ${JSON.stringify(file)}, expected an existing directory (it is not a directory)`,
    });
  });

  test('fails when $ROLLOUT_CONFIG does not exist, naming the variable', async () => {
    const dir = missing();
    const saved = process.env.ROLLOUT_CONFIG;
    process.env.ROLLOUT_CONFIG = dir;
    try {
      expect(await cli(['validate'])).toEqual({
        code: 2,
        out: '',
        err: `rollout validate: ROLLOUT_CONFIG: got ${JSON.stringify(dir)}, expected an existing directory (it does not exist)`,
      });
      // --config wins over the environment
      expect((await cli(['validate', '--config', REPO])).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ROLLOUT_CONFIG;
      else process.env.ROLLOUT_CONFIG = saved;
    }
  });
});

describe('an old-style command (name, usage, run with parseOptions) is hosted as is', () => {
  const seen: Array<Record<string, string | boolean | undefined>> = [];
  const old: Command = {
    name: 'demo',
    usage: 'demo --stage S [--no-cache] [--config DIR]\n      compare a stage with what runs',
    run(argv, io) {
      const o = parseOptions('demo', argv, { stage: { type: 'string' }, 'no-cache': { type: 'boolean' }, config: { type: 'string' } });
      seen.push(o);
      io.out(`demo of ${String(o.stage)}`);
      return 0;
    },
  };
  const hosted = legacyCommand(old);

  test('its options parse as before, by their spec names', async () => {
    const c = capture();
    expect(await hosted.run(['--stage', 'dev', '--no-cache'], c.io)).toBe(0);
    expect(seen.at(-1)).toEqual({ stage: 'dev', 'no-cache': true });
    expect(await hosted.run(['--stage=prod'], c.io)).toBe(0);
    expect(seen.at(-1)).toEqual({ stage: 'prod' });
  });

  test('--help and -h print its usage and exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const c = capture();
      expect(await hosted.run(['--stage', 'dev', flag], c.io)).toBe(0);
      expect(c.out).toEqual([`usage: rollout ${old.usage}`]);
    }
  });

  test('fails when an unknown option is given, with the closest known option', () => {
    expect(() => hosted.run(['--stgae', 'dev'], capture().io)).toThrow(
      "rollout demo: unknown option '--stgae' (did you mean --stage?); see rollout demo --help",
    );
    expect(() => hosted.run(['dev'], capture().io)).toThrow('rollout demo: unexpected argument "dev"');
  });

  test('rollout help lists it, and rollout help demo prints its usage', () => {
    const c = capture();
    const p = program(c.io, [...COMMANDS, hosted]);
    expect(p.helpInformation()).toMatch(/\n {2}demo +compare a stage with what runs\n/);
    p.exitOverride();
    expect(() => p.parse(['help', 'demo'], { from: 'user' })).toThrow();
    expect(c.out.join('')).toBe(`usage: rollout ${old.usage}\n`);
  });
});
