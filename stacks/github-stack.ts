import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { GithubEnvironments } from '../constructs/github-environments/github-environments';
import { addGithubProvider } from '../constructs/github-environments/github-provider';
import { useS3Backend } from '../constructs/state-backend/s3-backend';
import { BOOTSTRAP_KEY_PREFIX } from '../model/names';
import type { Stage } from '../model/stage';

/** Name of the stack of the GitHub environments. */
export const GITHUB_STACK = 'github';

/** State key of the `github` stack, beside the bootstrap stack's own state. */
export const GITHUB_STATE_KEY = `${BOOTSTRAP_KEY_PREFIX}/github.tfstate`;

/** Props of the `github` stack. */
export interface GithubStackProps {
  /** Every stage; the stack manages the GitHub environments of those with a `ci` section (at least one). */
  readonly stages: readonly Stage[];
}

/**
 * `github`: the GitHub environments the deploy workflows run in, their
 * branch policies, wait timers and required reviewers
 * (constructs/github-environments). Applied only by an administrator with a
 * GitHub token in `GITHUB_TOKEN` (never in a file, a variable or a default:
 * the provider reads the environment) and AWS credentials for its state. It
 * holds no AWS resource, and no CI role can read or write its state: the
 * deploy and plan roles reach only `<keyPrefix>/` of their stages.
 *
 * Its state lives beside the bootstrap stack's: in the first state bucket by
 * name, locked like the stages of that bucket, the way the `state` stack
 * keeps `bootstrap/state.tfstate` (stacks/state-stack.ts).
 */
export class GithubStack extends TerraformStack {
  public readonly environments: GithubEnvironments;

  constructor(scope: Construct, id: string, props: GithubStackProps) {
    super(scope, id);
    const ci = props.stages.filter((s) => s.ci !== undefined);
    if (ci.length === 0)
      throw new Error(`GithubStack ${id}: stages: got no stage with a ci section, expected at least one (buildStacks adds this stack only then)`);
    // A stage whose key prefix is `bootstrap` would give its CI roles this stack's state.
    for (const s of props.stages) {
      if (GITHUB_STATE_KEY.startsWith(`${s.state.keyPrefix}/`)) {
        throw new Error(
          `GithubStack ${id}: stage ${s.name} state.keyPrefix: got ${s.state.keyPrefix}, expected a prefix that does not contain ${GITHUB_STATE_KEY}`,
        );
      }
    }
    addGithubProvider(this, { repositories: [...new Set(ci.map((s) => s.ci?.githubRepository ?? ''))].sort() });
    this.environments = new GithubEnvironments(this, 'environments', { stages: ci });

    const home = [...props.stages].sort((a, b) => (a.state.bucket < b.state.bucket ? -1 : a.state.bucket > b.state.bucket ? 1 : 0))[0].state;
    const regions = [...new Set(props.stages.map((s) => s.region))].sort();
    if (regions.length !== 1) throw new Error(`GithubStack ${id}: stages[].region: got ${JSON.stringify(regions)}, expected one region for all state buckets`);
    useS3Backend(this, {
      bucket: home.bucket,
      key: GITHUB_STATE_KEY,
      region: regions[0],
      locking: home.locking,
      ...(home.lockTable !== undefined ? { lockTable: home.lockTable } : {}),
      ...(home.kmsKeyId !== undefined ? { kmsKeyId: home.kmsKeyId } : {}),
    });
  }
}
