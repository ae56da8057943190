import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { agentRoleName } from '../../model/names';
import { validateAgentIdentityProps } from './validate-agent-identity-props';

/** Props of the IAM identity a stage's hosts run as. */
export interface AgentIdentityProps {
  /** Stage name; part of the role and instance profile name. */
  readonly stage: string;
}

/**
 * The instance role and profile of a stage's managed hosts
 * (`observability-rollout-<stage>-agent`). It lives in the bootstrap `state`
 * stack, which only administrators apply, so no CI role ever creates or
 * changes IAM: the deploy roles may only pass this exact role to EC2.
 *
 * The role holds no permissions. The hosts never read the Datadog API key
 * from AWS: the Ansible controller reads it (the `amazon.aws.aws_secret`
 * lookup runs on the controller, not on the host) and writes it into
 * datadog.yaml, so passing this role to an instance grants nothing
 * (docs/security.md).
 */
export class AgentIdentity extends Construct {
  /** Role the instance profile carries (trusts EC2 only, no policies). */
  public readonly role: IamRole;
  /** Instance profile of the stage's managed hosts. */
  public readonly instanceProfile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: AgentIdentityProps) {
    super(scope, id);
    validateAgentIdentityProps(id, props);
    const name = agentRoleName(props.stage);
    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] }],
    });
    this.role = new IamRole(this, 'role', {
      name,
      description: `Hosts of stage ${props.stage}: no AWS permissions (the API key reaches them through the Ansible controller).`,
      assumeRolePolicy: assume.json,
      tags: { stage: props.stage },
    });
    this.instanceProfile = new IamInstanceProfile(this, 'profile', { name, role: this.role.name, tags: { stage: props.stage } });
  }
}
