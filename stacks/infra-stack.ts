import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AgentAccess } from '../constructs/agent-access/agent-access';
import { Fleet } from '../constructs/fleet/fleet';
import { SsmExecutor } from '../constructs/ssm-executor/ssm-executor';
import { addAwsProvider } from '../constructs/providers/aws-provider';
import { useStageBackend } from '../constructs/state-backend/s3-backend';
import { agentRoleName, ssmBucketName } from '../model/names';
import type { Stage } from '../model/stage';
import type { PlaybookBundle } from '../plan/ssm/bundle';
import { planSsmExecutor, type SsmPlan } from '../plan/ssm/ssm-plan';
import { stageTags } from './tags';

/** Props of a stage's AWS stack. */
export interface InfraStackProps {
  /** The stage this stack provisions. */
  readonly stage: Stage;
  /** The playbook bundle State Manager runs (`rollout synth` builds it from ansible/ and the stage's inventory); required when the stage's executor is ssm.
   * @default - none (executor ansible) */
  readonly ssmBundle?: PlaybookBundle;
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
    const ssm = stage.rollout.executor === 'ssm' ? this.ssmPlan(id, stage, props.ssmBundle) : undefined;
    new Fleet(this, 'fleet', {
      stage: stage.name,
      hosts: stage.hosts,
      amiSsmParameter: stage.fleet.amiSsmParameter,
      rootVolumeGb: stage.fleet.rootVolumeGb,
      // Created by the bootstrap stack (AgentIdentity); referenced by its fixed name.
      instanceProfileName: agentRoleName(stage.name),
      securityGroupIds: [this.access.securityGroup.id],
      ...(ssm ? { instanceTags: Object.fromEntries(ssm.plan.hostTags.map((h) => [h.host, h.tags])), instanceMetadataTags: true } : {}),
    });
    if (ssm) new SsmExecutor(this, 'ssm', { stage: stage.name, plan: ssm.plan, bundle: ssm.bundle, bucketName: ssm.bucketName, region: stage.region });
  }

  /** The SSM executor's plan, bucket and bundle (the bucket is the bootstrap stack's, named by account). */
  private ssmPlan(id: string, stage: Stage, bundle: PlaybookBundle | undefined): { plan: SsmPlan; bucketName: string; bundle: PlaybookBundle } {
    if (bundle === undefined) {
      throw new Error(
        `InfraStack ${id}: ssmBundle: got nothing, expected the playbook bundle (stage ${stage.name} uses rollout.executor ssm; rollout synth builds it)`,
      );
    }
    const bucketName = ssmBucketName(stage.name, new DataAwsCallerIdentity(this, 'account').accountId);
    const plan = planSsmExecutor(stage, { key: bundle.key });
    return { plan, bucketName, bundle };
  }
}
