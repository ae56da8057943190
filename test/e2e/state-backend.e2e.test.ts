/**
 * End-to-end test of a stage's Terraform S3 state backend configuration, run with the real
 * `terraform` CLI against local emulators (s3rver for S3, dynalite for the DynamoDB lock table).
 *
 * The configuration under test is the synthesized `terraform.backend` block of a stage stack. The
 * test keeps bucket/key/region/encrypt/dynamodb_table exactly as synthesized and only adds what the
 * emulators need through a Terraform override file (backend_override.tf.json). The resources are
 * built-in `terraform_data`, so no provider is downloaded.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { InfraStack } from '../../stacks/infra-stack';
import { exampleStage } from '../support/fixtures';

import {
  createBucket,
  createLockTable,
  deleteLockItem,
  Emulators,
  getLockItems,
  getObject,
  getStateDigests,
  listObjectKeys,
  LockItem,
  startEmulators,
  emulatorBackendSettings,
} from '../support/emulators';
import {
  describeResult,
  killAllTerraform,
  pollUntil,
  startTerraform,
  terraform,
  TerraformProcess,
  TerraformResult,
  tfEnv,
  writeCliConfig,
} from '../support/terraform';

/** The backend block of the dev stage's infra stack, from a real synth of the example configuration. */
function devInfraBackend(): Record<string, unknown> {
  const stack = new InfraStack(Testing.app(), 'dev-infra', { stage: exampleStage('dev') });
  return (JSON.parse(Testing.synth(stack)) as { terraform: { backend: Record<string, unknown> } }).terraform.backend;
}

const LOCK_ERROR = 'Error acquiring the state lock';
const INIT_TIMEOUT_MS = 60_000;
const APPLY_TIMEOUT_MS = 60_000;
/** Upper bound for how long the `hold` provisioner keeps an apply (and thus the lock) alive. */
const HOLD_MAX_SECONDS = 60;
/**
 * Every terraform run and poll in this file shares this budget (measured from when the suite is
 * defined), so even a hanging run cannot push the file past ~3 minutes; setup/teardown are extra
 * and take well under a second each.
 */
const FILE_BUDGET_MS = 150_000;
const TEST_TIMEOUT_MS = FILE_BUDGET_MS + 15_000;

interface S3BackendBlock {
  bucket: string;
  key: string;
  region: string;
  encrypt?: boolean;
  dynamodb_table: string;
  [setting: string]: unknown;
}

/** Settings pointing at real AWS credentials/endpoints that would defeat the emulators; dropped. */
const CREDENTIAL_AND_ENDPOINT_SETTINGS = [
  'access_key',
  'secret_key',
  'token',
  'profile',
  'shared_config_files',
  'shared_credentials_files',
  'assume_role',
  'assume_role_with_web_identity',
  'endpoints',
  'endpoint',
  'dynamodb_endpoint',
  'iam_endpoint',
  'sts_endpoint',
  'force_path_style',
  'use_path_style',
];

/** Extracts and sanity-checks the s3 backend from a stack's `terraform.backend` object. */
function s3BackendOf(backend: Record<string, unknown>): S3BackendBlock {
  const types = Object.keys(backend);
  if (types.length !== 1 || types[0] !== 's3') throw new Error(`expected exactly one "s3" backend, got ${JSON.stringify(types)}`);
  const s3 = backend.s3 as Record<string, unknown>;
  for (const k of ['bucket', 'key', 'region', 'dynamodb_table']) {
    if (typeof s3[k] !== 'string' || !(s3[k] as string)) throw new Error(`s3 backend: "${k}" must be a non-empty string, got ${JSON.stringify(s3[k])}`);
  }
  return s3 as S3BackendBlock;
}

/** The override's backend block: the synthesized settings untouched, plus the emulator wiring. */
function emulatorBackendOverride(synth: S3BackendBlock, emu: Emulators): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(synth).filter(([k]) => !CREDENTIAL_AND_ENDPOINT_SETTINGS.includes(k)));
  return { ...kept, ...emulatorBackendSettings(emu) };
}

function lockIdFromOutput(output: string): string | undefined {
  // Terraform prints "Lock Info:\n  ID:        <uuid>\n  Path: ..."
  return /Lock Info:\s*\n\s*ID:\s+([0-9a-fA-F-]{36})/.exec(output)?.[1];
}

export function describeStateBackendE2E(label: string, backendBlock: Record<string, unknown>): void {
  describe(`S3 state backend of ${label} (real terraform against s3rver + dynalite)`, () => {
    const synth = s3BackendOf(backendBlock);
    const lockId = `${synth.bucket}/${synth.key}`;
    const timings: Record<string, number> = {};
    const fileDeadline = Date.now() + FILE_BUDGET_MS;
    /** `ms`, capped by what is left of the file budget. */
    const budget = (ms: number): number => Math.max(1_000, Math.min(ms, fileDeadline - Date.now()));

    let emu: Emulators | undefined;
    let rootDir = ''; // everything this suite writes lives below it
    let workDir = ''; // the Terraform configuration directory (rootDir/config)
    let env: Record<string, string> = {};
    let releaseFile = '';
    let startedFile = '';
    let initialApplyOk = false;
    const background: TerraformProcess[] = [];

    const tf = (args: string[], timeoutMs = APPLY_TIMEOUT_MS): Promise<TerraformResult> =>
      terraform([...args, '-no-color'], { cwd: workDir, env, timeoutMs: budget(timeoutMs) });
    const locks = (): Promise<LockItem[]> => getLockItems(emu!.dynamoEndpoint, synth.dynamodb_table);
    const requirePreviousSteps = (): void => {
      if (!initialApplyOk) throw new Error('prerequisite failed: the initial init/apply did not succeed (see the earlier test)');
    };
    /** Starts an apply that replaces `hold` and sits in its provisioner until releaseFile exists. */
    const startHoldingApply = async (): Promise<{ proc: TerraformProcess; lock: LockItem }> => {
      fs.rmSync(releaseFile, { force: true });
      fs.rmSync(startedFile, { force: true });
      const proc = startTerraform(['apply', '-auto-approve', '-input=false', '-no-color', '-replace=terraform_data.hold'], {
        cwd: workDir,
        env,
        timeoutMs: budget(APPLY_TIMEOUT_MS + HOLD_MAX_SECONDS * 1000),
      });
      background.push(proc);
      // Both: the lock item exists and the apply is inside the provisioner (so it still holds it).
      const lock = await pollUntil(
        'the holding apply to take the lock and enter its provisioner',
        async () => {
          if (proc.exited) throw new Error(`holding apply exited early:\n${describeResult(await proc.result)}`);
          if (!fs.existsSync(startedFile)) return undefined;
          const items = await locks();
          return items.find((i) => i.lockId === lockId);
        },
        budget(45_000),
      ).catch(async (err: unknown) => {
        proc.kill('SIGKILL');
        throw new Error(`${String(err)}\n${describeResult(await proc.result)}`);
      });
      return { proc, lock };
    };

    beforeAll(async () => {
      const t0 = Date.now();
      rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-state-backend-'));
      workDir = path.join(rootDir, 'config');
      fs.mkdirSync(workDir);
      releaseFile = path.join(rootDir, 'release-hold');
      startedFile = path.join(rootDir, 'hold-started');
      // No provider is needed: terraform_data is built in, so no mirror in the CLI config.
      env = tfEnv(writeCliConfig(path.join(rootDir, 'cli')));

      // a. emulators, bucket and lock table named by the synthesized backend block
      emu = await startEmulators();
      await createBucket(emu.s3Endpoint, synth.bucket);
      await createLockTable(emu.dynamoEndpoint, synth.dynamodb_table);

      // b. configuration + override file
      const holdCommand =
        `touch '${startedFile}'; end=$(( $(date +%s) + ${HOLD_MAX_SECONDS} )); ` +
        `while [ ! -e '${releaseFile}' ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done`;
      const main = {
        terraform: { backend: { s3: synth } },
        resource: {
          terraform_data: {
            marker: { input: { stage: label, purpose: 'state-backend-e2e' } },
            hold: { input: 'hold-the-lock', provisioner: [{ 'local-exec': { command: holdCommand } }] },
          },
        },
        output: { marker: { value: '${terraform_data.marker.output}' } },
      };
      fs.writeFileSync(path.join(workDir, 'main.tf.json'), JSON.stringify(main, null, 2));
      fs.writeFileSync(
        path.join(workDir, 'backend_override.tf.json'),
        JSON.stringify({ terraform: { backend: { s3: emulatorBackendOverride(synth, emu) } } }, null, 2),
      );
      timings.setupMs = Date.now() - t0;
    }, 60_000);

    // Isolation between the locking tests: if one failed half-way, release/kill its holder and drop
    // any lock it left, so the next test starts from an unlocked state instead of timing out.
    afterEach(async () => {
      if (!emu || !rootDir) return;
      fs.writeFileSync(releaseFile, '');
      const leftovers = background.filter((p) => !p.exited);
      leftovers.forEach((p) => p.kill('SIGKILL'));
      await Promise.all(leftovers.map((p) => p.result));
      for (const l of await locks()) await deleteLockItem(emu.dynamoEndpoint, synth.dynamodb_table, l.lockId);
    }, 30_000);

    afterAll(async () => {
      try {
        if (rootDir) fs.writeFileSync(releaseFile, '');
        background.forEach((p) => p.kill('SIGKILL'));
        await killAllTerraform();
      } finally {
        await emu?.stop();
        if (rootDir) fs.rmSync(rootDir, { recursive: true, force: true });

        console.log(`state-backend e2e timings (ms): ${JSON.stringify(timings)}`);
      }
    }, 30_000);

    test('the backend override keeps bucket, key, region, encrypt and dynamodb_table of the synthesized block', () => {
      const override = JSON.parse(fs.readFileSync(path.join(workDir, 'backend_override.tf.json'), 'utf8')) as {
        terraform: { backend: { s3: Record<string, unknown> } };
      };
      const s3 = override.terraform.backend.s3;
      for (const k of ['bucket', 'key', 'region', 'encrypt', 'dynamodb_table'] as const) {
        expect({ [k]: s3[k] }).toEqual({ [k]: synth[k] });
      }
      // Only emulator wiring is added; it must point at loopback.
      expect(s3.endpoints).toEqual({ s3: emu!.s3Endpoint, dynamodb: emu!.dynamoEndpoint });
      expect(emu!.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emu!.dynamoEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const main = JSON.parse(fs.readFileSync(path.join(workDir, 'main.tf.json'), 'utf8')) as { terraform: { backend: unknown } };
      expect(main.terraform.backend).toEqual({ s3: synth });
    });

    test(
      'terraform init and apply store the state in the bucket at exactly the configured key',
      async () => {
        fs.writeFileSync(releaseFile, ''); // the hold provisioner returns immediately on the first apply
        let t = Date.now();
        const init = await tf(['init', '-input=false'], INIT_TIMEOUT_MS);
        timings.initMs = Date.now() - t;
        expect({ code: init.code, out: describeResult(init) }).toMatchObject({ code: 0 });
        expect(init.stdout).toContain('Successfully configured the backend "s3"');

        t = Date.now();
        const apply = await tf(['apply', '-auto-approve', '-input=false']);
        timings.firstApplyMs = Date.now() - t;
        expect({ code: apply.code, out: describeResult(apply) }).toMatchObject({ code: 0 });
        expect(apply.stdout).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 destroyed/);

        // The object exists at exactly `key` (and nothing else was written to the bucket).
        expect(await listObjectKeys(emu!.s3Endpoint, synth.bucket)).toEqual([synth.key]);
        const body = await getObject(emu!.s3Endpoint, synth.bucket, synth.key);
        expect(body).toBeDefined();
        const state = JSON.parse(body!.toString('utf8')) as {
          version: number;
          resources: Array<{ mode: string; type: string; name: string }>;
        };
        expect(state.version).toBe(4);
        expect(state.resources.map((r) => `${r.mode}.${r.type}.${r.name}`).sort()).toEqual(['managed.terraform_data.hold', 'managed.terraform_data.marker']);

        // The backend's consistency digest in the lock table matches the stored bytes, and no lock is left.
        const digests = await getStateDigests(emu!.dynamoEndpoint, synth.dynamodb_table);
        expect(digests).toEqual({ [`${lockId}-md5`]: createHash('md5').update(body!).digest('hex') });
        expect(await locks()).toEqual([]);
        initialApplyOk = true;
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'fails when a second apply runs while the first one holds the DynamoDB lock',
      async () => {
        requirePreviousSteps();
        const t = Date.now();
        const { proc: first, lock } = await startHoldingApply();
        expect(lock.info.Operation).toBe('OperationTypeApply');
        expect(lock.info.Path).toBe(lockId);

        const second = await tf(['apply', '-auto-approve', '-input=false', '-lock-timeout=0s']);
        expect(second.code).not.toBe(0);
        expect(second.stderr + second.stdout).toContain(LOCK_ERROR);
        expect(lockIdFromOutput(second.stderr + second.stdout)).toBe(lock.info.ID);
        // The failed attempt must not have stolen or released the holder's lock.
        expect((await locks()).map((l) => l.info.ID)).toEqual([lock.info.ID]);

        fs.writeFileSync(releaseFile, '');
        const firstResult = await first.result;
        expect({ code: firstResult.code, out: describeResult(firstResult) }).toMatchObject({ code: 0 });
        expect(firstResult.stdout).toMatch(/Apply complete! Resources: 1 added, 0 changed, 1 destroyed/);
        expect(await locks()).toEqual([]);
        timings.lockContentionMs = Date.now() - t;
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'fails when planning against a stale lock left by a killed apply, until force-unlock removes it',
      async () => {
        requirePreviousSteps();
        const t = Date.now();
        const { proc, lock } = await startHoldingApply();
        proc.kill('SIGKILL'); // the whole process group: terraform and its provisioner shell
        const killed = await proc.result;
        expect(killed.signal).toBe('SIGKILL');
        expect((await locks()).map((l) => l.info.ID)).toEqual([lock.info.ID]); // nobody released it

        const blocked = await tf(['plan', '-input=false', '-lock-timeout=0s']);
        expect(blocked.code).not.toBe(0);
        expect(blocked.stderr + blocked.stdout).toContain(LOCK_ERROR);
        const parsedId = lockIdFromOutput(blocked.stderr + blocked.stdout);
        expect(parsedId).toBe(lock.info.ID);

        const unlock = await tf(['force-unlock', '-force', parsedId!]);
        expect({ code: unlock.code, out: describeResult(unlock) }).toMatchObject({ code: 0 });
        expect(unlock.stdout).toContain('Terraform state has been successfully unlocked!');
        expect(await locks()).toEqual([]);

        const plan = await tf(['plan', '-input=false', '-lock-timeout=0s']);
        expect({ code: plan.code, out: describeResult(plan) }).toMatchObject({ code: 0 });
        expect(await locks()).toEqual([]);
        timings.staleLockMs = Date.now() - t;
      },
      TEST_TIMEOUT_MS,
    );
  });
}

describeStateBackendE2E('stage dev (synthesized dev-infra backend block)', devInfraBackend());
