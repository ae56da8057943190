/**
 * Deployment events: one per batch and phase (start, end), posted by
 * `rollout event` from the deploy playbook, shown on dashboards, read back by
 * the gate (the latest start event of the batch and agent version starts
 * the soak clock). Pure.
 */
import { deploymentEventTags, RolloutPhase } from '../model/signals';
import type { EventToPost } from './datadog-client';

export interface DeploymentEventInput {
  readonly stage: string;
  readonly batch: number;
  readonly batchCount: number;
  readonly hostCount: number;
  readonly phase: RolloutPhase;
  readonly version: string;
  readonly commit: string;
  /** Clock value the event is dated at (ms since the epoch). */
  readonly nowMs: number;
}

/** The event to post for one batch and phase. */
export function deploymentEvent(i: DeploymentEventInput): EventToPost {
  const verb = i.phase === 'start' ? 'started' : 'finished';
  return {
    title: `Datadog Agent ${i.version} rollout ${verb}: ${i.stage} batch ${i.batch} of ${i.batchCount}`,
    text: [
      `Deployment ${i.phase} of the Datadog Agent ${i.version} to batch ${i.batch} of ${i.batchCount} of stage ${i.stage} (${i.hostCount} hosts).`,
      `Commit: ${i.commit}.`,
      'Posted by observability-rollout (rollout event).',
    ].join('\n'),
    tags: deploymentEventTags(i.stage, i.batch, i.phase, i.version, i.commit),
    happenedAtMs: i.nowMs,
    alertType: i.phase === 'start' ? 'info' : 'success',
    aggregationKey: `observability-rollout:${i.stage}:${i.batch}:${i.version}`,
  };
}
