import { PropsProblems } from '../core/props-validation';
import type { AgentAccessProps } from './agent-access';

/** Check AgentAccessProps; throws once listing every problem. */
export function validateAgentAccessProps(id: string, props: AgentAccessProps): void {
  const p = new PropsProblems(`AgentAccess ${id}`);
  p.check(/^[a-z][a-z0-9]{1,15}$/.test(props.stage), 'stage', props.stage, 'a lowercase stage name');
  p.check(/^vpc-[0-9a-f]{8,17}$/.test(props.vpcId), 'vpcId', props.vpcId, 'a VPC id such as vpc-0123abcd');
  p.check(props.egressCidrs.length > 0, 'egressCidrs', props.egressCidrs, 'at least one CIDR');
  props.egressCidrs.forEach((c, i) =>
    p.check(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(c), `egressCidrs.${i}`, c, 'an IPv4 CIDR'),
  );
  p.check(new Set(props.egressCidrs).size === props.egressCidrs.length, 'egressCidrs', props.egressCidrs, 'no duplicates');
  p.throwIfAny();
}
