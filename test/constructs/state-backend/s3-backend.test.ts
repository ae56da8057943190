import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { App, TerraformStack, Testing } from 'cdktf';
import { StageBackendProps, useS3Backend, useStageBackend } from '../../../constructs/state-backend/s3-backend';
import type { Stage, StateLocation, StateLocking } from '../../../model/stage';
import { StateStack } from '../../../stacks/state-stack';
import { exampleConfig, exampleStage } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const base = { bucket: 'acme-tfstate', key: 'stages/dev/infra.tfstate', region: 'us-east-1' };

/** The synthesized stack JSON of a stack holding only the backend. */
function synthBackend(props: StageBackendProps): Json {
  const stack = new TerraformStack(Testing.app(), 'backend-test');
  useS3Backend(stack, props);
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** `stage` with its state section replaced. */
function withState(stage: Stage, state: StateLocation): Stage {
  return { ...stage, state };
}

describe('useS3Backend', () => {
  test('dynamodb: an encrypted backend locked by the DynamoDB table only', () => {
    expect(synthBackend({ ...base, locking: 'dynamodb', lockTable: 'acme-tflock' }).terraform.backend).toEqual({
      s3: { ...base, encrypt: true, dynamodb_table: 'acme-tflock' },
    });
  });

  test('s3: an encrypted backend locked by the S3 lock file only, even when a table is named', () => {
    expect(synthBackend({ ...base, locking: 's3' }).terraform.backend).toEqual({ s3: { ...base, encrypt: true, use_lockfile: true } });
    expect(synthBackend({ ...base, locking: 's3', lockTable: 'acme-tflock' }).terraform.backend).toEqual({
      s3: { ...base, encrypt: true, use_lockfile: true },
    });
  });

  test('both: the DynamoDB table and the S3 lock file', () => {
    expect(synthBackend({ ...base, locking: 'both', lockTable: 'acme-tflock' }).terraform.backend).toEqual({
      s3: { ...base, encrypt: true, dynamodb_table: 'acme-tflock', use_lockfile: true },
    });
  });

  test('a KMS key is passed on in every mode', () => {
    const kmsKeyId = 'alias/tfstate';
    for (const locking of ['dynamodb', 's3', 'both'] as const) {
      expect(synthBackend({ ...base, locking, lockTable: 'acme-tflock', kmsKeyId }).terraform.backend.s3).toEqual(
        expect.objectContaining({ kms_key_id: kmsKeyId }),
      );
    }
  });

  test('use_lockfile is part of the backend block itself: no override is recorded in the stack metadata, and HCL output has it too', () => {
    const stack = new TerraformStack(Testing.app(), 'backend-test');
    useS3Backend(stack, { ...base, locking: 'both', lockTable: 'acme-tflock' });
    const metadata = (stack.toTerraform() as Json)['//'].metadata as Json;
    expect(metadata).toEqual(expect.objectContaining({ backend: 's3' }));
    expect(metadata.overrides).toBeUndefined();
    const hcl = String(Testing.synthHcl(stack));
    expect(hcl).toMatch(/use_lockfile\s*=\s*true/);
    expect(hcl).toMatch(/dynamodb_table\s*=\s*"acme-tflock"/);
  });

  test('fails when DynamoDB locking has no table, or the mode is unknown, listing every problem at once', () => {
    expect(() => synthBackend({ ...base, locking: 'both' })).toThrow(
      [
        'S3 backend of backend-test: 1 invalid prop',
        '  lockTable: got missing, expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), as locking "both" takes a DynamoDB lock',
      ].join('\n'),
    );
    expect(() => synthBackend({ ...base, bucket: 'Bad_Bucket', locking: 'dynamo' as StateLocking, lockTable: 'acme-tflock' })).toThrow(
      [
        'S3 backend of backend-test: 2 invalid props',
        '  bucket: got "Bad_Bucket", expected an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; no "..", not an IP address, no reserved prefix or suffix)',
        '  locking: got "dynamo", expected one of "dynamodb", "s3", "both"',
      ].join('\n'),
    );
  });
});

describe('useStageBackend', () => {
  const dev = exampleStage('dev');
  const backendOf = (stage: Stage): Json => {
    const stack = new TerraformStack(Testing.app(), 'dev-infra');
    useStageBackend(stack, stage, 'infra');
    return (JSON.parse(Testing.synth(stack)) as Json).terraform.backend.s3 as Json;
  };
  const common = { bucket: dev.state.bucket, key: 'stages/dev/infra.tfstate', region: 'us-east-1', encrypt: true };

  test('the example stages use the default, both', () => {
    expect(exampleConfig().stages.map((s) => s.state.locking)).toEqual(['both', 'both', 'both']);
    expect(backendOf(dev)).toEqual({ ...common, dynamodb_table: 'acme-observability-rollout-tflock', use_lockfile: true });
  });

  test.each([
    ['dynamodb', { dynamodb_table: 'acme-observability-rollout-tflock' }],
    ['s3', { use_lockfile: true }],
    ['both', { dynamodb_table: 'acme-observability-rollout-tflock', use_lockfile: true }],
  ] as const)('locking %s: the stage backend locks accordingly', (locking, lock) => {
    const state = { bucket: dev.state.bucket, keyPrefix: dev.state.keyPrefix, createKmsKey: false, locking, lockTable: 'acme-observability-rollout-tflock' };
    expect(backendOf(withState(dev, state))).toEqual({ ...common, ...lock });
  });

  test('locking s3 without a lock table', () => {
    expect(backendOf(withState(dev, { bucket: dev.state.bucket, keyPrefix: dev.state.keyPrefix, createKmsKey: false, locking: 's3' }))).toEqual({
      ...common,
      use_lockfile: true,
    });
  });
});

describe("the state stack's own backend and lock table follow the stages' locking", () => {
  const stages = exampleConfig().stages;
  const relock = (locking: StateLocking, lockTable: string | undefined): Stage[] =>
    stages.map((s) => withState(s, { ...s.state, locking, lockTable } as StateLocation));
  const synthState = (ss: readonly Stage[]): Json => JSON.parse(Testing.synth(new StateStack(Testing.app() as App, 'state', { stages: ss }))) as Json;
  const bootstrap = { bucket: 'acme-observability-rollout-tfstate', key: 'bootstrap/state.tfstate', region: 'us-east-1', encrypt: true };
  const table = 'acme-observability-rollout-tflock';

  test.each([
    ['dynamodb', { dynamodb_table: table }],
    ['s3', { use_lockfile: true }],
    ['both', { dynamodb_table: table, use_lockfile: true }],
  ] as const)('locking %s, table named: the table is kept and the backend locks like the stages', (locking, lock) => {
    const json = synthState(relock(locking, table));
    expect(json.terraform.backend).toEqual({ s3: { ...bootstrap, ...lock } });
    expect(JSON.stringify(json)).toHaveResourceWithProperties(DynamodbTable, { name: table });
  });

  test('locking s3 and no stage names a table: no table is created, and the backend uses the lock file only', () => {
    const json = synthState(relock('s3', undefined));
    expect(json.terraform.backend).toEqual({ s3: { ...bootstrap, use_lockfile: true } });
    expect(json.resource.aws_dynamodb_table).toBeUndefined();
    expect(Object.values(json.resource.aws_s3_bucket as Json).map((b: Json) => b.bucket)).toEqual(['acme-observability-rollout-tfstate']);
  });

  test('fails when stages sharing a bucket lock differently', () => {
    const [dev, prod, test] = relock('both', table);
    const odd = withState(prod, { ...prod.state, locking: 's3' } as StateLocation);
    expect(() => synthState([dev, odd, test])).toThrow(
      `StateStack state: stage prod state: got lockTable ${table} / kmsKeyId undefined / locking s3, ` +
        `expected ${table} / undefined / both like the other stages using bucket acme-observability-rollout-tfstate`,
    );
  });
});
