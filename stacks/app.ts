import { App } from 'cdktf';
import { STATE_STACK, stageStackNames } from '../model/names';
import type { RolloutConfig } from '../model/stage';
import { assertMonitoringRules } from '../policy/rule-pack';
import { GITHUB_STACK, GithubStack } from './github-stack';
import { InfraStack } from './infra-stack';
import { ObservabilityStack } from './observability-stack';
import { StateStack } from './state-stack';

/**
 * Add every stack of the configuration to `app`: `state`, `github` (when a
 * stage has a `ci` section), then per stage infra and observability. The
 * monitoring plan is built once per stage and judged by the rule pack over
 * every stage first (one error lists every violation); the observability
 * stacks map the same plans to resources.
 */
export function buildStacks(app: App, config: RolloutConfig): void {
  const { plans } = assertMonitoringRules(config);
  new StateStack(app, STATE_STACK, { stages: config.stages });
  // The GitHub environments of the stages with a ci section (applied by an administrator with a GitHub token).
  if (config.stages.some((s) => s.ci !== undefined)) new GithubStack(app, GITHUB_STACK, { stages: config.stages });
  config.stages.forEach((stage, index) => {
    const [infra, obs] = stageStackNames(stage.name);
    new InfraStack(app, infra, { stage });
    new ObservabilityStack(app, obs, { stage, plan: plans[index] });
  });
}
