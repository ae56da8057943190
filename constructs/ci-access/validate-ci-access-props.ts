import { GITHUB_ENVIRONMENT, GITHUB_REPOSITORY } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { CiAccessProps } from './ci-access';

/** Check CiAccessProps; throws once listing every problem. */
export function validateCiAccessProps(id: string, props: CiAccessProps): void {
  const p = new PropsProblems(`CiAccess ${id}`);
  p.check(props.stages.length > 0, 'stages', [], 'at least one stage with a ci section');
  const names = props.stages.map((s) => s.name);
  p.check(new Set(names).size === names.length, 'stages', names, 'distinct stage names');
  props.stages.forEach((s, i) => {
    p.check(s.ci !== undefined, `stages.${i}.ci`, undefined, `a ci section (stage ${s.name})`);
    if (!s.ci) return;
    p.checkFormat(GITHUB_REPOSITORY, `stages.${i}.ci.githubRepository`, s.ci.githubRepository);
    p.checkFormat(GITHUB_ENVIRONMENT, `stages.${i}.ci.environment`, s.ci.environment);
  });
  p.throwIfAny();
}
