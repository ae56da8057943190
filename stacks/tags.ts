import { MANAGED_BY_KEY, PRODUCT } from '../model/names';
import type { Stage } from '../model/stage';

/** Default tags of a stage's AWS resources. */
export function stageTags(stage: Stage): Record<string, string> {
  return { [MANAGED_BY_KEY]: PRODUCT, owner: stage.owner, stage: stage.name };
}

/** Default tags of the bootstrap stack's AWS resources (shared by every stage). */
export function sharedTags(owners: readonly string[]): Record<string, string> {
  return { [MANAGED_BY_KEY]: PRODUCT, owner: [...owners].sort().join('+'), stage: 'shared' };
}
