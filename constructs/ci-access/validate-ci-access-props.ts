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
    p.check(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(s.ci.githubRepository), `stages.${i}.ci.githubRepository`, s.ci.githubRepository, 'owner/name');
    p.check(/^[A-Za-z0-9_.-]{1,255}$/.test(s.ci.environment), `stages.${i}.ci.environment`, s.ci.environment, 'a GitHub environment name (no wildcards)');
  });
  p.throwIfAny();
}
