import { GITHUB_ENVIRONMENT, GITHUB_REPOSITORY } from '../../model/patterns';
import { soakEnvironmentName } from '../../model/stage';
import { GITHUB_LOGIN, GITHUB_TEAM_SLUG } from '../../model/patterns';
import { GITHUB_MAX_REVIEWERS, GITHUB_MAX_WAIT_TIMER_MINUTES } from '../../model/stage-schema';
import { PropsProblems } from '../core/props-validation';
import type { GithubEnvironmentsProps } from './github-environments';

/** The owner of `owner/name`. */
function ownerOf(repository: string): string {
  return repository.split('/')[0];
}

/** Check GithubEnvironmentsProps; throws once listing every problem. */
export function validateGithubEnvironmentsProps(id: string, props: GithubEnvironmentsProps): void {
  const p = new PropsProblems(`GithubEnvironments ${id}`);
  p.check(props.stages.length > 0, 'stages', [], 'at least one stage with a ci section');
  const names = props.stages.map((s) => s.name);
  p.check(new Set(names).size === names.length, 'stages', names, 'distinct stage names');
  const owners = [...new Set(props.stages.flatMap((s) => (s.ci ? [ownerOf(s.ci.githubRepository).toLowerCase()] : [])))].sort();
  p.check(owners.length <= 1, 'stages[].ci.githubRepository', owners, 'repositories of one owner (the GitHub provider manages one owner)');
  const environmentOf = new Map<string, string>();
  props.stages.forEach((s, i) => {
    const at = `stages.${i}`;
    p.check(s.ci !== undefined, `${at}.ci`, undefined, `a ci section (stage ${s.name})`);
    const ci = s.ci;
    if (!ci) return;
    p.checkFormat(GITHUB_REPOSITORY, `${at}.ci.githubRepository`, ci.githubRepository);
    const batches = s.rollout.batchPercentages.length;
    p.check(s.rollout.soakHours.length === batches, `${at}.rollout.soakHours`, s.rollout.soakHours, `one soak time per batch (${batches} values)`);
    const environments = [ci.environment, ...s.rollout.batchPercentages.map((_, n) => soakEnvironmentName(ci.environment, n + 1))];
    for (const env of environments) {
      p.checkFormat(GITHUB_ENVIRONMENT, `${at}.ci.environment (${env})`, env);
      const other = environmentOf.get(env.toLowerCase());
      p.check(other === undefined, `${at}.ci.environment`, env, `a GitHub environment no other stage uses (stage ${String(other)} has it)`);
      environmentOf.set(env.toLowerCase(), s.name);
    }
    s.rollout.soakHours.forEach((hours, n) => {
      const minutes = hours * 60;
      const env = soakEnvironmentName(ci.environment, n + 1);
      p.check(
        Number.isInteger(minutes) && minutes >= 0 && minutes <= GITHUB_MAX_WAIT_TIMER_MINUTES,
        `${at}.rollout.soakHours.${n}`,
        hours,
        `0 to ${GITHUB_MAX_WAIT_TIMER_MINUTES / 60} hours in whole minutes (the wait timer of GitHub environment ${env} would be ${minutes} minutes; GitHub allows 0 to ${GITHUB_MAX_WAIT_TIMER_MINUTES})`,
      );
    });
    const reviewers = ci.reviewers;
    if (!reviewers) return;
    const count = reviewers.teams.length + reviewers.users.length;
    p.check(
      count >= 1 && count <= GITHUB_MAX_REVIEWERS,
      `${at}.ci.reviewers`,
      reviewers,
      `1 to ${GITHUB_MAX_REVIEWERS} teams and users together (GitHub's limit)`,
    );
    reviewers.teams.forEach((t, n) => p.checkFormat(GITHUB_TEAM_SLUG, `${at}.ci.reviewers.teams.${n}`, t));
    reviewers.users.forEach((u, n) => p.checkFormat(GITHUB_LOGIN, `${at}.ci.reviewers.users.${n}`, u));
  });
  p.throwIfAny();
}
