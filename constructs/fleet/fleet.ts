import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { Host } from '../../model/stage';
import { validateFleetProps } from './validate-fleet-props';

/** Name of the output that maps each managed host to its private address. */
export const HOST_ADDRESSES_OUTPUT = 'host_addresses';

/** Props of the EC2 hosts a stage's infra stack creates. */
export interface FleetProps {
  /** Stage name (instance name tags). */
  readonly stage: string;
  /** The stage's hosts; only those with `managed: true` are created. */
  readonly hosts: readonly Host[];
  /** SSM parameter holding the AMI id (the stage model defaults it to Debian 12). */
  readonly amiSsmParameter: string;
  /** Root volume size in GiB (the stage model defaults it to 20). */
  readonly rootVolumeGb: number;
  /** Instance profile the hosts run with. */
  readonly instanceProfileName: string;
  /** Security groups attached to every host. */
  readonly securityGroupIds: readonly string[];
  /** Extra instance tags by host name (the SSM executor's batch and host tags).
   * @default - none */
  readonly instanceTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Let the hosts read their own tags from the instance metadata service (the SSM playbook finds its host by tag).
   * @default false */
  readonly instanceMetadataTags?: boolean;
}

/**
 * EC2 instances for the stage's managed hosts (IMDSv2 only, encrypted root
 * volume), and the `host_addresses` output the inventory reads.
 */
export class Fleet extends Construct {
  /** Instances by host name. */
  public readonly instances: Readonly<Record<string, Instance>>;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    validateFleetProps(id, props);
    const managed = props.hosts.filter((h) => h.managed).sort((a, b) => (a.name < b.name ? -1 : 1));
    const instances: Record<string, Instance> = {};
    if (managed.length > 0) {
      const ami = new DataAwsSsmParameter(this, 'ami', { name: props.amiSsmParameter });
      for (const h of managed) {
        instances[h.name] = new Instance(this, h.name, {
          ami: ami.value,
          instanceType: h.instanceType as string,
          subnetId: h.subnetId as string,
          iamInstanceProfile: props.instanceProfileName,
          vpcSecurityGroupIds: [...props.securityGroupIds],
          metadataOptions: {
            httpTokens: 'required',
            httpEndpoint: 'enabled',
            httpPutResponseHopLimit: 1,
            ...(props.instanceMetadataTags ? { instanceMetadataTags: 'enabled' } : {}),
          },
          rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: props.rootVolumeGb },
          monitoring: true,
          tags: {
            Name: h.name,
            service: h.service,
            team: h.team,
            criticality: h.criticality,
            ...h.tags,
            ...(props.instanceTags?.[h.name] ?? {}),
          },
          // A newer AMI in SSM must not replace running hosts; rebuilds are deliberate.
          lifecycle: { ignoreChanges: ['ami'] },
        });
      }
    }
    this.instances = instances;
    const out = new TerraformOutput(this, 'addresses', {
      description: 'Private IPv4 address of each host this stack creates, by host name (read by `rollout inventory --outputs`).',
      value: Object.fromEntries(Object.entries(instances).map(([name, inst]) => [name, inst.privateIp])),
    });
    out.overrideLogicalId(HOST_ADDRESSES_OUTPUT);
  }
}
