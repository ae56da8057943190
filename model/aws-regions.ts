/**
 * AWS regions a stage may name. The list is AWS's published regions
 * (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html,
 * commercial, GovCloud and China partitions) as of this tool's release; a
 * region AWS opens later is accepted when listed in the environment variable
 * ROLLOUT_EXTRA_AWS_REGIONS (comma-separated), so nobody has to wait for a
 * release. A misspelt region is caught here instead of at `terraform apply`.
 */
export const KNOWN_AWS_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'cn-north-1',
  'cn-northwest-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'us-west-1',
  'us-west-2',
];

/** Regions accepted: the known ones and ROLLOUT_EXTRA_AWS_REGIONS. */
export function acceptedAwsRegions(env: Readonly<Record<string, string | undefined>> = process.env): ReadonlySet<string> {
  const extra = (env.ROLLOUT_EXTRA_AWS_REGIONS ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return new Set([...KNOWN_AWS_REGIONS, ...extra]);
}
