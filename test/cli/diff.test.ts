/**
 * `rollout diff`: arguments, errors, exit statuses, output and the cache of
 * synthesized refs. Refs are synthesized in this process from their
 * configuration (git archive of the ref + this code), so these tests need
 * git but no build; test/e2e/rollback-revert.e2e.test.ts runs the real
 * worktree path (each ref built with its own code).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { diffCommand, EXIT_RISK, locateCheckout, parseDiffArgs, runDiff } from '../../cli/commands/diff';
import { UsageError } from '../../cli/args';
import { mustReplace, tempDir } from '../support/fixtures';
import { commitAll, edit, exampleConfigFiles, gitIn, inProcessSynthesizers, repoWith } from '../review/diff/git-repo';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

/** How many refs IN_PROCESS synthesized (the cache test counts them). */
let refsSynthesized = 0;

const IN_PROCESS = inProcessSynthesizers(() => refsSynthesized++);

const PROD = 'stacks/stages/prod.yaml';

describe('rollout diff', () => {
  let repo: string;
  let a: string;
  let b: string;

  const cache = tempDir('rollout-diff-cache-');
  const savedCache = process.env.ROLLOUT_DIFF_CACHE;

  beforeAll(() => {
    process.env.ROLLOUT_DIFF_CACHE = cache;
    repo = repoWith(exampleConfigFiles());
    a = commitAll(repo, 'A');
    edit(repo, PROD, (t) => mustReplace(t, 'version: 7.72.0', 'version: 7.73.0'));
    edit(repo, PROD, (t) => mustReplace(t, 'degradationThresholdPercent: 5', 'degradationThresholdPercent: 4'));
    edit(repo, PROD, (t) => `${t.trimEnd()}\n  - { name: prod-web-09, service: web, team: storefront, criticality: low, address: 10.40.1.19 }\n`);
    b = commitAll(repo, 'B');
    gitIn(repo, 'tag', 'v-b');
    gitIn(repo, 'checkout', '-q', a);
  });

  afterEach(() => gitIn(repo, 'checkout', '-q', '--force', a));
  afterAll(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
    if (savedCache === undefined) delete process.env.ROLLOUT_DIFF_CACHE;
    else process.env.ROLLOUT_DIFF_CACHE = savedCache;
  });

  test('a clean working tree at the base gives an empty diff, exit 0', async () => {
    const c = capture();
    const code = await runDiff(parseDiffArgs(['--base', a, '--config', repo, '--no-cache']), c.io, IN_PROCESS);
    expect(code).toBe(0);
    expect(c.out.join('')).toBe(
      `## Change review\n\nBase \`${a} (${a.slice(0, 7)})\`, head \`working tree\`.\n\n**No changes**: every stack and inventory means the same on both sides.\n`,
    );
    expect(c.err.join('\n')).toMatch(
      /building and synthesizing base .*\n.*base synthesized in [\d.]+ s\n.*synthesizing head working tree.*\n.*head synthesized in [\d.]+ s\n.*0 changes \([\d.]+ s\)/,
    );
  });

  test('reordering stage file keys and hosts gives an empty diff', async () => {
    for (const f of ['dev', 'test', 'prod']) {
      edit(repo, `stacks/stages/${f}.yaml`, (text) => {
        const doc = parse(text) as Record<string, unknown>;
        const reversed: Record<string, unknown> = {};
        for (const k of Object.keys(doc).reverse()) reversed[k] = k === 'hosts' ? [...(doc.hosts as unknown[])].reverse() : doc[k];
        return stringify(reversed);
      });
    }
    const c = capture();
    expect(await runDiff(parseDiffArgs(['--base', a, '--config', repo]), c.io, IN_PROCESS)).toBe(0);
    expect(c.out.join('')).toContain('**No changes**');
  });

  test('the working tree against the base: the report in words, with the summary table first', async () => {
    gitIn(repo, 'checkout', '-q', b);
    const c = capture();
    const code = await runDiff(parseDiffArgs(['--base', a, '--config', repo]), c.io, IN_PROCESS);
    expect(code).toBe(0);
    const md = c.out.join('');
    expect(md).toContain('**Highest risk: high.**');
    expect(md).toMatch(/\| prod \| inventory \| 1 \| \d+ \| 0 \| 0 \| \*\*high\*\* \|/);
    expect(md.indexOf('| stage | stack |')).toBeLessThan(md.indexOf('### Needs attention'));
    expect(md).toContain('- **high** prod: agent version 7.72.0 -> 7.73.0 on 39 hosts _(agent version)_');
    expect(md).toContain(
      '- **high** prod: host prod-web-09 joins the rollout in batch 1 _(batch membership of prod hosts)_\n  - follows from it (batch sizes 12/13/13 -> 13/13/13):',
    );
    expect(md).toContain('degradation threshold (%) 5 -> 4');
    expect(md).toContain('| prod | 336 (after dev 168 h, test 168 h) | 38 -> 39 | 12/13/13 -> 13/13/13 | 48/48/72 | 7.72.0 -> 7.73.0 |');
    expect(md).toMatch(/```mermaid\ngantt\n {4}title Rollout across stages \(dev, then test, then prod\), before and after\n/);
  });

  test('the base is synthesized once per git tree: the next run reads it from the cache (--no-cache skips it)', async () => {
    gitIn(repo, 'checkout', '-q', b);
    refsSynthesized = 0;
    const first = capture();
    await runDiff(parseDiffArgs(['--base', a, '--config', repo]), first.io, IN_PROCESS);
    const second = capture();
    await runDiff(parseDiffArgs(['--base', a, '--config', repo]), second.io, IN_PROCESS);
    expect(refsSynthesized).toBeLessThanOrEqual(1); // 0 when an earlier test already cached this tree
    expect(second.err.join('\n')).toMatch(new RegExp(`base read from the cache \\(tree [0-9a-f]{7}\\) in [\\d.]+ s`));
    expect(second.out).toEqual(first.out);
    const before = refsSynthesized;
    await runDiff(parseDiffArgs(['--base', a, '--config', repo, '--no-cache']), capture().io, IN_PROCESS);
    expect(refsSynthesized).toBe(before + 1);
    expect(fs.readdirSync(cache).some((f) => f.endsWith('.json'))).toBe(true);
  });

  test('--json FILE also writes the JSON report (what plan-summary --diff reads)', async () => {
    const out = path.join(tempDir('rollout-diff-json-'), 'review.json');
    const md = capture();
    await runDiff(parseDiffArgs(['--base', a, '--head', b, '--json', out, '--config', repo]), md.io, IN_PROCESS);
    const json = capture();
    await runDiff(parseDiffArgs(['--base', a, '--head', b, '--format', 'json', '--config', repo]), json.io, IN_PROCESS);
    expect(md.out.join('')).toMatch(/^## Change review/);
    expect(fs.readFileSync(out, 'utf8')).toBe(json.out.join(''));
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  test('--head REF, --format json and --fail-on: exit 3 at or above the class, 0 below', async () => {
    const json = capture();
    const code = await runDiff(parseDiffArgs(['--base', a, '--head', 'v-b', '--format', 'json', '--fail-on', 'high', '--config', repo]), json.io, IN_PROCESS);
    expect(code).toBe(EXIT_RISK);
    const doc = JSON.parse(json.out.join('')) as { base: string; head: string; highestRisk: string; changes: Array<{ text: string }> };
    expect(doc.head).toBe(`v-b (${b.slice(0, 7)})`);
    expect(doc.highestRisk).toBe('high');
    expect(doc.changes.map((x) => x.text)).toContain('agent version 7.72.0 -> 7.73.0 on 39 hosts');
    expect(json.err.join('\n')).toContain(`highest risk high is at or above --fail-on high: exit ${EXIT_RISK}`);
    const lenient = capture();
    expect(await runDiff(parseDiffArgs(['--base', a, '--head', b, '--fail-on', 'critical', '--config', repo]), lenient.io, IN_PROCESS)).toBe(0);
  });

  test('an unknown ref is one usage error naming it', async () => {
    const c = capture();
    await expect(runDiff(parseDiffArgs(['--base', 'no-such-branch', '--config', repo]), c.io, IN_PROCESS)).rejects.toThrow(
      new UsageError(`rollout diff: --base: got "no-such-branch", expected a commit, branch or tag of ${repo}`),
    );
    await expect(runDiff(parseDiffArgs(['--base', a, '--head=--upload-pack=x', '--config', repo]), c.io, IN_PROCESS)).rejects.toThrow(
      /--head: got "--upload-pack=x"/,
    );
    expect(c.out).toEqual([]);
  });

  test.each([
    [[], /--base REF is required/],
    [['--base'], /^rollout diff: option '--base <REF>' argument missing; see rollout diff --help$/],
    [['--base', 'x', '--format', 'yaml'], /--format: got "yaml", expected one of markdown, json/],
    [['--base', 'x', '--fail-on', 'severe'], /--fail-on: got "severe", expected one of critical, high, medium, low/],
    [['--base', 'x', '--colour'], /^rollout diff: unknown option '--colour'; see rollout diff --help$/],
    [['--base', 'x', '--fail-of', 'high'], /^rollout diff: unknown option '--fail-of' \(did you mean --fail-on\?\)/],
    [
      ['--base', 'x', '--config', '/nonexistent/rollout-config'],
      /^rollout diff: --config: got "\/nonexistent\/rollout-config", expected an existing directory \(it does not exist\)$/,
    ],
    [['--base', 'x', 'extra'], /unexpected argument "extra"/],
  ])('bad command line %j: one usage error', async (argv, message) => {
    await expect(async () => diffCommand.run(argv, capture().io)).rejects.toThrow(UsageError);
    await expect(async () => diffCommand.run(argv, capture().io)).rejects.toThrow(message);
  });

  test('outside a git repository, or without node_modules: one clear error', () => {
    const plain = tempDir('rollout-nogit-');
    const bare = repoWith({ 'cdktf.json': '{}' });
    try {
      fs.writeFileSync(path.join(plain, 'cdktf.json'), '{}');
      expect(() => locateCheckout(plain)).toThrow(/is not inside a git repository/);
      fs.unlinkSync(path.join(bare, 'node_modules'));
      expect(() => locateCheckout(bare)).toThrow(/node_modules does not exist; run npm ci first/);
      expect(() => locateCheckout(path.join(bare, 'missing'))).toThrow(/--config: got ".*missing", expected an existing directory/);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });

  test('locates the project and configuration inside the repository', () => {
    fs.mkdirSync(path.join(repo, 'sub'), { recursive: true });
    const co = locateCheckout(path.join(repo, 'sub'));
    expect(co).toMatchObject({ repo, projectRel: '', configRel: 'sub' });
  });
});
