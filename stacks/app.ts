import { App } from 'cdktf';
import type { RolloutConfig } from '../model/stage';
import { InfraStack } from './infra-stack';
import { ObservabilityStack } from './observability-stack';
import { StateStack } from './state-stack';

/** Name of the bootstrap stack. */
export const STATE_STACK = 'state';

/** Stack names of one stage, in deploy order. */
export function stageStackNames(stage: string): [string, string] {
  return [`${stage}-infra`, `${stage}-observability`];
}

/** Add every stack of the configuration to `app`: `state`, then per stage infra and observability. */
export function buildStacks(app: App, config: RolloutConfig): void {
  new StateStack(app, STATE_STACK, { stages: config.stages });
  for (const stage of config.stages) {
    const [infra, obs] = stageStackNames(stage.name);
    new InfraStack(app, infra, { stage });
    new ObservabilityStack(app, obs, { stage });
  }
}
