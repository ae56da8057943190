import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Testing } from 'cdktf';
import { AgentIdentity } from '../../../constructs/agent-access/agent-identity';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const synth = (stage = 'dev'): string => Testing.synthScope((scope) => new AgentIdentity(scope, 'agent', { stage }));

describe('AgentIdentity', () => {
  test('an instance role and profile named for the stage, that only EC2 may assume', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(IamRole, { name: 'observability-rollout-dev-agent', tags: { stage: 'dev' } });
    expect(out).toHaveResourceWithProperties(IamInstanceProfile, { name: 'observability-rollout-dev-agent' });
    const docs = Object.values(JSON.parse(out).data.aws_iam_policy_document) as Json[];
    expect(docs).toEqual([
      { statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] }] },
    ]);
  });

  test('the role holds no permissions: no inline policy, no attachment (passing it to EC2 grants nothing)', () => {
    const json = JSON.parse(synth()) as Json;
    expect(Object.keys(json.resource).sort()).toEqual(['aws_iam_instance_profile', 'aws_iam_role']);
    const role = Object.values(json.resource.aws_iam_role as Json)[0] as Json;
    expect(role.inline_policy).toBeUndefined();
    expect(role.managed_policy_arns).toBeUndefined();
  });

  test('fails when the stage is not a stage name', () => {
    expect(() => synth('Dev Stage')).toThrow(/^AgentIdentity agent: 1 invalid prop\n {2}stage: got "Dev Stage", expected a lowercase stage name such as dev$/);
  });
});
