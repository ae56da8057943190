/**
 * The naive baseline: the same stacks built the way a fresh `cdktf init`
 * project does it. A copy of the source tree whose provider imports are
 * rewritten from deep paths to the package root, run with type-checking
 * ts-node (`npx ts-node main.ts`, the template's app command).
 */
import * as fs from 'fs';
import * as path from 'path';

const SOURCE_DIRS = ['cli', 'model', 'constructs', 'stacks', 'rollout'];
const DEEP = /import \{([^}]+)\} from '@cdktf\/(provider-aws|provider-datadog)\/lib\/([a-z0-9-]+)';/g;

const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rewrite deep provider imports of one file to root (barrel) imports. */
export function rewriteToBarrel(text: string): string {
  return text.replace(DEEP, (_m, names: string, pkg: string, mod: string) => {
    const ns = `${camel(mod)}`;
    const alias = `__${pkg.replace('-', '_')}_${ns}`;
    const lines = [`import { ${ns} as ${alias} } from '@cdktf/${pkg}';`];
    for (const n of names
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      lines.push(`import ${n} = ${alias}.${n};`);
    return lines.join(' ');
  });
}

/** Build the naive tree in `dest` from `repo`; returns the number of rewritten imports. */
export function makeNaiveTree(repo: string, dest: string): number {
  let rewritten = 0;
  const copy = (rel: string): void => {
    const src = path.join(repo, rel);
    const st = fs.statSync(src);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(src)) copy(path.join(rel, e));
      return;
    }
    if (!rel.endsWith('.ts')) return;
    const text = fs.readFileSync(src, 'utf8');
    const out = rewriteToBarrel(text);
    rewritten += (text.match(DEEP) ?? []).length;
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.writeFileSync(path.join(dest, rel), out);
  };
  fs.mkdirSync(dest, { recursive: true });
  copy('main.ts');
  for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(repo, d))) copy(d);
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
  fs.writeFileSync(
    path.join(dest, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          lib: ['ES2022'],
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          resolveJsonModule: true,
          types: ['node'],
        },
        include: ['main.ts', ...SOURCE_DIRS.map((d) => `${d}/**/*.ts`)],
      },
      null,
      2,
    ),
  );
  return rewritten;
}
