import { App } from 'cdktf';
import { assertMonitoringRules } from '../policy/rule-pack';
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

/**
 * Add every stack of the configuration to `app`: `state`, then per stage
 * infra and observability. The monitor rule pack runs over every stage
 * first, so one error lists every violation.
 */
export function buildStacks(app: App, config: RolloutConfig): void {
  assertMonitoringRules(config);
  new StateStack(app, STATE_STACK, { stages: config.stages });
  for (const stage of config.stages) {
    const [infra, obs] = stageStackNames(stage.name);
    new InfraStack(app, infra, { stage });
    new ObservabilityStack(app, obs, { stage, monitoring: config.monitoring });
  }
}
