/**
 * The layer boundaries of .dependency-cruiser.cjs (docs/architecture.md):
 * the real tree has no violation, and a tree that breaks each rule on
 * purpose fails with exactly that rule. dependency-cruiser is ESM-only, so
 * it runs as a child process (about 2 s).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from '../support/fixtures';

interface Cruise {
  summary: { violations: Array<{ rule: { name: string }; from: string; to: string }>; totalCruised: number };
  modules: Array<{ source: string }>;
}

/** Run dependency-cruiser with the repository's rules over `dir`. */
function cruise(dir: string): Cruise {
  const bin = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const args = [bin, '--config', path.join(REPO, '.dependency-cruiser.cjs'), '--output-type', 'json', '.'];
  try {
    return JSON.parse(execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Cruise;
  } catch (e) {
    // Exit status 1 with violations still prints the JSON report.
    const out = (e as { stdout?: string }).stdout;
    if (out) return JSON.parse(out) as Cruise;
    throw e;
  }
}

describe('layer boundaries', () => {
  test('the repository has no violation, and every source folder was cruised', () => {
    const res = cruise(REPO);
    expect(res.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
    const folders = new Set(res.modules.map((m) => m.source.split('/')[0]));
    for (const f of ['model', 'plan', 'policy', 'constructs', 'stacks', 'inventory', 'gate', 'review', 'import', 'cli', 'main.ts'])
      expect(folders).toContain(f);
    expect(res.modules.filter((m) => !m.source.startsWith('node_modules/')).length).toBeGreaterThan(150);
  });

  test('fails when a layer imports one above it, a pure layer uses cdktf, a construct does not, a provider comes from its root, or modules form a cycle', () => {
    const dir = tempDir('rollout-layers-');
    try {
      fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      fs.writeFileSync(path.join(dir, 'tsconfig.test.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', esModuleInterop: true } }));
      const files: Record<string, string> = {
        'main.ts': "import { run } from './cli/main';\nvoid run;\n",
        'cli/main.ts':
          "import { a } from '../model/a';\nimport { s } from '../stacks/s';\nimport { g } from '../gate/g';\nimport { y } from '../constructs/x/y';\nexport const run = [a, s, g, y];\n",
        // model imports plan: a lower layer reaching up.
        'model/a.ts': "import { b } from '../plan/b';\nexport const a = b;\n",
        // plan imports constructs (the cdktf package): a pure layer using cdktf.
        'plan/b.ts': "import { Construct } from 'constructs';\nexport const b = Construct;\n",
        // a construct module that uses no cdktf.
        'constructs/x/y.ts': 'export const y = 1;\n',
        // a provider class from the package root.
        'stacks/s.ts': `import { AwsProvider } from '${'@cdktf/provider-'}aws';\n` + "import { App } from 'cdktf';\nexport const s = [AwsProvider, App];\n",
        // gate reaches into review, which has a value cycle.
        'gate/g.ts': "import { r } from '../review/r';\nexport const g = r;\n",
        'review/r.ts': "import { q } from './q';\nexport const r = 1;\nexport const rq = q;\n",
        'review/q.ts': "import { r } from './r';\nexport const q = () => r;\n",
        // imported by nothing.
        'inventory/dead.ts': 'export const dead = 1;\n',
      };
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      const found = cruise(dir).summary.violations.map((v) => `${v.rule.name} ${v.from}`);
      expect([...new Set(found)].sort()).toEqual([
        'constructs-use-cdktf constructs/x/y.ts',
        'layer-gate gate/g.ts',
        'layer-model model/a.ts',
        'no-circular review/q.ts',
        'no-orphans inventory/dead.ts',
        'provider-deep-imports-only stacks/s.ts',
        'pure-layers-without-cdktf plan/b.ts',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
