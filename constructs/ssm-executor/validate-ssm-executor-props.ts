import { AWS_REGION, INSTANCE_ID, SSM_CONCURRENCY } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';
import type { SsmExecutorProps } from './ssm-executor';

/** Check SsmExecutorProps; throws once listing every problem. */
export function validateSsmExecutorProps(id: string, props: SsmExecutorProps): void {
  const p = new PropsProblems(`SsmExecutor ${id}`);
  p.check(props.bundle.key === props.plan.bundleKey, 'bundle.key', props.bundle.key, `the key the plan's associations point at (${props.plan.bundleKey})`);
  p.checkFormat(AWS_REGION, 'region', props.region);
  p.check(props.plan.associations.length > 0, 'plan.associations', [], 'one association per batch (at least one)');
  props.plan.associations.forEach((a, i) => {
    p.checkFormat(SSM_CONCURRENCY, `plan.associations.${i}.maxConcurrency`, a.maxConcurrency);
    p.check(/^\d+$/.test(a.maxErrors), `plan.associations.${i}.maxErrors`, a.maxErrors, 'a whole number of hosts');
  });
  const seen = new Set<string>();
  props.plan.hostTags.forEach((h, i) => {
    if (h.instanceId === undefined) return;
    p.checkFormat(INSTANCE_ID, `plan.hostTags.${i}.instanceId`, h.instanceId);
    p.check(!seen.has(h.instanceId), `plan.hostTags.${i}.instanceId`, h.instanceId, 'an instance no other host has');
    seen.add(h.instanceId);
  });
  const wait = props.waitForSuccessSeconds;
  p.check(wait === undefined || (Number.isInteger(wait) && wait > 0), 'waitForSuccessSeconds', wait, 'a whole number of seconds > 0');
  p.throwIfAny();
}
