import type { Stage } from '../model/stage';

/** Value of the `managed-by` default tag on every AWS resource. */
export const MANAGED_BY = 'observability-rollout';

/** Default tags of a stage's AWS resources. */
export function stageTags(stage: Stage): Record<string, string> {
  return { 'managed-by': MANAGED_BY, owner: stage.owner, stage: stage.name };
}
