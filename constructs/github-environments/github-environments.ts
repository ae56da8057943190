/**
 * The GitHub environments the deploy workflows run in, as code: per stage with
 * a `ci` section, `<environment>` (infra and batch 1) and
 * `<environment>-soak-<n>` for n = 1..batches (batch n+1 after the gate of
 * batch n; the last one holds the final gate), see
 * .github/workflows/_deploy-stage.yml.
 *
 * Every environment admits deployments from branch `main` only (a custom
 * branch policy with one `branch_pattern`); a soak environment's wait timer
 * is the soak of its batch in minutes; stages that name reviewers get them
 * (ids resolved by `data "github_team"` / `data "github_user"`) on every one
 * of their environments, with self-review prevented.
 *
 * Sources:
 * - Terraform provider integrations/github 6.9.0, resources
 *   `github_repository_environment` (`wait_timer`, `reviewers { teams, users }`,
 *   `prevent_self_review`, `deployment_branch_policy { protected_branches,
 *   custom_branch_policies }`) and `github_repository_environment_deployment_policy`
 *   (`branch_pattern`), data sources `github_team` (`slug`, `summary_only`;
 *   attribute `id`) and `github_user` (`username`; attribute `id`):
 *   https://registry.terraform.io/providers/integrations/github/6.9.0/docs/resources/repository_environment,
 *   .../resources/repository_environment_deployment_policy, .../data-sources/team, .../data-sources/user.
 * - GitHub Docs, "Deployments and environments"
 *   (https://docs.github.com/actions/reference/deployments-and-environments):
 *   required reviewers (up to six users or teams, one approval suffices,
 *   optional prevention of self-review), wait timer (whole minutes, 0 to
 *   43,200 = 30 days), deployment branches ("Selected branches and tags" with
 *   name patterns), and environment secrets (a job sees them only once every
 *   protection rule passed).
 * - GitHub REST API, "Create or update an environment"
 *   (https://docs.github.com/rest/deployments/environments#create-or-update-an-environment):
 *   `wait_timer` is an integer between 0 and 43200.
 */
import { DataGithubTeam } from '@cdktf/provider-github/lib/data-github-team';
import { DataGithubUser } from '@cdktf/provider-github/lib/data-github-user';
import { RepositoryEnvironment } from '@cdktf/provider-github/lib/repository-environment';
import { RepositoryEnvironmentDeploymentPolicy } from '@cdktf/provider-github/lib/repository-environment-deployment-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { soakEnvironmentName, type CiReviewers, type Stage } from '../../model/stage';
import { validateGithubEnvironmentsProps } from './validate-github-environments-props';

/** The only branch that may deploy to any environment of this tool. */
export const DEPLOY_BRANCH = 'main';

/** Props of the GitHub environments of the stages. */
export interface GithubEnvironmentsProps {
  /** Stages with a `ci` section (at least one); all in repositories of one owner. */
  readonly stages: readonly Stage[];
}

/** One environment of a stage, as plain data (what the construct maps to resources). */
export interface PlannedEnvironment {
  /** Stage the environment gates. */
  readonly stage: string;
  /** Repository name, without the owner. */
  readonly repository: string;
  /** Environment name: `<ci.environment>` or `<ci.environment>-soak-<n>`. */
  readonly name: string;
  /** Wait timer in minutes (soak environments only): `soakHours[n-1] × 60`. */
  readonly waitTimer?: number;
  /** Required reviewers (stages that name some). */
  readonly reviewers?: CiReviewers;
}

/** `owner/name` -> `name`. */
export function repositoryName(repository: string): string {
  return repository.slice(repository.indexOf('/') + 1);
}

/** The environments of one stage with a `ci` section, in workflow order: the stage's own, then soak 1..batches. */
export function plannedEnvironments(stage: Stage): PlannedEnvironment[] {
  const ci = stage.ci;
  if (ci === undefined) return [];
  const common = { stage: stage.name, repository: repositoryName(ci.githubRepository), ...(ci.reviewers ? { reviewers: ci.reviewers } : {}) };
  return [
    { ...common, name: ci.environment },
    ...stage.rollout.batchPercentages.map((_, i) => ({
      ...common,
      name: soakEnvironmentName(ci.environment, i + 1),
      waitTimer: stage.rollout.soakHours[i] * 60,
    })),
  ];
}

/** GitHub environments with their branch policies and reviewers; ids of reviewers come from data sources. */
export class GithubEnvironments extends Construct {
  /** Environments by name. */
  public readonly environments: Readonly<Record<string, RepositoryEnvironment>>;
  /** The `main` branch policy of each environment, by environment name. */
  public readonly branchPolicies: Readonly<Record<string, RepositoryEnvironmentDeploymentPolicy>>;

  private readonly teams = new Map<string, DataGithubTeam>();
  private readonly users = new Map<string, DataGithubUser>();

  constructor(scope: Construct, id: string, props: GithubEnvironmentsProps) {
    super(scope, id);
    validateGithubEnvironmentsProps(id, props);
    const planned = [...props.stages].sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap(plannedEnvironments);
    const environments: Record<string, RepositoryEnvironment> = {};
    const branchPolicies: Record<string, RepositoryEnvironmentDeploymentPolicy> = {};
    for (const env of planned) {
      const environment = new RepositoryEnvironment(this, `environment-${env.name}`, {
        repository: env.repository,
        environment: env.name,
        ...(env.waitTimer !== undefined ? { waitTimer: env.waitTimer } : {}),
        ...(env.reviewers !== undefined ? { reviewers: [this.reviewerIds(env.reviewers)], preventSelfReview: true } : {}),
        // Selected branches only: the patterns are the deployment policies below (`main`).
        deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
      });
      environments[env.name] = environment;
      branchPolicies[env.name] = new RepositoryEnvironmentDeploymentPolicy(this, `branch-${DEPLOY_BRANCH}-${env.name}`, {
        repository: env.repository,
        // A reference, so Terraform creates the environment (with custom branch policies on) first.
        environment: environment.environment,
        branchPattern: DEPLOY_BRANCH,
      });
    }
    this.environments = environments;
    this.branchPolicies = branchPolicies;
  }

  /** The `reviewers` block: team and user ids from data sources (one per distinct slug or login). */
  private reviewerIds(reviewers: CiReviewers): { teams?: number[]; users?: number[] } {
    const teams = reviewers.teams.map((slug) => Token.asNumber(this.team(slug).id));
    const users = reviewers.users.map((login) => Token.asNumber(this.user(login).id));
    return { ...(teams.length > 0 ? { teams } : {}), ...(users.length > 0 ? { users } : {}) };
  }

  private team(slug: string): DataGithubTeam {
    const key = slug.toLowerCase();
    let team = this.teams.get(key);
    // summary_only: the id is all we need, not the team's members and repositories (fewer API calls).
    if (!team) this.teams.set(key, (team = new DataGithubTeam(this, `team-${key}`, { slug, summaryOnly: true })));
    return team;
  }

  private user(login: string): DataGithubUser {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) this.users.set(key, (user = new DataGithubUser(this, `user-${key}`, { username: login })));
    return user;
  }
}
