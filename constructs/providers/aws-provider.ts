import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { MANAGED_BY_KEY } from '../../model/names';
import { AWS_REGION } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';

/** Props of the AWS provider every AWS stack uses. */
export interface StageAwsProviderProps {
  /** AWS region. */
  readonly region: string;
  /** Default tags applied to every taggable resource (stage, owner, managed-by, ...). */
  readonly defaultTags: Readonly<Record<string, string>>;
}

/** The AWS provider with default tags; keys are sorted so the output is stable. */
export function addAwsProvider(scope: Construct, props: StageAwsProviderProps): AwsProvider {
  const p = new PropsProblems('AwsProvider');
  p.checkFormat(AWS_REGION, 'region', props.region);
  for (const k of ['stage', 'owner', MANAGED_BY_KEY]) {
    p.check(typeof props.defaultTags[k] === 'string' && props.defaultTags[k] !== '', `defaultTags.${k}`, props.defaultTags[k], 'a non-empty tag value');
  }
  p.throwIfAny();
  const tags = Object.fromEntries(Object.entries(props.defaultTags).sort(([a], [b]) => (a < b ? -1 : 1)));
  return new AwsProvider(scope, 'aws', { region: props.region, defaultTags: [{ tags }] });
}
