import { IPV4_CIDR, STAGE_NAME, VPC_ID } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { AgentAccessProps } from './agent-access';

/** Check AgentAccessProps; throws once listing every problem. */
export function validateAgentAccessProps(id: string, props: AgentAccessProps): void {
  const p = new PropsProblems(`AgentAccess ${id}`);
  p.checkFormat(STAGE_NAME, 'stage', props.stage);
  p.checkFormat(VPC_ID, 'vpcId', props.vpcId);
  p.check(props.egressCidrs.length > 0, 'egressCidrs', props.egressCidrs, 'at least one CIDR');
  props.egressCidrs.forEach((cidr, index) => p.checkFormat(IPV4_CIDR, `egressCidrs.${index}`, cidr));
  p.check(new Set(props.egressCidrs).size === props.egressCidrs.length, 'egressCidrs', props.egressCidrs, 'no duplicates');
  if (props.egressProxy) {
    const { port, cidrs } = props.egressProxy;
    p.check(Number.isInteger(port) && port >= 1 && port <= 65535, 'egressProxy.port', port, 'a TCP port from 1 to 65535');
    p.check(cidrs.length > 0, 'egressProxy.cidrs', cidrs, 'at least one CIDR');
    cidrs.forEach((cidr, index) => p.checkFormat(IPV4_CIDR, `egressProxy.cidrs.${index}`, cidr));
  }
  p.throwIfAny();
}
