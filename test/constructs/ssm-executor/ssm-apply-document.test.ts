import { SsmDocument } from '@cdktf/provider-aws/lib/ssm-document';
import { Testing } from 'cdktf';
import { SsmApplyDocument, SsmApplyDocumentProps } from '../../../constructs/ssm-executor/ssm-apply-document';
import { ssmApplyDocument } from '../../../plan/ssm/ssm-document';

const props: SsmApplyDocumentProps = { stage: 'dev', bucketName: 'bkt', bucketRegionalDomainName: 'bkt.s3.us-east-1.amazonaws.com' };
const synth = (p: SsmApplyDocumentProps = props): string => Testing.synthScope((scope) => new SsmApplyDocument(scope, 'doc', p));

describe('SsmApplyDocument', () => {
  test('maps the pure content to one Command document named for the stage, tagged with it', () => {
    const content = ssmApplyDocument({ stage: 'dev', bucket: 'bkt', bucketRegionalDomain: 'bkt.s3.us-east-1.amazonaws.com', timeoutSeconds: 600 });
    expect(synth()).toHaveResourceWithProperties(SsmDocument, {
      name: 'observability-rollout-dev-apply',
      document_type: 'Command',
      document_format: 'JSON',
      target_type: '/AWS::EC2::Instance',
      content: JSON.stringify(content, null, 2),
      tags: { stage: 'dev' },
    });
  });

  test('the run step takes its timeout from the props', () => {
    const out = JSON.parse(synth({ ...props, timeoutSeconds: 900 })) as { resource: { aws_ssm_document: Record<string, { content: string }> } };
    const content = JSON.parse(Object.values(out.resource.aws_ssm_document)[0].content) as { mainSteps: { inputs: { timeoutSeconds?: string } }[] };
    expect(content.mainSteps[2].inputs.timeoutSeconds).toBe('900');
  });

  test('fails when the stage or the timeout is not valid, listing every problem', () => {
    expect(() => synth({ ...props, stage: 'Dev', timeoutSeconds: 5 })).toThrow(
      'SsmApplyDocument doc: 2 invalid props\n  stage: got "Dev", expected a lowercase stage name such as dev\n  timeoutSeconds: got 5, expected a whole number of seconds from 60 to 172800',
    );
  });
});
