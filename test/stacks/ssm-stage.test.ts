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
import { documentProblem, emptyRoles, findEscalations, pinnedDocuments, rolePolicies } from '../support/iam-escalation';
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
  test("the infra stack declares one association per batch of the stage's own document, released batch 1 applying and the held batches rolling back", () => {
    const associations = Object.values(infra().resource.aws_ssm_association as Json) as Json[];
    expect(associations.map((a) => [a.association_name, a.name, a.targets[0].values[0], a.parameters, a.tags])).toEqual([
      [
        'observability-rollout-lab-batch-1',
        'observability-rollout-lab-apply',
        'lab-1',
        { BundleKey: bundles.lab.key, Batch: '1', Mode: 'apply' },
        { stage: 'lab' },
      ],
      [
        'observability-rollout-lab-batch-2',
        'observability-rollout-lab-apply',
        'lab-2',
        { BundleKey: bundles.lab.key, Batch: '2', Mode: 'rollback' },
        { stage: 'lab' },
      ],
      [
        'observability-rollout-lab-batch-3',
        'observability-rollout-lab-apply',
        'lab-3',
        { BundleKey: bundles.lab.key, Batch: '3', Mode: 'rollback' },
        { stage: 'lab' },
      ],
    ]);
  });

  test("the bootstrap stack's lab document downloads only from the lab bucket and accepts the infra stack's key", () => {
    const json = state();
    const documents = Object.values(json.resource.aws_ssm_document as Json) as Json[];
    expect(documents.map((d) => d.name)).toEqual(['observability-rollout-lab-apply']);
    const content = JSON.parse(documents[0].content as string) as Json;
    const download = (content.mainSteps as Json[]).find((step) => step.action === 'aws:downloadContent') as Json;
    const bucket = Object.keys(json.resource.aws_s3_bucket).find((k) => k.startsWith('ssm-lab')) as string;
    expect(JSON.parse(download.inputs.sourceInfo as string)).toEqual({
      path: `https://\${aws_s3_bucket.${bucket}.bucket_regional_domain_name}/{{ BundleKey }}`,
    });
    expect(new RegExp(content.parameters.BundleKey.allowedPattern as string).test(bundles.lab.key)).toBe(true);
    expect(pinnedDocuments(json)).toEqual(new Set(['observability-rollout-lab-apply']));
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
      'ListPlaybookBundles',
      'WriteRunOutput',
      'ReadBucketEncryption',
      'ReadStageApiKey',
      'Managed arn:${data.aws_partition.ssm-lab_partition_6B6D7E63.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore'.replace(
        /ssm-lab_partition_[0-9A-F]+/,
        Object.keys(json.data.aws_partition).find((k) => k.startsWith('ssm-lab')) as string,
      ),
    ]);
  });

  test("the deploy role may associate the stage's own document only, tagged with the stage, write bundles only, and tag only the stage instances with the rollout tags", () => {
    const deploy = statementsOf(state(), 'observability-rollout-ci-lab-deploy');
    const find = (sid: string): Json => deploy.find((s) => String(s.sid) === sid) as Json;
    const arn = (resource: string): string =>
      `arn:\${data.aws_partition.${partitionId()}.partition}:ssm:us-east-1:\${data.aws_caller_identity.${accountId()}.account_id}:${resource}`;
    expect(find('SsmAssociationsOfStageDocument')).toMatchObject({
      effect: 'Allow',
      actions: ['ssm:CreateAssociation', 'ssm:DeleteAssociation', 'ssm:UpdateAssociation'],
      resources: [arn('document/observability-rollout-lab-apply')],
    });
    expect(find('SsmCreateStageAssociations')).toMatchObject({
      actions: ['ssm:CreateAssociation'],
      resources: [arn('association/*')],
      condition: [{ test: 'StringEquals', variable: 'aws:RequestTag/stage', values: ['lab'] }],
    });
    expect(find('SsmChangeStageAssociations')).toMatchObject({
      actions: ['ssm:AddTagsToResource', 'ssm:DeleteAssociation', 'ssm:RemoveTagsFromResource', 'ssm:UpdateAssociation'],
      resources: [arn('association/*')],
      condition: [
        { test: 'StringEquals', variable: 'aws:ResourceTag/stage', values: ['lab'] },
        { test: 'StringEqualsIfExists', variable: 'aws:RequestTag/stage', values: ['lab'] },
      ],
    });
    expect(find('SsmNoOtherDocuments')).toMatchObject({
      effect: 'Deny',
      not_resources: [arn('association/*'), arn('document/observability-rollout-lab-apply')],
    });
    expect(find('SsmNoCommandsOrDocumentWrites')).toMatchObject({ effect: 'Deny', resources: ['*'] });
    expect(find('SsmNoCommandsOrDocumentWrites').actions).toEqual(
      expect.arrayContaining(['ssm:SendCommand', 'ssm:CreateDocument', 'ssm:UpdateDocument', 'ssm:StartSession']),
    );
    // No Allow of an SSM action names an AWS-owned document, any document by wildcard, or `*`.
    const allows = deploy.filter((s) => s.effect === 'Allow' && (s.actions as string[]).some((a) => a.startsWith('ssm:')));
    expect(allows.map((s) => s.sid)).toEqual([
      'AmiParameter',
      'SsmAssociations',
      'SsmAssociationsOfStageDocument',
      'SsmCreateStageAssociations',
      'SsmChangeStageAssociations',
    ]);
    for (const s of allows) {
      for (const r of s.resources as string[]) expect(r).not.toMatch(/::document\/|document\/\*|^\*$/);
      for (const a of s.actions as string[]) expect(a).not.toMatch(/^ssm:(SendCommand|CreateDocument|UpdateDocument|DeleteDocument|StartSession|\*)/);
    }
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

  test('escalation check: no association path is left; only passing the stage agent role to EC2 remains, a documented within-stage path', () => {
    const json = state();
    const found = findEscalations(rolePolicies(json), emptyRoles(json), pinnedDocuments(json)).map((f) => `${f.role} ${f.sid} ${f.action}`);
    // Accepted, docs/ssm-executor.md "Security": the lab agent role holds permissions (SSM core, its bundles and output,
    // its own API key), and the lab deploy role may launch lab instances with it. That reaches nothing the lab deploy
    // role cannot already reach by writing the lab bundle its hosts run; nothing of another stage.
    expect(found).toEqual(['observability-rollout-ci-lab-deploy PassAgentRoleToEc2 iam:PassRole']);
  });

  describe.each([
    ['the AWS-owned AWS-ApplyAnsiblePlaybooks', { resources: ['arn:aws:ssm:us-east-1::document/AWS-ApplyAnsiblePlaybooks'] }, 'ssm:CreateAssociation'],
    ['any document of the account (document/*)', { resources: ['arn:aws:ssm:us-east-1:123456789012:document/*'] }, 'ssm:CreateAssociation'],
    [
      'a document of the account this stack does not pin',
      { resources: ['arn:aws:ssm:us-east-1:123456789012:document/admin-run-anything'] },
      'ssm:UpdateAssociation',
    ],
    ['ssm:SendCommand', { actions: ['ssm:SendCommand'] }, 'ssm:SendCommand'],
    ['ssm:* on *', { actions: ['ssm:*'], resources: ['*'] }, 'ssm:CreateDocument'],
  ])('fails when the deploy role may associate or run %s', (_what, change, action) => {
    test('the escalation check reports it', () => {
      const json = state();
      const statement = statementsOf(json, 'observability-rollout-ci-lab-deploy').find((s) => s.sid === 'SsmAssociationsOfStageDocument') as Json;
      Object.assign(statement, change);
      const found = findEscalations(rolePolicies(json), emptyRoles(json), pinnedDocuments(json)).map((f) => `${f.role} ${f.sid} ${f.action}`);
      expect(found).toContain(`observability-rollout-ci-lab-deploy SsmAssociationsOfStageDocument ${action}`);
    });
  });

  test('fails when UpdateAssociation reaches every association (no stage tag condition): it could rewrite any association of the account', () => {
    const json = state();
    const statement = statementsOf(json, 'observability-rollout-ci-lab-deploy').find((s) => s.sid === 'SsmChangeStageAssociations') as Json;
    delete statement.condition;
    const found = findEscalations(rolePolicies(json), emptyRoles(json), pinnedDocuments(json));
    expect(found.map((f) => [f.sid, f.action, f.method.replace(/^RunCodeAsRole: /, '')])).toContainEqual([
      'SsmChangeStageAssociations',
      'ssm:UpdateAssociation',
      'UpdateAssociation of any association of the account (no aws:ResourceTag condition)',
    ]);
  });

  test('fails when the stage document stops being pinned (a free parameter, or a download from a bucket the caller names)', () => {
    const loose = state();
    const doc = Object.values(loose.resource.aws_ssm_document as Json)[0] as Json;
    const content = JSON.parse(doc.content as string) as Json;
    content.parameters.BundleKey.allowedPattern = '^.*$';
    doc.content = JSON.stringify(content);
    expect(pinnedDocuments(loose)).toEqual(new Set());
    expect(findEscalations(rolePolicies(loose), emptyRoles(loose), pinnedDocuments(loose)).map((f) => `${f.sid} ${f.action}`)).toEqual(
      expect.arrayContaining(['SsmAssociationsOfStageDocument ssm:CreateAssociation', 'SsmAssociationsOfStageDocument ssm:UpdateAssociation']),
    );
    expect(documentProblem(content)).toBe('parameter BundleKey is not held to a closed allowedPattern (^.*$)');

    const anyBucket = JSON.parse((Object.values(state().resource.aws_ssm_document as Json)[0] as Json).content as string) as Json;
    const download = (anyBucket.mainSteps as Json[]).find((s) => s.action === 'aws:downloadContent') as Json;
    anyBucket.parameters.Bucket = { type: 'String', allowedPattern: '^[a-z0-9]{3,63}$' };
    download.inputs.sourceInfo = JSON.stringify({ path: 'https://{{ Bucket }}.s3.amazonaws.com/{{ BundleKey }}' });
    expect(documentProblem(anyBucket)).toBe(
      'step downloadBundle downloads from S3 https://{{ Bucket }}.s3.amazonaws.com/{{ BundleKey }}, not from a fixed S3 bucket',
    );
  });
});

/** Logical ids of the CI access's data sources in the state stack. */
function partitionId(): string {
  return Object.keys(state().data.aws_partition).find((k) => k.startsWith('ci-access')) as string;
}
function accountId(): string {
  return Object.keys(state().data.aws_caller_identity).find((k) => k.startsWith('ci-access')) as string;
}
