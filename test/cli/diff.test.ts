/**
 * `rollout diff` and `rollout plan-summary` commands: arguments, errors, exit
 * statuses and output. Refs are synthesized in this process from their
 * configuration (git archive of the ref + this code), so these tests need
 * git but no build; test/e2e/rollback-revert.e2e.test.ts runs the real
 * worktree path (each ref built with its own code).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { Checkout, diffCommand, DiffSynthesizers, EXIT_RISK, locateCheckout, parseDiffArgs, runDiff, synthesizeWorkingTree } from '../../cli/commands/diff';
import { planSummaryCommand } from '../../cli/commands/plan-summary';
import { UsageError } from '../../cli/args';
import { mustReplace, tempDir } from '../support/fixtures';
import { commitAll, edit, exampleConfigFiles, gitIn, repoWith } from '../review/diff/git-repo';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

/** Synthesize a ref's configuration with this process's code (no worktree, no build). */
const IN_PROCESS: DiffSynthesizers = {
  ref: async (co: Checkout, sha: string) => {
    const dir = tempDir('rollout-ref-');
    try {
      execFileSync('sh', ['-c', `git archive --format=tar ${sha} | tar -x -C '${dir}'`], { cwd: co.repo });
      return synthesizeWorkingTree(path.join(dir, co.configRel));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  workingTree: synthesizeWorkingTree,
};

const PROD = 'stacks/stages/prod.yaml';

describe('rollout diff', () => {
  let repo: string;
  let a: string;
  let b: string;

  beforeAll(() => {
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
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  test('a clean working tree at the base gives an empty diff, exit 0', async () => {
    const c = capture();
    const code = await runDiff(parseDiffArgs(['--base', a, '--config', repo]), c.io, IN_PROCESS);
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
    expect(md).toContain('| prod | inventory | 1 | 2 | 0 | 0 | **high** |');
    expect(md.indexOf('| stage | stack |')).toBeLessThan(md.indexOf('### What changes'));
    expect(md).toContain('- **high** agent version 7.72.0 -> 7.73.0 on 39 hosts _(agent version)_');
    expect(md).toContain('- **high** host prod-web-09 joins the rollout in batch 1 _(batch membership of prod hosts)_');
    expect(md).toContain('degradation threshold (%) 5 -> 4');
    expect(md).toMatch(/#### prod\n\n```mermaid\ngantt\n {4}title prod rollout, 39 hosts, agent 7\.73\.0, 168 h of soak/);
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
    [['--base'], /rollout diff: Option '--base <value>' argument missing; allowed options: --base VALUE, --head VALUE/],
    [['--base', 'x', '--format', 'yaml'], /--format: got "yaml", expected one of markdown, json/],
    [['--base', 'x', '--fail-on', 'severe'], /--fail-on: got "severe", expected one of critical, high, medium, low/],
    [['--base', 'x', '--colour'], /Unknown option '--colour'/],
    [['--base', 'x', 'extra'], /unexpected argument "extra"/],
  ])('bad command line %j: one usage error', async (argv, message) => {
    await expect(diffCommand.run(argv, capture().io)).rejects.toThrow(UsageError);
    await expect(diffCommand.run(argv, capture().io)).rejects.toThrow(message);
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

describe('rollout plan-summary', () => {
  const dir = tempDir('rollout-plans-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const plan = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: [{ address: 'terraform_data.a', change: { actions: ['delete', 'create'], replace_paths: [['triggers_replace']] } }],
  };

  test('prints one section per plan, titled by file name or --title', () => {
    const p1 = write('dev-infra.json', JSON.stringify(plan));
    const p2 = write('dev-observability.json', JSON.stringify({ format_version: '1.2', planned_values: {} }));
    const c = capture();
    expect(planSummaryCommand.run([p1, p2], c.io)).toBe(0);
    const md = c.out.join('');
    expect(md).toContain('### Terraform plan: dev-infra\n');
    expect(md).toContain('- `terraform_data.a`: forced by `triggers_replace` (delete, then create)');
    expect(md).toContain('### Terraform plan: dev-observability\n\n**No changes.**');
    const t = capture();
    planSummaryCommand.run([p1, '--title', 'dev / infra'], t.io);
    expect(t.out.join('')).toMatch(/^### Terraform plan: dev \/ infra\n/);
  });

  test('an unreadable or invalid plan file: one clear error naming the file', () => {
    const missing = path.join(dir, 'missing.json');
    expect(() => planSummaryCommand.run([missing], capture().io)).toThrow(`${missing}: cannot read it (ENOENT)`);
    const bad = write('bad.json', '{"format_version": "1.2", "resource_changes": [');
    expect(() => planSummaryCommand.run([bad], capture().io)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
    const bin = write('plan.bin', 'PK\u0003\u0004binary');
    expect(() => planSummaryCommand.run([bin], capture().io)).toThrow(/binary plan file/);
  });

  test('bad command line: usage errors', () => {
    expect(() => planSummaryCommand.run([], capture().io)).toThrow(
      new UsageError('rollout plan-summary: expected at least one PLAN.json (terraform show -json PLANFILE > PLAN.json)'),
    );
    expect(() => planSummaryCommand.run(['a.json', '--colour'], capture().io)).toThrow(/Unknown option '--colour'; allowed options: --title TEXT/);
    expect(() => planSummaryCommand.run(['a.json', 'b.json', '--title', 'x'], capture().io)).toThrow(/--title applies to one plan/);
  });
});
