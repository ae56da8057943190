/**
 * Nothing escapes the problem format: whatever is wrong with a stage file or
 * a team file as a file (a directory, a dangling link, no permission, empty,
 * two documents, an alias bomb) is one `file:line path: got X, expected Y`
 * line in words, without Node error codes or yaml API names.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, formatProblem } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { minimalStageYaml, tempConfig } from '../support/fixtures';

/** The problem lines loadConfig reports for `dir` (it must fail). */
function problemLines(dir: string): string[] {
  try {
    loadConfig(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map(formatProblem);
  }
  throw new Error('loadConfig accepted the configuration');
}

/** No raw Node error code, no yaml function or code name in any line. */
function expectHumanWords(lines: readonly string[]): void {
  for (const line of lines) {
    expect(line).not.toMatch(/\bE[A-Z]{3,}\b|[A-Z]+_[A-Z_]+|\w+\(\)|parseAllDocuments|toJS|ReferenceError|mapping/);
    expect(line).toMatch(/^[^:]+:\d+( \S+)?: got .+, expected .+$/);
  }
}

/** A configuration with dev.yaml and `extra` under the config dir (relative path -> text, or a function making the entry). */
function configWith(extra: Record<string, string | ((full: string) => void)>): string {
  const dir = tempConfig({ 'dev.yaml': minimalStageYaml('dev') });
  for (const [rel, what] of Object.entries(extra)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (typeof what === 'string') fs.writeFileSync(full, what);
    else what(full);
  }
  return dir;
}

const TEAM = 'team: platform-team\nmonitors: []\n';
const BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
  '',
].join('\n');

describe.each([
  ['a stage file', 'stacks/stages/prod.yaml', minimalStageYaml('prod')],
  ['a team file', 'monitors/platform.yaml', TEAM],
])('%s', (_what, rel, valid) => {
  const kind = rel.startsWith('monitors/') ? 'a team file (YAML)' : 'a stage file (YAML) for stage prod';

  test('is accepted when valid (the cases below break only the file)', () => {
    expect(() => loadConfig(configWith({ [rel]: valid }))).not.toThrow();
  });

  test('fails when a directory stands where the file should be', () => {
    // A folder named like a team file under monitors/ is walked as a folder; a symbolic link to a folder is not.
    const dir = configWith({ [rel]: (full) => (rel.startsWith('monitors/') ? fs.symlinkSync(path.dirname(full), full) : fs.mkdirSync(full)) });
    const lines = problemLines(dir);
    expect(lines).toEqual([`${rel}:1: got a directory, expected ${kind}`]);
    expectHumanWords(lines);
  });

  test('fails when the file is a dangling symbolic link', () => {
    const lines = problemLines(configWith({ [rel]: (full) => fs.symlinkSync('gone.yaml', full) }));
    expect(lines).toEqual([`${rel}:1: got a symbolic link to "gone.yaml", which does not exist, expected ${kind}`]);
    expectHumanWords(lines);
  });

  test('fails when the file cannot be read (permission denied)', () => {
    const dir = configWith({ [rel]: valid });
    // Tests may run as root, where chmod 000 does not stop a read: refuse the read the way the kernel does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require('fs') as typeof fs; // the module object itself (the import above is a read-only namespace)
    const real = nodeFs.readFileSync;
    const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, o?: unknown) => {
      if (typeof p === 'string' && p.endsWith(rel.split('/').join(path.sep)))
        throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES' });
      return (real as (p: fs.PathOrFileDescriptor, o?: unknown) => unknown)(p, o);
    }) as typeof fs.readFileSync);
    try {
      const lines = problemLines(dir);
      expect(lines).toEqual([`${rel}:1: got a file that could not be read (permission denied), expected ${kind} this user may read`]);
      expectHumanWords(lines);
    } finally {
      spy.mockRestore();
    }
  });

  test('fails when the file is empty', () => {
    const lines = problemLines(configWith({ [rel]: '# nothing yet\n' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${rel}:1: got an empty file, expected an object`));
    expectHumanWords(lines);
  });

  test('fails when the file holds two YAML documents', () => {
    const lines = problemLines(configWith({ [rel]: `${valid}---\n${valid}` }));
    const line = valid.split('\n').length;
    expect(lines).toEqual([`${rel}:${line}: got a second YAML document (a "---" or "..." line), expected one document per file`]);
    expectHumanWords(lines);
  });

  test('fails when aliases expand past the limit (a billion-laughs file)', () => {
    const lines = problemLines(configWith({ [rel]: BOMB }));
    expect(lines).toEqual([
      `${rel}:2: got aliases that expand to more than 100 copies (a file this small should not need that many; a "billion laughs" file is refused), expected at most 100 alias expansions per file`,
    ]);
    expectHumanWords(lines);
  });

  test('fails when an alias has no anchor before it', () => {
    const lines = problemLines(configWith({ [rel]: `${valid}extra: *nowhere\n` }));
    const line = valid.split('\n').length;
    expect(lines).toEqual([
      `${rel}:${line}: got the alias *nowhere with no anchor &nowhere before it, expected an anchor &nowhere defined above its first use`,
    ]);
    expectHumanWords(lines);
  });

  test('fails when tabs indent the file', () => {
    const lines = problemLines(configWith({ [rel]: `${valid}\textra: 1\n` }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${rel}:\\d+: got a tab used for indentation, expected spaces`));
    expectHumanWords(lines);
  });
});

describe('folders and encodings', () => {
  test('fails when a stage file is not UTF-8 text, at the line of the first bad byte', () => {
    const dir = configWith({
      'stacks/stages/prod.yaml': (full) =>
        fs.writeFileSync(full, Buffer.concat([Buffer.from('stage: prod\nowner: caf'), Buffer.from([0xe9]), Buffer.from('\n')])),
    });
    const lines = problemLines(dir);
    expect(lines).toEqual(['stacks/stages/prod.yaml:2: got bytes that are not UTF-8 text, expected a stage file (YAML) for stage prod in UTF-8']);
    expectHumanWords(lines);
  });

  test('fails when stacks/stages is a file, not a directory', () => {
    const dir = configWith({});
    fs.rmSync(path.join(dir, 'stacks', 'stages'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', 'stages'), 'dev.yaml\n');
    const lines = problemLines(dir);
    expect(lines).toEqual([`stacks/stages:1: got a file, expected a directory of stage files in ${dir}`]);
  });

  test.each([
    ['stacks/stages', 'stacks/stages', `a directory of stage files in DIR this user may read`],
    ['monitors/platform', 'monitors/platform', 'a folder of team files this user may read'],
  ])('fails when the folder %s cannot be listed (permission denied)', (folder, rel, expected) => {
    const dir = configWith({ [`${folder}/x.yaml`]: TEAM });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require('fs') as typeof fs;
    const real = nodeFs.readdirSync;
    const spy = jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
      if (String(p) === path.join(dir, folder)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${String(p)}'`), { code: 'EACCES' });
      return (real as (p: fs.PathLike, o?: unknown) => unknown)(p, o);
    }) as typeof fs.readdirSync);
    try {
      const lines = problemLines(dir);
      expect(lines).toEqual([`${rel}:1: got a directory that could not be listed (permission denied), expected ${expected.replace('DIR', dir)}`]);
      expectHumanWords(lines);
    } finally {
      spy.mockRestore();
    }
  });
});
