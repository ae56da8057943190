import * as fs from 'fs';
import * as path from 'path';
import { cached, cacheKey, MAX_ENTRIES, readEntry, treeOf, writeEntry } from '../../../review/git/synth-cache';
import { tempDir } from '../../support/fixtures';
import { commitAll, gitIn, repoWith } from '../diff/git-repo';

const parts = { tree: 'a'.repeat(40), projectRel: '', configRel: '', dependencies: '' };

describe('synth cache', () => {
  let dir = '';
  beforeEach(() => (dir = tempDir('rollout-synth-cache-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the key follows the tree, where the project and configuration sit, and the dependencies; not the commit', () => {
    const keys = [
      cacheKey(parts),
      cacheKey({ ...parts, tree: 'b'.repeat(40) }),
      cacheKey({ ...parts, configRel: 'config' }),
      cacheKey({ ...parts, projectRel: 'app' }),
      cacheKey({ ...parts, dependencies: 'x' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(cacheKey(parts)).toBe(cacheKey({ ...parts }));
    const repo = repoWith({ 'a.txt': 'one\n' });
    try {
      const first = commitAll(repo, 'A');
      gitIn(repo, 'commit', '-q', '--allow-empty', '-m', 'B (same tree)');
      const second = gitIn(repo, 'rev-parse', 'HEAD');
      expect(second).not.toBe(first);
      expect(treeOf(repo, second)).toBe(treeOf(repo, first));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  test('a miss synthesizes and stores; a hit returns the stored files without synthesizing', async () => {
    let runs = 0;
    const synth = async (): Promise<Record<string, string>> => {
      runs++;
      return { 'stacks/dev-infra/cdk.tf.json': '{}' };
    };
    const key = cacheKey(parts);
    expect(await cached(dir, key, synth)).toEqual({ files: { 'stacks/dev-infra/cdk.tf.json': '{}' }, hit: false });
    expect(await cached(dir, key, synth)).toEqual({ files: { 'stacks/dev-infra/cdk.tf.json': '{}' }, hit: true });
    expect(runs).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([`${key}.json`]);
  });

  test('fails when an entry is truncated or of another format: it counts as a miss and is rewritten', async () => {
    const key = cacheKey(parts);
    fs.writeFileSync(path.join(dir, `${key}.json`), '{"format": "rollout-diff-synth-v1", "files": {"a": ');
    expect(readEntry(dir, key)).toBeUndefined();
    fs.writeFileSync(path.join(dir, `${key}.json`), JSON.stringify({ format: 'other', files: {} }));
    expect(readEntry(dir, key)).toBeUndefined();
    const got = await cached(dir, key, async () => ({ a: 'fresh' }));
    expect(got).toEqual({ files: { a: 'fresh' }, hit: false });
    expect(readEntry(dir, key)).toEqual({ a: 'fresh' });
  });

  test('fails when the cache directory cannot be written: the files are still returned', async () => {
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, '');
    expect(await cached(file, cacheKey(parts), async () => ({ a: 'b' }))).toEqual({ files: { a: 'b' }, hit: false });
  });

  test('keeps the newest entries only', () => {
    for (let i = 0; i < MAX_ENTRIES + 3; i++) {
      const key = cacheKey({ ...parts, tree: String(i).padStart(40, '0') });
      writeEntry(dir, key, { i: String(i) });
      const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      fs.utimesSync(path.join(dir, `${key}.json`), t, t);
    }
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(MAX_ENTRIES);
    expect(readEntry(dir, cacheKey({ ...parts, tree: '0'.repeat(40) }))).toBeUndefined();
    expect(readEntry(dir, cacheKey({ ...parts, tree: String(MAX_ENTRIES + 2).padStart(40, '0') }))).toEqual({ i: String(MAX_ENTRIES + 2) });
  });
});
