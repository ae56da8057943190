import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Construct } from 'constructs';
import { validateAgentAccessProps } from './validate-agent-access-props';
import { apiKeySecretName, stageIamPrefix } from '../../model/names';

/** Props of what a host's Datadog Agent needs in AWS. */
export interface AgentAccessProps {
  /** Stage name; part of every resource name. */
  readonly stage: string;
  /** VPC of the stage's hosts, where the agent security group is created. */
  readonly vpcId: string;
  /** Datadog site the agent sends to (documentation of the egress rule). */
  readonly datadogSite: string;
  /** Destinations the agent may reach on TCP 443 (not used with egressProxy). */
  readonly egressCidrs: readonly string[];
  /** A proxy the hosts go out through: the security group then allows TCP to its addresses on its port, and nothing else.
   * @default - direct egress to egressCidrs on 443 */
  readonly egressProxy?: { readonly port: number; readonly cidrs: readonly string[] };
  /** KMS key for the API key secret.
   * @default - the AWS-managed `aws/secretsmanager` key */
  readonly secretKmsKeyId?: string;
}

/**
 * The Datadog API key secret (its value is set out of band, never in code;
 * the Ansible controller reads it, the hosts never do) and a security group
 * that lets the agent reach Datadog on 443. The hosts' instance role and
 * profile are not here: the bootstrap stack creates them (AgentIdentity),
 * so the deploy role that applies this stack needs no IAM write.
 */
export class AgentAccess extends Construct {
  /** Secret holding the Datadog API key (no value is managed here). */
  public readonly apiKeySecret: SecretsmanagerSecret;
  /** Security group allowing agent egress to Datadog. */
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: AgentAccessProps) {
    super(scope, id);
    validateAgentAccessProps(id, props);

    this.apiKeySecret = new SecretsmanagerSecret(this, 'api-key', {
      name: apiKeySecretName(props.stage),
      description: `Datadog API key used by the agents of stage ${props.stage}; value set out of band.`,
      recoveryWindowInDays: 30,
      ...(props.secretKmsKeyId !== undefined ? { kmsKeyId: props.secretKmsKeyId } : {}),
    });

    const proxy = props.egressProxy;
    this.securityGroup = new SecurityGroup(this, 'egress', {
      name: `${stageIamPrefix(props.stage)}datadog-egress`,
      description: proxy ? `Datadog Agent and package egress through the proxy on ${proxy.port}` : `Datadog Agent egress to ${props.datadogSite} on 443`,
      vpcId: props.vpcId,
    });
    if (proxy) {
      // Only the proxy: it reaches Datadog's intake and the package repositories on the hosts' behalf.
      [...proxy.cidrs].sort().forEach((cidr) => {
        new VpcSecurityGroupEgressRule(this, `egress-proxy-${proxy.port}-${cidr.replace(/[./]/g, '-')}`, {
          securityGroupId: this.securityGroup.id,
          description: `HTTP proxy to Datadog (${props.datadogSite}) and the package repositories`,
          ipProtocol: 'tcp',
          fromPort: proxy.port,
          toPort: proxy.port,
          cidrIpv4: cidr,
        });
      });
      return;
    }
    [...props.egressCidrs].sort().forEach((cidr) => {
      new VpcSecurityGroupEgressRule(this, `egress-443-${cidr.replace(/[./]/g, '-')}`, {
        securityGroupId: this.securityGroup.id,
        description: `HTTPS to Datadog (${props.datadogSite})`,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      });
    });
  }
}
