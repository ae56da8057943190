import { STAGE_NAME } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { AgentIdentityProps } from './agent-identity';

/** Check AgentIdentityProps; throws once listing every problem. */
export function validateAgentIdentityProps(id: string, props: AgentIdentityProps): void {
  const problems = new PropsProblems(`AgentIdentity ${id}`);
  problems.checkFormat(STAGE_NAME, 'stage', props.stage);
  problems.throwIfAny();
}
