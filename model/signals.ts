/**
 * The rollout's contract with Datadog: the tags that identify a stage and a
 * batch, and the metric queries the rollout monitors, the rollout dashboard
 * and the go/no-go gate all use. One definition, so a monitor and the gate
 * never disagree about what "batch 2 of prod" means.
 */
import { METRICS } from './metrics';
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

/**
 * How the rollout measures APM latency per batch (`rollout.latency` in
 * monitors/policy.yaml). Batches are told apart by the `rollout_batch` host
 * tag, and the latency distribution `trace.<span>` has no host tags
 * (model/metrics.ts), so:
 * - `mean` (default): the documented average with host tag filters,
 *   `sum:trace.<span>.duration{...}.rollup(sum) / sum:trace.<span>.hits{...}`:
 *   works in every organization, but is a mean, not a percentile (one slow
 *   request moves it less than it moves a p95), and `.duration` is the legacy
 *   trace metric.
 * - `p50` ... `p99`: the percentile of `trace.<span>`; needs an organization
 *   administrator to make `rollout_batch` the APM second primary tag (APM >
 *   Settings; one per organization, at most 30 values, changes take up to two
 *   hours, and monitors on the previous second primary tag go to No Data),
 *   declared as `apm.secondPrimaryTag: rollout_batch` in monitors/policy.yaml.
 */
export const LATENCY_MODES = ['mean', 'p50', 'p75', 'p90', 'p95', 'p99'] as const;
export type LatencyMode = (typeof LATENCY_MODES)[number];
export const DEFAULT_LATENCY_MODE: LatencyMode = 'mean';

/** The settings the per-batch APM signals depend on (from monitors/policy.yaml; the monitors, the dashboard and the gate share them). */
export interface SignalSettings {
  /** APM operation (span name) compared per batch. */
  readonly apmOperation: string;
  readonly latency: LatencyMode;
}

export const DEFAULT_SIGNALS: SignalSettings = { apmOperation: DEFAULT_APM_OPERATION, latency: DEFAULT_LATENCY_MODE };

/** `mean latency`, `p95 latency`: the latency signal in prose. */
export function latencyLabel(mode: LatencyMode): string {
  return `${mode} latency`;
}

/** Whether a latency mode needs `rollout_batch` as the organization's APM second primary tag. */
export function latencyNeedsPrimaryTag(mode: LatencyMode): boolean {
  return mode !== 'mean';
}

/** Tag key the per-batch APM comparisons group by: each service is compared with itself. */
export const SERVICE_TAG = 'service';

/** Tag key the process check puts on its metrics (`process_name:<instance name>`). */
export const PROCESS_NAME_TAG = 'process_name';
/**
 * Name of the process-check instance that covers the Agent's own processes
 * (ansible/roles/datadog_agent, conf.d/process.d/conf.yaml): its metrics are
 * tagged `process_name:datadog-agent` and summed over every matched PID.
 */
export const AGENT_PROCESS_CHECK_NAME = 'datadog-agent';
/**
 * The Agent's process names on Linux (omnibus systemd units of
 * DataDog/datadog-agent; docs/sources/datadog-contract.md section 2b),
 * matched exactly (`exact_match: true`, the process name as `ps -e` shows it).
 */
export const AGENT_PROCESS_NAMES = ['agent', 'trace-agent', 'process-agent', 'system-probe', 'security-agent'] as const;

/** `source` of the sshd logs the Agent collects (ansible/roles/datadog_agent: the journal of the ssh unit), which selects Datadog's sshd pipeline. */
export const SSHD_LOG_SOURCE = 'sshd';
/**
 * Failed logins as Datadog's sshd pipeline parses them: its grok rule
 * `sshd.logins.pwd` sets `system.action` to `Failed` for "Failed password for
 * ..." (integrations-core ssh_check/assets/logs/sshd.yaml).
 */
export const DEFAULT_FAILED_LOGIN_QUERY = `source:${SSHD_LOG_SOURCE} @system.action:Failed`;

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
  return METRICS.failedLogins(stage);
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

/** `by {a,b}` */
function by(tags: readonly string[]): string {
  return ` by {${tags.join(',')}}`;
}

/** A per-batch APM signal: one metric query, or the ratio of two (kept apart so dashboards can name each in a formula). */
export interface SignalQuery {
  readonly numerator: string;
  readonly denominator?: string;
}

/** The query text of a signal: `numerator / denominator`, or the numerator alone. */
export function signalQuery(q: SignalQuery): string {
  return q.denominator === undefined ? q.numerator : `${q.numerator} / ${q.denominator}`;
}

/** The per-batch APM signals over a scope, per service (see QUERIES.errorRatio / QUERIES.latency). */
export const APM_SIGNALS = {
  /** Error ratio of an operation per service: errors / hits, counted. */
  errorRatio: (scope: string, op = DEFAULT_APM_OPERATION): SignalQuery => ({
    numerator: `sum:${METRICS.traceErrors(op)}{${scope}}${by([SERVICE_TAG])}.as_count()`,
    denominator: `sum:${METRICS.traceHits(op)}{${scope}}${by([SERVICE_TAG])}.as_count()`,
  }),
  /**
   * Latency of an operation per service, in seconds: the mean (total duration
   * / hits; `.rollup(sum)` adds up the duration's points as `.as_count()`
   * adds up the hits') or a percentile of the distribution (LATENCY_MODES).
   */
  latency: (scope: string, signals: SignalSettings = DEFAULT_SIGNALS): SignalQuery =>
    signals.latency === 'mean'
      ? {
          numerator: `sum:${METRICS.traceDuration(signals.apmOperation)}{${scope}}${by([SERVICE_TAG])}.rollup(sum)`,
          denominator: `sum:${METRICS.traceHits(signals.apmOperation)}{${scope}}${by([SERVICE_TAG])}.as_count()`,
        }
      : { numerator: `${signals.latency}:${METRICS.traceLatency(signals.apmOperation)}{${scope}}${by([SERVICE_TAG])}` },
} as const;

/**
 * Metric queries over a scope (a `{...}` filter body), built from the metric
 * catalog's names (model/metrics.ts); every tag they filter or group by is
 * one the metric carries (test/model/signals.test.ts checks them against the
 * catalog). The generated monitors, the rollout dashboard and the gate all
 * use these.
 */
export const QUERIES = {
  /** Hosts whose agent reports running, by host and agent version (or by `groups`). */
  agentRunning: (scope: string, groups: readonly string[] = ['host', 'version']): string => `sum:${METRICS.agentRunning}{${scope}}${by(groups)}`,
  /** APM error ratio of an operation (errors / hits) per service. */
  errorRatio: (scope: string, op = DEFAULT_APM_OPERATION): string => signalQuery(APM_SIGNALS.errorRatio(scope, op)),
  /** APM latency of an operation per service, in seconds, as `signals.latency` says (mean or a percentile). */
  latency: (scope: string, signals: SignalSettings = DEFAULT_SIGNALS): string => signalQuery(APM_SIGNALS.latency(scope, signals)),
  /** CPU of the Agent's processes (process check), percent of one core, per host (or per `groups`, aggregated with `agg`). */
  agentCpu: (scope: string, groups: readonly string[] = ['host'], agg: 'avg' | 'max' = 'avg'): string =>
    `${agg}:${METRICS.processCpu}{${scope} AND ${PROCESS_NAME_TAG}:${AGENT_PROCESS_CHECK_NAME}}${by(groups)}`,
  /** Resident memory of the Agent's processes (process check), bytes, per host (or per `groups`, aggregated with `agg`). */
  agentMemory: (scope: string, groups: readonly string[] = ['host'], agg: 'avg' | 'max' = 'avg'): string =>
    `${agg}:${METRICS.processRss}{${scope} AND ${PROCESS_NAME_TAG}:${AGENT_PROCESS_CHECK_NAME}}${by(groups)}`,
  /** Number of hosts whose agent reports running (one series, no grouping). */
  agentCount: (scope: string): string => `sum:${METRICS.agentRunning}{${scope}}`,
  /** Failed logins per batch, counted by the stage's log-based metric. */
  failedLogins: (stage: string, scope: string): string => `sum:${METRICS.failedLogins(stage)}{${scope}}${by([BATCH_TAG])}.as_count()`,
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
