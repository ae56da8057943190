/**
 * .github/workflows/drift.yml: who holds which credential, and what happens
 * to the Terraform state the `check` jobs read. The permissions and the
 * action pins are read from the YAML; the state step's script is run by bash
 * as the runner runs it, with `aws` and `node` replaced by stubs on PATH (no
 * AWS, no Datadog): the stub `aws` writes a state holding a secret, the stub
 * `node` records what `rollout drift` was given.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { driftRoleName } from '../../constructs/ci-access/ci-access';
import { REPO, tempDir } from '../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Json;
  readonly env?: Json;
  readonly if?: string;
  readonly 'continue-on-error'?: boolean;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly env?: Json;
  readonly steps: Step[];
}

const WORKFLOWS = path.join(REPO, '.github', 'workflows');
const workflow = (file: string): { permissions?: Record<string, string>; jobs: Record<string, Job> } =>
  parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')) as { permissions?: Record<string, string>; jobs: Record<string, Job> };
const drift = workflow('drift.yml');
const SECRET = 'hunter2-db-password';

/** The check job's step that reads the state and runs rollout drift. */
function stateStep(): Step {
  const step = drift.jobs.check.steps.find((s) => s.run?.includes('rollout.js drift') && s.run.includes('--state "$state"'));
  if (!step?.run) throw new Error('drift.yml: no check step runs rollout drift --state');
  return step;
}

describe('drift.yml credentials', () => {
  test("the OIDC token is the check job's only: the workflow reads contents, the report job writes issues, nothing else", () => {
    expect(drift.permissions).toEqual({ contents: 'read' });
    expect(drift.jobs.stages.permissions).toBeUndefined();
    expect(drift.jobs.check.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(drift.jobs.report.permissions).toEqual({ issues: 'write' });
    const withToken = Object.entries(drift.jobs)
      .filter(([, job]) => job.permissions?.['id-token'] !== undefined)
      .map(([id]) => id);
    expect(withToken).toEqual(['check']);
  });

  test("the check job assumes its stage's drift role, with the configure-aws-credentials pin the other workflows use", () => {
    const aws = drift.jobs.check.steps.filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(aws).toHaveLength(1);
    const pins = new Set(
      fs
        .readdirSync(WORKFLOWS)
        .filter((f) => f !== 'drift.yml')
        .flatMap((f) => Object.values(workflow(f).jobs).flatMap((j) => (j.steps ?? []).map((s) => s.uses)))
        .filter((u): u is string => u?.startsWith('aws-actions/configure-aws-credentials@') === true),
    );
    expect(pins.size).toBe(1);
    expect(aws[0].uses).toBe([...pins][0]);
    expect(aws[0].uses).toMatch(/@[0-9a-f]{40}$/);
    expect(aws[0].with?.['role-to-assume']).toBe(`arn:aws:iam::\${{ vars.AWS_ACCOUNT_ID }}:role/ci/${driftRoleName('${{ matrix.stage }}')}`);
    expect(aws[0].with?.['role-duration-seconds']).toBe(900);
    // Every action of the workflow is pinned to a commit.
    for (const job of Object.values(drift.jobs)) for (const s of job.steps) if (s.uses) expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
  });

  test("the report job holds no AWS access, no Datadog key, and runs none of the repository's code", () => {
    const text = JSON.stringify(drift.jobs.report);
    expect(text).not.toMatch(/configure-aws-credentials|id-token|DD_API_KEY|DD_APP_KEY|checkout|rollout\.js/);
  });

  test('the state is never uploaded: the artifact is the report folder only, and the state lives outside it', () => {
    const uploads = drift.jobs.check.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s) => s.with?.path)).toEqual(['${{ runner.temp }}/drift/']);
    const run = stateStep().run as string;
    expect(run).toMatch(/state_dir="\$\(mktemp -d "\$RUNNER_TEMP\/state\.XXXXXXXX"\)"/);
    expect(run).not.toMatch(/state_dir=.*RUNNER_TEMP\/drift/);
    // Nothing prints it.
    expect(run).not.toMatch(/cat "\$state"|echo "\$state"|aws s3 cp[^\n]* -( |$)/m);
  });
});

describe('drift.yml state step, run by bash with stub aws and node', () => {
  let root: string;
  let bin: string;
  let temp: string;

  beforeEach(() => {
    root = tempDir('drift-workflow-');
    bin = path.join(root, 'bin');
    temp = path.join(root, 'runner-temp');
    fs.mkdirSync(bin);
    fs.mkdirSync(temp);
    // aws s3 cp ... URI DEST: a raw state with a secret, or a failure when AWS_FAIL is set; records the file's mode.
    fs.writeFileSync(
      path.join(bin, 'aws'),
      [
        '#!/bin/bash',
        'echo "$*" > "$LOG_DIR/aws.args"',
        'if [ -n "$AWS_FAIL" ]; then echo "An error occurred (AccessDenied)" >&2; exit 1; fi',
        'dest="${@: -1}"',
        `printf '{"version":4,"resources":[{"mode":"managed","type":"aws_db_instance","name":"x","instances":[{"attributes":{"password":"${SECRET}"}}]}]}' > "$dest"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    // node bin/rollout.js drift --stage S --state FILE --report BASE: records its arguments, its AWS environment and the state's mode, writes a report.
    fs.writeFileSync(
      path.join(bin, 'node'),
      [
        '#!/bin/bash',
        'echo "$*" > "$LOG_DIR/node.args"',
        'echo "aws=${AWS_ACCESS_KEY_ID:-none}" > "$LOG_DIR/node.env"',
        'while [ $# -gt 0 ]; do case "$1" in --state) state="$2"; shift;; --report) report="$2"; shift;; esac; shift; done',
        'stat -c %a "$state" > "$LOG_DIR/state.mode"; stat -c %a "$(dirname "$state")" > "$LOG_DIR/state-dir.mode"',
        'printf "# Drift: dev: DRIFT\\n" > "$report.md"; printf "{}" > "$report.json"',
        'exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function run(env: Record<string, string>): { status: number | null; out: string } {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', stateStep().run as string], {
      cwd: root,
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        RUNNER_TEMP: temp,
        GITHUB_STEP_SUMMARY: path.join(root, 'summary.md'),
        LOG_DIR: root,
        STAGE: 'dev',
        STATE_REGION: 'us-east-1',
        STATE_URI: 's3://acme-tfstate/stages/dev/observability.tfstate',
        AWS_ROLE: 'success',
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        ...env,
      },
      encoding: 'utf8',
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  /** Every file left under the runner's temp folder, with its text. */
  function leftovers(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(temp, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(temp);
    return out;
  }

  test('copies the one state object to a private file, runs rollout drift --state on it without AWS credentials, then deletes it', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'aws.args'), 'utf8')).toMatch(
      /^s3 cp --only-show-errors --no-progress --region us-east-1 s3:\/\/acme-tfstate\/stages\/dev\/observability\.tfstate \S+\/state\.[A-Za-z0-9]{8}\/dev-observability\.tfstate\n$/,
    );
    expect(fs.readFileSync(path.join(root, 'node.args'), 'utf8')).toMatch(
      /^bin\/rollout\.js drift --stage dev --state \S+\/dev-observability\.tfstate --report \S+\/drift\/dev\n$/,
    );
    expect(fs.readFileSync(path.join(root, 'state.mode'), 'utf8').trim()).toBe('600');
    expect(fs.readFileSync(path.join(root, 'state-dir.mode'), 'utf8').trim()).toBe('700');
    expect(fs.readFileSync(path.join(root, 'node.env'), 'utf8').trim()).toBe('aws=none');
    // Only the report is left (what the artifact uploads); the state directory is gone and the secret nowhere.
    expect(Object.keys(leftovers()).sort()).toEqual(['drift/dev.exit', 'drift/dev.json', 'drift/dev.md']);
    expect(leftovers()['drift/dev.exit'].trim()).toBe('1');
    expect(JSON.stringify(leftovers()) + r.out + fs.readFileSync(path.join(root, 'summary.md'), 'utf8')).not.toContain(SECRET);
  });

  test('fails when the state cannot be read: UNKNOWN (exit 2) with the reason, never matched without the state, nothing left', () => {
    const r = run({ AWS_FAIL: '1' });
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(root, 'node.args'))).toBe(false);
    expect(leftovers()).toEqual({
      'drift/dev.exit': '2\n',
      'drift/dev.md':
        '# Drift: dev: UNKNOWN\n\n**the Terraform state of dev (s3://acme-tfstate/stages/dev/observability.tfstate) could not be read**; see the run log.\n',
    });
  });

  test('fails when the drift role could not be assumed: UNKNOWN (exit 2), no read attempted', () => {
    const r = run({ AWS_ROLE: 'failure' });
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(root, 'aws.args'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'node.args'))).toBe(false);
    expect(leftovers()['drift/dev.exit']).toBe('2\n');
    expect(leftovers()['drift/dev.md']).toMatch(/^# Drift: dev: UNKNOWN\n\n\*\*the drift role of dev could not be assumed/);
  });
});
