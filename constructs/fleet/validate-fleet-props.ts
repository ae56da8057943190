import { SSM_PARAMETER } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { FleetProps } from './fleet';

/** Check FleetProps; throws once listing every problem. */
export function validateFleetProps(id: string, props: FleetProps): void {
  const p = new PropsProblems(`Fleet ${id}`);
  p.checkFormat(SSM_PARAMETER, 'amiSsmParameter', props.amiSsmParameter);
  p.check(Number.isInteger(props.rootVolumeGb) && props.rootVolumeGb >= 8, 'rootVolumeGb', props.rootVolumeGb, 'a whole number of GiB >= 8');
  p.check(props.securityGroupIds.length > 0, 'securityGroupIds', props.securityGroupIds, 'at least one security group');
  const names = new Set<string>();
  props.hosts.forEach((h, i) => {
    p.check(!names.has(h.name), `hosts.${i}.name`, h.name, 'a unique host name');
    names.add(h.name);
    if (h.managed) {
      p.check(h.instanceType !== undefined, `hosts.${i}.instanceType`, h.instanceType, 'an instance type for a managed host');
      p.check(h.subnetId !== undefined, `hosts.${i}.subnetId`, h.subnetId, 'a subnet for a managed host');
    }
  });
  p.throwIfAny();
}
