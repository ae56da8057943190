/**
 * The `rollout` binary and the cdktf app compile before they run whenever a
 * source is newer than the last build (scripts/build-if-stale.js), so
 * `rollout diff` never compares a stale build of the working tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from '../support/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildIfStale, sources } = require('../../scripts/build-if-stale') as {
  buildIfStale: (log: (line: string) => void, root: string) => boolean;
  sources: (root?: string) => string[];
};

describe('build if stale', () => {
  test("watches every folder of tsconfig.json's include, the configs and the lockfile", () => {
    expect(sources().sort()).toEqual(
      [
        'cli',
        'constructs',
        'drift',
        'gate',
        'inventory',
        'main.ts',
        'model',
        'package-lock.json',
        'plan',
        'policy',
        'review',
        'scripts',
        'stacks',
        'tsconfig.json',
      ].sort(),
    );
  });

  test('compiles a project with no build, not again while nothing changed, and again after a source changes', () => {
    const root = tempDir('rollout-build-');
    try {
      fs.writeFileSync(
        path.join(root, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.' }, include: ['main.ts', 'src/**/*.ts'] }),
      );
      fs.writeFileSync(path.join(root, 'main.ts'), 'export const answer = 1;\n');
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'lib.ts'), "export const lib = 'a';\n");
      const lines: string[] = [];
      expect(buildIfStale((l) => lines.push(l), root)).toBe(true);
      expect(fs.readFileSync(path.join(root, 'dist', 'src', 'lib.js'), 'utf8')).toContain("'a'");
      expect(buildIfStale((l) => lines.push(l), root)).toBe(false);
      // A change committed in a source folder (mtime after the build) is compiled before anything runs.
      const later = new Date(Date.now() + 5000);
      fs.writeFileSync(path.join(root, 'src', 'lib.ts'), "export const lib = 'b';\n");
      fs.utimesSync(path.join(root, 'src', 'lib.ts'), later, later);
      expect(buildIfStale((l) => lines.push(l), root)).toBe(true);
      expect(fs.readFileSync(path.join(root, 'dist', 'src', 'lib.js'), 'utf8')).toContain("'b'");
      expect(lines).toEqual([expect.stringMatching(/compiling/), expect.stringMatching(/compiling/)]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the binary and the cdktf app both go through it', () => {
    for (const file of ['bin/rollout.js', 'scripts/app.js']) expect(fs.readFileSync(path.join(REPO, file), 'utf8')).toMatch(/buildIfStale\(/);
  });
});
