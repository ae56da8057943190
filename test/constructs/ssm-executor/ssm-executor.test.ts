import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SsmExecutor, SsmExecutorProps } from '../../../constructs/ssm-executor/ssm-executor';
import { parseStage } from '../../../model/load-config';
import { playbookBundle } from '../../../plan/ssm/bundle';
import { planSsmExecutor } from '../../../plan/ssm/ssm-plan';
import { minimalStageYaml, mustReplace } from '../../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const bundle = playbookBundle([{ path: 'playbooks/ssm-apply.yml', bytes: Buffer.from('- hosts: localhost\n') }]);

function ssmProps(released = 1): SsmExecutorProps {
  const hosts = [
    '  - { name: dev-web-01, service: web, team: storefront, criticality: low, address: 10.0.0.1, instanceId: i-0123456789abcdef0 }',
    '  - { name: dev-web-02, service: web, team: storefront, criticality: low, address: 10.0.0.2, instanceId: i-89abcdef }',
    '  - { name: dev-new-01, service: web, team: storefront, criticality: high, managed: true, subnetId: subnet-0123abcd }',
  ];
  let text = mustReplace(minimalStageYaml(), /hosts:\n.*\n/, ['hosts:', ...hosts, ''].join('\n'));
  text = mustReplace(text, 'network:', `rollout:\n  executor: ssm\n  releasedBatches: ${released}\nnetwork:`);
  const { stage, problems } = parseStage('stacks/stages/dev.yaml', text);
  expect(problems).toEqual([]);
  const plan = planSsmExecutor(stage!, { key: bundle.key });
  return { stage: 'dev', plan, bundle, bucketName: 'bkt', region: 'us-east-1' };
}
const synth = (p: SsmExecutorProps = ssmProps()): string => Testing.synthScope((scope) => new SsmExecutor(scope, 'ssm', p));

describe('SsmExecutor', () => {
  test("one association of the stage's own document per batch, targeting the batch tag, with rate and error control and output to the stage bucket", () => {
    const out = synth();
    const associations = Object.values(JSON.parse(out).resource.aws_ssm_association as Json) as Json[];
    expect(associations.map((a) => [a.association_name, a.targets, a.max_concurrency, a.max_errors, a.output_location])).toEqual([
      [
        'observability-rollout-dev-batch-1',
        [{ key: 'tag:rollout-batch', values: ['dev-1'] }],
        '25%',
        '0',
        { s3_bucket_name: 'bkt', s3_key_prefix: 'output/batch-1', s3_region: 'us-east-1' },
      ],
      [
        'observability-rollout-dev-batch-2',
        [{ key: 'tag:rollout-batch', values: ['dev-2'] }],
        '25%',
        '0',
        { s3_bucket_name: 'bkt', s3_key_prefix: 'output/batch-2', s3_region: 'us-east-1' },
      ],
      [
        'observability-rollout-dev-batch-3',
        [{ key: 'tag:rollout-batch', values: ['dev-3'] }],
        '25%',
        '0',
        { s3_bucket_name: 'bkt', s3_key_prefix: 'output/batch-3', s3_region: 'us-east-1' },
      ],
    ]);
    expect(out).toHaveResourceWithProperties(SsmAssociation, {
      name: 'observability-rollout-dev-apply',
      association_name: 'observability-rollout-dev-batch-1',
      compliance_severity: 'HIGH',
      wait_for_success_timeout_seconds: 900,
      // The deploy role may create only associations tagged with its stage, and change only those.
      tags: { stage: 'dev' },
      parameters: { BundleKey: bundle.key, Batch: '1', Mode: 'apply' },
    });
    for (const a of associations) expect(a.depends_on).toEqual([expect.stringMatching(/^aws_s3_object\.ssm_bundle_/)]);
    expect(associations.map((a) => [a.name, a.parameters])).toEqual([
      ['observability-rollout-dev-apply', { BundleKey: bundle.key, Batch: '1', Mode: 'apply' }],
      ['observability-rollout-dev-apply', { BundleKey: bundle.key, Batch: '2', Mode: 'rollback' }],
      ['observability-rollout-dev-apply', { BundleKey: bundle.key, Batch: '3', Mode: 'rollback' }],
    ]);
  });

  test('the bundle goes up under its content key, from a file with exactly its bytes', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(S3Object, { bucket: 'bkt', key: bundle.key, source_hash: bundle.sha256, content_type: 'application/zip' });
    const object = Object.values(JSON.parse(out).resource.aws_s3_object as Json)[0] as Json;
    expect(object.source).toMatch(new RegExp(`^assets/ssm_bundle-file_[0-9A-F]+/${bundle.sha256}/${bundle.sha256}\\.zip$`));
    const written = path.join(os.tmpdir(), 'observability-rollout-bundles', `${bundle.sha256}.zip`);
    expect(fs.readFileSync(written).equals(bundle.bytes)).toBe(true);
  });

  test('existing hosts are tagged by instance id with their batch and name; managed hosts are left to Fleet', () => {
    const props = ssmProps();
    const out = synth(props);
    const tags = Object.values(JSON.parse(out).resource.aws_ec2_tag as Json) as Json[];
    const byHost = (name: string) => props.plan.hostTags.find((h) => h.host === name)!;
    expect(tags.map((t) => [t.resource_id, t.key, t.value]).sort()).toEqual(
      [
        ['i-0123456789abcdef0', 'rollout-batch', `dev-${byHost('dev-web-01').batch}`],
        ['i-0123456789abcdef0', 'rollout-host', 'dev-web-01'],
        ['i-89abcdef', 'rollout-batch', `dev-${byHost('dev-web-02').batch}`],
        ['i-89abcdef', 'rollout-host', 'dev-web-02'],
      ].sort(),
    );
    expect(out).toHaveResourceWithProperties(Ec2Tag, { resource_id: 'i-89abcdef', key: 'rollout-host', value: 'dev-web-02' });
  });

  test('releasing batch 2 changes only the batch 2 association; reverting the release gives back the same JSON', () => {
    const before = JSON.parse(synth(ssmProps(1))).resource.aws_ssm_association as Json;
    const after = JSON.parse(synth(ssmProps(2))).resource.aws_ssm_association as Json;
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    expect(changed.map((k) => after[k].association_name)).toEqual(['observability-rollout-dev-batch-2']);
    expect(JSON.parse(synth(ssmProps(1))).resource.aws_ssm_association).toEqual(before);
  });

  test('fails when the bundle is not the one the plan points at, or the plan carries bad values, listing every problem', () => {
    const props = ssmProps();
    const other = playbookBundle([{ path: 'x.yml', bytes: Buffer.from('x') }]);
    const plan = {
      ...props.plan,
      bundleKey: other.key.replace('.zip', '.tgz'),
      documentName: 'AWS-ApplyAnsiblePlaybooks',
      associations: props.plan.associations.map((a, i) => (i === 0 ? { ...a, maxConcurrency: '0', maxErrors: '1%' } : a)),
    };
    const badKey = other.key.replace('.zip', '.tgz');
    expect(() => synth({ ...props, bundle: other, plan, waitForSuccessSeconds: 0 })).toThrow(
      `SsmExecutor ssm: 6 invalid props\n  bundle.key: got "${other.key}", expected the key the plan's associations point at (${badKey})\n` +
        `  plan.bundleKey: got "${badKey}", expected a key the stage's document accepts (^bundles/[0-9a-f]{64}\\.zip$)\n` +
        '  plan.documentName: got "AWS-ApplyAnsiblePlaybooks", expected the stage\'s own document (observability-rollout-dev-apply)\n' +
        '  plan.associations.0.maxConcurrency: got "0", expected a number of hosts from 1 to 99999 or a percentage from 1% to 100%, such as 25%\n' +
        '  plan.associations.0.maxErrors: got "1%", expected a whole number of hosts\n' +
        '  waitForSuccessSeconds: got 0, expected a whole number of seconds > 0',
    );
  });
});
