import * as path from 'path';
import { loadConfig } from '../../model/load-config';
import type { RolloutConfig } from '../../model/stage';

/** The repository root (its ansible/ tree is what the ssm executor bundles). */
export const REPO_ROOT = path.join(__dirname, '..', '..');
/** Configuration directory of the ssm fixture: one stage, `lab`, with rollout.executor ssm. */
export const SSM_FIXTURE_DIR = path.join(__dirname, '..', 'fixtures', 'ssm');

/** The ssm fixture configuration, located at the repository root so synthesis bundles this repo's ansible/. */
export function ssmFixtureConfig(): RolloutConfig {
  return { ...loadConfig(SSM_FIXTURE_DIR), dir: REPO_ROOT };
}
