import { DashboardJson } from '@cdktf/provider-datadog/lib/dashboard-json';
import { LogsMetric } from '@cdktf/provider-datadog/lib/logs-metric';
import { Monitor } from '@cdktf/provider-datadog/lib/monitor';
import { ServiceLevelObjective } from '@cdktf/provider-datadog/lib/service-level-objective';
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { StageMonitoring } from '../../../constructs/monitoring/stage-monitoring';
import { planStage } from '../../../plan/monitoring/stage-plan';
import { loadConfig } from '../../../model/load-config';
import type { MonitoringConfig } from '../../../model/monitoring/types';
import type { Stage } from '../../../model/stage';
import { exampleConfig, mustReplace, REPO, tempConfig } from '../../support/fixtures';
import { loadOk, stageWith, TEAM_FILE } from '../../model/monitoring/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synth(stage: Stage, monitoring: MonitoringConfig): { text: string; json: Json } {
  const text = Testing.synthScope((s) => void new StageMonitoring(s, 'monitoring', { plan: planStage(stage, monitoring) }));
  return { text, json: JSON.parse(text) as Json };
}

/** Resources of one type, keyed by the construct id they were created with. */
function byId(json: Json, type: string): Record<string, Json> {
  return Object.fromEntries(
    Object.entries((json.resource?.[type] ?? {}) as Record<string, Json>).map(([k, r]) => [k.replace(/^monitoring_/, '').replace(/_[0-9A-F]{8}$/, ''), r]),
  );
}

describe('StageMonitoring', () => {
  const example = exampleConfig();
  const prod = example.stages.find((s) => s.name === 'prod')!;
  const { text, json } = synth(prod, example.monitoring);
  const monitors = byId(json, 'datadog_monitor');

  test('creates every resource kind for the example prod stage', () => {
    expect(Object.keys(json.resource).sort()).toEqual(['datadog_dashboard_json', 'datadog_logs_metric', 'datadog_monitor', 'datadog_service_level_objective']);
    expect(Object.keys(monitors)).toHaveLength(41);
    expect(Object.keys(byId(json, 'datadog_service_level_objective')).sort()).toEqual([
      'slo-api-latency',
      'slo-checkout-availability',
      'slo-checkout-uptime',
      'slo-web-availability',
    ]);
    expect(Object.keys(byId(json, 'datadog_dashboard_json')).sort()).toEqual([
      'dashboard-payments-checkout',
      'dashboard-storefront-overview',
      'rollout-dashboard',
    ]);
    expect(text).toHaveResourceWithProperties(LogsMetric, { name: 'rollout.security.failed_logins.prod', compute: { aggregation_type: 'count' } });
  });

  test('every monitor validates at plan time and carries env, service, team and managed-by', () => {
    for (const m of Object.values(monitors)) {
      expect(m.validate).toBe(true);
      const keys = (m.tags as string[]).map((t) => t.split(':')[0]);
      expect(keys).toEqual(expect.arrayContaining(['env', 'service', 'team', 'managed-by']));
      expect(m.tags).toContain('env:prod');
      expect(m.tags).toEqual([...m.tags].sort());
    }
  });

  test('a query alert with thresholds, recovery thresholds, renotify and priority', () => {
    expect(monitors['monitor-web-5xx-ratio']).toEqual(
      expect.objectContaining({
        name: '[prod] Web error ratio high',
        type: 'query alert',
        query:
          'sum(last_10m):sum:trace.http.request.errors{env:prod,service:web}.as_count() / sum:trace.http.request.hits{env:prod,service:web}.as_count() > 0.05',
        monitor_thresholds: { critical: '0.05', critical_recovery: '0.04', warning: '0.02', warning_recovery: '0.015' },
        priority: '2',
        renotify_interval: 30,
        renotify_statuses: ['alert'],
        notify_no_data: false,
        tags: ['cost_center:cc-storefront', 'env:prod', 'managed-by:observability-rollout', 'rollout_check:app-errors', 'service:web', 'team:storefront'],
      }),
    );
  });

  test('a metric alert, a log alert and a service check with no-data handling', () => {
    expect(monitors['monitor-api-p99-latency']).toEqual(expect.objectContaining({ type: 'metric alert', monitor_thresholds: { critical: '2', warning: '1' } }));
    expect(monitors['monitor-checkout-provider-errors']).toEqual(
      expect.objectContaining({
        type: 'log alert',
        query: 'logs("service:checkout status:error @payment.provider:* env:prod").index("*").rollup("count").by("@payment.provider").last("5m") > 50',
      }),
    );
    expect(monitors['monitor-checkout-up']).toEqual(
      expect.objectContaining({
        type: 'service check',
        monitor_thresholds: { critical: '2', ok: '1' },
        notify_no_data: true,
        no_data_timeframe: 5,
        priority: '1',
      }),
    );
  });

  test('an anomaly monitor with threshold windows', () => {
    expect(monitors['monitor-web-traffic-drop']).toEqual(
      expect.objectContaining({
        type: 'query alert',
        monitor_thresholds: { critical: '1', critical_recovery: '0' },
        monitor_threshold_windows: { trigger_window: 'last_30m', recovery_window: 'last_30m' },
      }),
    );
  });

  test('a composite refers to the monitors it combines by their Terraform ids, and has no thresholds', () => {
    const c = monitors['monitor-web-degraded'];
    expect(c.type).toBe('composite');
    expect(c.query).toMatch(
      /^\$\{datadog_monitor\.monitoring_monitor-web-5xx-ratio_[0-9A-F]+\.id\} && \$\{datadog_monitor\.monitoring_monitor-web-p95-latency_[0-9A-F]+\.id\}$/,
    );
    expect(c.monitor_thresholds).toBeUndefined();
    expect(c.notify_no_data).toBeUndefined();
  });

  test('burn-rate alerts are slo alert monitors on the SLO resource id', () => {
    const b = monitors['slo-checkout-availability-burn-1-page'];
    expect(b).toEqual(
      expect.objectContaining({
        type: 'slo alert',
        name: '[prod] Checkout availability: error budget burn 14.4x over 1h/5m (page)',
        monitor_thresholds: { critical: '14.4' },
        priority: '1',
      }),
    );
    expect(b.query).toMatch(
      /^burn_rate\("\$\{datadog_service_level_objective\.monitoring_slo-checkout-availability_[0-9A-F]+\.id\}"\)\.over\("30d"\)\.long_window\("1h"\)\.short_window\("5m"\) > 14\.4$/,
    );
  });

  test('SLOs: metric with 7d/30d/90d targets and warnings, monitor on monitor ids, time slice', () => {
    const slos = byId(json, 'datadog_service_level_objective');
    expect(slos['slo-checkout-availability']).toEqual(
      expect.objectContaining({
        type: 'metric',
        name: '[prod] Checkout availability',
        query: {
          numerator: 'sum:trace.http.request.hits{env:prod,service:checkout}.as_count() - sum:trace.http.request.errors{env:prod,service:checkout}.as_count()',
          denominator: 'sum:trace.http.request.hits{env:prod,service:checkout}.as_count()',
        },
        thresholds: [
          { timeframe: '7d', target: 99.95, warning: 99.97 },
          { timeframe: '30d', target: 99.95, warning: 99.97 },
          { timeframe: '90d', target: 99.9 },
        ],
        timeframe: '30d',
        target_threshold: 99.95,
        warning_threshold: 99.97,
        validate: true,
        tags: ['cost_center:cc-payments', 'env:prod', 'managed-by:observability-rollout', 'service:checkout', 'team:payments'],
      }),
    );
    expect(slos['slo-checkout-uptime'].type).toBe('monitor');
    expect(slos['slo-checkout-uptime'].monitor_ids).toEqual([
      expect.stringMatching(/^\$\{datadog_monitor\.monitoring_monitor-checkout-5xx-ratio_[0-9A-F]+\.id\}$/),
    ]);
    expect(slos['slo-api-latency']).toEqual(
      expect.objectContaining({
        type: 'time_slice',
        sli_specification: {
          time_slice: {
            comparator: '<=',
            threshold: 0.5,
            query_interval_seconds: 300,
            query: {
              formula: { formula_expression: 'query1' },
              query: [{ metric_query: { data_source: 'metrics', name: 'query1', query: 'p95:trace.http.request{env:prod,service:api}' } }],
            },
          },
        },
      }),
    );
  });

  test('dashboards are normalized JSON without server-set fields', () => {
    const boards = byId(json, 'datadog_dashboard_json');
    for (const d of Object.values(boards)) {
      const body = d.dashboard as string;
      expect(body).not.toMatch(/"id":|"author_handle"|"author_name"|"created_at"|"modified_at"|"url"|"is_read_only"/);
      expect(JSON.stringify(JSON.parse(body), null, 2) + '\n').toBe(body);
    }
    expect(JSON.parse(boards['dashboard-storefront-overview'].dashboard).title).toBe('[prod] Storefront overview');
    expect(text).toHaveResourceWithProperties(DashboardJson, { dashboard: expect.stringContaining('"title": "[prod] Agent 7.72.0 rollout"') });
  });

  test('the JSON contains no secret: no keys, no key variables, nothing from the environment', () => {
    const saved = process.env.DD_API_KEY;
    process.env.DD_API_KEY = 'sentinel-api-key-from-the-environment';
    try {
      const again = synth(prod, example.monitoring).text;
      expect(again).toBe(text);
      expect(again).not.toContain(process.env.DD_API_KEY);
      expect(again).not.toMatch(/api_key|app_key|secret|password|token|[0-9a-f]{32}/i);
      expect(again).not.toContain(REPO);
    } finally {
      if (saved === undefined) delete process.env.DD_API_KEY;
      else process.env.DD_API_KEY = saved;
    }
  });

  test('restricted roles are passed where given', () => {
    const role = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
    const monitoring = loadOk({ 'monitors/storefront.yaml': mustReplace(TEAM_FILE, 'tags:', `restrictedRoles: ['${role}']\ntags:`) });
    const out = synth(stageWith('dev'), monitoring).text;
    expect(out).toHaveResourceWithProperties(Monitor, { name: '[dev] Web error ratio high', restricted_roles: [role] });
  });

  test('a new stage gets every default monitor, SLO and dashboard with no monitor edits', () => {
    const dir = tempConfig({});
    for (const f of ['dev.yaml', 'prod.yaml', 'test.yaml']) fs.copyFileSync(path.join(REPO, 'stacks/stages', f), path.join(dir, 'stacks/stages', f));
    fs.writeFileSync(
      path.join(dir, 'stacks/stages/staging.yaml'),
      mustReplace(mustReplace(fs.readFileSync(path.join(REPO, 'stacks/stages/test.yaml'), 'utf8'), 'stage: test', 'stage: staging'), /test-/g, 'staging-'),
    );
    fs.cpSync(path.join(REPO, 'monitors'), path.join(dir, 'monitors'), { recursive: true });
    const cfg = loadConfig(dir);
    const staging = cfg.stages.find((s) => s.name === 'staging')!;
    const out = synth(staging, cfg.monitoring).json;
    const teamIds = byId(out, 'datadog_monitor');
    expect(
      Object.keys(teamIds)
        .filter((k) => k.startsWith('monitor-'))
        .sort(),
    ).toEqual(
      cfg.monitoring.monitors
        .filter((m) => m.enabled)
        .map((m) => `monitor-${m.id}`)
        .sort(),
    );
    expect(Object.keys(byId(out, 'datadog_service_level_objective'))).toHaveLength(cfg.monitoring.slos.length);
    expect(Object.keys(byId(out, 'datadog_dashboard_json'))).toHaveLength(cfg.monitoring.dashboards.length + 1);
    // A stage nobody lists gets the base routing: Slack, no pager.
    expect(JSON.stringify(out)).not.toContain('@pagerduty');
    for (const m of Object.values(teamIds)) expect(m.tags).toContain('env:staging');
  });

  test('maps the plan it is given and judges nothing: a plan breaking a rule still synthesizes (stacks/app.ts runs the rule pack first)', () => {
    const monitoring = loadOk({ 'monitors/storefront.yaml': mustReplace(TEAM_FILE, 'critical: 0.05', 'critical: 0.5') });
    const { json: out } = synth(stageWith('dev'), monitoring);
    expect(byId(out, 'datadog_monitor')['monitor-web-errors'].monitor_thresholds).toEqual({ critical: '0.5', warning: '0.02' });
  });

  test('fails when the plan is not consistent, listing every problem at once', () => {
    const plan = planStage(stageWith('dev'), loadOk({}));
    const composite = { ...plan.monitors[0], key: 'monitor-combo', refs: { monitors: ['missing-monitor'] } };
    const bad = { ...plan, stage: 'Dev Stage', monitors: [...plan.monitors, plan.monitors[0], composite] };
    expect(() => Testing.synthScope((s) => void new StageMonitoring(s, 'monitoring', { plan: bad }))).toThrow(
      new RegExp(
        '^StageMonitoring monitoring: 3 invalid props\n' +
          ' {2}plan\\.stage: got "Dev Stage", expected a lowercase stage name such as dev\n' +
          ` {2}plan\\.monitors\\.${plan.monitors.length}\\.key: got "${plan.monitors[0].key}", expected a key not used before in the stage\n` +
          ` {2}plan\\.monitors\\.${plan.monitors.length + 1}\\.refs\\.monitors: got "missing-monitor", expected the id of a team monitor in the same plan$`,
      ),
    );
  });

  test('provider classes are imported by deep path only, never from the package root', () => {
    expect(text).toHaveResource(Monitor);
    expect(text).toHaveResource(ServiceLevelObjective);
    const dir = path.join(REPO, 'constructs/monitoring');
    const files = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'));
    for (const f of files) expect(fs.readFileSync(path.join(dir, f), 'utf8')).not.toMatch(/from '@cdktf\/provider-datadog'/);
  });
});
