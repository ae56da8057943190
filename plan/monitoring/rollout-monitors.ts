/**
 * Monitors generated for each stage from its rollout (pure), tagged per
 * model/signals.ts so the go/no-go gate finds them (`env:<stage>`,
 * `rollout_batch:<n>`, `rollout_check:<kind>`, managed-by):
 *
 * per batch (batches from splitIntoBatches; empty batches get none)
 * - agent-running:  `datadog.agent.up` service check per host
 * - coverage:       hosts reporting an Agent vs the batch's expected host count,
 *                   critical below 100 - maxFailedHostsPercent
 * - agent-overhead: Agent CPU and memory per host
 * - error-rate, latency: the batch vs the hosts not yet upgraded (later
 *                   batches), by more than degradationThresholdPercent; the
 *                   last batch has none to compare with and gets neither
 * per stage
 * - security:       failed-login anomalies per batch (`rollout_check:security`),
 *                   counted by a log-based metric the stack creates
 * and the stage's rollout dashboard.
 */
import { formatNumber } from '../../model/monitoring/query';
import { lastWindow } from '../../model/monitoring/duration';
import type { MonitoringConfig, Notify, Thresholds } from '../../model/monitoring/types';
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
  QUERIES,
  ROLLOUT_SERVICE,
} from '../../model/signals';
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
  const p = monitoring.policy.rollout;
  const o = p.stages[stage.name] ?? {};
  return {
    enabled: o.enabled ?? p.enabled,
    team: p.team ?? stage.owner,
    priority: o.priority ?? p.priority,
    notify: o.notify ?? p.notify,
    ...(p.runbook !== undefined ? { runbook: p.runbook } : {}),
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

/** The generated monitors, log-based metric and dashboard of one stage. */
export function rolloutMonitoring(
  stage: Stage,
  monitoring: MonitoringConfig,
  hasSlos: boolean,
): { monitors: PlannedMonitor[]; dashboards: PlannedDashboard[]; logsMetrics: PlannedLogsMetric[] } {
  const s = stageRolloutSettings(stage, monitoring);
  if (!s.enabled) return { monitors: [], dashboards: [], logsMetrics: [] };
  const policy = monitoring.policy.rollout;
  const batches = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages);
  const k = batches.length;
  const S = stage.name;
  const version = stage.agent.version;
  const degradation = stage.rollout.degradationThresholdPercent;
  const factor = formatNumber(1 + degradation / 100);
  const op = policy.apmOperation;
  const win = lastWindow(policy.windowMinutes);
  const cmpWin = lastWindow(policy.comparisonWindowMinutes);
  const required = requiredCoveragePercent(stage);

  const make = (o: {
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
  }): PlannedMonitor => {
    const warnings = o.thresholds.warning !== undefined;
    return {
      key: o.key,
      origin: 'rollout',
      stage: S,
      kind: o.kind,
      datadogType: o.datadogType,
      name: `[${S}] ${o.name}`,
      query: o.query,
      body: o.body,
      message: buildMessage({
        body: o.body,
        ...(s.runbook !== undefined ? { runbook: s.runbook } : {}),
        team: s.team,
        service: ROLLOUT_SERVICE,
        stage: S,
        notify: s.notify,
        warnings,
        noData: o.noData !== undefined,
      }),
      thresholds: o.thresholds,
      ...(o.thresholdWindows ? { thresholdWindows: o.thresholdWindows } : {}),
      priority: s.priority,
      tags: tagList(S, ROLLOUT_SERVICE, s.team, { ...monitoring.policy.tags, ...policy.tags }, [checkTag(o.check), ...(o.batch !== undefined ? [batchTag(o.batch)] : [])]),
      restrictedRoles: [],
      notifyNoData: o.noData !== undefined,
      ...(o.noData !== undefined ? { noDataTimeframeMinutes: o.noData } : {}),
      // Metric monitors only: evaluate as soon as a batch reports, not after a full window of data.
      ...(o.datadogType === 'query alert' ? { requireFullWindow: false } : {}),
      team: s.team,
      service: ROLLOUT_SERVICE,
      ...(s.runbook !== undefined ? { runbook: s.runbook } : {}),
      notify: s.notify,
      refs: { monitors: [] },
      suppress: [],
      source: monitoring.policy.source,
      fieldPrefix: 'rollout.',
    };
  };

  const monitors: PlannedMonitor[] = [];
  for (const b of batches as Batch[]) {
    const n = b.hosts.length;
    if (n === 0) continue;
    const scope = batchScope(S, b.number);
    const label = `Agent rollout batch ${b.number}/${k}`;
    const key = (check: string): string => `rollout-batch${b.number}-${check}`;
    monitors.push(
      make({
        key: key('agent-running'),
        check: 'agent-running',
        batch: b.number,
        kind: 'service-check',
        datadogType: 'service check',
        name: `${label}: Agent not reporting on {{host.name}}`,
        query: `"datadog.agent.up".over("${envTag(S)}","${batchTag(b.number)}").by("host").last(2).count_by_status()`,
        body:
          `The Datadog Agent on {{host.name}} (batch ${b.number} of ${k} in ${S}, rolling out Agent ${version}) failed its last two datadog.agent.up checks. ` +
          `The rollout stops while a host of the batch is down: check \`datadog-agent status\` and the service logs on the host, or roll the batch back.`,
        thresholds: { critical: 2, ok: 1 },
        noData: policy.windowMinutes,
      }),
      make({
        key: key('coverage'),
        check: 'coverage',
        batch: b.number,
        kind: 'query',
        datadogType: 'query alert',
        name: `${label}: fewer than ${formatNumber(required)}% of its ${n} hosts report an Agent`,
        query: `max(${win}):default_zero(${QUERIES.agentCount(scope)}) * 100 / ${n} < ${formatNumber(required)}`,
        body:
          `Only {{value}}% of the ${n} hosts of batch ${b.number} (the batch split of ${stage.sourceFile}) reported a running Agent at all times over the ${win.replace('last_', 'last ')}. ` +
          `A batch may lose at most ${formatNumber(stage.rollout.maxFailedHostsPercent)}% of its hosts: critical below ${formatNumber(required)}%, warning below 100%.`,
        thresholds: { critical: required, warning: 100 },
      }),
      make({
        key: key('agent-cpu'),
        check: 'agent-overhead',
        batch: b.number,
        kind: 'query',
        datadogType: 'query alert',
        name: `${label}: Agent CPU above ${formatNumber(policy.agentCpuPercent.critical)}% on {{host.name}}`,
        query: `avg(${win}):${QUERIES.agentCpu(scope)} > ${formatNumber(policy.agentCpuPercent.critical)}`,
        body:
          `The Agent process on {{host.name}} (batch ${b.number}, Agent ${version}) used {{value}}% of one core on average over the ${win.replace('last_', 'last ')} ` +
          `(warning at ${formatNumber(policy.agentCpuPercent.warning)}%, critical at ${formatNumber(policy.agentCpuPercent.critical)}%).`,
        thresholds: { critical: policy.agentCpuPercent.critical, warning: policy.agentCpuPercent.warning },
      }),
      make({
        key: key('agent-memory'),
        check: 'agent-overhead',
        batch: b.number,
        kind: 'query',
        datadogType: 'query alert',
        name: `${label}: Agent memory above ${formatNumber(policy.agentMemoryMb.critical)} MiB on {{host.name}}`,
        query: `avg(${win}):${QUERIES.agentMemory(scope)} > ${formatNumber(policy.agentMemoryMb.critical * MIB)}`,
        body:
          `The Agent process on {{host.name}} (batch ${b.number}, Agent ${version}) held {{value}} bytes resident on average over the ${win.replace('last_', 'last ')} ` +
          `(warning at ${formatNumber(policy.agentMemoryMb.warning)} MiB, critical at ${formatNumber(policy.agentMemoryMb.critical)} MiB).`,
        thresholds: { critical: policy.agentMemoryMb.critical * MIB, warning: policy.agentMemoryMb.warning * MIB },
      }),
    );
    const base = baselineScope(S, b.number, k);
    if (base === undefined) continue;
    const later = `batch${b.number + 1 === k ? '' : 'es'} ${range(b.number + 1, k)}`;
    monitors.push(
      make({
        key: key('error-rate'),
        check: 'error-rate',
        batch: b.number,
        kind: 'query',
        datadogType: 'query alert',
        name: `${label}: APM error rate more than ${formatNumber(degradation)}% above ${later}`,
        query: `sum(${cmpWin}):(${QUERIES.errorRatio(scope, op)}) - ${factor} * (${QUERIES.errorRatio(base, op)}) > ${formatNumber(ERROR_RATE_FLOOR)}`,
        body:
          `The ${op} error ratio of batch ${b.number} exceeds ${factor}x that of the hosts not yet upgraded (${later}) by {{value}} over the ${cmpWin.replace('last_', 'last ')}: ` +
          `Agent ${version} may be degrading the application (the stage allows ${formatNumber(degradation)}%; increases under ${formatNumber(ERROR_RATE_FLOOR * 100)} percentage points are ignored).`,
        thresholds: { critical: ERROR_RATE_FLOOR },
      }),
      make({
        key: key('latency'),
        check: 'latency',
        batch: b.number,
        kind: 'query',
        datadogType: 'query alert',
        name: `${label}: p95 latency more than ${formatNumber(degradation)}% above ${later}`,
        query: `percentile(${cmpWin}):${QUERIES.latencyP95(scope, op)} - ${factor} * ${QUERIES.latencyP95(base, op)} > 0`,
        body:
          `The ${op} p95 latency of batch ${b.number} is {{value}}s above ${factor}x that of the hosts not yet upgraded (${later}) over the ${cmpWin.replace('last_', 'last ')}: ` +
          `Agent ${version} may be slowing the application (the stage allows ${formatNumber(degradation)}%).`,
        thresholds: { critical: 0 },
      }),
    );
  }

  const logsMetrics: PlannedLogsMetric[] = [];
  const sec = policy.security;
  if (sec.enabled) {
    const metric = failedLoginsMetric(S);
    logsMetrics.push({
      key: 'failed-logins-metric',
      name: metric,
      query: `${envTag(S)} ${sec.logQuery}`,
      groupBy: [
        { path: 'env', tagName: 'env' },
        { path: BATCH_TAG, tagName: BATCH_TAG },
      ],
    });
    const alert = lastWindow(sec.alertWindowMinutes);
    const queryWindow = lastWindow(Math.max(60, Math.ceil((5 * sec.alertWindowMinutes) / 60) * 60));
    const interval = Math.max(60, Math.min(300, Math.floor((sec.alertWindowMinutes * 60) / 5 / 60) * 60));
    monitors.push(
      make({
        key: 'rollout-security-failed-logins',
        check: 'security',
        kind: 'anomaly',
        datadogType: 'query alert',
        name: `Agent rollout: failed logins anomalous in batch {{${BATCH_TAG}.name}}`,
        query:
          `avg(${queryWindow}):anomalies(${QUERIES.failedLogins(S, envTag(S))}, '${sec.algorithm}', ${formatNumber(sec.deviations)}, ` +
          `direction='above', alert_window='${alert}', interval=${interval}, count_default_zero='true'${sec.algorithm === 'basic' ? '' : ", seasonality='daily'"}) >= 1`,
        body:
          `Failed logins on the hosts of batch {{${BATCH_TAG}.name}} in ${S} are above their usual range (${sec.algorithm}, ${formatNumber(sec.deviations)} deviations, every point of the ${alert.replace('last_', 'last ')}). ` +
          `The security signal of the go/no-go gate: hold the rollout until someone has read the batch's authentication logs (metric ${metric}).`,
        thresholds: { critical: 1, criticalRecovery: 0 },
        thresholdWindows: { trigger: alert, recovery: alert },
      }),
    );
  }

  return {
    monitors,
    dashboards: [rolloutDashboard(stage, batches, { apmOperation: op, hasSlos, security: sec.enabled, requiredCoverage: required })],
    logsMetrics,
  };
}
