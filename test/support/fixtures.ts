import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../model/load-config';
import type { RolloutConfig, Stage } from '../../model/stage';

/** The repository root (the example configuration). */
export const REPO = path.resolve(__dirname, '..', '..');

/** The example configuration of this repo. */
export function exampleConfig(): RolloutConfig {
  return loadConfig(REPO);
}

/** One stage of the example configuration. */
export function exampleStage(name: string): Stage {
  const s = exampleConfig().stages.find((st) => st.name === name);
  if (!s) throw new Error(`no example stage ${name}`);
  return s;
}

/** A minimal valid stage file. */
export function minimalStageYaml(stage = 'dev'): string {
  return [
    `stage: ${stage}`,
    'region: us-east-1',
    'owner: platform-team',
    'state:',
    '  bucket: acme-tfstate',
    '  lockTable: acme-tflock',
    'network:',
    '  vpcId: vpc-0123abcd',
    'hosts:',
    `  - { name: ${stage}-web-01, service: web, team: storefront, criticality: low, address: 10.0.0.1 }`,
    '',
  ].join('\n');
}

/** A temporary configuration directory holding the given stage files (name -> text). */
export function tempConfig(stageFiles: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-config-'));
  fs.mkdirSync(path.join(dir, 'stacks', 'stages'), { recursive: true });
  for (const [name, text] of Object.entries(stageFiles)) fs.writeFileSync(path.join(dir, 'stacks', 'stages', name), text);
  return dir;
}

/** A temporary directory, removed by the caller. */
export function tempDir(prefix = 'rollout-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file under `dir` (relative path -> contents), sorted. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/**
 * `text` with `target` replaced by `replacement`; throws when `target` does
 * not occur, so a test that edits a fixture can never pass by editing nothing.
 * A string target must occur exactly once unless `all` is set; a RegExp
 * target must match at least once.
 */
export function mustReplace(text: string, target: string | RegExp, replacement: string, opts: { all?: boolean } = {}): string {
  if (typeof target === 'string') {
    const count = text.split(target).length - 1;
    if (count === 0) throw new Error(`mustReplace: ${JSON.stringify(target)} not found in the fixture`);
    if (count > 1 && !opts.all)
      throw new Error(`mustReplace: ${JSON.stringify(target)} occurs ${count} times in the fixture; pass { all: true } to replace every one`);
    return text.split(target).join(replacement);
  }
  const flags = opts.all && !target.flags.includes('g') ? `${target.flags}g` : target.flags;
  const pattern = new RegExp(target.source, flags);
  if (!new RegExp(target.source, target.flags.replace('g', '')).test(text)) throw new Error(`mustReplace: ${String(target)} matches nothing in the fixture`);
  return text.replace(pattern, replacement);
}
