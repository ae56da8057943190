/**
 * End-to-end test of a stage's Terraform S3 state backend and its locking, run with the real
 * `terraform` CLI against local emulators: s3rver for S3, behind the conditional-PUT shim
 * (test/support/conditional-put-shim.ts: s3rver alone ignores `If-None-Match`, so without it
 * Terraform's S3 lock file would never be refused), and dynalite for the DynamoDB lock table.
 *
 * Once per `state.locking` mode (dynamodb, s3, both) the configuration under test is the
 * synthesized `terraform.backend` block of the dev stage's infra stack with that mode. The test
 * keeps bucket/key/region/encrypt/dynamodb_table/use_lockfile exactly as synthesized and only adds
 * what the emulators need through a Terraform override file (backend_override.tf.json). The
 * resources are built-in `terraform_data`, so no provider is downloaded.
 *
 * What each mode proves: (a) a second concurrent apply is refused with Terraform's lock error
 * while the first holds the lock; (b) the stale lock of a SIGKILLed apply blocks everyone until
 * `terraform force-unlock <ID>` (the ID read from the lock record: the DynamoDB item, or the
 * `<key>.tflock` object) clears it; (c) the state survives the SIGKILL (same serial and lineage,
 * `state list` / `state show` read it, and a plan finds nothing to change). In `both` mode also
 * the migration: runners whose configuration locks with DynamoDB only, or with the file only, are
 * refused while a `both` apply holds the lock.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import type { Stage, StateLocation, StateLocking } from '../../model/stage';
import { InfraStack } from '../../stacks/infra-stack';
import { ConditionalPutShim, startConditionalPutShim } from '../support/conditional-put-shim';
import {
  createBucket,
  createLockTable,
  deleteLockItem,
  deleteObject,
  emulatorBackendSettings,
  Emulators,
  getLockFile,
  getLockItems,
  getObject,
  getStateDigests,
  listObjectKeys,
  startEmulators,
  TerraformLockInfo,
} from '../support/emulators';
import { exampleStage } from '../support/fixtures';
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

const LOCKINGS: readonly StateLocking[] = ['dynamodb', 's3', 'both'];
const LOCK_ERROR = 'Error acquiring the state lock';
const INIT_TIMEOUT_MS = 60_000;
const APPLY_TIMEOUT_MS = 60_000;
/** Upper bound for how long the `hold` provisioner keeps an apply (and thus the lock) alive. */
const HOLD_MAX_SECONDS = 60;
/**
 * Every terraform run and poll in this file shares this budget (measured from when the file is
 * loaded), so even a hanging run cannot push the file past ~3 minutes; setup/teardown are extra
 * and take well under a second each.
 */
const FILE_BUDGET_MS = 150_000;
const TEST_TIMEOUT_MS = FILE_BUDGET_MS + 15_000;
const fileDeadline = Date.now() + FILE_BUDGET_MS;
/** `ms`, capped by what is left of the file budget. */
const budget = (ms: number): number => Math.max(1_000, Math.min(ms, fileDeadline - Date.now()));
/** Per mode and step, printed once at the end. */
const timings: Record<string, Record<string, number>> = {};

/** The backend block of the dev stage's infra stack, synthesized with `state.locking` = `locking`. */
function devInfraBackend(locking: StateLocking): Record<string, unknown> {
  const dev = exampleStage('dev');
  const stage: Stage = { ...dev, state: { ...dev.state, locking } as StateLocation };
  const stack = new InfraStack(Testing.app(), 'dev-infra', { stage });
  return (JSON.parse(Testing.synth(stack)) as { terraform: { backend: Record<string, unknown> } }).terraform.backend;
}

interface S3BackendBlock {
  bucket: string;
  key: string;
  region: string;
  encrypt?: boolean;
  dynamodb_table?: string;
  use_lockfile?: boolean;
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
  for (const k of ['bucket', 'key', 'region']) {
    if (typeof s3[k] !== 'string' || !(s3[k] as string)) throw new Error(`s3 backend: "${k}" must be a non-empty string, got ${JSON.stringify(s3[k])}`);
  }
  return s3 as S3BackendBlock;
}

/** The override's backend block: the synthesized settings untouched, plus the emulator wiring (S3 through the shim). */
function emulatorBackendOverride(synth: S3BackendBlock, endpoints: { s3Endpoint: string; dynamoEndpoint: string }): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(synth).filter(([k]) => !CREDENTIAL_AND_ENDPOINT_SETTINGS.includes(k)));
  return { ...kept, ...emulatorBackendSettings(endpoints) };
}

function lockIdFromOutput(output: string): string | undefined {
  // Terraform prints "Lock Info:\n  ID:        <uuid>\n  Path: ..."
  return /Lock Info:\s*\n\s*ID:\s+([0-9a-fA-F-]{36})/.exec(output)?.[1];
}

/** Terraform's version; the S3 lock file (`use_lockfile`) needs 1.10 or later. */
async function terraformVersion(cwd: string, env: Record<string, string>): Promise<string> {
  const r = await terraform(['version', '-json'], { cwd, env, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`terraform version failed: ${describeResult(r)}`);
  return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [ma, mi] = version.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}

/** The state object's identity: what a SIGKILLed apply must not have changed. */
interface StateSnapshot {
  serial: number;
  lineage: string;
  resources: string[];
  md5: string;
}
function snapshotOf(body: Buffer): StateSnapshot {
  const state = JSON.parse(body.toString('utf8')) as { serial: number; lineage: string; resources: Array<{ mode: string; type: string; name: string }> };
  return {
    serial: state.serial,
    lineage: state.lineage,
    resources: state.resources.map((r) => `${r.mode}.${r.type}.${r.name}`).sort(),
    md5: createHash('md5').update(body).digest('hex'),
  };
}

/** The lock records Terraform leaves for one state: the DynamoDB item and the S3 lock file. */
interface LockRecords {
  item?: TerraformLockInfo;
  file?: TerraformLockInfo;
}

function describeStateBackendE2E(locking: StateLocking): void {
  describe(`state.locking: ${locking} (real terraform against s3rver + conditional-PUT shim + dynalite)`, () => {
    const synth = s3BackendOf(devInfraBackend(locking));
    const lockPath = `${synth.bucket}/${synth.key}`; // Terraform's LockInfo.Path and DynamoDB LockID
    const lockFileKey = `${synth.key}.tflock`;
    const usesTable = locking !== 's3';
    const usesFile = locking !== 'dynamodb';
    const t: Record<string, number> = (timings[locking] = {});

    let emu: Emulators | undefined;
    let shim: ConditionalPutShim | undefined;
    let rootDir = ''; // everything this suite writes lives below it
    let workDir = ''; // the Terraform configuration directory (rootDir/config)
    let env: Record<string, string> = {};
    let releaseFile = '';
    let startedFile = '';
    let initialApplyOk = false;
    const background: TerraformProcess[] = [];

    const tf = (args: string[], cwd = workDir, timeoutMs = APPLY_TIMEOUT_MS): Promise<TerraformResult> =>
      terraform([...args, '-no-color'], { cwd, env, timeoutMs: budget(timeoutMs) });
    const lockRecords = async (): Promise<LockRecords> => {
      const item = usesTable ? (await getLockItems(emu!.dynamoEndpoint, synth.dynamodb_table!)).find((l) => l.lockId === lockPath)?.info : undefined;
      const file = await getLockFile(emu!.s3Endpoint, synth.bucket, synth.key);
      return { ...(item ? { item } : {}), ...(file ? { file } : {}) };
    };
    /** The holder's lock, as this mode records it: the item, the file, or both with one ID. */
    const expectHeldLock = (records: LockRecords): TerraformLockInfo => {
      expect({ item: records.item !== undefined, file: records.file !== undefined }).toEqual({ item: usesTable, file: usesFile });
      if (records.item && records.file) expect(records.file).toEqual(records.item);
      const info = (records.file ?? records.item)!;
      expect(info.Path).toBe(lockPath);
      return info;
    };
    const requirePreviousSteps = (): void => {
      if (!initialApplyOk) throw new Error('prerequisite failed: the initial init/apply did not succeed (see the earlier test)');
    };
    const refusalsOfLockFile = (): number => shim!.decisions.filter((d) => d.key === `/${lockPath}.tflock` && d.outcome === 'precondition-failed').length;

    /**
     * Starts (in `cwd`) an apply that replaces `hold` and sits in its provisioner until releaseFile
     * exists; resolves once it is inside the provisioner and `held` accepts the lock records.
     */
    const startHoldingApply = async (cwd = workDir, held = (r: LockRecords): boolean => (usesTable ? !!r.item : true) && (usesFile ? !!r.file : true)) => {
      fs.rmSync(releaseFile, { force: true });
      fs.rmSync(startedFile, { force: true });
      const proc = startTerraform(['apply', '-auto-approve', '-input=false', '-no-color', '-replace=terraform_data.hold'], {
        cwd,
        env,
        timeoutMs: budget(APPLY_TIMEOUT_MS + HOLD_MAX_SECONDS * 1000),
      });
      background.push(proc);
      const records = await pollUntil(
        'the holding apply to take the lock and enter its provisioner',
        async () => {
          if (proc.exited) throw new Error(`holding apply exited early:\n${describeResult(await proc.result)}`);
          if (!fs.existsSync(startedFile)) return undefined;
          const r = await lockRecords();
          return held(r) ? r : undefined;
        },
        budget(45_000),
      ).catch(async (err: unknown) => {
        proc.kill('SIGKILL');
        throw new Error(`${String(err)}\n${describeResult(await proc.result)}`);
      });
      return { proc, records };
    };
    /** Lets the holder finish; it must apply its replacement and release every lock it took. */
    const releaseHolder = async (proc: TerraformProcess): Promise<void> => {
      fs.writeFileSync(releaseFile, '');
      const r = await proc.result;
      expect({ code: r.code, out: describeResult(r) }).toMatchObject({ code: 0 });
      expect(r.stdout).toMatch(/Apply complete! Resources: 1 added, 0 changed, 1 destroyed/);
      expect(await lockRecords()).toEqual({});
    };

    /** A configuration directory: main.tf.json with `backend` as synthesized, plus the emulator override. */
    const writeConfig = (dir: string, backend: S3BackendBlock): void => {
      fs.mkdirSync(dir, { recursive: true });
      const holdCommand =
        `touch '${startedFile}'; end=$(( $(date +%s) + ${HOLD_MAX_SECONDS} )); ` +
        `while [ ! -e '${releaseFile}' ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done`;
      const main = {
        terraform: { backend: { s3: backend } },
        resource: {
          terraform_data: {
            marker: { input: { stage: 'dev', purpose: 'state-backend-e2e' } },
            hold: { input: 'hold-the-lock', provisioner: [{ 'local-exec': { command: holdCommand } }] },
          },
        },
        output: { marker: { value: '${terraform_data.marker.output}' } },
      };
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(main, null, 2));
      const endpoints = { s3Endpoint: shim!.endpoint, dynamoEndpoint: emu!.dynamoEndpoint };
      fs.writeFileSync(
        path.join(dir, 'backend_override.tf.json'),
        JSON.stringify({ terraform: { backend: { s3: emulatorBackendOverride(backend, endpoints) } } }, null, 2),
      );
    };

    beforeAll(async () => {
      const t0 = Date.now();
      rootDir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-state-backend-${locking}-`));
      workDir = path.join(rootDir, 'config');
      releaseFile = path.join(rootDir, 'release-hold');
      startedFile = path.join(rootDir, 'hold-started');
      // No provider is needed: terraform_data is built in, so no mirror in the CLI config.
      env = tfEnv(writeCliConfig(path.join(rootDir, 'cli')));
      if (usesFile) {
        const version = await terraformVersion(rootDir, env);
        if (!atLeast(version, 1, 10)) throw new Error(`state.locking ${locking} needs terraform >= 1.10 (use_lockfile); this is ${version}`);
      }

      // Emulators, the shim in front of s3rver, and the bucket and table the synthesized block names (no table for s3).
      emu = await startEmulators();
      shim = await startConditionalPutShim({ upstream: emu.s3Endpoint });
      await createBucket(emu.s3Endpoint, synth.bucket);
      if (usesTable) await createLockTable(emu.dynamoEndpoint, synth.dynamodb_table!);
      writeConfig(workDir, synth);
      t.setupMs = Date.now() - t0;
    }, 60_000);

    // Isolation between the locking tests: if one failed half-way, release/kill its holder and drop
    // any lock it left, so the next test starts from an unlocked state instead of timing out.
    afterEach(async () => {
      if (!emu || !rootDir) return;
      fs.writeFileSync(releaseFile, '');
      const leftovers = background.filter((p) => !p.exited);
      leftovers.forEach((p) => p.kill('SIGKILL'));
      await Promise.all(leftovers.map((p) => p.result));
      if (usesTable)
        for (const l of await getLockItems(emu.dynamoEndpoint, synth.dynamodb_table!))
          await deleteLockItem(emu.dynamoEndpoint, synth.dynamodb_table!, l.lockId);
      await deleteObject(emu.s3Endpoint, synth.bucket, lockFileKey);
    }, 30_000);

    afterAll(async () => {
      try {
        if (rootDir) fs.writeFileSync(releaseFile, '');
        background.forEach((p) => p.kill('SIGKILL'));
        await killAllTerraform();
      } finally {
        try {
          await shim?.stop();
        } finally {
          await emu?.stop();
          if (rootDir) fs.rmSync(rootDir, { recursive: true, force: true });
        }
      }
    }, 30_000);

    test(`the synthesized backend locks with ${locking === 'both' ? 'the DynamoDB table and the S3 lock file' : locking === 's3' ? 'the S3 lock file only' : 'the DynamoDB table only'}, and the override keeps every setting`, () => {
      expect({ dynamodb_table: synth.dynamodb_table, use_lockfile: synth.use_lockfile }).toEqual({
        dynamodb_table: usesTable ? 'acme-observability-rollout-tflock' : undefined,
        use_lockfile: usesFile ? true : undefined,
      });
      const override = JSON.parse(fs.readFileSync(path.join(workDir, 'backend_override.tf.json'), 'utf8')) as {
        terraform: { backend: { s3: Record<string, unknown> } };
      };
      const s3 = override.terraform.backend.s3;
      for (const k of ['bucket', 'key', 'region', 'encrypt', 'dynamodb_table', 'use_lockfile'] as const) {
        expect({ [k]: s3[k] }).toEqual({ [k]: synth[k] });
      }
      // Only emulator wiring is added; S3 goes through the shim, and everything is on loopback.
      expect(s3.endpoints).toEqual({ s3: shim!.endpoint, dynamodb: emu!.dynamoEndpoint });
      for (const e of [shim!.endpoint, emu!.s3Endpoint, emu!.dynamoEndpoint]) expect(e).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const main = JSON.parse(fs.readFileSync(path.join(workDir, 'main.tf.json'), 'utf8')) as { terraform: { backend: unknown } };
      expect(main.terraform.backend).toEqual({ s3: synth });
    });

    test(
      'terraform init and apply store the state at exactly the configured key, and release the lock',
      async () => {
        fs.writeFileSync(releaseFile, ''); // the hold provisioner returns immediately on the first apply
        let t0 = Date.now();
        const init = await tf(['init', '-input=false'], workDir, INIT_TIMEOUT_MS);
        t.initMs = Date.now() - t0;
        expect({ code: init.code, out: describeResult(init) }).toMatchObject({ code: 0 });
        expect(init.stdout).toContain('Successfully configured the backend "s3"');

        t0 = Date.now();
        const apply = await tf(['apply', '-auto-approve', '-input=false']);
        t.firstApplyMs = Date.now() - t0;
        expect({ code: apply.code, out: describeResult(apply) }).toMatchObject({ code: 0 });
        expect(apply.stdout).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 destroyed/);

        // The state object exists at exactly `key`; the lock file (if any) is gone again.
        expect(await listObjectKeys(emu!.s3Endpoint, synth.bucket)).toEqual([synth.key]);
        const body = await getObject(emu!.s3Endpoint, synth.bucket, synth.key);
        expect(body).toBeDefined();
        const state = snapshotOf(body!);
        expect(state.resources).toEqual(['managed.terraform_data.hold', 'managed.terraform_data.marker']);
        // One conditional PUT took the file lock through the shim (and a DELETE released it) exactly when the mode uses one.
        expect(shim!.decisions.filter((d) => d.key === `/${lockPath}.tflock`).map((d) => d.outcome)).toEqual(usesFile ? ['created'] : []);

        // With a table, the backend's consistency digest matches the stored bytes.
        if (usesTable) expect(await getStateDigests(emu!.dynamoEndpoint, synth.dynamodb_table!)).toEqual({ [`${lockPath}-md5`]: state.md5 });
        expect(await lockRecords()).toEqual({});
        initialApplyOk = true;
      },
      TEST_TIMEOUT_MS,
    );

    test(
      '(a) a second concurrent apply is refused with the lock error while the first holds the lock',
      async () => {
        requirePreviousSteps();
        const t0 = Date.now();
        const { proc: first, records } = await startHoldingApply();
        const held = expectHeldLock(records);
        expect(held.Operation).toBe('OperationTypeApply');
        const refusedBefore = refusalsOfLockFile();

        const second = await tf(['apply', '-auto-approve', '-input=false', '-lock-timeout=0s']);
        expect(second.code).not.toBe(0);
        expect(second.stderr + second.stdout).toContain(LOCK_ERROR);
        expect(lockIdFromOutput(second.stderr + second.stdout)).toBe(held.ID);
        // With a lock file it was the conditional PUT that refused the second apply.
        expect(refusalsOfLockFile() - refusedBefore).toBe(usesFile ? 1 : 0);
        // The failed attempt must not have stolen or released the holder's lock.
        expect(await lockRecords()).toEqual(records);

        await releaseHolder(first);
        t.lockContentionMs = Date.now() - t0;
      },
      TEST_TIMEOUT_MS,
    );

    test(
      '(b) a stale lock left by a SIGKILLed apply blocks a plan until force-unlock with its ID, and (c) the state survives intact',
      async () => {
        requirePreviousSteps();
        const t0 = Date.now();
        const before = snapshotOf((await getObject(emu!.s3Endpoint, synth.bucket, synth.key))!);
        const { proc, records } = await startHoldingApply();
        proc.kill('SIGKILL'); // the whole process group: terraform and its provisioner shell
        const killed = await proc.result;
        expect(killed.signal).toBe('SIGKILL');
        expect(await lockRecords()).toEqual(records); // nobody released it
        // The ID an operator reads from the lock record: the .tflock object when there is one, else the item.
        const stale = usesFile ? (await getLockFile(emu!.s3Endpoint, synth.bucket, synth.key))! : records.item!;
        expect(stale).toEqual(expectHeldLock(records));

        const blocked = await tf(['plan', '-input=false', '-lock-timeout=0s']);
        expect(blocked.code).not.toBe(0);
        expect(blocked.stderr + blocked.stdout).toContain(LOCK_ERROR);
        expect(lockIdFromOutput(blocked.stderr + blocked.stdout)).toBe(stale.ID);

        const unlock = await tf(['force-unlock', '-force', stale.ID]);
        expect({ code: unlock.code, out: describeResult(unlock) }).toMatchObject({ code: 0 });
        expect(unlock.stdout).toContain('Terraform state has been successfully unlocked!');
        expect(await lockRecords()).toEqual({}); // both records, when there are two
        t.staleLockMs = Date.now() - t0;

        // (c) The killed apply never wrote state: same bytes, serial and lineage as before it started.
        const after = snapshotOf((await getObject(emu!.s3Endpoint, synth.bucket, synth.key))!);
        expect(after).toEqual(before);
        const list = await tf(['state', 'list']);
        expect({ code: list.code, out: describeResult(list) }).toMatchObject({ code: 0 });
        expect(list.stdout.trim().split('\n').sort()).toEqual(['terraform_data.hold', 'terraform_data.marker']);
        const show = await tf(['state', 'show', 'terraform_data.marker']);
        expect({ code: show.code, out: describeResult(show) }).toMatchObject({ code: 0 });
        expect(show.stdout).toMatch(/\bpurpose\s*=\s*"state-backend-e2e"/);
        // A locking plan reads the state (and, with a table, checks its digest) and finds nothing to change.
        const plan = await tf(['plan', '-input=false', '-lock-timeout=0s', '-detailed-exitcode']);
        expect({ code: plan.code, out: describeResult(plan) }).toMatchObject({ code: 0 });
        expect(plan.stdout).toContain('No changes.');
        expect(await lockRecords()).toEqual({});
        t.staleLockAndStateMs = Date.now() - t0;
      },
      TEST_TIMEOUT_MS,
    );

    if (locking === 'both') {
      test(
        'migration: runners configured for dynamodb only or s3 only are refused while a both-locking apply holds the lock, and a both-locking apply is refused by a dynamodb-only holder without leaving a lock file',
        async () => {
          requirePreviousSteps();
          const t0 = Date.now();
          // The same stack synthesized with the other modes: what a runner on an older (dynamodb) or newer (s3) configuration uses.
          const dynamoDir = path.join(rootDir, 'runner-dynamodb');
          const fileDir = path.join(rootDir, 'runner-s3');
          writeConfig(dynamoDir, s3BackendOf(devInfraBackend('dynamodb')));
          writeConfig(fileDir, s3BackendOf(devInfraBackend('s3')));
          for (const dir of [dynamoDir, fileDir]) {
            const init = await tf(['init', '-input=false'], dir, INIT_TIMEOUT_MS);
            expect({ code: init.code, out: describeResult(init) }).toMatchObject({ code: 0 });
          }

          // A both-locking holder excludes both kinds of runner.
          const { proc: holder, records } = await startHoldingApply();
          const held = expectHeldLock(records);
          for (const dir of [dynamoDir, fileDir]) {
            const other = await tf(['apply', '-auto-approve', '-input=false', '-lock-timeout=0s'], dir);
            expect({ dir: path.basename(dir), code: other.code === 0 ? 0 : 1 }).toEqual({ dir: path.basename(dir), code: 1 });
            expect(other.stderr + other.stdout).toContain(LOCK_ERROR);
            expect(lockIdFromOutput(other.stderr + other.stdout)).toBe(held.ID);
          }
          expect(await lockRecords()).toEqual(records);
          await releaseHolder(holder);

          // A dynamodb-only holder (e.g. a deploy of a commit from before state.locking) excludes a both-locking apply, which
          // takes the file first, fails on the table, and deletes its file again.
          const { proc: oldHolder, records: oldRecords } = await startHoldingApply(dynamoDir, (r) => !!r.item);
          expect(oldRecords.file).toBeUndefined();
          const both = await tf(['apply', '-auto-approve', '-input=false', '-lock-timeout=0s']);
          expect(both.code).not.toBe(0);
          expect(both.stderr + both.stdout).toContain(LOCK_ERROR);
          expect(lockIdFromOutput(both.stderr + both.stdout)).toBe(oldRecords.item!.ID);
          expect(await lockRecords()).toEqual(oldRecords); // no lock file left behind
          // ...but an s3-only runner does not see a DynamoDB lock: why `both` stays until no dynamodb-only configuration can run.
          const fileOnly = await tf(['plan', '-input=false', '-lock-timeout=0s'], fileDir);
          expect({ code: fileOnly.code, out: describeResult(fileOnly) }).toMatchObject({ code: 0 });
          await releaseHolder(oldHolder);
          t.migrationMs = Date.now() - t0;
        },
        TEST_TIMEOUT_MS,
      );
    }
  });
}

for (const locking of LOCKINGS) describeStateBackendE2E(locking);

afterAll(() => {
  console.log(`state-backend e2e timings (ms): ${JSON.stringify(timings)}`);
});
