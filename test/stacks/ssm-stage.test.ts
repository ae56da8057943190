/**
 * A stage on the SSM executor (test/fixtures/ssm: stage `lab`, batch 1 of 3
 * released), synthesized whole: its infra stack's associations, bundle and
 * tags; the bootstrap stack's bucket and host permissions; what its CI roles
 * may do. The example stages stay on ansible (their snapshots do not move).
 */
import { App, Testing } from 'cdktf';
import { ssmBundles } from '../../cli/synthesize';
import { STATE_STACK } from '../../model/names';
import type { RolloutConfig } from '../../model/stage';
import { InfraStack } from '../../stacks/infra-stack';
import { StateStack } from '../../stacks/state-stack';
import { emptyRoles, findEscalations, rolePolicies } from '../support/iam-escalation';
import { ssmFixtureConfig } from '../support/ssm-fixture';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const config: RolloutConfig = ssmFixtureConfig();
const lab = config.stages[0];
const bundles = ssmBundles(config);
const infra = (): Json => JSON.parse(Testing.synth(new InfraStack(Testing.app() as App, 'lab-infra', { stage: lab, ssmBundle: bundles.lab }))) as Json;
const state = (): Json => JSON.parse(Testing.synth(new StateStack(Testing.app() as App, STATE_STACK, { stages: config.stages }))) as Json;

/** The statements of one role's inline policy. */
function statementsOf(stack: Json, roleName: string): Json[] {
  return rolePolicies(stack).get(roleName) as Json[];
}

describe('a stage on the SSM executor', () => {
  test('the infra stack declares one association per batch, released batch 1 applying and the held batches rolling back', () => {
    const associations = Object.values(infra().resource.aws_ssm_association as Json) as Json[];
    expect(associations.map((a) => [a.association_name, a.name, a.targets[0].values[0], a.parameters.ExtraVariables])).toEqual([
      ['observability-rollout-lab-batch-1', 'AWS-ApplyAnsiblePlaybooks', 'lab-1', 'SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=apply'],
      ['observability-rollout-lab-batch-2', 'AWS-ApplyAnsiblePlaybooks', 'lab-2', 'SSM=True rollout_stage=lab rollout_batch=2 rollout_ssm_mode=rollback'],
      ['observability-rollout-lab-batch-3', 'AWS-ApplyAnsiblePlaybooks', 'lab-3', 'SSM=True rollout_stage=lab rollout_batch=3 rollout_ssm_mode=rollback'],
    ]);
    const source = JSON.parse(associations[0].parameters.SourceInfo) as { path: string };
    expect(source.path).toBe(
      `https://observability-rollout-lab-ssm-\${data.aws_caller_identity.account.account_id}.s3.us-east-1.amazonaws.com/${bundles.lab.key}`,
    );
  });

  test('every host is tagged with its batch: managed instances in their tags, existing ones by instance id', () => {
    const json = infra();
    const instances = Object.values(json.resource.aws_instance as Json) as Json[];
    expect(instances.map((i) => [i.tags.Name, i.tags['rollout-host'], /^lab-[123]$/.test(i.tags['rollout-batch'])])).toEqual([
      ['lab-web-01', 'lab-web-01', true],
      ['lab-web-02', 'lab-web-02', true],
    ]);
    for (const i of instances) expect(i.metadata_options.instance_metadata_tags).toBe('enabled');
    const tags = (Object.values(json.resource.aws_ec2_tag as Json) as Json[]).filter((t) => t.key === 'rollout-host');
    expect(tags.map((t) => [t.resource_id, t.value]).sort()).toEqual([
      ['i-0a11de5e', 'lab-db-01'],
      ['i-0a11de5e0000a0001', 'lab-api-01'],
      ['i-0a11de5e0000a0002', 'lab-api-02'],
      ['i-0a11de5e0000a0004', 'lab-db-02'],
    ]);
  });

  test('the bundle holds the playbooks and the stage inventory this synth renders, and is the same bytes on a second build', () => {
    expect(bundles.lab.paths).toEqual(
      expect.arrayContaining(['ansible.cfg', 'playbooks/ssm-apply.yml', 'inventories/lab/hosts.yml', 'roles/datadog_agent/tasks/main.yml']),
    );
    expect(bundles.lab.paths.filter((p) => p.startsWith('inventories/'))).toEqual(['inventories/lab/hosts.yml']);
    expect(ssmBundles(ssmFixtureConfig()).lab.bytes.equals(bundles.lab.bytes)).toBe(true);
  });

  test('the bootstrap stack creates the SSM bucket and host permissions for the ssm stage only', () => {
    const json = state();
    const attachments = Object.values(json.resource.aws_iam_role_policy_attachment as Json) as Json[];
    expect(attachments.map((a) => a.policy_arn)).toEqual([expect.stringMatching(/:iam::aws:policy\/AmazonSSMManagedInstanceCore$/)]);
    expect(statementsOf(json, 'observability-rollout-lab-agent').map((s) => s.sid)).toEqual([
      'ReadPlaybookBundles',
      'WriteRunOutput',
      'ReadBucketEncryption',
      'ReadStageApiKey',
      'Managed arn:${data.aws_partition.ssm-lab_partition_6B6D7E63.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore'.replace(
        /ssm-lab_partition_[0-9A-F]+/,
        Object.keys(json.data.aws_partition).find((k) => k.startsWith('ssm-lab')) as string,
      ),
    ]);
  });

  test('the deploy role may create associations of AWS-ApplyAnsiblePlaybooks only, write bundles only, and tag only the stage instances with the rollout tags', () => {
    const deploy = statementsOf(state(), 'observability-rollout-ci-lab-deploy');
    const sids = (s: Json): string => String(s.sid);
    const find = (sid: string): Json => deploy.find((s) => sids(s) === sid) as Json;
    expect(find('SsmAssociations').resources).toEqual(
      [
        'arn:${data.aws_partition.ci-access_partition_8A2E1A5A.partition}:ssm:us-east-1:${data.aws_caller_identity.ci-access_account_2D1B4A4D.account_id}:association/*',
        'arn:${data.aws_partition.ci-access_partition_8A2E1A5A.partition}:ssm:us-east-1::document/AWS-ApplyAnsiblePlaybooks',
      ].map((r) => r.replace(/ci-access_partition_8A2E1A5A/, partitionId()).replace(/ci-access_account_2D1B4A4D/, accountId())),
    );
    expect(find('SsmBundles').resources).toEqual([
      `arn:\${data.aws_partition.${partitionId()}.partition}:s3:::observability-rollout-lab-ssm-\${data.aws_caller_identity.${accountId()}.account_id}/bundles/*`,
    ]);
    expect(find('SsmTagExistingHosts').condition).toEqual([
      { test: 'ForAllValues:StringEquals', variable: 'aws:TagKeys', values: ['rollout-batch', 'rollout-host'] },
    ]);
    expect((find('SsmTagExistingHosts').resources as string[]).map((r) => r.replace(/.*:instance\//, ''))).toEqual([
      'i-0a11de5e0000a0001',
      'i-0a11de5e0000a0002',
      'i-0a11de5e',
      'i-0a11de5e0000a0004',
    ]);
  });

  test('escalation check: the ssm stage leaves exactly the documented paths (associations run code as the host role, which now holds permissions)', () => {
    const json = state();
    const found = findEscalations(rolePolicies(json), emptyRoles(json)).map((f) => `${f.role} ${f.sid} ${f.action}`);
    expect(found).toEqual([
      'observability-rollout-ci-lab-deploy PassAgentRoleToEc2 iam:PassRole',
      'observability-rollout-ci-lab-deploy SsmAssociations ssm:CreateAssociation',
      'observability-rollout-ci-lab-deploy SsmAssociations ssm:UpdateAssociation',
    ]);
  });
});

/** Logical ids of the CI access's data sources in the state stack. */
function partitionId(): string {
  return Object.keys(state().data.aws_partition).find((k) => k.startsWith('ci-access')) as string;
}
function accountId(): string {
  return Object.keys(state().data.aws_caller_identity).find((k) => k.startsWith('ci-access')) as string;
}
