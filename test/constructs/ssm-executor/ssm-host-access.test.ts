import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { Testing } from 'cdktf';
import { SsmHostAccess, SsmHostAccessProps } from '../../../constructs/ssm-executor/ssm-host-access';
import { ssmApplyDocument } from '../../../plan/ssm/ssm-document';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AGENT_ARN = 'arn:aws:iam::123456789012:role/observability-rollout-dev-agent';
const props: SsmHostAccessProps = {
  stage: 'dev',
  region: 'us-east-1',
  roleName: 'observability-rollout-dev-agent',
  roleArn: AGENT_ARN,
  readerRoles: ['ci/observability-rollout-ci-dev-deploy', 'ci/observability-rollout-ci-plan'],
};
const synth = (p: SsmHostAccessProps = props): Json => JSON.parse(Testing.synthScope((scope) => new SsmHostAccess(scope, 'ssm', p))) as Json;

const BUCKET = '${aws_s3_bucket.ssm_bucket_F6D4A8C6.arn}';
/** Everything a stage's hosts may do beyond AmazonSSMManagedInstanceCore: action -> the one resource it may touch. */
const ALLOWED: Record<string, string> = {
  's3:GetObject': `${BUCKET}/bundles/*`,
  's3:ListBucket': BUCKET,
  's3:PutObject': `${BUCKET}/output/*`,
  's3:GetEncryptionConfiguration': BUCKET,
  'secretsmanager:GetSecretValue':
    'arn:${data.aws_partition.ssm_partition_4B2B3C1A.partition}:secretsmanager:us-east-1:${data.aws_caller_identity.ssm_account_5E7D2F0B.account_id}:secret:observability-rollout/dev/datadog-api-key-??????',
};

/** Allow statements that grant more than ALLOWED (another action, another resource, a wildcard, NotAction/NotResource). */
function widenings(statements: Json[], allowed: Record<string, string>): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    if (s.not_actions || s.not_resources) out.push(`${s.sid}: NotAction/NotResource`);
    for (const action of s.actions ?? []) {
      for (const resource of s.resources ?? []) if (allowed[action] !== resource) out.push(`${s.sid}: ${action} on ${resource}`);
    }
  }
  return out;
}

/** The inline host policy's statements, with the synthesized ids of the data sources made comparable. */
function hostStatements(json: Json): Json[] {
  const doc = json.data.aws_iam_policy_document as Json;
  const key = Object.keys(doc).find((k) => k.includes('host-permissions'));
  return doc[key as string].statement as Json[];
}

/** `text` with each Terraform logical id suffix (`_0123ABCD`) replaced by the one ALLOWED uses for that resource. */
function normalized(statements: Json[], json: Json): Json[] {
  const bucket = Object.keys(json.resource.aws_s3_bucket)[0];
  const partition = Object.keys(json.data.aws_partition)[0];
  const account = Object.keys(json.data.aws_caller_identity)[0];
  const text = JSON.stringify(statements)
    .split(bucket)
    .join('ssm_bucket_F6D4A8C6')
    .split(partition)
    .join('ssm_partition_4B2B3C1A')
    .split(account)
    .join('ssm_account_5E7D2F0B');
  return JSON.parse(text) as Json[];
}

describe('SsmHostAccess', () => {
  test('the instance role gets AmazonSSMManagedInstanceCore and one inline policy, nothing else', () => {
    const json = synth();
    const out = JSON.stringify(json);
    expect(out).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      role: 'observability-rollout-dev-agent',
      policy_arn: 'arn:${data.aws_partition.ssm_partition_4B2B3C1A.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore'.replace(
        'ssm_partition_4B2B3C1A',
        Object.keys(json.data.aws_partition)[0],
      ),
    });
    expect(Object.keys(json.resource.aws_iam_role_policy_attachment)).toHaveLength(1);
    expect(Object.keys(json.resource.aws_iam_role_policy)).toHaveLength(1);
  });

  test('the inline policy reads only bundles/, writes only output/ and reads only the stage API key', () => {
    const json = synth();
    const statements = normalized(hostStatements(json), json);
    expect(statements.map((s) => s.sid)).toEqual(['ReadPlaybookBundles', 'ListPlaybookBundles', 'WriteRunOutput', 'ReadBucketEncryption', 'ReadStageApiKey']);
    expect(widenings(statements, ALLOWED)).toEqual([]);
    // Listing (which aws:downloadContent does before it downloads) only under bundles/.
    expect(statements[1].condition).toEqual([{ test: 'StringLike', variable: 's3:prefix', values: ['bundles/*'] }]);
  });

  test('the bucket policy lets only the hosts, the deploy role and the plan role read bundles', () => {
    const json = synth();
    const doc = Object.entries(json.data.aws_iam_policy_document as Json).find(([k]) => k.includes('tls-only'))?.[1] as Json;
    const deny = normalized(doc.statement as Json[], json).find((s) => s.sid === 'OnlyStageReadsBundles') as Json;
    expect(deny).toMatchObject({ effect: 'Deny', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${BUCKET}/bundles/*`] });
    expect(deny.principals).toEqual([{ type: '*', identifiers: ['*'] }]);
    expect(deny.condition).toEqual([
      {
        test: 'ArnNotEquals',
        variable: 'aws:PrincipalArn',
        values: [
          AGENT_ARN,
          'arn:${data.aws_partition.ssm_partition_4B2B3C1A.partition}:iam::${data.aws_caller_identity.ssm_account_5E7D2F0B.account_id}:role/ci/observability-rollout-ci-dev-deploy',
          'arn:${data.aws_partition.ssm_partition_4B2B3C1A.partition}:iam::${data.aws_caller_identity.ssm_account_5E7D2F0B.account_id}:role/ci/observability-rollout-ci-plan',
        ],
      },
    ]);
  });

  test('the stage document is created here, named for the stage, tagged with it, its content the pure function of plan/ssm/ssm-document.ts', () => {
    const json = synth();
    const documents = Object.values(json.resource.aws_ssm_document as Json) as Json[];
    expect(documents.map((d) => [d.name, d.document_type, d.document_format, d.target_type, d.tags])).toEqual([
      ['observability-rollout-dev-apply', 'Command', 'JSON', '/AWS::EC2::Instance', { stage: 'dev' }],
    ]);
    const bucket = Object.keys(json.resource.aws_s3_bucket)[0];
    const content = JSON.parse(documents[0].content as string) as Json;
    expect(content).toEqual(
      ssmApplyDocument({
        stage: 'dev',
        bucket: `\${aws_s3_bucket.${bucket}.bucket}`,
        bucketRegionalDomain: `\${aws_s3_bucket.${bucket}.bucket_regional_domain_name}`,
        timeoutSeconds: 600,
      }),
    );
  });

  test('fails when the policy is widened: the check catches a wider resource, another action and a wildcard', () => {
    const json = synth();
    const statements = normalized(hostStatements(json), json);
    const widened = [
      { ...statements[0], resources: [`${BUCKET}/*`] },
      { ...statements[2], actions: ['s3:PutObject', 's3:DeleteObject'] },
      { ...statements[4], resources: ['*'] },
      { sid: 'Extra', effect: 'Allow', actions: ['ssm:SendCommand'], resources: ['*'] },
      { sid: 'Inverse', effect: 'Allow', not_actions: ['iam:*'], resources: ['*'] },
    ];
    expect(widenings(widened, ALLOWED)).toEqual([
      `ReadPlaybookBundles: s3:GetObject on ${BUCKET}/*`,
      `WriteRunOutput: s3:DeleteObject on ${BUCKET}/output/*`,
      'ReadStageApiKey: secretsmanager:GetSecretValue on *',
      'Extra: ssm:SendCommand on *',
      'Inverse: NotAction/NotResource',
    ]);
  });

  test('the bucket is named for stage and account, never public, SSE-S3, TLS only, output expiring', () => {
    const json = synth();
    const bucket = Object.values(json.resource.aws_s3_bucket)[0] as Json;
    expect(bucket.bucket).toMatch(/^observability-rollout-dev-ssm-\$\{data\.aws_caller_identity\.[^.]+\.account_id\}$/);
    expect(JSON.stringify(json)).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const sse = Object.values(json.resource.aws_s3_bucket_server_side_encryption_configuration)[0] as Json;
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    const lifecycle = Object.values(json.resource.aws_s3_bucket_lifecycle_configuration)[0] as Json;
    expect(lifecycle.rule[0]).toMatchObject({ filter: [{ prefix: 'output/' }], expiration: [{ days: 90 }] });
    const policies = Object.entries(json.data.aws_iam_policy_document as Json).filter(([k]) => k.includes('tls-only'));
    expect((policies[0][1] as Json).statement[0]).toMatchObject({ effect: 'Deny', condition: [{ variable: 'aws:SecureTransport', values: ['false'] }] });
  });

  test('fails when stage, region or retention are not valid, listing every problem', () => {
    expect(() => synth({ stage: 'Dev', region: 'mars-1', roleName: 'r', roleArn: AGENT_ARN, outputRetentionDays: 0 })).toThrow(
      'SsmHostAccess ssm: 3 invalid props\n  stage: got "Dev", expected a lowercase stage name such as dev\n  region: got "mars-1", expected an AWS region such as us-east-1\n  outputRetentionDays: got 0, expected a whole number of days >= 1',
    );
  });
});
