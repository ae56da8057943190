import { AWS_REGION, INSTANCE_ID, SSM_CONCURRENCY } from '../../model/patterns';
import { BUNDLE_KEY_PATTERN, ssmDocumentName } from '../../plan/ssm/ssm-document';
import { PropsProblems } from '../core/props-validation';
import type { SsmExecutorProps } from './ssm-executor';

/** Check SsmExecutorProps; throws once listing every problem. */
export function validateSsmExecutorProps(id: string, props: SsmExecutorProps): void {
  const p = new PropsProblems(`SsmExecutor ${id}`);
  p.check(props.bundle.key === props.plan.bundleKey, 'bundle.key', props.bundle.key, `the key the plan's associations point at (${props.plan.bundleKey})`);
  // The document refuses any other key at apply time; say so at synth.
  p.check(
    new RegExp(BUNDLE_KEY_PATTERN).test(props.plan.bundleKey),
    'plan.bundleKey',
    props.plan.bundleKey,
    `a key the stage's document accepts (${BUNDLE_KEY_PATTERN})`,
  );
  p.check(
    props.plan.documentName === ssmDocumentName(props.stage),
    'plan.documentName',
    props.plan.documentName,
    `the stage's own document (${ssmDocumentName(props.stage)})`,
  );
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
