/**
 * `rollout diff --base REF`: what a change does to the synthesized
 * infrastructure, for the change board and the pull request.
 *
 * The base ref is synthesized with its own code and configuration in a
 * temporary git worktree (this checkout's node_modules linked in); the head is
 * the working tree (synthesized in this process, nothing written to it) or
 * `--head REF` (another worktree). Progress goes to stderr, the report to
 * stdout. A synthesized ref is cached by its git tree (review/git/synth-cache.ts):
 * the next run against the same base skips its worktree, build and synth.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../model/load-config';
import { diffTrees } from '../../review/diff/diff';
import { renderJson, renderMarkdown } from '../../review/diff/change-report';
import { parseSynthTree } from '../../review/diff/tree';
import { parseRisk, RISK_CLASSES, RiskClass, riskRank } from '../../review/diff/types';
import { gitToplevel, resolveCommit, shortSha } from '../../review/git/git';
import { cached, cacheKey, dependenciesDigest, treeOf } from '../../review/git/synth-cache';
import { readSynthFiles, synthesizeCommit } from '../../review/git/synth-ref';
import { withWorktree } from '../../review/git/worktree';
import { inventoryPath, renderInventory } from '../../inventory/stage-inventory';
import { CONFIG_OPTION, OptionDef, ParsedOptions, UsageError } from '../args';
import { defineCommand, Io, parseDeclared } from '../command';
import { synthApp } from '../synthesize';

/** Exit status when a change is at or above `--fail-on`. */
export const EXIT_RISK = 3;

const FORMATS = ['markdown', 'json'] as const;

/** Where the project and its configuration sit in the repository. */
export interface Checkout {
  /** Repository top level. */
  readonly repo: string;
  /** Project directory (holds cdktf.json), relative to `repo`. */
  readonly projectRel: string;
  /** Configuration directory, relative to `repo`. */
  readonly configRel: string;
  /** This checkout's node_modules (linked into worktrees). */
  readonly nodeModules: string;
}

/** Locate the repository, project and configuration of `configDir`; throws UsageError. */
export function locateCheckout(configDir: string): Checkout {
  const abs = path.resolve(configDir);
  if (!fs.existsSync(abs)) throw new UsageError(`rollout diff: --config: got ${JSON.stringify(configDir)}, expected an existing directory`);
  const real = fs.realpathSync(abs);
  const top = gitToplevel(real);
  if (!top) throw new UsageError(`rollout diff: --config: ${JSON.stringify(configDir)} is not inside a git repository; rollout diff compares git refs`);
  const repo = fs.realpathSync(top);
  let project = real;
  while (!fs.existsSync(path.join(project, 'cdktf.json'))) {
    const up = path.dirname(project);
    if (project === repo || up === project) {
      throw new UsageError(`rollout diff: no cdktf.json in ${JSON.stringify(configDir)} or above it inside the repository ${repo}`);
    }
    project = up;
  }
  const nodeModules = path.join(project, 'node_modules');
  if (!fs.existsSync(nodeModules)) throw new UsageError(`rollout diff: ${nodeModules} does not exist; run npm ci first (the base ref is built with it)`);
  return { repo, projectRel: path.relative(repo, project), configRel: path.relative(repo, real), nodeModules: fs.realpathSync(nodeModules) };
}

/** Synthesize the working tree's configuration in this process; returns the tree's files. Writes nothing into the working tree. */
export function synthesizeWorkingTree(configDir: string): Record<string, string> {
  const config = loadConfig(configDir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-diff-head-'));
  try {
    synthApp(config, path.join(tmp, 'out'));
    const files = readSynthFiles(path.join(tmp, 'out'), tmp);
    for (const stage of config.stages) files[inventoryPath(stage.name)] = renderInventory(stage);
    return files;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Synthesize a commit with its own code in a temporary worktree; returns the tree's files. */
export async function synthesizeRef(co: Checkout, sha: string): Promise<Record<string, string>> {
  return withWorktree({ repo: co.repo, sha, nodeModules: co.nodeModules, projectRel: co.projectRel }, async (wt) => {
    const out = path.join(path.dirname(wt.dir), 'cdktf.out');
    const configDir = path.join(wt.dir, co.configRel);
    if (!fs.existsSync(configDir)) throw new Error(`commit ${shortSha(sha)} has no ${co.configRel || 'top-level'} configuration directory`);
    await synthesizeCommit({ projectDir: path.join(wt.dir, co.projectRel), configDir, outdir: out });
    return readSynthFiles(out, configDir);
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** How each side is synthesized (injectable for tests). */
export interface DiffSynthesizers {
  /** A commit, with its own code (default: a temporary worktree + its cdktf app). */
  readonly ref: (co: Checkout, sha: string) => Promise<Record<string, string>>;
  /** The working tree's configuration, with this process's code. */
  readonly workingTree: (configDir: string) => Record<string, string>;
}

export const WORKTREE_SYNTHESIZERS: DiffSynthesizers = { ref: synthesizeRef, workingTree: synthesizeWorkingTree };

/** Parsed `rollout diff` arguments. */
export interface DiffArgs {
  readonly base: string;
  readonly head?: string;
  readonly format: (typeof FORMATS)[number];
  readonly failOn?: RiskClass;
  readonly configDir: string;
  /** Also write the JSON report here (for `rollout plan-summary --diff`). */
  readonly json?: string;
  /** Cache synthesized refs by tree (default on; `--no-cache` turns it off). */
  readonly cache: boolean;
}

/** Where synthesized refs are cached: $ROLLOUT_DIFF_CACHE, else node_modules/.cache/rollout-diff of the checkout. */
export function cacheDirOf(co: Checkout): string {
  return process.env.ROLLOUT_DIFF_CACHE || path.join(co.nodeModules, '.cache', 'rollout-diff');
}

const DIFF_OPTIONS = {
  base: { flags: '--base <REF>', description: 'the branch, tag or commit to compare with (required)' },
  head: { flags: '--head <REF>', description: 'compare with this ref instead of the working tree' },
  format: { flags: '--format <FORMAT>', description: 'report format', default: 'markdown', choices: FORMATS },
  json: { flags: '--json <FILE>', description: 'also write the JSON report here (for plan-summary --diff)' },
  failOn: { flags: '--fail-on <RISK>', description: `exit ${EXIT_RISK} when a change is at or above this risk`, choices: [...RISK_CLASSES].reverse() },
  cache: { flags: '--no-cache', description: 'synthesize both refs even when the cache has them' },
  config: CONFIG_OPTION,
} as const satisfies Record<string, OptionDef>;

/** Parse `rollout diff` arguments; throws UsageError. */
export function parseDiffArgs(argv: string[]): DiffArgs {
  return diffArgsOf(parseDeclared(diffCommand, argv).options as ParsedOptions<typeof DIFF_OPTIONS>);
}

function diffArgsOf(o: ParsedOptions<typeof DIFF_OPTIONS>): DiffArgs {
  if (typeof o.base !== 'string') throw new UsageError('rollout diff: --base REF is required (a branch, tag or commit to compare with)');
  return {
    base: o.base,
    ...(typeof o.head === 'string' ? { head: o.head } : {}),
    format: o.format as DiffArgs['format'],
    ...(typeof o.failOn === 'string' ? { failOn: parseRisk(o.failOn) as RiskClass } : {}),
    configDir: o.config,
    ...(typeof o.json === 'string' ? { json: o.json } : {}),
    cache: o.cache,
  };
}

/** Run a diff: synthesize both sides, compare, print; resolves to the exit status. */
export async function runDiff(args: DiffArgs, io: Io, synth: DiffSynthesizers = WORKTREE_SYNTHESIZERS): Promise<number> {
  const co = locateCheckout(args.configDir);
  const resolve = (flag: string, ref: string): string => {
    const sha = resolveCommit(co.repo, ref);
    if (!sha) throw new UsageError(`rollout diff: --${flag}: got ${JSON.stringify(ref)}, expected a commit, branch or tag of ${co.repo}`);
    return sha;
  };
  const baseSha = resolve('base', args.base);
  const headSha = args.head !== undefined ? resolve('head', args.head) : undefined;
  const labels = {
    base: `${args.base} (${shortSha(baseSha)})`,
    head: headSha ? `${args.head as string} (${shortSha(headSha)})` : 'working tree',
  };

  const started = Date.now();
  const dependencies = args.cache ? dependenciesDigest(co.nodeModules) : '';
  /** A ref from the cache (by tree), or built and synthesized in a worktree. */
  const ref = async (side: 'base' | 'head', sha: string, label: string): Promise<Record<string, string>> => {
    const t = Date.now();
    if (!args.cache) {
      io.err(`rollout diff: building and synthesizing ${side} ${label} in a temporary worktree...`);
      const files = await synth.ref(co, sha);
      io.err(`rollout diff: ${side} synthesized in ${seconds(t)}`);
      return files;
    }
    const tree = treeOf(co.repo, sha);
    const key = cacheKey({ tree, projectRel: co.projectRel, configRel: co.configRel, dependencies });
    const got = await cached(cacheDirOf(co), key, async () => {
      io.err(`rollout diff: building and synthesizing ${side} ${label} in a temporary worktree...`);
      return synth.ref(co, sha);
    });
    io.err(`rollout diff: ${side} ${got.hit ? `read from the cache (tree ${shortSha(tree)})` : 'synthesized'} in ${seconds(t)}`);
    return got.files;
  };
  const baseFiles = await ref('base', baseSha, labels.base);
  const t = Date.now();
  let headFiles: Record<string, string>;
  if (headSha) headFiles = await ref('head', headSha, labels.head);
  else {
    io.err(`rollout diff: synthesizing head ${labels.head}...`);
    headFiles = synth.workingTree(path.join(co.repo, co.configRel));
    io.err(`rollout diff: head synthesized in ${seconds(t)}`);
  }

  const result = diffTrees(parseSynthTree(baseFiles, `base ${labels.base}`), parseSynthTree(headFiles, `head ${labels.head}`));
  io.out(args.format === 'json' ? renderJson(result, labels) : renderMarkdown(result, labels));
  if (args.json) fs.writeFileSync(args.json, renderJson(result, labels));
  const n = result.changes.length;
  io.err(`rollout diff: ${n} change${n === 1 ? '' : 's'}${result.highestRisk ? `, highest risk ${result.highestRisk}` : ''} (${seconds(started)})`);
  if (args.failOn && result.highestRisk && riskRank(result.highestRisk) >= riskRank(args.failOn)) {
    io.err(`rollout diff: highest risk ${result.highestRisk} is at or above --fail-on ${args.failOn}: exit ${EXIT_RISK}`);
    return EXIT_RISK;
  }
  return 0;
}

export const diffCommand = defineCommand({
  name: 'diff',
  summary: 'the change report: what a change does to every stack and inventory, with its risk',
  description:
    'Synthesize the base ref (its own code and configuration, in a temporary git worktree; cached by git tree) and the ' +
    'working tree (or --head REF), compare every stack and inventory, and print the change report (docs/change-review.md).',
  options: DIFF_OPTIONS,
  epilog: `Exit status: 0 done, ${EXIT_RISK} a change is at or above --fail-on, 1 failure, 2 bad command line.`,
  action: (o, _args, io) => runDiff(diffArgsOf(o), io),
});
