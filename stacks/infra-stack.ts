import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentAccess } from '../constructs/agent-access/agent-access';
import { Fleet } from '../constructs/fleet/fleet';
import { addAwsProvider } from '../constructs/providers/aws-provider';
import { useStageBackend } from '../constructs/state-backend/s3-backend';
import { agentRoleName } from '../model/names';
import type { Stage } from '../model/stage';
import { stageTags } from './tags';

/** Props of a stage's AWS stack. */
export interface InfraStackProps {
  /** The stage this stack provisions. */
  readonly stage: Stage;
}

/** `<stage>-infra`: what the rollout needs in AWS (API key secret, egress, managed hosts); the agent role comes from the bootstrap stack. */
export class InfraStack extends TerraformStack {
  /** The agent's AWS access (secret, security group). */
  public readonly access: AgentAccess;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    const { stage } = props;
    useStageBackend(this, stage, 'infra');
    addAwsProvider(this, { region: stage.region, defaultTags: stageTags(stage) });
    this.access = new AgentAccess(this, 'agent-access', {
      stage: stage.name,
      vpcId: stage.network.vpcId,
      datadogSite: stage.datadog.site,
      egressCidrs: stage.network.datadogEgressCidrs,
      ...(stage.network.egressProxy ? { egressProxy: { port: stage.network.egressProxy.port, cidrs: stage.network.egressProxy.cidrs } } : {}),
    });
    new Fleet(this, 'fleet', {
      stage: stage.name,
      hosts: stage.hosts,
      amiSsmParameter: stage.fleet.amiSsmParameter,
      rootVolumeGb: stage.fleet.rootVolumeGb,
      // Created by the bootstrap stack (AgentIdentity); referenced by its fixed name.
      instanceProfileName: agentRoleName(stage.name),
      securityGroupIds: [this.access.securityGroup.id],
    });
  }
}
