import { planStage } from '../../../plan/monitoring/stage-plan';
import { requiredCoveragePercent, rolloutMonitoring, securitySourceProblems } from '../../../plan/monitoring/rollout-monitors';
import { formatProblem } from '../../../model/errors';
import { parseTemplate } from '../../../plan/monitoring/template';
import type { Stage } from '../../../model/stage';
import { splitIntoBatches } from '../../../model/batches';
import { checkTag, envTag, MANAGED_BY_TAG } from '../../../model/signals';
import { exampleConfig, exampleStage } from '../../support/fixtures';
import { loadOk, stageWith } from '../../model/monitoring/fixtures';

const POLICY = `rollout:
  runbook: https://runbooks.example/rollout
  notify: { alert: ['@slack-rollout'], warning: ['@slack-rollout'] }
  stages:
    prod: { priority: 2, notify: { alert: ['@pagerduty-platform'], warning: ['@slack-rollout'] } }
`;

function generated(stage: Stage, policy = POLICY): ReturnType<typeof rolloutMonitoring> {
  return rolloutMonitoring(stage, loadOk({ 'monitors/policy.yaml': policy }, ['dev', 'prod', 'qa', 'test']), true);
}

describe('generated rollout monitors', () => {
  const test6 = stageWith('test', 6);

  test('per batch: agent running, coverage, CPU, memory; error rate and latency only where later batches exist; one security monitor', () => {
    const { monitors } = generated(test6);
    expect(monitors.map((m) => m.key)).toEqual([
      'rollout-batch1-agent-running',
      'rollout-batch1-coverage',
      'rollout-batch1-agent-cpu',
      'rollout-batch1-agent-memory',
      'rollout-batch1-error-rate',
      'rollout-batch1-latency',
      'rollout-batch2-agent-running',
      'rollout-batch2-coverage',
      'rollout-batch2-agent-cpu',
      'rollout-batch2-agent-memory',
      'rollout-batch2-error-rate',
      'rollout-batch2-latency',
      'rollout-batch3-agent-running',
      'rollout-batch3-coverage',
      'rollout-batch3-agent-cpu',
      'rollout-batch3-agent-memory',
      'rollout-security-failed-logins',
    ]);
  });

  test('batch monitors carry the gate contract tags, field by field', () => {
    const byKey = new Map(generated(test6).monitors.map((m) => [m.key, m]));
    const cov = byKey.get('rollout-batch2-coverage')!;
    expect({
      name: cov.name,
      type: cov.datadogType,
      query: cov.query,
      thresholds: cov.thresholds,
      priority: cov.priority,
      tags: cov.tags,
      requireFullWindow: cov.requireFullWindow,
    }).toEqual({
      name: '[test] Agent rollout batch 2/3: fewer than 99% of its 2 hosts report an Agent',
      type: 'query alert',
      query: 'max(last_15m):default_zero(sum:datadog.agent.running{env:test AND rollout_batch:2}) * 100 / 2 < 99',
      thresholds: { critical: 99, warning: 100 },
      priority: 3,
      tags: ['env:test', 'managed-by:observability-rollout', 'rollout_batch:2', 'rollout_check:coverage', 'service:datadog-agent', 'team:platform-team'],
      requireFullWindow: false,
    });
    const up = byKey.get('rollout-batch1-agent-running')!;
    expect([up.datadogType, up.query, up.thresholds, up.notifyNoData, up.noDataTimeframeMinutes]).toEqual([
      'service check',
      '"datadog.agent.up".over("env:test","rollout_batch:1").by("host").last(2).count_by_status()',
      { critical: 2, ok: 1 },
      true,
      15,
    ]);
    const cpu = byKey.get('rollout-batch3-agent-cpu')!;
    expect([cpu.query, cpu.thresholds, cpu.tags]).toEqual([
      // the process check's metric of the Agent's own processes (host-tagged, so rollout_batch applies)
      'avg(last_15m):avg:system.processes.cpu.pct{env:test AND rollout_batch:3 AND process_name:datadog-agent} by {host} > 25',
      { critical: 25, warning: 10 },
      expect.arrayContaining(['rollout_batch:3', 'rollout_check:agent-overhead']),
    ]);
    const mem = byKey.get('rollout-batch3-agent-memory')!;
    expect([mem.query, mem.thresholds]).toEqual([
      'avg(last_15m):avg:system.processes.mem.rss{env:test AND rollout_batch:3 AND process_name:datadog-agent} by {host} > 629145600',
      { critical: 629145600, warning: 419430400 },
    ]);
  });

  test("error rate and latency compare each service of a batch with itself on the later batches by the stage's degradation threshold", () => {
    const stage = { ...test6, rollout: { ...test6.rollout, degradationThresholdPercent: 10 } };
    const byKey = new Map(generated(stage).monitors.map((m) => [m.key, m]));
    const err = byKey.get('rollout-batch1-error-rate')!;
    expect([err.name, err.query, err.thresholds, err.tags, err.requireFullWindow]).toEqual([
      '[test] Agent rollout batch 1/3: APM error rate of {{service.name}} more than 10% above batches 2-3',
      'sum(last_30m):(sum:trace.http.request.errors{env:test AND rollout_batch:1} by {service}.as_count() / sum:trace.http.request.hits{env:test AND rollout_batch:1} by {service}.as_count())' +
        ' - 1.1 * (sum:trace.http.request.errors{env:test AND (rollout_batch:2 OR rollout_batch:3)} by {service}.as_count() / ' +
        'sum:trace.http.request.hits{env:test AND (rollout_batch:2 OR rollout_batch:3)} by {service}.as_count()) > 0.0001',
      { critical: 0.0001 },
      expect.arrayContaining(['rollout_batch:1', 'rollout_check:error-rate']),
      false,
    ]);
    const lat = byKey.get('rollout-batch2-latency')!;
    // the default latency mode: the mean, duration / hits, both host-tagged
    expect([lat.name, lat.query, lat.thresholds, lat.tags, lat.requireFullWindow]).toEqual([
      '[test] Agent rollout batch 2/3: mean latency of {{service.name}} more than 10% above batch 3',
      'sum(last_30m):(sum:trace.http.request.duration{env:test AND rollout_batch:2} by {service}.rollup(sum) / sum:trace.http.request.hits{env:test AND rollout_batch:2} by {service}.as_count())' +
        ' - 1.1 * (sum:trace.http.request.duration{env:test AND (rollout_batch:3)} by {service}.rollup(sum) / sum:trace.http.request.hits{env:test AND (rollout_batch:3)} by {service}.as_count()) > 0',
      { critical: 0 },
      expect.arrayContaining(['rollout_batch:2', 'rollout_check:latency']),
      false,
    ]);
  });

  test('a percentile latency mode reads the distribution, once rollout_batch is declared the APM second primary tag', () => {
    const policy = `${POLICY}  latency: p95\napm:\n  secondPrimaryTag: rollout_batch\n`;
    const lat = generated(test6, policy).monitors.find((m) => m.key === 'rollout-batch2-latency')!;
    expect([lat.name, lat.query]).toEqual([
      '[test] Agent rollout batch 2/3: p95 latency of {{service.name}} more than 5% above batch 3',
      'percentile(last_30m):p95:trace.http.request{env:test AND rollout_batch:2} by {service} - 1.05 * p95:trace.http.request{env:test AND (rollout_batch:3)} by {service} > 0',
    ]);
    const dashboard = generated(test6, policy).dashboards[0].json;
    expect(dashboard).toContain('"query": "p95:trace.http.request{env:test AND rollout_batch:1} by {service}"');
  });

  test('the security signal: one failed-login anomaly monitor per stage, multi-alert by batch, over a log-based metric', () => {
    const { monitors, logsMetrics } = generated(test6);
    const sec = monitors.find((m) => m.key === 'rollout-security-failed-logins')!;
    expect({
      kind: sec.kind,
      type: sec.datadogType,
      name: sec.name,
      query: sec.query,
      thresholds: sec.thresholds,
      windows: sec.thresholdWindows,
      tags: sec.tags,
    }).toEqual({
      kind: 'anomaly',
      type: 'query alert',
      name: '[test] Agent rollout: failed logins anomalous in batch {{rollout_batch.name}}',
      query:
        "avg(last_2h):anomalies(sum:rollout.security.failed_logins.test{env:test} by {rollout_batch}.as_count(), 'basic', 3, direction='above', alert_window='last_15m', interval=180, count_default_zero='true') >= 1",
      thresholds: { critical: 1, criticalRecovery: 0 },
      windows: { trigger: 'last_15m', recovery: 'last_15m' },
      tags: ['env:test', 'managed-by:observability-rollout', 'rollout_check:security', 'service:datadog-agent', 'team:platform-team'],
    });
    expect(logsMetrics).toEqual([
      {
        key: 'failed-logins-metric',
        name: 'rollout.security.failed_logins.test',
        // what Datadog's sshd pipeline makes of "Failed password for ..." in the sshd logs the role collects
        query: 'env:test source:sshd @system.action:Failed',
        groupBy: [
          { path: 'env', tagName: 'env' },
          { path: 'rollout_batch', tagName: 'rollout_batch' },
        ],
      },
    ]);
  });

  test('routing and priority follow the policy per stage; messages are valid templates and never page on warnings', () => {
    const prod = generated(stageWith('prod', 3)).monitors;
    const cov = prod.find((m) => m.key === 'rollout-batch1-coverage')!;
    expect(cov.priority).toBe(2);
    expect(cov.message).toContain('{{#is_alert}}@pagerduty-platform{{/is_alert}}');
    expect(cov.message).toContain('{{#is_warning}}@slack-rollout{{/is_warning}}');
    expect(cov.message).toContain('Runbook: https://runbooks.example/rollout');
    for (const m of prod) expect(parseTemplate(m.message).errors).toEqual([]);
    const dev = generated(stageWith('dev', 3)).monitors;
    expect(dev.every((m) => !m.message.includes('@pagerduty') && m.priority === 3)).toBe(true);
  });

  test('every batch the split produces is watched with its expected host count; empty batches get nothing', () => {
    const prod = exampleStage('prod');
    const plan = planStage(prod, exampleConfig().monitoring);
    const batches = splitIntoBatches(prod.hosts, prod.rollout.batchPercentages);
    for (const b of batches) {
      const cov = plan.monitors.find((m) => m.key === `rollout-batch${b.number}-coverage`)!;
      expect(cov.query).toContain(`* 100 / ${b.hosts.length} < ${requiredCoveragePercent(prod)}`);
      // What the gate looks for: env + rollout_batch, and rollout_check per kind.
      const tagged = plan.monitors.filter((m) => m.tags.includes(envTag('prod')) && m.tags.includes(`rollout_batch:${b.number}`));
      expect(tagged.length).toBe(b.number === batches.length ? 4 : 6);
      for (const m of tagged) expect(m.tags).toContain(MANAGED_BY_TAG);
    }
    expect(plan.monitors.filter((m) => m.tags.includes(checkTag('security')))).toHaveLength(1);
    const two = generated(stageWith('qa', 2)).monitors.map((m) => m.key);
    // 2 hosts in 33/33/34%: batch sizes 0/1/1 (largest remainder), so batch 1 has nothing to watch.
    expect(two.filter((k) => k.startsWith('rollout-batch1'))).toEqual([]);
    expect(two.filter((k) => k.endsWith('-coverage'))).toEqual(['rollout-batch2-coverage', 'rollout-batch3-coverage']);
  });

  test('a stage can switch the generated monitors off; the security signal separately', () => {
    expect(generated(test6, 'rollout:\n  stages:\n    test: { enabled: false }\n')).toEqual({ monitors: [], dashboards: [], logsMetrics: [] });
    const noSec = generated(test6, 'rollout:\n  security: { enabled: false }\n');
    expect(noSec.logsMetrics).toEqual([]);
    expect(noSec.monitors.some((m) => m.key.includes('security'))).toBe(false);
  });

  test('the rollout dashboard shows coverage, versions, errors and latency by batch, the monitors and the SLOs', () => {
    const [d] = generated(test6).dashboards;
    const json = JSON.parse(d.json);
    expect(d.key).toBe('rollout-dashboard');
    expect(json.title).toBe('[test] Agent 7.72.0 rollout');
    const titles = (ws: Array<{ definition: { title?: string; widgets?: unknown[] } }>): string[] =>
      ws.flatMap((w) => [w.definition.title ?? '', ...titles((w.definition.widgets as never) ?? [])]).filter((t) => t !== '');
    expect(titles(json.widgets)).toEqual([
      'Coverage and Agent versions by batch',
      'Batch 1: hosts reporting (of 2)',
      'Batch 2: hosts reporting (of 2)',
      'Batch 3: hosts reporting (of 2)',
      'Agents reporting by batch and version (target 7.72.0)',
      'Agents reporting by batch',
      'Application (http.request) by batch',
      'Error rate by batch and service',
      'mean latency by batch and service (s)',
      'Agent overhead by batch',
      'Agent CPU (% of one core, max per batch)',
      'Agent resident memory (bytes, max per batch)',
      'Monitors, security and SLOs',
      'Rollout monitors (the go/no-go gate reads these)',
      'Failed logins by batch',
      'SLOs of test',
    ]);
    expect(d.json).toContain('"query": "tag:\\"env:test\\" tag:\\"service:datadog-agent\\" tag:\\"managed-by:observability-rollout\\""');
    expect(d.json).toContain('"formula": "running * 100 / 2"');
    // the monitors' and the gate's queries, split into named parts for the formulas
    expect(json.widgets[2].definition.widgets[1].definition.requests[0]).toEqual(
      expect.objectContaining({
        formulas: [
          { alias: 'batch 1', formula: 'latency1 / latency1_hits' },
          { alias: 'batch 2', formula: 'latency2 / latency2_hits' },
          { alias: 'batch 3', formula: 'latency3 / latency3_hits' },
        ],
      }),
    );
    expect(d.json).toContain('"query": "sum:trace.http.request.duration{env:test AND rollout_batch:1} by {service}.rollup(sum)"');
    expect(d.json).toContain('"query": "max:system.processes.cpu.pct{env:test AND process_name:datadog-agent} by {rollout_batch}"');
    expect(d.json).not.toContain('process.stat');
  });

  test('a stage whose Agents ship no logs has no source for the failed-login signal: validation says so', () => {
    const monitoring = loadOk({ 'monitors/policy.yaml': POLICY }, ['dev', 'prod', 'qa', 'test']);
    const noLogs = { ...test6, agent: { ...test6.agent, logsEnabled: false } };
    expect(securitySourceProblems(test6, monitoring)).toEqual([]);
    expect(securitySourceProblems(noLogs, monitoring).map(formatProblem)).toEqual([
      'monitors/policy.yaml:1 rollout.security: got the failed-login signal enabled, but stage test has agent.logsEnabled: false (stacks/stages/test.yaml): ' +
        "its Agents ship no sshd logs to count, expected agent.logsEnabled: true in stacks/stages/test.yaml (the datadog_agent role then collects the ssh unit's journal, " +
        'source sshd), or rollout.security.enabled: false in monitors/policy.yaml',
    ]);
    const off = loadOk({ 'monitors/policy.yaml': `${POLICY}  security: { enabled: false }\n` }, ['dev', 'prod', 'qa', 'test']);
    expect(securitySourceProblems(noLogs, off)).toEqual([]);
  });
});
