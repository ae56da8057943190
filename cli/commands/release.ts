/**
 * `rollout release plan --base REF`: which path each stage takes after
 * merge (infra-only, release, rollback or none), why, and the batches in
 * order, for the pull request and for the deploy workflows
 * (.github/workflows/_deploy-stage.yml, _release-stage.yml).
 *
 * Both sides are synthesized like `rollout diff` does (the base with its own
 * code in a temporary worktree); the decision is made on the diff's JSON
 * report (review/release/decide.ts), so two commits always give the same plan.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../model/load-config';
import { renderJson } from '../../review/diff/change-report';
import { diffTrees } from '../../review/diff/diff';
import { parseSynthTree } from '../../review/diff/tree';
import { resolveCommit, shortSha } from '../../review/git/git';
import { decideRelease } from '../../review/release/decide';
import { parseDiffReport } from '../../review/diff/report-json';
import { stageFactsFromInventory } from '../../review/release/facts';
import { githubOutputs, renderGithubOutputs, renderPlanJson, renderPlanMarkdown } from '../../review/release/render';
import type { DiffReport, ReleasePlan, StageFacts } from '../../review/release/types';
import { CONFIG_OPTION, OptionDef, ParsedOptions, UsageError } from '../args';
import { defineCommand, Io, parseDeclared } from '../command';
import { Checkout, DiffSynthesizers, locateCheckout, WORKTREE_SYNTHESIZERS } from './diff';

const FORMATS = ['markdown', 'json'] as const;

/** `--base none`: nothing deployed yet, every stack and inventory is new. */
export const NO_COMMIT = 'none';

const RELEASE_OPTIONS = {
  base: { flags: '--base <REF>', description: `the commit the stage runs (required); ${NO_COMMIT}: nothing deployed yet` },
  passed: { flags: '--passed <REF>', description: `the commit whose release last completed, or ${NO_COMMIT} (default: --base)` },
  head: { flags: '--head <REF>', description: 'decide for this ref instead of the working tree' },
  stage: {
    flags: '--stage <S>',
    description: 'only this stage; with --github-output, its decision as flat keys (path, environment, step_<n>_batch, rollback_to, ...)',
  },
  format: { flags: '--format <FORMAT>', description: 'output format', default: 'markdown', choices: FORMATS },
  githubOutput: { flags: '--github-output <FILE>', description: 'append workflow outputs (plan, stages, admin_stacks) to this file' },
  config: CONFIG_OPTION,
} as const satisfies Record<string, OptionDef>;

/** Parsed `rollout release plan` arguments. */
export interface ReleasePlanArgs {
  readonly base: string;
  readonly passed?: string;
  readonly head?: string;
  readonly stage?: string;
  readonly format: (typeof FORMATS)[number];
  readonly githubOutput?: string;
  readonly configDir: string;
}

/** What the command line asks for. */
export type ReleaseRequest = { readonly action: 'help' } | { readonly action: 'plan'; readonly args: ReleasePlanArgs };

/** Parse `rollout release ...`; throws UsageError. */
export function parseReleaseArgs(argv: string[]): ReleaseRequest {
  if (argv.includes('--help') || argv.includes('-h')) return { action: 'help' };
  const parsed = parseDeclared(releaseCommand, argv);
  return { action: 'plan', args: releaseArgsOf(parsed.options as ParsedOptions<typeof RELEASE_OPTIONS>, parsed.args[0]) };
}

function releaseArgsOf(o: ParsedOptions<typeof RELEASE_OPTIONS>, action: string): ReleasePlanArgs {
  if (action !== 'plan') throw new UsageError(`rollout release: unknown action ${JSON.stringify(action)}, expected plan; see rollout release --help`);
  if (o.base === undefined) {
    throw new UsageError('rollout release plan: --base REF is required (the commit the stage was deployed from, or none when nothing is deployed yet)');
  }
  return {
    base: o.base,
    ...(o.passed !== undefined ? { passed: o.passed } : {}),
    ...(o.head !== undefined ? { head: o.head } : {}),
    ...(o.stage !== undefined ? { stage: o.stage } : {}),
    format: o.format as ReleasePlanArgs['format'],
    ...(o.githubOutput !== undefined ? { githubOutput: o.githubOutput } : {}),
    configDir: o.config,
  };
}

/** The stages' GitHub environments (`ci.environment`, else the stage name) of a configuration directory. */
function environmentsOf(configDir: string): Map<string, string> {
  return new Map(loadConfig(configDir).stages.map((s) => [s.name, s.ci?.environment ?? s.name]));
}

/** The environments of `sha`'s configuration, read with this code from a `git archive` of it. */
function environmentsAt(co: Checkout, sha: string): Map<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-release-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', sha, '--', co.configRel || '.'], { cwd: co.repo, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    return environmentsOf(path.join(dir, co.configRel));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Run `rollout release plan`; resolves to the exit status. */
export async function runReleasePlan(args: ReleasePlanArgs, io: Io, synth: DiffSynthesizers = WORKTREE_SYNTHESIZERS): Promise<number> {
  let co: Checkout;
  try {
    co = locateCheckout(args.configDir);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(e.message.replace(/^rollout diff:/, 'rollout release plan:'));
    throw e;
  }
  const resolve = (flag: string, ref: string): string | undefined => {
    if (ref === NO_COMMIT) return undefined;
    const sha = resolveCommit(co.repo, ref);
    if (!sha)
      throw new UsageError(`rollout release plan: --${flag}: got ${JSON.stringify(ref)}, expected a commit, branch or tag of ${co.repo}, or ${NO_COMMIT}`);
    return sha;
  };
  const baseSha = resolve('base', args.base);
  const passedSha = args.passed !== undefined ? resolve('passed', args.passed) : baseSha;
  const headSha = args.head !== undefined ? resolve('head', args.head) : undefined;
  if (args.head === NO_COMMIT) throw new UsageError(`rollout release plan: --head: got "${NO_COMMIT}", expected a commit, branch or tag`);
  const label = (ref: string, sha: string | undefined): string => (sha ? `${ref} (${shortSha(sha)})` : 'none (nothing deployed)');

  const cache = new Map<string, Record<string, string>>();
  const filesOf = async (what: string, ref: string, sha: string | undefined): Promise<Record<string, string>> => {
    if (!sha) return {};
    const hit = cache.get(sha);
    if (hit) return hit;
    const t = Date.now();
    io.err(`rollout release plan: synthesizing ${what} ${label(ref, sha)} in a temporary worktree...`);
    const files = await synth.ref(co, sha);
    io.err(`rollout release plan: ${what} synthesized in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    cache.set(sha, files);
    return files;
  };
  const headLabel = headSha ? label(args.head as string, headSha) : 'working tree';
  const headFiles = headSha ? await filesOf('head', args.head as string, headSha) : synth.workingTree(path.join(co.repo, co.configRel));
  const headTree = parseSynthTree(headFiles, `head ${headLabel}`);
  const reportSince = async (what: string, ref: string, sha: string | undefined): Promise<DiffReport> => {
    const files = await filesOf(what, ref, sha);
    const labels = { base: label(ref, sha), head: headLabel };
    return parseDiffReport(renderJson(diffTrees(parseSynthTree(files, `${what} ${labels.base}`), headTree), labels), `rollout diff of ${labels.base}`);
  };
  const diff = await reportSince('base', args.base, baseSha);
  const sincePassed = args.passed !== undefined && passedSha !== baseSha ? await reportSince('last passed', args.passed, passedSha) : undefined;

  const environments = headSha ? environmentsAt(co, headSha) : environmentsOf(path.join(co.repo, co.configRel));
  const stages: StageFacts[] = [];
  for (const [stage, doc] of Object.entries(headTree.inventories)) {
    const facts = stageFactsFromInventory(stage, environments.get(stage) ?? stage, doc);
    if (!facts) throw new Error(`head ${headLabel}: ansible/inventories/${stage}/hosts.yml is not an inventory rollout synth writes`);
    stages.push(facts);
  }
  const plan: ReleasePlan = decideRelease({ diff, ...(sincePassed ? { sincePassed } : {}), stages });
  if (args.stage !== undefined && !plan.stages.some((s) => s.stage === args.stage)) {
    throw new UsageError(`rollout release plan: --stage: got ${JSON.stringify(args.stage)}, expected one of ${plan.stages.map((s) => s.stage).join(', ')}`);
  }

  io.out(args.format === 'json' ? renderPlanJson(plan) : renderPlanMarkdown(plan));
  if (args.githubOutput !== undefined) fs.appendFileSync(args.githubOutput, renderGithubOutputs(githubOutputs(plan, args.stage)));
  for (const d of plan.stages) if (args.stage === undefined || d.stage === args.stage) io.err(`rollout release plan: ${d.stage}: ${d.path}: ${d.reason}`);
  if (plan.adminStacks.length > 0)
    io.err(`rollout release plan: an administrator must apply ${plan.adminStacks.map((s) => s.stack).join(', ')} (CI never applies them)`);
  return 0;
}

export const releaseCommand = defineCommand({
  name: 'release',
  summary: 'release plan: which path each stage takes after merge (infra-only, release, rollback or none)',
  description:
    `release plan: which path each stage takes for the change from --base (the commit the stage runs; ${NO_COMMIT}: nothing ` +
    'deployed yet) to the working tree (or --head REF): infra-only (stacks only, no soak), release (the changed batches in ' +
    'order, each after the soak and gate of the one before), rollback (the Agent version goes down: every batch newest first, ' +
    'no soak) or none, with the reason and the batches.',
  arguments: ['<action>'],
  options: RELEASE_OPTIONS,
  epilog: 'The only action is plan. Exit status: 0 decided, 1 failure, 2 bad command line.',
  action: (o, args, io) => runReleasePlan(releaseArgsOf(o, args[0]), io),
});
