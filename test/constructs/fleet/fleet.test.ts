import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { Testing } from 'cdktf';
import { Fleet, FleetProps } from '../../../constructs/fleet/fleet';
import type { Host } from '../../../model/stage';

const managed: Host = {
  name: 'dev-web-01',
  service: 'web',
  team: 'storefront',
  criticality: 'low',
  managed: true,
  instanceType: 't3.small',
  subnetId: 'subnet-0000000a',
  tags: { tier: 'frontend' },
};
const existing: Host = { name: 'dev-db-01', service: 'db', team: 'platform', criticality: 'critical', managed: false, address: '10.0.0.9', tags: {} };
const props: FleetProps = {
  stage: 'dev',
  hosts: [managed, existing],
  amiSsmParameter: '/aws/service/debian/release/bookworm/latest/amd64',
  rootVolumeGb: 20,
  instanceProfileName: 'profile',
  securityGroupIds: ['sg-1'],
};
const synth = (p: FleetProps = props): string => Testing.synthScope((scope) => new Fleet(scope, 'fleet', p));

describe('Fleet', () => {
  test('creates one hardened instance per managed host and none for existing hosts', () => {
    const out = synth();
    const instances = JSON.parse(out).resource.aws_instance as Record<string, Record<string, unknown>>;
    expect(Object.keys(instances)).toHaveLength(1);
    expect(out).toHaveResourceWithProperties(Instance, {
      instance_type: 't3.small',
      subnet_id: 'subnet-0000000a',
      iam_instance_profile: 'profile',
      metadata_options: { http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 },
      root_block_device: { encrypted: true, volume_type: 'gp3', volume_size: 20 },
      tags: { Name: 'dev-web-01', service: 'web', team: 'storefront', criticality: 'low', tier: 'frontend' },
      lifecycle: { ignore_changes: ['ami'] },
    });
    expect(out).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: '/aws/service/debian/release/bookworm/latest/amd64' });
  });

  test('declares the host_addresses output read by the inventory', () => {
    const json = JSON.parse(synth());
    expect(Object.keys(json.output)).toEqual(['host_addresses']);
    expect(json.output.host_addresses.value).toEqual({ 'dev-web-01': expect.stringMatching(/^\$\{aws_instance\.fleet_dev-web-01_[0-9A-F]+\.private_ip\}$/) });
  });

  test('with no managed hosts, the output is an empty map and no AMI is looked up', () => {
    const json = JSON.parse(synth({ ...props, hosts: [existing] }));
    expect(json.output.host_addresses.value).toEqual({});
    expect(json.data).toBeUndefined();
  });

  test('fails when a managed host lacks an instance type or subnet', () => {
    const bad: Host = { ...managed, instanceType: undefined, subnetId: undefined };
    expect(() => synth({ ...props, hosts: [bad], securityGroupIds: [] })).toThrow(
      'Fleet fleet: 3 invalid props\n  securityGroupIds: got [], expected at least one security group\n  hosts.0.instanceType: got missing, expected an instance type for a managed host\n  hosts.0.subnetId: got missing, expected a subnet for a managed host',
    );
  });

  test('with the SSM executor, managed instances carry their batch and host tags and expose tags to the metadata service', () => {
    const out = synth({ ...props, instanceTags: { 'dev-web-01': { 'rollout-batch': 'dev-1', 'rollout-host': 'dev-web-01' } }, instanceMetadataTags: true });
    expect(out).toHaveResourceWithProperties(Instance, {
      metadata_options: { http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1, instance_metadata_tags: 'enabled' },
      tags: {
        Name: 'dev-web-01',
        service: 'web',
        team: 'storefront',
        criticality: 'low',
        tier: 'frontend',
        'rollout-batch': 'dev-1',
        'rollout-host': 'dev-web-01',
      },
    });
    const plain = Object.values(JSON.parse(synth()).resource.aws_instance as Record<string, Record<string, Record<string, unknown>>>)[0];
    expect(plain.metadata_options.instance_metadata_tags).toBeUndefined();
  });
});
