/**
 * A synthesized tree from its files (pure): `stacks/<stack>/cdk.tf.json`
 * (relative to the synth output) and `ansible/inventories/<stage>/hosts.yml`
 * (relative to the configuration directory), parsed. Other files (cdktf's
 * manifest.json) carry no infrastructure and are ignored.
 */
import { parse } from 'yaml';
import type { SynthTree } from './types';

/** A file that is not what synthesis writes. */
export class SynthTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthTreeError';
  }
}

const STACK_FILE = /^stacks\/([^/]+)\/cdk\.tf\.json$/;
const INVENTORY_FILE = /^ansible\/inventories\/([^/]+)\/hosts\.yml$/;

/**
 * Parse the files of one side: `files` maps a relative path (forward slashes)
 * to its text. `label` names the side in error messages (`base main`).
 */
export function parseSynthTree(files: Readonly<Record<string, string>>, label = 'tree'): SynthTree {
  const stacks: Record<string, unknown> = {};
  const inventories: Record<string, unknown> = {};
  for (const rel of Object.keys(files).sort()) {
    const s = STACK_FILE.exec(rel);
    const i = INVENTORY_FILE.exec(rel);
    try {
      if (s) stacks[s[1]] = JSON.parse(files[rel]) as unknown;
      else if (i) inventories[i[1]] = parse(files[rel]) as unknown;
    } catch (e) {
      throw new SynthTreeError(`${label}: ${rel}: not valid ${s ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { stacks, inventories };
}
