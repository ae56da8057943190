import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Testing } from 'cdktf';
import { AgentAccess, AgentAccessProps } from '../../../constructs/agent-access/agent-access';

const props: AgentAccessProps = { stage: 'dev', vpcId: 'vpc-0123abcd', datadogSite: 'us5.datadoghq.com', egressCidrs: ['0.0.0.0/0'] };
const synth = (p: AgentAccessProps = props): string => Testing.synthScope((scope) => new AgentAccess(scope, 'access', p));

describe('AgentAccess', () => {
  test('creates the API key secret without any value', () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(SecretsmanagerSecret, { name: 'observability-rollout/dev/datadog-api-key', recovery_window_in_days: 30 });
    const json = JSON.parse(out);
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    expect(out).not.toMatch(/secret_string/);
  });

  test('holds no IAM: the instance role and profile come from the bootstrap stack (AgentIdentity)', () => {
    const json = JSON.parse(synth());
    expect(Object.keys(json.resource).sort()).toEqual(['aws_secretsmanager_secret', 'aws_security_group', 'aws_vpc_security_group_egress_rule']);
    expect(json.data).toBeUndefined();
  });

  test('the security group allows only TCP 443 egress to the configured destinations', () => {
    const out = synth({ ...props, egressCidrs: ['198.51.100.0/24', '203.0.113.0/24'] });
    expect(out).toHaveResourceWithProperties(SecurityGroup, { vpc_id: 'vpc-0123abcd' });
    const rules = Object.values(JSON.parse(out).resource.aws_vpc_security_group_egress_rule) as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([
      ['tcp', 443, 443, '198.51.100.0/24'],
      ['tcp', 443, 443, '203.0.113.0/24'],
    ]);
    expect(out).toHaveResourceWithProperties(VpcSecurityGroupEgressRule, { description: 'HTTPS to Datadog (us5.datadoghq.com)' });
    expect(JSON.parse(out).resource.aws_vpc_security_group_ingress_rule).toBeUndefined();
  });

  test('fails when props are invalid, listing every problem at once', () => {
    expect(() => synth({ ...props, stage: 'Dev', vpcId: 'vpc-x', egressCidrs: ['10.0.0.0', '10.0.0.0'] })).toThrow(
      /AgentAccess access: 5 invalid props\n {2}stage: got "Dev".*\n {2}vpcId: got "vpc-x".*\n {2}egressCidrs.0: got "10.0.0.0", expected an IPv4 CIDR such as 203.0.113.0\/24 \(octets 0-255, prefix 0-32\)\n {2}egressCidrs.1: .*\n {2}egressCidrs: got \["10.0.0.0","10.0.0.0"\], expected no duplicates/,
    );
  });

  test('with an egress proxy the security group allows only the proxy, on its port', () => {
    const out = synth({ ...props, egressCidrs: ['203.0.113.0/24'], egressProxy: { port: 3128, cidrs: ['10.0.9.10/32', '10.0.9.11/32'] } });
    const rules = Object.values(JSON.parse(out).resource.aws_vpc_security_group_egress_rule) as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4])).toEqual([
      ['tcp', 3128, 3128, '10.0.9.10/32'],
      ['tcp', 3128, 3128, '10.0.9.11/32'],
    ]);
    expect(out).toHaveResourceWithProperties(SecurityGroup, { description: 'Datadog Agent and package egress through the proxy on 3128' });
  });

  test('fails when the proxy port or addresses are invalid', () => {
    expect(() => synth({ ...props, egressProxy: { port: 0, cidrs: [] } })).toThrow(
      /AgentAccess access: 2 invalid props\n {2}egressProxy\.port: got 0, expected a TCP port from 1 to 65535\n {2}egressProxy\.cidrs: got \[\], expected at least one CIDR$/,
    );
  });
});
