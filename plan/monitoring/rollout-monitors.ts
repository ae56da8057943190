/**
 * Monitors generated for each stage from its rollout (pure), tagged per
 * model/signals.ts so the go/no-go gate finds them (`env:<stage>`,
 * `rollout_batch:<n>`, `rollout_check:<kind>`, managed-by):
 *
 * per batch (batches from splitIntoBatches; empty batches get none)
 * - agent-running:  `datadog.agent.up` service check per host
 * - coverage:       hosts reporting an Agent vs the batch's expected host count,
 *                   critical below 100 - maxFailedHostsPercent
 * - agent-overhead: Agent CPU and memory per host (the process check's
 *                   system.processes.* of the Agent's processes)
 * - error-rate, latency: the batch vs the hosts not yet upgraded (later
 *                   batches), per service, by more than
 *                   degradationThresholdPercent; latency as the policy's
 *                   mode (mean or a percentile); the last batch has none to
 *                   compare with and gets neither
 * per stage
 * - security:       failed-login anomalies per batch (`rollout_check:security`),
 *                   counted by a log-based metric the stack creates
 * and the stage's rollout dashboard.
 */
import { formatNumber } from '../../model/monitoring/query';
import { policySignals } from '../../model/monitoring/convert';
import { lastWindow } from '../../model/monitoring/duration';
import type { MonitoringConfig, Notify, RolloutMonitoringPolicy, Thresholds } from '../../model/monitoring/types';
import type { Stage } from '../../model/stage';
import { Batch, splitIntoBatches } from '../../model/batches';
import {
  baselineScope,
  batchScope,
  batchTag,
  CheckKind,
  checkTag,
  envTag,
  ERROR_RATE_FLOOR,
  failedLoginsMetric,
  BATCH_TAG,
  latencyLabel,
  QUERIES,
  ROLLOUT_SERVICE,
  SERVICE_TAG,
  SignalSettings,
  SSHD_LOG_SOURCE,
} from '../../model/signals';
import type { Problem } from '../../model/errors';
import { buildMessage } from './message';
import type { PlannedDashboard, PlannedLogsMetric, PlannedMonitor } from './planned';
import { tagList } from './planned';
import { rolloutDashboard } from './rollout-dashboard';

const MIB = 1024 * 1024;

/** The rollout settings that apply to one stage (policy with the stage's override). */
export interface StageRolloutSettings {
  readonly enabled: boolean;
  readonly team: string;
  readonly priority: number;
  readonly notify: Notify;
  readonly runbook?: string;
}

/** The policy's rollout settings for `stage`. */
export function stageRolloutSettings(stage: Stage, monitoring: MonitoringConfig): StageRolloutSettings {
  const policy = monitoring.policy.rollout;
  const override = policy.stages[stage.name] ?? {};
  return {
    enabled: override.enabled ?? policy.enabled,
    team: policy.team ?? stage.owner,
    priority: override.priority ?? policy.priority,
    notify: override.notify ?? policy.notify,
    ...(policy.runbook !== undefined ? { runbook: policy.runbook } : {}),
  };
}

/** Share of a batch's hosts that must report: 100 - maxFailedHostsPercent (what the gate requires too). */
export function requiredCoveragePercent(stage: Stage): number {
  return Math.round((100 - stage.rollout.maxFailedHostsPercent) * 1e6) / 1e6;
}

/** `a..b` batch range for names: `2`, `2-3`. */
function range(from: number, to: number): string {
  return from === to ? `${from}` : `${from}-${to}`;
}

/** A `last_<n>` window as prose for message bodies: `last 15m`. */
function windowPhrase(window: string): string {
  return window.replace('last_', 'last ');
}

/** The stage-wide values every generated check of one stage is built from. */
interface RolloutContext {
  readonly stage: Stage;
  readonly monitoring: MonitoringConfig;
  readonly settings: StageRolloutSettings;
  readonly policy: RolloutMonitoringPolicy;
  readonly stageName: string;
  readonly batchCount: number;
  readonly version: string;
  /** degradationThresholdPercent of the stage. */
  readonly degradation: number;
  /** 1 + degradation / 100, formatted for queries. */
  readonly factor: string;
  readonly apmOperation: string;
  /** The APM signal settings (operation, latency mode) the monitors, the dashboard and the gate share. */
  readonly signals: SignalSettings;
  /** `last_<windowMinutes>`. */
  readonly window: string;
  /** `last_<comparisonWindowMinutes>`. */
  readonly comparisonWindow: string;
  readonly requiredCoverage: number;
}

/** One non-empty batch as the per-batch check builders see it. */
interface BatchContext {
  readonly number: number;
  readonly hostCount: number;
  /** Metric scope of the batch's hosts. */
  readonly scope: string;
  /** `Agent rollout batch <n>/<count>`, the start of every batch monitor name. */
  readonly label: string;
}

/** What differs between the generated monitors; plannedMonitor adds the rest. */
interface RolloutCheckSpec {
  key: string;
  check: CheckKind;
  batch?: number;
  kind: PlannedMonitor['kind'];
  datadogType: PlannedMonitor['datadogType'];
  name: string;
  query: string;
  body: string;
  thresholds: Thresholds;
  thresholdWindows?: PlannedMonitor['thresholdWindows'];
  noData?: number;
}

/** The stage-wide values of `stage`'s rollout checks. */
function rolloutContext(stage: Stage, monitoring: MonitoringConfig, settings: StageRolloutSettings, batchCount: number): RolloutContext {
  const policy = monitoring.policy.rollout;
  const degradation = stage.rollout.degradationThresholdPercent;
  return {
    stage,
    monitoring,
    settings,
    policy,
    stageName: stage.name,
    batchCount,
    version: stage.agent.version,
    degradation,
    factor: formatNumber(1 + degradation / 100),
    apmOperation: policy.apmOperation,
    signals: policySignals(monitoring.policy),
    window: lastWindow(policy.windowMinutes),
    comparisonWindow: lastWindow(policy.comparisonWindowMinutes),
    requiredCoverage: requiredCoveragePercent(stage),
  };
}

/** A generated monitor from its spec: message, tags, routing and source shared by every rollout check. */
function plannedMonitor(ctx: RolloutContext, spec: RolloutCheckSpec): PlannedMonitor {
  const { settings, stageName } = ctx;
  const warnings = spec.thresholds.warning !== undefined;
  return {
    key: spec.key,
    origin: 'rollout',
    stage: stageName,
    kind: spec.kind,
    datadogType: spec.datadogType,
    name: `[${stageName}] ${spec.name}`,
    query: spec.query,
    body: spec.body,
    message: buildMessage({
      body: spec.body,
      ...(settings.runbook !== undefined ? { runbook: settings.runbook } : {}),
      team: settings.team,
      service: ROLLOUT_SERVICE,
      stage: stageName,
      notify: settings.notify,
      warnings,
      noData: spec.noData !== undefined,
    }),
    thresholds: spec.thresholds,
    ...(spec.thresholdWindows ? { thresholdWindows: spec.thresholdWindows } : {}),
    priority: settings.priority,
    tags: tagList(stageName, ROLLOUT_SERVICE, settings.team, { ...ctx.monitoring.policy.tags, ...ctx.policy.tags }, [
      checkTag(spec.check),
      ...(spec.batch !== undefined ? [batchTag(spec.batch)] : []),
    ]),
    restrictedRoles: [],
    notifyNoData: spec.noData !== undefined,
    ...(spec.noData !== undefined ? { noDataTimeframeMinutes: spec.noData } : {}),
    // Metric monitors only: evaluate as soon as a batch reports, not after a full window of data.
    ...(spec.datadogType === 'query alert' ? { requireFullWindow: false } : {}),
    team: settings.team,
    service: ROLLOUT_SERVICE,
    ...(settings.runbook !== undefined ? { runbook: settings.runbook } : {}),
    notify: settings.notify,
    refs: { monitors: [] },
    suppress: [],
    source: ctx.monitoring.policy.source,
    fieldPrefix: 'rollout.',
  };
}

/** Construct key of one batch check: `rollout-batch<n>-<check>`. */
function batchMonitorKey(batch: BatchContext, check: string): string {
  return `rollout-batch${batch.number}-${check}`;
}

/** agent-running: the `datadog.agent.up` service check of every host of the batch. */
function agentRunningMonitor(ctx: RolloutContext, batch: BatchContext): PlannedMonitor {
  const { stageName, batchCount, version } = ctx;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'agent-running'),
    check: 'agent-running',
    batch: batch.number,
    kind: 'service-check',
    datadogType: 'service check',
    name: `${batch.label}: Agent not reporting on {{host.name}}`,
    query: `"datadog.agent.up".over("${envTag(stageName)}","${batchTag(batch.number)}").by("host").last(2).count_by_status()`,
    body:
      `The Datadog Agent on {{host.name}} (batch ${batch.number} of ${batchCount} in ${stageName}, rolling out Agent ${version}) failed its last two datadog.agent.up checks. ` +
      `The rollout stops while a host of the batch is down: check \`datadog-agent status\` and the service logs on the host, or roll the batch back.`,
    thresholds: { critical: 2, ok: 1 },
    noData: ctx.policy.windowMinutes,
  });
}

/** coverage: hosts reporting an Agent vs the batch's host count, critical below the required coverage. */
function coverageMonitor(ctx: RolloutContext, batch: BatchContext): PlannedMonitor {
  const { window, requiredCoverage, stage } = ctx;
  const hostCount = batch.hostCount;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'coverage'),
    check: 'coverage',
    batch: batch.number,
    kind: 'query',
    datadogType: 'query alert',
    name: `${batch.label}: fewer than ${formatNumber(requiredCoverage)}% of its ${hostCount} hosts report an Agent`,
    query: `max(${window}):default_zero(${QUERIES.agentCount(batch.scope)}) * 100 / ${hostCount} < ${formatNumber(requiredCoverage)}`,
    body:
      `Only {{value}}% of the ${hostCount} hosts of batch ${batch.number} (the batch split of ${stage.sourceFile}) reported a running Agent at all times over the ${windowPhrase(window)}. ` +
      `A batch may lose at most ${formatNumber(stage.rollout.maxFailedHostsPercent)}% of its hosts: critical below ${formatNumber(requiredCoverage)}%, warning below 100%.`,
    thresholds: { critical: requiredCoverage, warning: 100 },
  });
}

/** agent-overhead (CPU): the Agent process's CPU per host of the batch. */
function agentCpuMonitor(ctx: RolloutContext, batch: BatchContext): PlannedMonitor {
  const { window, version } = ctx;
  const cpu = ctx.policy.agentCpuPercent;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'agent-cpu'),
    check: 'agent-overhead',
    batch: batch.number,
    kind: 'query',
    datadogType: 'query alert',
    name: `${batch.label}: Agent CPU above ${formatNumber(cpu.critical)}% on {{host.name}}`,
    query: `avg(${window}):${QUERIES.agentCpu(batch.scope)} > ${formatNumber(cpu.critical)}`,
    body:
      `The Agent's processes on {{host.name}} (batch ${batch.number}, Agent ${version}) used {{value}}% of one core on average over the ${windowPhrase(window)} ` +
      `(warning at ${formatNumber(cpu.warning)}%, critical at ${formatNumber(cpu.critical)}%; the process check's system.processes.cpu.pct, summed over the Agent's processes).`,
    thresholds: { critical: cpu.critical, warning: cpu.warning },
  });
}

/** agent-overhead (memory): the Agent process's resident memory per host of the batch. */
function agentMemoryMonitor(ctx: RolloutContext, batch: BatchContext): PlannedMonitor {
  const { window, version } = ctx;
  const memoryMb = ctx.policy.agentMemoryMb;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'agent-memory'),
    check: 'agent-overhead',
    batch: batch.number,
    kind: 'query',
    datadogType: 'query alert',
    name: `${batch.label}: Agent memory above ${formatNumber(memoryMb.critical)} MiB on {{host.name}}`,
    query: `avg(${window}):${QUERIES.agentMemory(batch.scope)} > ${formatNumber(memoryMb.critical * MIB)}`,
    body:
      `The Agent's processes on {{host.name}} (batch ${batch.number}, Agent ${version}) held {{value}} bytes resident on average over the ${windowPhrase(window)} ` +
      `(warning at ${formatNumber(memoryMb.warning)} MiB, critical at ${formatNumber(memoryMb.critical)} MiB; the process check's system.processes.mem.rss, summed over the Agent's processes).`,
    thresholds: { critical: memoryMb.critical * MIB, warning: memoryMb.warning * MIB },
  });
}

/** error-rate: each service's APM error ratio in the batch vs in the not-yet-upgraded hosts (`baseline` scope, `laterBatches` in prose). */
function errorRateMonitor(ctx: RolloutContext, batch: BatchContext, baseline: string, laterBatches: string): PlannedMonitor {
  const { apmOperation, comparisonWindow, degradation, factor, version } = ctx;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'error-rate'),
    check: 'error-rate',
    batch: batch.number,
    kind: 'query',
    datadogType: 'query alert',
    name: `${batch.label}: APM error rate of {{${SERVICE_TAG}.name}} more than ${formatNumber(degradation)}% above ${laterBatches}`,
    query: `sum(${comparisonWindow}):(${QUERIES.errorRatio(batch.scope, apmOperation)}) - ${factor} * (${QUERIES.errorRatio(baseline, apmOperation)}) > ${formatNumber(ERROR_RATE_FLOOR)}`,
    body:
      `The ${apmOperation} error ratio of service {{${SERVICE_TAG}.name}} in batch ${batch.number} exceeds ${factor}x that of the same service on the hosts not yet upgraded (${laterBatches}) by {{value}} over the ${windowPhrase(comparisonWindow)}: ` +
      `Agent ${version} may be degrading the application (the stage allows ${formatNumber(degradation)}%; increases under ${formatNumber(ERROR_RATE_FLOOR * 100)} percentage points are ignored; ` +
      `services running on only one side are not compared).`,
    thresholds: { critical: ERROR_RATE_FLOOR },
  });
}

/** latency: each service's APM latency (the policy's mode) in the batch vs in the not-yet-upgraded hosts (`baseline` scope, `laterBatches` in prose). */
function latencyMonitor(ctx: RolloutContext, batch: BatchContext, baseline: string, laterBatches: string): PlannedMonitor {
  const { apmOperation, comparisonWindow, degradation, factor, version, signals } = ctx;
  const label = latencyLabel(signals.latency);
  // The mean divides sums (the as_count() evaluation path sums each query over the window first); a percentile is taken over the window.
  const query =
    signals.latency === 'mean'
      ? `sum(${comparisonWindow}):(${QUERIES.latency(batch.scope, signals)}) - ${factor} * (${QUERIES.latency(baseline, signals)}) > 0`
      : `percentile(${comparisonWindow}):${QUERIES.latency(batch.scope, signals)} - ${factor} * ${QUERIES.latency(baseline, signals)} > 0`;
  return plannedMonitor(ctx, {
    key: batchMonitorKey(batch, 'latency'),
    check: 'latency',
    batch: batch.number,
    kind: 'query',
    datadogType: 'query alert',
    name: `${batch.label}: ${label} of {{${SERVICE_TAG}.name}} more than ${formatNumber(degradation)}% above ${laterBatches}`,
    query,
    body:
      `The ${apmOperation} ${label} of service {{${SERVICE_TAG}.name}} in batch ${batch.number} is {{value}}s above ${factor}x that of the same service on the hosts not yet upgraded (${laterBatches}) over the ${windowPhrase(comparisonWindow)}: ` +
      `Agent ${version} may be slowing the application (the stage allows ${formatNumber(degradation)}%).`,
    thresholds: { critical: 0 },
  });
}

/** The batches after `batchNumber`, for names and bodies: `batch 3`, `batches 2-3`. */
function laterBatchesLabel(batchNumber: number, batchCount: number): string {
  return `batch${batchNumber + 1 === batchCount ? '' : 'es'} ${range(batchNumber + 1, batchCount)}`;
}

/** The monitors of one batch: agent-running, coverage, CPU, memory, then error rate and latency when later batches exist; none when empty. */
function batchMonitors(ctx: RolloutContext, batch: Batch): PlannedMonitor[] {
  const hostCount = batch.hosts.length;
  if (hostCount === 0) return [];
  const batchContext: BatchContext = {
    number: batch.number,
    hostCount,
    scope: batchScope(ctx.stageName, batch.number),
    label: `Agent rollout batch ${batch.number}/${ctx.batchCount}`,
  };
  const monitors = [
    agentRunningMonitor(ctx, batchContext),
    coverageMonitor(ctx, batchContext),
    agentCpuMonitor(ctx, batchContext),
    agentMemoryMonitor(ctx, batchContext),
  ];
  const baseline = baselineScope(ctx.stageName, batch.number, ctx.batchCount);
  if (baseline === undefined) return monitors;
  const laterBatches = laterBatchesLabel(batch.number, ctx.batchCount);
  monitors.push(errorRateMonitor(ctx, batchContext, baseline, laterBatches), latencyMonitor(ctx, batchContext, baseline, laterBatches));
  return monitors;
}

/** The log-based metric counting the stage's failed logins by env and batch. */
function failedLoginsLogsMetric(ctx: RolloutContext): PlannedLogsMetric {
  return {
    key: 'failed-logins-metric',
    name: failedLoginsMetric(ctx.stageName),
    query: `${envTag(ctx.stageName)} ${ctx.policy.security.logQuery}`,
    groupBy: [
      { path: 'env', tagName: 'env' },
      { path: BATCH_TAG, tagName: BATCH_TAG },
    ],
  };
}

/** security: anomalous failed logins per batch, on the log-based metric `metric`. */
function failedLoginsMonitor(ctx: RolloutContext, metric: string): PlannedMonitor {
  const { stageName } = ctx;
  const security = ctx.policy.security;
  const alertWindow = lastWindow(security.alertWindowMinutes);
  const queryWindow = lastWindow(Math.max(60, Math.ceil((5 * security.alertWindowMinutes) / 60) * 60));
  const intervalSeconds = Math.max(60, Math.min(300, Math.floor((security.alertWindowMinutes * 60) / 5 / 60) * 60));
  return plannedMonitor(ctx, {
    key: 'rollout-security-failed-logins',
    check: 'security',
    kind: 'anomaly',
    datadogType: 'query alert',
    name: `Agent rollout: failed logins anomalous in batch {{${BATCH_TAG}.name}}`,
    query:
      `avg(${queryWindow}):anomalies(${QUERIES.failedLogins(stageName, envTag(stageName))}, '${security.algorithm}', ${formatNumber(security.deviations)}, ` +
      `direction='above', alert_window='${alertWindow}', interval=${intervalSeconds}, count_default_zero='true'${security.algorithm === 'basic' ? '' : ", seasonality='daily'"}) >= 1`,
    body:
      `Failed logins on the hosts of batch {{${BATCH_TAG}.name}} in ${stageName} are above their usual range (${security.algorithm}, ${formatNumber(security.deviations)} deviations, every point of the ${windowPhrase(alertWindow)}). ` +
      `The security signal of the go/no-go gate: hold the rollout until someone has read the batch's authentication logs (metric ${metric}).`,
    thresholds: { critical: 1, criticalRecovery: 0 },
    thresholdWindows: { trigger: alertWindow, recovery: alertWindow },
  });
}

/** The stage's security check: the failed-logins metric and its anomaly monitor, or nothing when disabled. */
function securityChecks(ctx: RolloutContext): { monitors: PlannedMonitor[]; logsMetrics: PlannedLogsMetric[] } {
  if (!ctx.policy.security.enabled) return { monitors: [], logsMetrics: [] };
  const logsMetric = failedLoginsLogsMetric(ctx);
  return { monitors: [failedLoginsMonitor(ctx, logsMetric.name)], logsMetrics: [logsMetric] };
}

/**
 * The security signal counts sshd logs the Agent ships (the datadog_agent
 * role collects the ssh unit's journal when logs are enabled): a stage whose
 * Agents do not collect logs has no source for it, and its anomaly monitor
 * would watch a metric that never gets a point. Say so instead.
 */
export function securitySourceProblems(stage: Stage, monitoring: MonitoringConfig): Problem[] {
  const settings = stageRolloutSettings(stage, monitoring);
  const policy = monitoring.policy;
  if (!settings.enabled || !policy.rollout.security.enabled || stage.agent.logsEnabled) return [];
  const inPolicy = Object.keys(policy.source.fieldLines).length > 0;
  return [
    {
      file: inPolicy ? policy.source.file : stage.sourceFile,
      line: inPolicy ? (policy.source.fieldLines['rollout.security'] ?? policy.source.fieldLines.rollout ?? policy.source.line) : 1,
      path: inPolicy ? 'rollout.security' : 'agent.logsEnabled',
      got: `the failed-login signal enabled, but stage ${stage.name} has agent.logsEnabled: false (${stage.sourceFile}): its Agents ship no sshd logs to count`,
      expected:
        `agent.logsEnabled: true in ${stage.sourceFile} (the datadog_agent role then collects the ssh unit's journal, source ${SSHD_LOG_SOURCE}), ` +
        `or rollout.security.enabled: false in ${policy.source.file}`,
    },
  ];
}

/** The generated monitors, log-based metric and dashboard of one stage. */
export function rolloutMonitoring(
  stage: Stage,
  monitoring: MonitoringConfig,
  hasSlos: boolean,
): { monitors: PlannedMonitor[]; dashboards: PlannedDashboard[]; logsMetrics: PlannedLogsMetric[] } {
  const settings = stageRolloutSettings(stage, monitoring);
  if (!settings.enabled) return { monitors: [], dashboards: [], logsMetrics: [] };
  const batches = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages);
  const ctx = rolloutContext(stage, monitoring, settings, batches.length);
  const security = securityChecks(ctx);
  return {
    monitors: [...batches.flatMap((batch) => batchMonitors(ctx, batch)), ...security.monitors],
    dashboards: [
      rolloutDashboard(stage, batches, {
        signals: ctx.signals,
        hasSlos,
        security: ctx.policy.security.enabled,
        requiredCoverage: ctx.requiredCoverage,
      }),
    ],
    logsMetrics: security.logsMetrics,
  };
}
