/**
 * Rollback by reverted commit, end to end, with each commit built and
 * synthesized by its own code in a temporary worktree (the real `rollout diff`
 * path). A temporary git repository holds this project's committed files:
 *   A: as committed;
 *   B: agent version 7.72.0 -> 7.73.0, the prod degradation threshold 5 -> 4,
 *      a new prod host;
 *   R: `git revert B`.
 * The synth of R must be byte-identical to A's, and `rollout diff --base B
 * --head R` must list exactly the inverse of A -> B. A second run reads both
 * refs from the cache of synthesized trees (keyed by git tree) and gives the
 * same report.
 */
import * as fs from 'fs';
import { Checkout, locateCheckout, parseDiffArgs, runDiff, synthesizeRef } from '../../cli/commands/diff';
import { diffTrees } from '../../review/diff/diff';
import { parseSynthTree } from '../../review/diff/tree';
import type { Change } from '../../review/diff/types';
import { mustReplace, tempDir } from '../support/fixtures';
import { commitAll, edit, gitIn, projectFilesAtHead, repoWith } from '../review/diff/git-repo';

jest.setTimeout(900_000);

const PROD = 'stacks/stages/prod.yaml';
const NEW_HOST = '  - { name: prod-web-09, service: web, team: storefront, criticality: low, address: 10.40.1.19 }';

interface JsonChange {
  stage: string;
  stack: string;
  subject: string;
  kind: Change['kind'];
  text: string;
  attributes: Array<{ path: string; before?: unknown; after?: unknown }>;
}

/** A change in the shape both sides are compared in (what, where, values). */
const shape = (c: JsonChange | Change): unknown => ({
  where: `${c.stage}/${c.stack}/${c.subject}`,
  kind: c.kind,
  attributes: c.attributes.map((a) => ({ path: a.path, before: a.before, after: a.after })),
});
/** The same change undone: added <-> removed, before <-> after. */
const inverse = (c: Change): unknown => ({
  where: `${c.stage}/${c.stack}/${c.subject}`,
  kind: c.kind === 'added' ? 'removed' : c.kind === 'removed' ? 'added' : c.kind,
  attributes: c.attributes.map((a) => ({ path: a.path, before: a.after, after: a.before })),
});

describe('rollback by reverted commit', () => {
  let repo = '';
  let co: Checkout;
  const sha: Record<'A' | 'B' | 'R', string> = { A: '', B: '', R: '' };
  const synth: Partial<Record<'A' | 'B' | 'R', Record<string, string>>> = {};
  const timings: string[] = [];
  const cache = tempDir('rollout-revert-cache-');
  const savedCache = process.env.ROLLOUT_DIFF_CACHE;

  beforeAll(async () => {
    process.env.ROLLOUT_DIFF_CACHE = cache;
    repo = repoWith(projectFilesAtHead(), 'rollout-revert-');
    sha.A = commitAll(repo, 'A: the project as committed');
    edit(repo, PROD, (t) => mustReplace(t, /^( {2}version: )7\.72\.0$/m, '$17.73.0'));
    edit(repo, PROD, (t) => mustReplace(t, /^( {2}degradationThresholdPercent: )5$/m, '$14'));
    edit(repo, PROD, (t) => `${t.trimEnd()}\n${NEW_HOST}\n`);
    sha.B = commitAll(repo, 'B: agent 7.73.0, prod degradation threshold 4%, prod-web-09');
    gitIn(repo, 'revert', '--no-edit', sha.B);
    sha.R = gitIn(repo, 'rev-parse', 'HEAD');
    co = locateCheckout(repo);
    for (const k of ['A', 'B', 'R'] as const) {
      const t = Date.now();
      synth[k] = await synthesizeRef(co, sha[k]);
      timings.push(`${k}: built and synthesized in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  });

  afterAll(() => {
    process.stderr.write(`rollback-revert timings: ${timings.join('; ')}\n`);
    if (repo) fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
    if (savedCache === undefined) delete process.env.ROLLOUT_DIFF_CACHE;
    else process.env.ROLLOUT_DIFF_CACHE = savedCache;
  });

  test('the revert restores the tree of A; no worktree is left behind', () => {
    expect(gitIn(repo, 'rev-parse', `${sha.R}^{tree}`)).toBe(gitIn(repo, 'rev-parse', `${sha.A}^{tree}`));
    expect(gitIn(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  test('the synth of the revert is byte-identical to A (every stack and inventory)', () => {
    const a = synth.A as Record<string, string>;
    expect(Object.keys(a).filter((f) => f.endsWith('cdk.tf.json')).length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(a).filter((f) => f.endsWith('hosts.yml'))).toEqual([
      'ansible/inventories/dev/hosts.yml',
      'ansible/inventories/prod/hosts.yml',
      'ansible/inventories/test/hosts.yml',
    ]);
    expect(synth.R).toEqual(a);
    expect(synth.B).not.toEqual(a);
  });

  test('A -> B lists the three changes in words', () => {
    const forward = diffTrees(parseSynthTree(synth.A as Record<string, string>), parseSynthTree(synth.B as Record<string, string>));
    const texts = forward.changes.map((c) => `${c.risk} ${c.text}`);
    expect(texts).toEqual(
      expect.arrayContaining([
        'high agent version 7.72.0 -> 7.73.0 on 39 hosts',
        expect.stringMatching(/^high host prod-web-09 joins the rollout in batch \d$/),
      ]),
    );
    expect(texts.some((t) => t.includes('degradation threshold (%) 5 -> 4'))).toBe(true);
    expect(forward.changes.every((c) => c.stage === 'prod')).toBe(true);
  });

  test('rollout diff --base B --head R lists exactly the inverse of A -> B', async () => {
    const forward = diffTrees(parseSynthTree(synth.A as Record<string, string>), parseSynthTree(synth.B as Record<string, string>)).changes;
    const out: string[] = [];
    const err: string[] = [];
    const t = Date.now();
    const code = await runDiff(parseDiffArgs(['--base', sha.B, '--head', sha.R, '--format', 'json', '--fail-on', 'critical', '--config', repo]), {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    timings.push(`rollout diff B -> R: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/building and synthesizing base .* in a temporary worktree/);
    const back = (JSON.parse(out.join('')) as { changes: JsonChange[] }).changes;
    expect(back.length).toBe(forward.length);
    expect(back.map(shape)).toEqual(forward.map(inverse));
    // The version decrease reads as what it is.
    expect(back.map((c) => c.text)).toContain('rollback to 7.72.0 on 38 hosts (agent version 7.73.0 -> 7.72.0)');
    expect(gitIn(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  test('a second run reads both refs from the cache (by git tree) and reports the same', async () => {
    const run = async (): Promise<{ out: string; err: string; ms: number }> => {
      const out: string[] = [];
      const err: string[] = [];
      const t = Date.now();
      await runDiff(parseDiffArgs(['--base', sha.B, '--head', sha.R, '--format', 'json', '--config', repo]), {
        out: (x) => out.push(x),
        err: (x) => err.push(x),
      });
      return { out: out.join(''), err: err.join('\n'), ms: Date.now() - t };
    };
    const first = await run(); // the previous test filled the cache; this run must read it
    const second = await run();
    timings.push(`rollout diff B -> R from the cache: ${(second.ms / 1000).toFixed(1)} s`);
    expect(second.err).toMatch(/base read from the cache \(tree [0-9a-f]{7}\)/);
    expect(second.err).toMatch(/head read from the cache \(tree [0-9a-f]{7}\)/);
    expect(second.err).not.toContain('temporary worktree');
    expect(second.out).toBe(first.out);
    expect(second.ms).toBeLessThan(10_000);
  });
});
