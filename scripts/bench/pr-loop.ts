/**
 * The pull-request loop of the example, timed: `rollout diff` of a change
 * against the base branch (the base built and synthesized with its own code
 * in a worktree, or read from the cache of synthesized trees) and
 * `rollout plan-summary` of the stage's plans joined with the diff. Our own
 * time only: the plans are made from the two synthesized trees (one
 * `terraform show -json`-shaped plan per stack, every resource of the head
 * with the action the diff found), so no terraform or provider runs.
 *
 * The repository is a temporary git repository: this project's committed
 * files (`git archive HEAD`, node_modules linked) as `main`, and in its working
 * tree the example change of docs/change-review.md (prod agent 7.73.0, prod-api-01 pinned to
 * batch 1, prod-web-09 added, the payments p99 latency threshold 2 s -> 3 s).
 * The CLI is this checkout's build (dist/). Nothing is written to this checkout.
 *
 *   node dist/scripts/bench/pr-loop.js [--runs N]     prints a Markdown table
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Figures, measureNode } from './measure';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

/** A Node script running the CLI's `run` (dist/cli/main.js exports it; its own entry check does not fire when required). */
const RUNNER = `require(${JSON.stringify(CLI)}).run(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY },
  }).trim();
}

function replace(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`pr-loop: ${file}: ${String(from)} not found`);
  fs.writeFileSync(file, next);
}

/** The temporary repository: HEAD of this checkout as `main`, the example change of docs/change-review.md in the working tree. */
export function exampleRepo(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C '${dir}'`], { cwd: REPO });
  git(dir, 'init', '-q');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'main');
  const prod = path.join(dir, 'stacks', 'stages', 'prod.yaml');
  replace(prod, /^( {2}version: )7\.72\.0$/m, '$17.73.0');
  replace(prod, /(name: prod-api-01, [^}]*address: [0-9.]+) \}/, '$1, batch: 1 }');
  fs.appendFileSync(prod, '  - { name: prod-web-09, service: web, team: storefront, criticality: low, address: 10.40.1.19 }\n');
  replace(
    path.join(dir, 'monitors', 'payments.yaml'),
    'service:api} > 2\n    thresholds: { critical: 2, warning: 1 }',
    'service:api} > 3\n    thresholds: { critical: 3, warning: 1.5 }',
  );
  return dir;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const strip = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(strip)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v as Json)
            .filter(([k]) => k !== '//')
            .map(([k, x]) => [k, strip(x)]),
        )
      : v;

/** `terraform show -json`-shaped plans of one stage's stacks, from the head tree and the diff's verdicts. */
export function plansFromTrees(head: Record<string, string>, review: Json, stage: string, out: string): string[] {
  const files: string[] = [];
  const kinds = new Map<string, string>((review.changes as Json[]).map((c) => [`${c.stack}/${c.subject}`, c.kind as string]));
  const before = new Map<string, Json>((review.changes as Json[]).flatMap((c) => (c.kind === 'changed' ? [[`${c.stack}/${c.subject}`, c]] : [])));
  for (const stack of [`${stage}-infra`, `${stage}-observability`]) {
    const doc = JSON.parse(head[`stacks/${stack}/cdk.tf.json`] ?? '{}') as Json;
    const changes: Json[] = [];
    for (const [type, byName] of Object.entries((doc.resource ?? {}) as Json)) {
      for (const [name, config] of Object.entries(byName as Json)) {
        const kind = kinds.get(`${stack}/resource.${type}.${name}`);
        const actions = kind === 'added' ? ['create'] : kind === 'replaced' ? ['delete', 'create'] : kind === 'changed' ? ['update'] : ['no-op'];
        const after = strip(config) as Json;
        const was = before.get(`${stack}/resource.${type}.${name}`);
        const prior = was
          ? { ...after, ...Object.fromEntries((was.attributes as Json[]).filter((a) => !a.path.includes('.')).map((a) => [a.path, a.before])) }
          : after;
        changes.push({
          address: `${type}.${name}`,
          mode: 'managed',
          type,
          name,
          change: { actions, before: kind === 'added' ? null : prior, after, after_unknown: {} },
        });
      }
    }
    const file = path.join(out, `${stack}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ format_version: '1.2', terraform_version: '1.11.4', planned_values: {}, resource_changes: changes, complete: true, errored: false }),
    );
    files.push(file);
  }
  return files;
}

export interface PrLoopFigures {
  readonly cold: Figures;
  readonly warm: Figures;
  readonly summary: Figures;
}

/** Time the loop: a cold diff (empty cache: worktree, build, synth), warm diffs (cache hit), plan summaries of prod's plans. */
export function measurePrLoop(runs: number): PrLoopFigures {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-pr-loop-'));
  try {
    const repo = exampleRepo(path.join(work, 'repo'));
    const cache = path.join(work, 'cache');
    const review = path.join(work, 'review.json');
    const diffArgs = ['-e', RUNNER, 'diff', '--base', 'main', '--config', repo, '--json', review];
    const env = { ROLLOUT_DIFF_CACHE: cache };
    const cold = measureNode(diffArgs, { cwd: repo, env, runs: 1, label: 'rollout diff, cold cache' });
    const warm = measureNode(diffArgs, { cwd: repo, env, runs, label: 'rollout diff, warm cache' });
    // The head tree, for the plans: the working tree synthesized by this build.
    const headDir = path.join(work, 'head');
    const synth = spawnSync(process.execPath, [path.join(REPO, 'dist', 'main.js'), '--config', repo, '--out', headDir], { cwd: repo, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`pr-loop: head synth failed:\n${synth.stderr}`);
    const head: Record<string, string> = {};
    for (const s of fs.readdirSync(path.join(headDir, 'stacks')))
      head[`stacks/${s}/cdk.tf.json`] = fs.readFileSync(path.join(headDir, 'stacks', s, 'cdk.tf.json'), 'utf8');
    const plans = plansFromTrees(head, JSON.parse(fs.readFileSync(review, 'utf8')) as Json, 'prod', work);
    const summary = measureNode(['-e', RUNNER, 'plan-summary', '--diff', review, ...plans], { cwd: repo, runs, label: 'rollout plan-summary' });
    return { cold, warm, summary };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const s = (ms: number): string => (ms / 1000).toFixed(2);
const fmt = (f: Figures): string => `${s(f.wallMs.median)} s (${s(f.wallMs.min)}-${s(f.wallMs.max)})`;

/** The table rows for BENCHMARKS.md. */
export function prLoopRows(f: PrLoopFigures): string[] {
  const loop = f.warm.wallMs.median + f.summary.wallMs.median;
  return [
    `| \`rollout diff --base main\` of the example, first run (base built and synthesized in a worktree, then cached) | ${fmt(f.cold)} |`,
    `| \`rollout diff --base main\` of the example, base from the cache (by git tree) | ${fmt(f.warm)} |`,
    `| \`rollout plan-summary --diff\` of prod's two plans | ${fmt(f.summary)} |`,
    `| **PR loop** (diff with the base cached + plan summary) | **${s(loop)} s** |`,
  ];
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1]) || 5;
  const f = measurePrLoop(runs);
  process.stdout.write(['| what | wall |', '| --- | ---: |', ...prLoopRows(f)].join('\n') + '\n');
}
