/**
 * `rollout release plan` end to end in a temporary git repository: real
 * commits (a version bump, its `git revert`, a monitor threshold, an
 * environment rename), refs resolved by git, both sides synthesized and
 * diffed, the decision printed as Markdown, JSON and workflow outputs.
 * Refs are synthesized in this process from their configuration (git
 * archive + this code), as test/cli/diff.test.ts does; the worktree path is
 * rollout diff's, tested there and in test/e2e/rollback-revert.e2e.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../cli/args';
import { parseReleaseArgs, runReleasePlan } from '../../cli/commands/release';
import { run } from '../../cli/main';
import type { ReleasePlan } from '../../review/release/types';
import { mustReplace, tempDir } from '../support/fixtures';
import { commitAll, edit, exampleConfigFiles, gitIn, inProcessSynthesizers, repoWith } from '../review/diff/git-repo';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const IN_PROCESS = inProcessSynthesizers();

const PROD = 'stacks/stages/prod.yaml';

async function plan(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const request = parseReleaseArgs(['plan', ...argv]);
  if (request.action !== 'plan') throw new Error('expected a plan request');
  const c = capture();
  const code = await runReleasePlan(request.args, c.io, IN_PROCESS);
  return { code, out: c.out.join(''), err: c.err.join('\n') };
}

describe('rollout release plan', () => {
  let repo: string;
  let a: string; // the example configuration
  let bump: string; // prod's agent 7.72.0 -> 7.73.0
  let bumpThreshold: string; // on the bump: a monitor threshold
  let revert: string; // git revert of the bump
  let threshold: string; // a monitor threshold on top of the revert
  let renamed: string; // prod's GitHub environment is "production"
  let out: string;

  beforeAll(() => {
    repo = repoWith(exampleConfigFiles());
    a = commitAll(repo, 'example configuration');
    edit(repo, PROD, (t) => mustReplace(t, 'version: 7.72.0', 'version: 7.73.0'));
    bump = commitAll(repo, 'prod: agent 7.73.0');
    const raise = (t: string): string => mustReplace(t, /(service:api\} > )2(\n\s+thresholds: \{ critical: )2(, warning: )1 \}/, '$13$23$31.5 }');
    edit(repo, 'monitors/payments.yaml', raise);
    bumpThreshold = commitAll(repo, 'payments: p99 latency threshold 3 s (on the bump)');
    gitIn(repo, 'checkout', '-q', bump);
    gitIn(repo, 'revert', '--no-edit', bump);
    revert = gitIn(repo, 'rev-parse', 'HEAD');
    edit(repo, 'monitors/payments.yaml', raise);
    threshold = commitAll(repo, 'payments: p99 latency threshold 3 s');
    edit(repo, PROD, (t) => mustReplace(t, '# environment: prod ', 'environment: production #'));
    edit(repo, PROD, (t) => mustReplace(t, 'version: 7.72.0', 'version: 7.73.0'));
    renamed = commitAll(repo, 'prod: environment production, agent 7.73.0');
    gitIn(repo, 'tag', 'deployed-prod', threshold);
    gitIn(repo, 'checkout', '-q', a);
    out = tempDir('rollout-release-out-');
  });

  afterEach(() => gitIn(repo, 'checkout', '-q', '--force', a));
  afterAll(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a version bump: prod is a release, batch by batch; the other stages take no path', async () => {
    const r = await plan(['--base', a, '--head', bump, '--config', repo]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Base \`${a} (${a.slice(0, 7)})\`, head \`${bump} (${bump.slice(0, 7)})\`.`);
    expect(r.out).toContain('| prod | **release** | agent 7.72.0 -> 7.73.0 on 38 hosts | 1 → 2 → 3, soak 48/48/72 h, gate after each |');
    expect(r.out).toContain('| dev | none | nothing of this stage changes | — |');
    expect(r.out).toContain('  2. after 48 h of soak: gate of batch 1, then batch 2 (13 hosts), environment `prod-soak-1`');
    expect(r.err).toMatch(/synthesizing base .* in a temporary worktree\.\.\.\n.*base synthesized in [\d.]+ s/);
    expect(r.err).toContain('rollout release plan: prod: release: agent 7.72.0 -> 7.73.0 on 38 hosts');
  });

  test('the revert commit: prod rolls back at once, every batch newest first; the workflow outputs say so', async () => {
    const file = path.join(out, 'revert.out');
    const r = await plan(['--base', bump, '--head', revert, '--stage', 'prod', '--github-output', file, '--config', repo]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| prod | **rollback** | rollback to 7.72.0 on 38 hosts (agent 7.73.0 -> 7.72.0) | 3 → 2 → 1, no soak |');
    const outputs = Object.fromEntries(
      fs
        .readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(outputs).toMatchObject({
      stage: 'prod',
      path: 'rollback',
      environment: 'prod',
      rollback_from: '7.73.0',
      rollback_to: '7.72.0',
      rollback_batches: '3 2 1',
      step_count: '0',
    });
    expect(r.err).toContain('rollout release plan: prod: rollback: rollback to 7.72.0 on 38 hosts (agent 7.73.0 -> 7.72.0)');
    expect(r.err).not.toContain('dev: none');
  });

  test('a monitor threshold after the revert: infra-only in every stage, as JSON; with the deployed commit as a tag', async () => {
    const r = await plan(['--base', revert, '--head', 'deployed-prod', '--format', 'json', '--config', repo]);
    const doc = JSON.parse(r.out) as ReleasePlan;
    expect(doc.stages.map((s) => [s.stage, s.path, s.reason])).toEqual([
      ['dev', 'infra-only', 'stacks change: dev-observability (1 change)'],
      ['prod', 'infra-only', 'stacks change: prod-observability (1 change)'],
      ['test', 'infra-only', 'stacks change: test-observability (1 change)'],
    ]);
    expect(doc.head).toBe(`deployed-prod (${threshold.slice(0, 7)})`);
  });

  test('--passed: while the release of the bump has not completed, a threshold change on it is infra-only and the stage has not passed it', async () => {
    const file = path.join(out, 'passed.out');
    const r = await plan(['--base', bump, '--passed', a, '--head', bumpThreshold, '--stage', 'prod', '--github-output', file, '--config', repo]);
    expect(r.out).toContain(`, last completed release \`${a} (${a.slice(0, 7)})\`.`);
    expect(r.out).toContain('| prod | infra-only | stacks change: prod-observability (1 change) | — |');
    expect(r.out).toContain('- Agent changes since the last completed release are not through this stage yet');
    expect(fs.readFileSync(file, 'utf8')).toContain('\npath=infra-only\n');
    expect(fs.readFileSync(file, 'utf8')).toContain('\nadvance_passed=false\n');
    const done = path.join(out, 'done.out');
    await plan(['--base', bump, '--passed', bump, '--head', bumpThreshold, '--stage', 'prod', '--github-output', done, '--config', repo]);
    expect(fs.readFileSync(done, 'utf8')).toContain('\nadvance_passed=true\n');
    // A revert on top of a deployed bump is a rollback whatever passed says.
    const rb = await plan(['--base', bump, '--passed', a, '--head', threshold, '--stage', 'prod', '--format', 'json', '--config', repo]);
    expect((JSON.parse(rb.out) as ReleasePlan).stages.find((s) => s.stage === 'prod')?.path).toBe('rollback');
  });

  test('the environment comes from the head stage file (ci.environment), soak environments with it', async () => {
    const r = await plan(['--base', threshold, '--head', renamed, '--stage', 'prod', '--format', 'json', '--config', repo]);
    const prod = (JSON.parse(r.out) as ReleasePlan).stages.find((s) => s.stage === 'prod');
    expect(prod?.environment).toBe('production');
    expect(prod?.release?.steps.map((s) => s.environment)).toEqual(['production', 'production-soak-1', 'production-soak-2']);
  });

  test('the working tree as head (no --head), and --base none for a first deploy', async () => {
    gitIn(repo, 'checkout', '-q', bump);
    const wt = await plan(['--base', a, '--config', repo]);
    expect(wt.out).toContain('head `working tree`');
    expect(wt.out).toContain('| prod | **release** |');
    const file = path.join(out, 'all-stages.out');
    const first = await plan(['--base', 'none', '--head', a, '--format', 'json', '--github-output', file, '--config', repo]);
    // Without --stage, the outputs a pull request needs: the plan, the stages (its plan matrix) and the admin stacks.
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^plan=\{.*\}\nstages=\["dev","prod","test"\]\nadmin_stacks=\["github","state"\]\n$/);
    const doc = JSON.parse(first.out) as ReleasePlan;
    expect(doc.base).toBe('none (nothing deployed)');
    expect(doc.stages.every((s) => s.path === 'release')).toBe(true);
    expect(doc.adminStacks.map((s) => s.stack)).toEqual(['github', 'state']);
    expect(first.err).toContain('an administrator must apply github, state (CI never applies them)');
  });

  test('bad command lines: one usage error naming what is wrong', async () => {
    expect(() => parseReleaseArgs([])).toThrow(new UsageError("rollout release: missing required argument 'action'; see rollout release --help"));
    expect(() => parseReleaseArgs(['apply'])).toThrow(new UsageError('rollout release: unknown action "apply", expected plan; see rollout release --help'));
    expect(() => parseReleaseArgs(['plan'])).toThrow('rollout release plan: --base REF is required');
    expect(() => parseReleaseArgs(['plan', '--base', 'x', '--format', 'yaml'])).toThrow(
      'rollout release: --format: got "yaml", expected one of markdown, json',
    );
    expect(() => parseReleaseArgs(['plan', '--base', 'x', '--bogus'])).toThrow("rollout release: unknown option '--bogus'; see rollout release --help");
    await expect(plan(['--base', 'no-such-ref', '--config', repo])).rejects.toThrow(
      new UsageError(`rollout release plan: --base: got "no-such-ref", expected a commit, branch or tag of ${repo}, or none`),
    );
    await expect(plan(['--base', a, '--head', 'none', '--config', repo])).rejects.toThrow('--head: got "none", expected a commit, branch or tag');
    await expect(plan(['--base', a, '--head', bump, '--stage', 'qa', '--config', repo])).rejects.toThrow(
      'rollout release plan: --stage: got "qa", expected one of dev, prod, test',
    );
    await expect(plan(['--base', a, '--config', path.join(repo, 'nope')])).rejects.toThrow(
      /^rollout release: --config: got ".*nope", expected an existing directory \(it does not exist\)$/,
    );
  });

  test('--help, -h and `rollout help release` print the same help: usage, every option, the exit statuses', async () => {
    const help = capture();
    expect(await run(['release', '--help'], help.io)).toBe(0);
    const text = help.out.join('');
    expect(text).toMatch(/^Usage: rollout release \[options\] <action>\n/);
    for (const flag of ['--base <REF>', '--passed <REF>', '--head <REF>', '--stage <S>', '--format <FORMAT>', '--github-output <FILE>', '--config <DIR>']) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('(default: ".", env: ROLLOUT_CONFIG)');
    expect(text).toContain('Exit status: 0 decided');
    for (const argv of [
      ['release', 'plan', '--help'],
      ['release', '-h'],
      ['help', 'release'],
    ]) {
      const other = capture();
      expect(await run(argv, other.io)).toBe(0);
      expect(other.out.join('')).toBe(text);
    }
    const all = capture();
    expect(await run(['help'], all.io)).toBe(0);
    expect(all.out.join('')).toMatch(/\n {2}release +release plan: which path each stage takes/);
    const bad = capture();
    expect(await run(['release', 'plan'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('rollout release plan: --base REF is required');
  });
});
