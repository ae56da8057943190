/**
 * The deploy's "apply the reviewed plan" step, run as the workflow runs it:
 * the script is read from .github/workflows/_deploy-stage.yml and run by bash
 * against real Terraform, with `terraform_data` resources (built in: no
 * provider, no network) and one local state shared by the "pull request"
 * directory that plans and the "deploy" directory that applies, as both
 * share the S3 state in CI. Needs terraform, jq, unzip and cmp on PATH
 * (.ci/run has them); skipped with a message otherwise.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO, tempDir } from '../../support/fixtures';

const TOOLS = ['terraform', 'jq', 'unzip', 'cmp', 'bash'];
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const describeWithTools = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) console.warn(`apply-reviewed-plan: skipped, not on PATH: ${missing.join(', ')}`);

/** The `run` script of the apply job's step that applies the reviewed plans. */
function applyScript(): string {
  const wf = parse(fs.readFileSync(path.join(REPO, '.github', 'workflows', '_deploy-stage.yml'), 'utf8')) as {
    jobs: Record<string, { steps?: Array<{ name?: string; run?: string }> }>;
  };
  const step = wf.jobs.apply.steps?.find((s) => s.name?.startsWith('terraform apply PLANFILE'));
  if (!step?.run) throw new Error('no apply step in _deploy-stage.yml');
  return step.run;
}

const ENV = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };

function tf(dir: string, ...args: string[]): string {
  const r = spawnSync('terraform', args, { cwd: dir, env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} in ${dir}: ${r.stderr}`);
  return r.stdout;
}

/** A stack configuration (cdk.tf.json) with two terraform_data resources, its state at `state`. */
function config(state: string, a: string, b: string): string {
  return `${JSON.stringify({
    terraform: { backend: { local: { path: state } } },
    resource: { terraform_data: { a: { input: a }, b: { input: b } } },
  })}\n`;
}

describeWithTools('the deploy applies the plan reviewed in the pull request, as it is', () => {
  let root: string;
  let state: string;

  /** A stack directory holding `text` as its cdk.tf.json, initialized. */
  function stackDir(name: string, text: string): string {
    const dir = path.join(root, name, 'cdktf.out', 'stacks', 'dev-observability');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), text);
    tf(dir, 'init', '-input=false', '-no-color');
    return dir;
  }

  /** The pull request's plan job: plan -lock=false -out, into the deploy's reviewed/ folder. */
  function reviewedPlan(deploy: string, text: string): void {
    const pr = stackDir(`pr-${fs.readdirSync(root).length}`, text);
    const out = path.join(deploy, 'reviewed', 'dev-observability');
    fs.mkdirSync(out, { recursive: true });
    tf(pr, 'plan', '-input=false', '-no-color', '-lock=false', `-out=${path.join(out, 'dev-observability.tfplan')}`);
  }

  /** The deploy's apply step, in `deploy` (which holds cdktf.out/ and reviewed/). */
  function runApply(deploy: string): { status: number | null; out: string } {
    const summary = path.join(deploy, 'summary.md');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', applyScript()], {
      cwd: deploy,
      env: { ...ENV, STACKS: '["dev-observability"]', GITHUB_STEP_SUMMARY: summary },
      encoding: 'utf8',
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  function inputs(): Record<string, unknown> {
    const doc = JSON.parse(fs.readFileSync(state, 'utf8')) as { resources: Array<{ name: string; instances: Array<{ attributes: { input: unknown } }> }> };
    // terraform_data keeps its input as { type, value }.
    const value = (v: unknown): unknown => (v !== null && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v);
    return Object.fromEntries(doc.resources.map((r) => [r.name, value(r.instances[0].attributes.input)]));
  }

  beforeEach(() => {
    root = fs.realpathSync(tempDir('rollout-apply-'));
    state = path.join(root, 'shared.tfstate');
    const first = stackDir('first', config(state, 'one', 'two'));
    tf(first, 'apply', '-input=false', '-no-color', '-auto-approve');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the reviewed plan of this very configuration is applied', () => {
    const next = config(state, 'uno', 'two');
    const deploy = path.dirname(path.dirname(path.dirname(stackDir('deploy', next))));
    reviewedPlan(deploy, next);
    const r = runApply(deploy);
    expect(r.status).toBe(0);
    expect(r.out).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(inputs()).toEqual({ a: 'uno', b: 'two' });
    expect(fs.readFileSync(path.join(deploy, 'summary.md'), 'utf8')).toBe('- `dev-observability`: the reviewed plan applied\n');
  });

  test('a plan reviewed for another configuration (main moved since) is refused, nothing applied', () => {
    const deploy = path.dirname(path.dirname(path.dirname(stackDir('deploy', config(state, 'uno', 'two')))));
    reviewedPlan(deploy, config(state, 'uno', 'dos'));
    const r = runApply(deploy);
    expect(r.status).toBe(1);
    expect(r.out).toContain('::error::dev-observability: the reviewed plan was made from another configuration than this commit');
    expect(inputs()).toEqual({ a: 'one', b: 'two' });
  });

  test('a plan reviewed before the state moved is refused, nothing applied', () => {
    const next = config(state, 'uno', 'two');
    const deploy = path.dirname(path.dirname(path.dirname(stackDir('deploy', next))));
    reviewedPlan(deploy, next);
    // Someone applies another change after the review.
    const other = stackDir('other', config(state, 'one', 'zwei'));
    tf(other, 'apply', '-input=false', '-no-color', '-auto-approve');
    const r = runApply(deploy);
    expect(r.status).toBe(1);
    expect(r.out).toContain('::error::dev-observability: the reviewed plan is not what Terraform would do now');
    expect(inputs()).toEqual({ a: 'one', b: 'zwei' });
  });
});

/**
 * Quiet restarts on the SSM executor: the apply of `<stage>-infra` is wrapped
 * in `rollout downtime schedule|cancel --terraform-plan <its plan as JSON>`
 * (docs/ssm-executor.md); other stacks are not.
 */
describeWithTools('the deploy mutes the batches the <stage>-infra apply runs, around the apply', () => {
  let root: string;
  let state: string;

  /** A dev-infra stack directory under `name` holding `text`, initialized. */
  function infraDir(name: string, text: string): string {
    const dir = path.join(root, name, 'cdktf.out', 'stacks', 'dev-infra');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), text);
    tf(dir, 'init', '-input=false', '-no-color');
    return dir;
  }

  /**
   * terraform_data `a` (its input) and, when `fail`, a replacement whose
   * provisioner fails: the apply fails after the plan checks passed.
   */
  const infra = (a: string, fail = false): string =>
    `${JSON.stringify({
      terraform: { backend: { local: { path: state } } },
      resource: {
        terraform_data: { a: { input: a, ...(fail ? { triggers_replace: a, provisioner: [{ 'local-exec': { command: 'exit 3' } }] } : {}) } },
      },
    })}\n`;

  /** The deploy directory with the reviewed plan of `text`; returns it. */
  function deployWith(text: string): string {
    const deploy = path.dirname(path.dirname(path.dirname(infraDir('deploy', text))));
    const out = path.join(deploy, 'reviewed', 'dev-infra');
    fs.mkdirSync(out, { recursive: true });
    tf(infraDir('pr', text), 'plan', '-input=false', '-no-color', '-lock=false', `-out=${path.join(out, 'dev-infra.tfplan')}`);
    return deploy;
  }

  function run(deploy: string, env: Record<string, string> = {}): { status: number | null; out: string; runnerTemp: string } {
    const fake = path.join(root, 'fake-rollout.sh');
    fs.writeFileSync(
      fake,
      [
        '#!/bin/bash',
        '# logs: <action> <args>, the state input of a now, and whether --terraform-plan is a plan (JSON with resource_changes)',
        'plan=""; prev=""; for x in "$@"; do [ "$prev" = --terraform-plan ] && plan="$x"; prev="$x"; done',
        `a=$(jq -r '[.resources[] | select(.name == "a")][0].instances[0].attributes.input.value // "none"' '${state}')`,
        'kind=$(jq -e ".resource_changes | type == \\"array\\"" "$plan" >/dev/null 2>&1 && echo plan || echo no-plan)',
        `echo "cwd=$(basename "$PWD") $* a=$a $kind" >> '${path.join(root, 'quiet.log')}'`,
        '[[ " ${FAKE_FAIL:-} " == *" $2 "* ]] && exit 1',
        'exit 0',
      ].join('\n'),
      { mode: 0o755 },
    );
    const runnerTemp = fs.mkdtempSync(path.join(root, 'runner-temp-'));
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', applyScript()], {
      cwd: deploy,
      env: {
        ...ENV,
        STACKS: '["dev-infra"]',
        STAGE: 'dev',
        PATH_TAKEN: 'release',
        GITHUB_STEP_SUMMARY: path.join(deploy, 'summary.md'),
        ROLLOUT_CLI: fake,
        RUNNER_TEMP: runnerTemp,
        ...env,
      },
      encoding: 'utf8',
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}`, runnerTemp };
  }

  const log = (): string[] => (fs.existsSync(path.join(root, 'quiet.log')) ? fs.readFileSync(path.join(root, 'quiet.log'), 'utf8').trim().split('\n') : []);
  const a = (): unknown =>
    (JSON.parse(fs.readFileSync(state, 'utf8')) as { resources: Array<{ instances: Array<{ attributes: { input: { value: unknown } } }> }> }).resources[0]
      .instances[0].attributes.input.value;

  beforeEach(() => {
    root = fs.realpathSync(tempDir('rollout-quiet-apply-'));
    state = path.join(root, 'shared.tfstate');
    tf(infraDir('first', infra('one')), 'apply', '-input=false', '-no-color', '-auto-approve');
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('schedules from the repository root with the plan before the apply, cancels after it', () => {
    const deploy = deployWith(infra('uno'));
    const r = run(deploy);
    expect(r.status).toBe(0);
    expect(a()).toBe('uno');
    expect(log()).toEqual([
      'cwd=deploy downtime schedule --stage dev --terraform-plan ' + path.join(deploy, 'cdktf.out/stacks/dev-infra/reviewed.json') + ' a=one plan',
      `cwd=deploy downtime cancel --stage dev --terraform-plan ${path.join(r.runnerTemp, 'quiet-restart.open')} a=uno plan`,
    ]);
    expect(fs.existsSync(path.join(r.runnerTemp, 'quiet-restart.open'))).toBe(false);
  });

  test('cancels after an apply that failed, and the step fails', () => {
    const deploy = deployWith(infra('uno', true));
    const r = run(deploy);
    expect(r.status).not.toBe(0);
    expect(log().map((l) => l.split(' ')[2])).toEqual(['schedule', 'cancel']);
    expect(fs.existsSync(path.join(r.runnerTemp, 'quiet-restart.open'))).toBe(false);
  });

  test('fails closed on a release when the downtime cannot be scheduled: nothing applied, nothing to cancel', () => {
    const deploy = deployWith(infra('uno'));
    const r = run(deploy, { FAKE_FAIL: 'schedule' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('::error::dev-infra: the quiet-restart downtime could not be scheduled; nothing applied');
    expect(a()).toBe('one');
    expect(log().map((l) => l.split(' ')[2])).toEqual(['schedule']);
  });

  test('a failed cancel is a warning, the apply stands', () => {
    const deploy = deployWith(infra('uno'));
    const r = run(deploy, { FAKE_FAIL: 'cancel' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('::warning::QUIET RESTART NOT ENDED on dev');
    expect(a()).toBe('uno');
  });

  test('on the rollback path the schedule fails open (--fail-open); other stacks get no downtime', () => {
    expect(run(deployWith(infra('uno')), { STAGE: 'test' }).status).toBe(0);
    expect(log()).toEqual([]);
    expect(run(deployWith(infra('dos')), { PATH_TAKEN: 'rollback' }).status).toBe(0);
    expect(log()[0]).toContain('downtime schedule --stage dev --terraform-plan ');
    expect(log()[0]).toMatch(/reviewed\.json --fail-open a=uno plan$/);
    expect(a()).toBe('dos');
    // Whatever makes the schedule fail (a missing key exits 2, which --fail-open does not cover): the rollback is applied.
    const r = run(deployWith(infra('tres')), { PATH_TAKEN: 'rollback', FAKE_FAIL: 'schedule' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('::warning::QUIET RESTART NOT SCHEDULED on dev: the rollback goes on');
    expect(a()).toBe('tres');
  });
});
