/**
 * The SSM executor of a stage, planned (docs/ssm-executor.md): per batch one
 * State Manager association running the stage's own document
 * (plan/ssm/ssm-document.ts: `observability-rollout-<stage>-apply`, created
 * by the bootstrap stack, its bucket fixed) on the instances tagged with that
 * batch, and the tags that put each host in its batch. Plain data;
 * constructs/ssm-executor maps it to resources.
 *
 * Release by commit: batches 1..rollout.releasedBatches run the playbook in
 * `apply` mode, the others in `rollback` mode (hosts that run the stage's
 * Agent version go back to their snapshot; hosts that never got it are left
 * as they are). Raising releasedBatches turns one association from rollback
 * to apply; reverting that commit turns it back, and State Manager runs an
 * association again whenever it changes.
 *
 * An association passes the document three values only: BundleKey, Batch and
 * Mode (each held to a strict pattern by the document).
 * MaxConcurrency / MaxErrors semantics (a number or a percentage of the
 * targets; "the system stops sending requests when the [MaxErrors + 1]th error is received"):
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateAssociation.html.
 */
import { splitIntoBatches } from '../../model/batches';
import { BATCH_TAG_KEY, batchTagValue, HOST_TAG_KEY, PRODUCT } from '../../model/names';
import type { Stage } from '../../model/stage';
import { SSM_DOCUMENT_PARAMETERS, ssmDocumentName } from './ssm-document';

export { SSM_PLAYBOOK } from './ssm-document';
/** Prefix of the run output in a stage's SSM bucket (the hosts may write only here). */
export const OUTPUT_PREFIX = 'output/';

/**
 * Planned wall time of one host's SSM run (bundle download, Ansible install
 * when missing, ansible-playbook start, package install, restart,
 * verification), in seconds: 50% over the ~120 s estimated from the chroot
 * measurement (74 s for a first run that installs Ansible and the Agent) plus
 * what a real host adds; docs/ssm-executor.md, "Arithmetic".
 */
export const ASSUMED_HOST_SECONDS = 180;
/** A batch (and its rollback) must finish within 15 minutes. */
export const BATCH_TARGET_SECONDS = 900;
/** Share of the target planned for: 80%, leaving 3 minutes for stragglers and SSM's own scheduling. */
export const BATCH_TARGET_HEADROOM = 0.8;
/** A host whose run takes longer than this fails (and counts against MaxErrors). */
export const HOST_TIMEOUT_SECONDS = 600;

/** The playbook mode of an association: `apply` for released batches, `rollback` for the others. */
export type SsmMode = 'apply' | 'rollback';

/** One batch's State Manager association. */
export interface SsmAssociationPlan {
  /** 1-based batch number. */
  readonly batch: number;
  /** `observability-rollout-<stage>-batch-<n>` (stable: releasing updates it in place). */
  readonly name: string;
  readonly mode: SsmMode;
  /** Hosts of the batch in the stage file. */
  readonly hosts: number;
  /** The one target: instances tagged `rollout-batch=<stage>-<n>`. */
  readonly targetTag: { readonly key: string; readonly value: string };
  /** MaxConcurrency: the stage's ssmMaxConcurrency or defaultSsmMaxConcurrency(). */
  readonly maxConcurrency: string;
  /** MaxErrors: the failed hosts the stage allows in this batch, as a count (floor(hosts × maxFailedHostsPercent / 100)). */
  readonly maxErrors: string;
  /** Parameters of the stage's document: BundleKey, Batch, Mode (every value a string, as the API takes them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Key prefix of this association's run output. */
  readonly outputPrefix: string;
}

/** The tags the infra stack puts on one host's instance. */
export interface SsmHostTags {
  readonly host: string;
  /** The stage file's instance id (existing hosts); absent for managed hosts (their instance carries the tags). */
  readonly instanceId?: string;
  readonly batch: number;
  /** `rollout-batch` and `rollout-host`, sorted by key. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The SSM executor of one stage. */
export interface SsmPlan {
  /** The stage's document the associations run (created by the bootstrap stack). */
  readonly documentName: string;
  readonly associations: readonly SsmAssociationPlan[];
  /** Every host, sorted by name. */
  readonly hostTags: readonly SsmHostTags[];
  readonly bundleKey: string;
}

/** Which bundle the associations run: its S3 key in the stage's bucket (the bucket itself is fixed by the document). */
export interface SsmBundleLocation {
  readonly key: string;
}

/**
 * The default MaxConcurrency: the smallest whole percentage of a batch whose
 * waves (each ASSUMED_HOST_SECONDS long) fit in BATCH_TARGET_HEADROOM of
 * BATCH_TARGET_SECONDS. 180 s a host and 720 s to spend give 4 waves: 25%.
 * A percentage, so it holds at 3 hosts and at 3,400 alike.
 */
export function defaultSsmMaxConcurrency(hostSeconds = ASSUMED_HOST_SECONDS, targetSeconds = BATCH_TARGET_SECONDS * BATCH_TARGET_HEADROOM): string {
  if (!(hostSeconds > 0) || !(targetSeconds > 0))
    throw new Error(`defaultSsmMaxConcurrency: got ${hostSeconds} s a host, ${targetSeconds} s, expected both > 0`);
  const waves = Math.max(1, Math.floor(targetSeconds / hostSeconds));
  return `${Math.ceil(100 / waves)}%`;
}

/** Failed hosts a batch of `hosts` may have under `percent` (the playbook's checkpoint passes while failed% <= percent). */
export function allowedFailures(hosts: number, percent: number): number {
  // 1e-9: 100 × 1% of 100 hosts is 1 exactly, not 0.9999999999.
  return Math.floor((hosts * percent) / 100 + 1e-9);
}

/** Hosts SSM runs at once in a batch of `hosts` under `maxConcurrency` (a count, or a percentage rounded up, at least 1). */
export function concurrentHosts(hosts: number, maxConcurrency: string): number {
  const pct = /^(\d+)%$/.exec(maxConcurrency);
  const n = pct ? Math.ceil((hosts * Number(pct[1])) / 100) : Number(maxConcurrency);
  return Math.max(1, Math.min(hosts, n));
}

/** Wall time of a batch: waves of `concurrency` hosts, `hostSeconds` each. */
export function batchSeconds(hosts: number, concurrency: number, hostSeconds: number): number {
  return Math.ceil(hosts / Math.max(1, concurrency)) * hostSeconds;
}

/** The document parameters of one batch in one mode. */
function documentParameters(batch: number, mode: SsmMode, bundle: SsmBundleLocation): Record<string, string> {
  const names = SSM_DOCUMENT_PARAMETERS;
  return { [names.bundleKey]: bundle.key, [names.batch]: String(batch), [names.mode]: mode };
}

/** The SSM executor of `stage` (rollout.executor must be ssm), with the bundle at `bundle`. */
export function planSsmExecutor(stage: Stage, bundle: SsmBundleLocation): SsmPlan {
  if (stage.rollout.executor !== 'ssm') throw new Error(`planSsmExecutor: stage ${stage.name} rollout.executor: got ${stage.rollout.executor}, expected ssm`);
  const batches = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages);
  const maxConcurrency = stage.rollout.ssmMaxConcurrency ?? defaultSsmMaxConcurrency();
  const associations = batches.map((b): SsmAssociationPlan => {
    const mode: SsmMode = b.number <= stage.rollout.releasedBatches ? 'apply' : 'rollback';
    return {
      batch: b.number,
      name: `${PRODUCT}-${stage.name}-batch-${b.number}`,
      mode,
      hosts: b.hosts.length,
      targetTag: { key: BATCH_TAG_KEY, value: batchTagValue(stage.name, b.number) },
      maxConcurrency,
      maxErrors: String(allowedFailures(b.hosts.length, stage.rollout.maxFailedHostsPercent)),
      parameters: documentParameters(b.number, mode, bundle),
      outputPrefix: `${OUTPUT_PREFIX}batch-${b.number}/`,
    };
  });
  const hostTags = batches
    .flatMap((b) =>
      b.hosts.map((h): SsmHostTags => ({
        host: h.name,
        ...(h.instanceId !== undefined ? { instanceId: h.instanceId } : {}),
        batch: b.number,
        tags: { [BATCH_TAG_KEY]: batchTagValue(stage.name, b.number), [HOST_TAG_KEY]: h.name },
      })),
    )
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { documentName: ssmDocumentName(stage.name), associations, hostTags, bundleKey: bundle.key };
}
