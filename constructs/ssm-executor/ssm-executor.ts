import { Ec2Tag } from '@cdktf/provider-aws/lib/ec2-tag';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { SsmAssociation } from '@cdktf/provider-aws/lib/ssm-association';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PlaybookBundle } from '../../plan/ssm/bundle';
import { BATCH_TARGET_SECONDS, type SsmPlan } from '../../plan/ssm/ssm-plan';
import { validateSsmExecutorProps } from './validate-ssm-executor-props';

/** Props of a stage's SSM executor in its infra stack. */
export interface SsmExecutorProps {
  /** Stage name (descriptions). */
  readonly stage: string;
  /** The planned associations and host tags (plan/ssm/ssm-plan.ts). */
  readonly plan: SsmPlan;
  /** The playbook bundle; its key must be plan.bundleKey. */
  readonly bundle: PlaybookBundle;
  /** The stage's SSM bucket (created by the bootstrap stack; a name or a Terraform reference). */
  readonly bucketName: string;
  /** Region of the bucket (where State Manager writes the output). */
  readonly region: string;
  /** Seconds `terraform apply` waits for each changed association to succeed on its batch; a batch that fails or overruns fails the apply.
   * @default 900 (the 15-minute batch target) */
  readonly waitForSuccessSeconds?: number;
}

/**
 * The SSM executor of one stage (docs/ssm-executor.md): uploads the playbook
 * bundle under its content key, declares one State Manager association per
 * batch (the stage's document `observability-rollout-<stage>-apply` with
 * BundleKey, Batch and Mode only, targeting the batch tag, rate and error
 * control from the plan, output to the stage's bucket) and tags the stage
 * file's existing instances with their batch (`aws_ec2_tag`, one tag each;
 * managed hosts get the same tags on their instance from Fleet).
 */
export class SsmExecutor extends Construct {
  /** Associations by batch number. */
  public readonly associations: Readonly<Record<number, SsmAssociation>>;
  /** The uploaded bundle. */
  public readonly bundleObject: S3Object;

  constructor(scope: Construct, id: string, props: SsmExecutorProps) {
    super(scope, id);
    validateSsmExecutorProps(id, props);
    const asset = new TerraformAsset(this, 'bundle-file', {
      path: bundleFile(props.bundle),
      type: AssetType.FILE,
      assetHash: props.bundle.sha256,
    });
    this.bundleObject = new S3Object(this, 'bundle', {
      bucket: props.bucketName,
      key: props.bundle.key,
      source: asset.path,
      sourceHash: props.bundle.sha256,
      contentType: 'application/zip',
    });
    const associations: Record<number, SsmAssociation> = {};
    // aws_ssm_association (hashicorp/aws 5.100.0): targets `tag:<key>`, max_concurrency / max_errors (a number or a
    // percentage), output_location, wait_for_success_timeout_seconds (apply waits for the association's first run):
    // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ssm_association;
    // rate controls: https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-about.html
    for (const a of props.plan.associations) {
      associations[a.batch] = new SsmAssociation(this, `batch-${a.batch}`, {
        associationName: a.name,
        // The stage's own document (created by the bootstrap stack, its bucket fixed), by name: it is in this account.
        name: props.plan.documentName,
        targets: [{ key: `tag:${a.targetTag.key}`, values: [a.targetTag.value] }],
        parameters: { ...a.parameters },
        maxConcurrency: a.maxConcurrency,
        maxErrors: a.maxErrors,
        complianceSeverity: 'HIGH',
        // The deploy role may create an association only with this tag, and change or delete only those that carry it
        // (constructs/ci-access, SsmCreateStageAssociations / SsmChangeStageAssociations); the provider's default tags say the same.
        tags: { stage: props.stage },
        outputLocation: { s3BucketName: props.bucketName, s3KeyPrefix: a.outputPrefix.replace(/\/$/, ''), s3Region: props.region },
        waitForSuccessTimeoutSeconds: props.waitForSuccessSeconds ?? BATCH_TARGET_SECONDS,
        // The bundle first: an association that changes with it must not run before the new key exists.
        dependsOn: [this.bundleObject],
      });
    }
    this.associations = associations;
    for (const host of props.plan.hostTags) {
      if (host.instanceId === undefined) continue;
      for (const [key, value] of Object.entries(host.tags)) {
        new Ec2Tag(this, `tag-${host.host}-${key}`, { resourceId: host.instanceId, key, value });
      }
    }
  }
}

/**
 * The bundle as a file cdktf can copy into the synthesized assets: written
 * once per content under the system temporary directory (content-addressed,
 * so a second synth of the same content writes nothing and two synths never
 * see each other's half-written file: write to a unique name, then rename).
 */
function bundleFile(bundle: PlaybookBundle): string {
  const dir = path.join(os.tmpdir(), 'observability-rollout-bundles');
  const file = path.join(dir, `${bundle.sha256}.zip`);
  if (fs.existsSync(file) && fs.statSync(file).size === bundle.bytes.length) return file;
  fs.mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, bundle.bytes);
  fs.renameSync(temp, file);
  return file;
}
