/**
 * The rollout's contract with Datadog: the tags that identify a stage and a
 * batch, and the metric queries the rollout monitors, the rollout dashboard
 * and the go/no-go gate all use. One definition, so a monitor and the gate
 * never disagree about what "batch 2 of prod" means.
 */
import { MANAGED_BY_TAG } from './names';

/** Tag on every resource this tool creates in Datadog (defined with the other names in names.ts). */
export { MANAGED_BY_TAG };

/** Tag key of the rollout batch (also an agent tag set by the inventory). */
export const BATCH_TAG = 'rollout_batch';
/** Tag key marking what a generated monitor checks (the gate finds monitors by it). */
export const CHECK_TAG = 'rollout_check';

/** Kinds of rollout check; generated monitors carry `rollout_check:<kind>`. */
export const CHECK_KINDS = ['agent-running', 'coverage', 'agent-overhead', 'error-rate', 'latency', 'security', 'app-errors'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** `service` tag of the monitors generated for the rollout (the service being rolled out). */
export const ROLLOUT_SERVICE = 'datadog-agent';

/**
 * An error-rate increase smaller than this (as a ratio: 0.0001 = 0.01
 * percentage points) is never a regression, however large in relative terms.
 */
export const ERROR_RATE_FLOOR = 0.0001;

/** Default APM operation whose hits, errors and latency are compared per batch. */
export const DEFAULT_APM_OPERATION = 'http.request';

/** `env:<stage>` */
export function envTag(stage: string): string {
  return `env:${stage}`;
}

/** `rollout_batch:<n>` */
export function batchTag(batch: number): string {
  return `${BATCH_TAG}:${batch}`;
}

/** `rollout_check:<kind>` */
export function checkTag(kind: CheckKind): string {
  return `${CHECK_TAG}:${kind}`;
}

/**
 * Log-based metric counting a stage's failed logins, tagged by env and
 * rollout_batch (created by the stage's observability stack; log-based
 * metric names are global to the Datadog organization, hence the stage).
 */
export function failedLoginsMetric(stage: string): string {
  return `rollout.security.failed_logins.${stage}`;
}

/** Metric scope of one batch: `env:prod AND rollout_batch:2`. */
export function batchScope(stage: string, batch: number): string {
  return `${envTag(stage)} AND ${batchTag(batch)}`;
}

/**
 * Metric scope of the hosts not yet upgraded when `batch` is: the later
 * batches (`env:prod AND (rollout_batch:3)`); undefined for the last batch,
 * which has no later hosts to compare with.
 */
export function baselineScope(stage: string, batch: number, batchCount: number): string | undefined {
  const later = Array.from({ length: batchCount - batch }, (_, i) => batchTag(batch + 1 + i));
  return later.length === 0 ? undefined : `${envTag(stage)} AND (${later.join(' OR ')})`;
}

/** Metric queries over a scope (a `{...}` filter body). */
export const QUERIES = {
  /** Hosts whose agent reports running, by host and agent version. */
  agentRunning: (scope: string): string => `sum:datadog.agent.running{${scope}} by {host,version}`,
  /** APM error ratio of an operation (errors / hits). */
  errorRatio: (scope: string, op = DEFAULT_APM_OPERATION): string => `sum:trace.${op}.errors{${scope}}.as_count() / sum:trace.${op}.hits{${scope}}.as_count()`,
  /** APM p95 latency of an operation, in seconds. */
  latencyP95: (scope: string, op = DEFAULT_APM_OPERATION): string => `p95:trace.${op}{${scope}}`,
  /** Agent CPU use, percent of one core, per host. */
  agentCpu: (scope: string): string => `avg:process.stat.cpu.total_pct{${scope} AND process_name:agent} by {host}`,
  /** Agent resident memory, bytes, per host. */
  agentMemory: (scope: string): string => `avg:process.stat.mem.rss{${scope} AND process_name:agent} by {host}`,
  /** Number of hosts whose agent reports running (one series, no grouping). */
  agentCount: (scope: string): string => `sum:datadog.agent.running{${scope}}`,
  /** Failed logins per batch, counted by the stage's log-based metric. */
  failedLogins: (stage: string, scope: string): string => `sum:${failedLoginsMetric(stage)}{${scope}} by {${BATCH_TAG}}.as_count()`,
} as const;

/** Tag key of a deployment event's phase (`rollout_phase:start` / `rollout_phase:end`). */
export const PHASE_TAG = 'rollout_phase';
/** Tag key of the agent version a deployment event is about. */
export const AGENT_VERSION_TAG = 'agent_version';
/** Tag key of the deployed commit (Datadog's source-code integration name). */
export const COMMIT_TAG = 'git.commit.sha';

/** Phases of a batch deployment; the deploy playbook posts one event per phase. */
export const ROLLOUT_PHASES = ['start', 'end'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/**
 * Tags of a batch's deployment event (posted by `rollout event`, read back by
 * the gate for soak time, overlaid on dashboards):
 * `env:prod, rollout_batch:2, rollout_phase:start, agent_version:7.72.0,
 * git.commit.sha:<sha>, managed-by:observability-rollout`.
 */
export function deploymentEventTags(stage: string, batch: number, phase: RolloutPhase, version: string, commit: string): string[] {
  return [envTag(stage), batchTag(batch), `${PHASE_TAG}:${phase}`, `${AGENT_VERSION_TAG}:${version}`, `${COMMIT_TAG}:${commit}`, MANAGED_BY_TAG];
}
