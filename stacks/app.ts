import { App } from 'cdktf';
import { STATE_STACK, stageStackNames } from '../model/names';
import type { RolloutConfig } from '../model/stage';
import type { PlaybookBundle } from '../plan/ssm/bundle';
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
 * stacks map the same plans to resources. `ssmBundles` holds the playbook
 * bundle of each stage whose executor is ssm (cli/synthesize.ts builds them).
 */
export function buildStacks(app: App, config: RolloutConfig, ssmBundles: Readonly<Record<string, PlaybookBundle>> = {}): void {
  const { plans } = assertMonitoringRules(config);
  new StateStack(app, STATE_STACK, { stages: config.stages });
  // The GitHub environments of the stages with a ci section (applied by an administrator with a GitHub token).
  if (config.stages.some((s) => s.ci !== undefined)) new GithubStack(app, GITHUB_STACK, { stages: config.stages });
  config.stages.forEach((stage, index) => {
    const [infra, obs] = stageStackNames(stage.name);
    new InfraStack(app, infra, { stage, ...(ssmBundles[stage.name] ? { ssmBundle: ssmBundles[stage.name] } : {}) });
    new ObservabilityStack(app, obs, { stage, plan: plans[index] });
  });
}
