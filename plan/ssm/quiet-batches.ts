/**
 * Quiet restarts on the SSM executor (pure): which batches an apply of
 * `<stage>-infra` runs on, read from its Terraform plan, so the deploy job
 * mutes exactly those batches' agent-health monitors for the apply
 * (docs/ssm-executor.md, "Quiet restarts").
 *
 * The hosts run the playbook themselves and hold no Datadog application key:
 * the one who releases the batch (the deploy workflow's apply job) schedules
 * the downtime. State Manager runs an association when it is created and when
 * it is updated, and `terraform apply` waits for that run
 * (`wait_for_success_timeout_seconds`, hashicorp/aws 5.100.0
 * `aws_ssm_association`,
 * https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ssm_association;
 * and "by default, when you update an association, the system runs it
 * immediately after it is updated" (ApplyOnlyAtCronInterval, which we do not
 * set; UpdateAssociation and CreateAssociation in the SSM API reference,
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateAssociation.html).
 * So the batches an apply restarts are those whose association the plan
 * creates, updates or replaces: a release (`releasedBatches` raised: one
 * association rollback -> apply), its revert (apply -> rollback), a new
 * bundle (every association's BundleKey). An association only deleted runs
 * nothing. A batch in `rollback` mode restarts only hosts on the stage's
 * version; the others are muted too (the plan cannot tell them apart).
 *
 * Input: `terraform show -json PLANFILE`, resource_changes[].{type, change:
 * {actions, before, after}} (https://developer.hashicorp.com/terraform/internals/json-format).
 */
import { PRODUCT } from '../../model/names';
import { SSM_DOCUMENT_PARAMETERS } from './ssm-document';
import { BATCH_TARGET_SECONDS, type SsmMode } from './ssm-plan';

/** A batch whose association the plan creates or updates. */
export interface SsmBatchRun {
  readonly batch: number;
  /** Terraform's actions for it (`["update"]`, `["create"]`, `["delete","create"]`...). */
  readonly actions: readonly string[];
  /** The playbook mode after the apply (the stage document's `Mode` parameter); undefined when the plan does not know it yet. */
  readonly mode?: SsmMode;
}

/** Margin over the association's wait for the rest of the apply (bundle upload, tags), minutes. */
export const SSM_QUIET_MARGIN_MINUTES = 5;

/** How long a quiet restart around an SSM apply lasts at most: the apply's wait for a changed association, plus the margin. */
export function ssmQuietMinutes(waitForSuccessSeconds: number = BATCH_TARGET_SECONDS): number {
  return Math.ceil(waitForSuccessSeconds / 60) + SSM_QUIET_MARGIN_MINUTES;
}

/** Terraform actions under which State Manager runs the association. */
const RUNS: ReadonlySet<string> = new Set(['create', 'update']);

/**
 * The batches of `stage` whose association `plan` (the JSON of
 * `terraform show -json`) creates or updates, sorted. Throws one error naming
 * the JSON path when the plan is not shaped as Terraform writes it.
 */
export function ssmBatchesRunByPlan(plan: unknown, stage: string): SsmBatchRun[] {
  const root = record(plan, 'the plan');
  const changes = root.resource_changes ?? [];
  if (!Array.isArray(changes)) throw new Error(`resource_changes: got ${typeOf(changes)}, expected an array`);
  const name = new RegExp(`^${escape(PRODUCT)}-${escape(stage)}-batch-([1-9][0-9]*)$`);
  const out = new Map<number, SsmBatchRun>();
  changes.forEach((raw, i) => {
    const where = `resource_changes[${i}]`;
    const rc = record(raw, where);
    if (rc.type !== 'aws_ssm_association') return;
    const change = record(rc.change, `${where}.change`);
    const actions = change.actions;
    if (!Array.isArray(actions) || !actions.every((a) => typeof a === 'string')) {
      throw new Error(`${where}.change.actions: got ${typeOf(actions)}, expected an array of strings`);
    }
    if (!actions.some((a) => RUNS.has(a as string))) return;
    const after = record(change.after, `${where}.change.after`);
    const m = typeof after.association_name === 'string' ? name.exec(after.association_name) : null;
    if (m === null) return; // another stage's association, or not one of ours
    const batch = Number(m[1]);
    if (out.has(batch)) throw new Error(`${where}: association ${String(after.association_name)}: got it twice, expected one per batch`);
    out.set(batch, { batch, actions: actions as string[], ...modeOf(after.parameters) });
  });
  return [...out.values()].sort((a, b) => a.batch - b.batch);
}

function modeOf(parameters: unknown): { mode?: SsmMode } {
  if (parameters === null || typeof parameters !== 'object') return {};
  const mode = (parameters as Record<string, unknown>)[SSM_DOCUMENT_PARAMETERS.mode];
  return mode === 'apply' || mode === 'rollback' ? { mode } : {};
}

function record(x: unknown, where: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new Error(`${where}: got ${typeOf(x)}, expected an object`);
  return x as Record<string, unknown>;
}

function typeOf(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
