import { GithubProvider } from '@cdktf/provider-github/lib/provider';
import { Construct } from 'constructs';
import { GITHUB_REPOSITORY } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';

/** Props of the GitHub provider of the `github` stack. */
export interface GithubProviderProps {
  /** The `owner/name` repositories the stack manages environments of; one owner for all. */
  readonly repositories: readonly string[];
}

/**
 * The GitHub provider for the owner of `props.repositories` (an
 * organization, for team reviewers). It has no `token` argument on purpose:
 * the provider then reads the `GITHUB_TOKEN` environment variable at plan and
 * apply time, so no token ever reaches a synthesized file, a variable default
 * or a state file. Without a token it runs anonymously and fails on the first
 * write. Source: integrations/github provider docs, "Argument Reference"
 * (`token`, `owner`; https://registry.terraform.io/providers/integrations/github/6.9.0/docs).
 * Note from the same page: `GITHUB_OWNER` / `GITHUB_ORGANIZATION`, when set,
 * take precedence over `owner`; the administrator leaves them unset.
 */
export function addGithubProvider(scope: Construct, props: GithubProviderProps): GithubProvider {
  const p = new PropsProblems('GithubProvider');
  p.check(props.repositories.length > 0, 'repositories', [], 'at least one repository');
  props.repositories.forEach((r, i) => p.checkFormat(GITHUB_REPOSITORY, `repositories.${i}`, r));
  const owners = [...new Set(props.repositories.map((r) => r.split('/')[0]))];
  // GitHub owner names are case-insensitive: Acme/x and acme/y are one owner.
  p.check(new Set(owners.map((o) => o.toLowerCase())).size <= 1, 'repositories', owners.sort(), 'repositories of one owner');
  p.throwIfAny();
  return new GithubProvider(scope, 'github', { owner: owners[0] });
}
