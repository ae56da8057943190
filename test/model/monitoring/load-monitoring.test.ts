import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../../model/errors';
import { loadConfig } from '../../../model/load-config';
import { exampleConfig, minimalStageYaml, mustReplace, tempConfig } from '../../support/fixtures';
import { load, loadOk, problemLines, TEAM_FILE, withMonitor } from './fixtures';

const T = 'monitors/storefront.yaml';

describe('monitoring model', () => {
  test('the example monitors/ folder has two teams, their SLOs and dashboards, and a policy', () => {
    const m = exampleConfig().monitoring;
    expect(m.files).toEqual(['monitors/payments.yaml', 'monitors/policy.yaml', 'monitors/storefront.yaml']);
    expect([...new Set(m.monitors.map((x) => x.team))]).toEqual(['payments', 'storefront']);
    expect(m.monitors.map((x) => x.type).sort()).toEqual(expect.arrayContaining(['anomaly', 'composite', 'log', 'metric', 'query', 'service-check']));
    expect(m.slos.map((s) => [s.id, s.type])).toEqual([
      ['api-latency', 'time-slice'],
      ['checkout-availability', 'metric'],
      ['checkout-uptime', 'monitor'],
      ['web-availability', 'metric'],
    ]);
    expect(m.dashboards.map((d) => d.file)).toEqual(['monitors/dashboards/payments-checkout.json', 'monitors/dashboards/storefront-overview.json']);
    expect(m.knownTeams).toEqual(['data', 'discovery', 'fulfillment', 'payments', 'platform-team', 'storefront']);
  });

  test('the schema applies every default, folding the file into each definition', () => {
    const m = loadOk({
      [T]: withMonitor(`
slos:
  - id: web-availability
    name: Web availability
    type: metric
    numerator: sum:trace.http.request.hits{env:\${env},service:web}.as_count() - sum:trace.http.request.errors{env:\${env},service:web}.as_count()
    denominator: sum:trace.http.request.hits{env:\${env},service:web}.as_count()
    targets: [{ timeframe: 7d, target: 99.9 }, { timeframe: 30d, target: 99.9, warning: 99.95 }]
`),
    });
    expect(m.monitors[0]).toEqual({
      id: 'web-errors',
      name: 'Web error ratio high',
      type: 'query',
      query: expect.stringMatching(/^sum\(last_5m\):.* > 0\.05$/),
      message: 'Web errors are at {{value}}.',
      runbook: 'https://runbooks.example/web-errors',
      team: 'storefront',
      service: 'web',
      thresholds: { critical: 0.05, warning: 0.02 },
      noData: { notify: false },
      tags: { cost_center: 'cc-web' },
      restrictedRoles: [],
      notify: { alert: ['@pagerduty-storefront'], warning: ['@slack-storefront-alerts'], noData: ['@pagerduty-storefront'] },
      enabled: true,
      stages: {},
      suppress: [],
      source: expect.objectContaining({
        file: T,
        line: 9,
        path: 'monitors.0',
        fieldLines: expect.objectContaining({ id: 9, query: 12, thresholds: 13, 'thresholds.critical': 13 }),
      }),
    });
    const slo = m.slos[0];
    expect(slo.primaryTimeframe).toBe('30d');
    expect(slo.priority).toBe(2);
    expect(slo.targets.map((t) => t.timeframe)).toEqual(['7d', '30d']);
    expect(slo.burnRate).toEqual({
      enabled: true,
      tiers: [
        { severity: 'page', burnRate: 14.4, longWindowMinutes: 60, shortWindowMinutes: 5 },
        { severity: 'page', burnRate: 6, longWindowMinutes: 360, shortWindowMinutes: 30 },
        { severity: 'ticket', burnRate: 1, longWindowMinutes: 4320, shortWindowMinutes: 360 },
      ],
    });
    expect(m.policy).toEqual(
      expect.objectContaining({
        requiredTags: [],
        rollout: expect.objectContaining({ enabled: true, priority: 3, windowMinutes: 15, comparisonWindowMinutes: 30, apmOperation: 'http.request' }),
      }),
    );
  });

  test('a configuration without monitors/ has no definitions and the default policy', () => {
    const cfg = loadConfig(tempConfig({ 'dev.yaml': minimalStageYaml() }));
    expect(cfg.monitoring.files).toEqual([]);
    expect(cfg.monitoring.monitors).toEqual([]);
    expect(cfg.monitoring.policy.rollout.security.alertWindowMinutes).toBe(15);
  });

  test('fails when a key is unknown, listing the known keys', () => {
    const lines = problemLines({ [T]: mustReplace(TEAM_FILE, '    runbook:', '    treshold: 3\n    runbook:') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^monitors\/storefront\.yaml:14 monitors\.0\.treshold: got unknown key "treshold" \(did you mean thresholds\?\), expected one of the known keys: enabled, evaluationDelay, id, importIds, message, name, newGroupDelay, noData, notify, previousIds, priority, query, renotify, requireFullWindow, restrictedRoles, rolloutCheck, runbook, service, stages, suppress, tags, team, thresholdWindows, thresholds, type$/,
    );
  });

  test('fails when a value has the wrong type', () => {
    expect(problemLines({ [T]: withMonitor('    priority: high\n') })).toEqual([
      'monitors/storefront.yaml:16 monitors.0.priority: got "high", expected a number',
    ]);
  });

  test('fails when a duration is malformed', () => {
    const lines = problemLines({ [T]: withMonitor('    renotify: { interval: 30 mins }\n    noData: { notify: true, timeframe: 0m }\n') });
    expect(lines).toEqual([
      'monitors/storefront.yaml:16 monitors.0.renotify.interval: got "30 mins", expected a duration such as 5m, 1h or 3d',
      'monitors/storefront.yaml:17 monitors.0.noData.timeframe: got "0m", expected a duration such as 5m, 1h or 3d',
    ]);
  });

  test('fails when an id repeats across files, naming the first', () => {
    const lines = problemLines({ [T]: TEAM_FILE, 'monitors/web/more.yaml': TEAM_FILE });
    expect(lines).toEqual([
      'monitors/web/more.yaml:9 monitors.0.id: got "web-errors", expected a monitor id not used before (monitors/storefront.yaml:9 has it)',
    ]);
  });

  test('fails when an SLO target is outside (0, 100) or its warning is not above it', () => {
    const slo = (targets: string): string => `${TEAM_FILE}slos:
  - id: web-slo
    name: Web SLO
    type: monitor
    monitors: [web-errors]
    targets: ${targets}
`;
    expect(problemLines({ [T]: slo('[{ timeframe: 30d, target: 100 }, { timeframe: 7d, target: 0 }]') })).toEqual([
      'monitors/storefront.yaml:21 slos.0.targets.0.target: got 100, expected a number < 100',
      'monitors/storefront.yaml:21 slos.0.targets.1.target: got 0, expected a number > 0',
    ]);
    expect(problemLines({ [T]: slo('[{ timeframe: 30d, target: 99.9, warning: 99.5 }, { timeframe: 30d, target: 99 }]') })).toEqual([
      'monitors/storefront.yaml:21 slos.0.targets.0.warning: got 99.5, expected a warning above the target (99.9) and below 100',
      'monitors/storefront.yaml:21 slos.0.targets.1.timeframe: got "30d", expected one target per timeframe',
    ]);
  });

  test('fails when a query does not have the shape of its monitor type', () => {
    const lines = problemLines({
      [T]: withMonitor(`  - id: web-log
    name: Web logs
    type: log
    query: logs("service:web").last("5m") > 10
    thresholds: { critical: 10 }
  - id: web-check
    name: Web check
    type: service-check
    query: '"nginx.can_connect".over("env:\${env}").last(2)'
    thresholds: { critical: 1 }
  - id: web-metric
    name: Web metric
    type: metric
    query: avg:system.cpu.user{env:\${env}} > 90
    thresholds: { critical: 90 }
`),
    });
    expect(lines).toEqual([
      expect.stringMatching(/^monitors\/storefront\.yaml:19 monitors\.1\.query: got "logs.*", expected a log monitor query such as logs\(/),
      expect.stringMatching(/^monitors\/storefront\.yaml:24 monitors\.2\.query: got .*, expected a service check query such as/),
      expect.stringMatching(/^monitors\/storefront\.yaml:29 monitors\.3\.query: got .*, expected a metric monitor query such as avg\(last_5m\)/),
    ]);
  });

  test('fails when a composite names an unknown or composite monitor', () => {
    const lines = problemLines({
      [T]: withMonitor(`  - id: both
    name: Both
    type: composite
    query: web-errors && web-latency
  - id: nested
    name: Nested
    type: composite
    query: both || web-errors
`),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:19 monitors.1.query: got "web-latency", expected ids of monitors in monitors/ ("web-latency" is none)',
      'monitors/storefront.yaml:23 monitors.2.query: got "both" (a composite), expected ids of non-composite monitors (Datadog does not nest composites)',
    ]);
  });

  /** A monitor whose critical threshold is text: it fails its schema. */
  const BROKEN = `  - id: broken
    name: Broken
    type: metric
    query: avg(last_5m):avg:system.load.1{env:\${env}} > 4
    thresholds: { critical: "four" }
`;

  test('fails when one monitor fails its schema and another a check: both are reported in one pass', () => {
    const lines = problemLines({
      [T]: withMonitor(`${BROKEN}  - id: bad-query
    name: Bad query
    type: metric
    query: not a query
    thresholds: { critical: 4 }
`),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:20 monitors.1.thresholds.critical: got "four", expected a number',
      expect.stringMatching(/^monitors\/storefront\.yaml:24 monitors\.2\.query: got "not a query", expected a metric monitor query such as/),
    ]);
  });

  test('fails when a composite names a monitor that has its own problem: reported once, where that monitor is defined', () => {
    const lines = problemLines({
      [T]: withMonitor(`${BROKEN}  - id: both
    name: Both
    type: composite
    query: web-errors && broken
`),
    });
    expect(lines).toEqual(['monitors/storefront.yaml:20 monitors.1.thresholds.critical: got "four", expected a number']);
  });

  test('fails when a placeholder is unknown or Terraform would interpolate the text', () => {
    const lines = problemLines({ [T]: mustReplace(TEAM_FILE, 'Web errors are at {{value}}.', "'Stage ${stage}: %{if x}'") });
    expect(lines).toEqual([
      'monitors/storefront.yaml:15 monitors.0.message: got "%{", expected no "%{" (Terraform would read it as a template directive)',
      'monitors/storefront.yaml:15 monitors.0.message: got "${stage}", expected only the placeholders ${env}, ${service}, ${team}',
    ]);
  });

  test('fails when a stage override names no stage of stacks/stages', () => {
    const lines = problemLines({
      [T]: mustReplace(withMonitor('    stages:\n      prd: { enabled: false }\n'), 'monitors:', 'stages:\n  qa: { enabled: false }\nmonitors:'),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:9 stages.qa: got "qa", expected a stage of stacks/stages (dev, prod, test)',
      'monitors/storefront.yaml:19 monitors.0.stages.prd: got "prd", expected a stage of stacks/stages (dev, prod, test)',
    ]);
  });

  test('fails when thresholds are missing, misplaced or in the wrong order', () => {
    const lines = problemLines({
      [T]: mustReplace(TEAM_FILE, 'thresholds: { critical: 0.05, warning: 0.02 }', 'thresholds: { critical: 0.05, warning: 0.08 }').concat(`  - id: web-cpu
    name: Web CPU
    type: metric
    query: avg(last_5m):avg:system.cpu.user{env:\${env}} by {host} > 90
    thresholdWindows: { trigger: 15m, recovery: 15m }
  - id: web-both
    name: Both
    type: composite
    query: web-errors && web-cpu
    thresholds: { critical: 1 }
`),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:13 monitors.0.thresholds.warning: got 0.08, expected a warning threshold below the critical threshold (0.05) for a ">" query',
      'monitors/storefront.yaml:16 monitors.1.thresholds.critical: got missing, expected a critical threshold for a metric monitor',
      'monitors/storefront.yaml:20 monitors.1.thresholdWindows: got an object (2 keys), expected threshold windows only on anomaly monitors',
      'monitors/storefront.yaml:25 monitors.2.thresholds: got an object (1 key), expected no thresholds on a composite monitor (it alerts when its expression holds)',
    ]);
  });

  test('fails when a suppression has no written reason or names no rule', () => {
    const lines = problemLines({
      [T]: withMonitor('    suppress:\n      - { rule: ROLLOUT-M001, reason: "" }\n      - { rule: M003, reason: because the team decided so }\n'),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:17 monitors.0.suppress.0.reason: got "", expected a written reason (at least 15 characters) why the rule does not apply',
      'monitors/storefront.yaml:18 monitors.0.suppress.1.rule: got "M003", expected a rule id such as ROLLOUT-M003',
    ]);
  });

  test('fails when a tag key is set from a field or is not lowercase', () => {
    expect(problemLines({ [T]: mustReplace(TEAM_FILE, '  cost_center: cc-web', '  cost_center: cc-web\n  env: prod\n  Owner: x') })).toEqual([
      'monitors/storefront.yaml:5 tags.env: got "env", expected a tag key other than env, service, team, managed-by, rollout_batch, rollout_check (set from the stage, fields and the rollout)',
      'monitors/storefront.yaml:6 tags.Owner: got "Owner", expected a lowercase tag key',
    ]);
  });

  test('fails when a burn-rate tier can never fire for the SLO target, or a window is out of range', () => {
    const lines = problemLines({
      [T]: `${TEAM_FILE}slos:
  - id: web-slo
    name: Web SLO
    type: metric
    numerator: sum:good{env:\${env}}.as_count()
    denominator: sum:all{env:\${env}}.as_count()
    targets: [{ timeframe: 30d, target: 90 }]
    burnRate:
      tiers:
        - { severity: page, burnRate: 14.4, longWindow: 1h, shortWindow: 5m }
        - { severity: page, burnRate: 2, longWindow: 30m, shortWindow: 5m }
        - { severity: ticket, burnRate: 1, longWindow: 6h, shortWindow: 6h }
`,
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:25 slos.0.burnRate.tiers.0: got page at 14.4x over 60m/5m, expected a burn rate of at most 10 (1 / (1 - 90%)); a higher rate can never fire and Datadog rejects it (target 90% over 30d)',
      'monitors/storefront.yaml:26 slos.0.burnRate.tiers.1: got page at 2x over 30m/5m, expected a long window of at least 1h (target 90% over 30d)',
      'monitors/storefront.yaml:27 slos.0.burnRate.tiers.2: got ticket at 1x over 360m/360m, expected a short window shorter than the long window (target 90% over 30d)',
    ]);
  });

  test('fails when an SLO with burn-rate alerts is built on a monitor Datadog cannot burn-rate', () => {
    const lines = problemLines({
      [T]: withMonitor(`  - id: web-logs
    name: Web logs
    type: log
    query: logs("service:web env:\${env}").index("*").rollup("count").last("5m") > 10
    thresholds: { critical: 10 }
slos:
  - id: web-slo
    name: Web SLO
    type: monitor
    monitors: [web-logs]
    targets: [{ timeframe: 30d, target: 99 }]
`),
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:25 slos.0.monitors: got "web-logs" (a log monitor), expected only metric, query or anomaly monitors in an SLO with burn-rate alerts (Datadog supports burn rates on nothing else); or burnRate.enabled: false',
    ]);
  });

  test('fails when an SLO mixes the fields of its types', () => {
    const lines = problemLines({
      [T]: `${TEAM_FILE}slos:
  - id: web-slo
    name: Web SLO
    type: metric
    numerator: sum:good{env:\${env}}.as_count() > 3
    monitors: [web-errors]
    targets: [{ timeframe: 30d, target: 99 }]
`,
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:17 slos.0.denominator: got missing, expected a denominator for a metric SLO',
      'monitors/storefront.yaml:20 slos.0.numerator: got "sum:good{env:${env}}.as_count() > 3", expected a metric query without a time window or threshold, such as sum:trace.http.request.hits{env:${env},service:web}.as_count()',
      'monitors/storefront.yaml:21 slos.0.monitors: got ["web-errors"], expected no monitors on a metric SLO (only monitor SLOs have one)',
    ]);
  });

  test('fails when a dashboard file is missing, is not dashboard JSON, or holds Terraform syntax', () => {
    const team = `${TEAM_FILE}dashboards:
  - { id: a-board, file: dashboards/missing.json }
  - { id: b-board, file: dashboards/bad.json }
  - { id: c-board, file: dashboards/tf.json }
  - { id: d-board, file: ../../outside.json }
`;
    const lines = problemLines({
      [T]: team,
      'monitors/dashboards/bad.json': '{"title": "x",\n "widgets": [\n',
      'monitors/dashboards/tf.json': '{"title": "x", "layout_type": "ordered", "widgets": [{"definition": {"type": "note", "content": "${var.x}"}}]}',
    });
    expect(lines).toEqual([
      'monitors/storefront.yaml:17 dashboards.0.file: got "dashboards/missing.json", expected a JSON file under monitors/ (relative to monitors/storefront.yaml)',
      'monitors/storefront.yaml:18 dashboards.1.file: got monitors/dashboards/bad.json: invalid JSON at line 2, expected a dashboard JSON object as exported from Datadog',
      'monitors/storefront.yaml:19 dashboards.2.file: got monitors/dashboards/tf.json containing "${", expected no "${" or "%{" in dashboard JSON (Terraform would read them as interpolation)',
      'monitors/storefront.yaml:20 dashboards.3.file: got "../../outside.json", expected a JSON file under monitors/ (relative to monitors/storefront.yaml)',
    ]);
  });

  test('fails when a percentile latency mode has no rollout_batch second primary tag to filter the distribution by', () => {
    expect(problemLines({ [T]: TEAM_FILE, 'monitors/policy.yaml': 'rollout:\n  latency: p95\n' })).toEqual([
      'monitors/policy.yaml:2 rollout.latency: got p95 with no apm.secondPrimaryTag, expected latency: mean, or apm.secondPrimaryTag: rollout_batch once an organization administrator ' +
        'made rollout_batch the APM second primary tag (APM > Settings; one per organization, at most 30 values): p95 reads the trace.<span> distribution, which carries no ' +
        'host tags, so a rollout_batch filter on it matches nothing',
    ]);
    expect(problemLines({ [T]: TEAM_FILE, 'monitors/policy.yaml': 'apm: { secondPrimaryTag: datacenter }\nrollout:\n  latency: p99\n' })[0]).toContain(
      'got p99 with apm.secondPrimaryTag: datacenter, expected latency: mean',
    );
    const m = loadOk({ [T]: TEAM_FILE, 'monitors/policy.yaml': 'apm: { secondPrimaryTag: rollout_batch }\nrollout:\n  latency: p95\n' });
    expect([m.policy.rollout.latency, m.policy.apm]).toEqual(['p95', { secondPrimaryTag: 'rollout_batch' }]);
    expect(loadOk({ [T]: TEAM_FILE }).policy.rollout.latency).toBe('mean');
  });

  test('an exported "is_read_only": true keeps its meaning as restricted roles, or fails when no role says who may edit', () => {
    const board = '{"title": "x", "layout_type": "ordered", "is_read_only": true, "widgets": []}';
    const role = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
    expect(problemLines({ [T]: `${TEAM_FILE}dashboards:\n  - { id: a-board, file: dashboards/ro.json }\n`, 'monitors/dashboards/ro.json': board })).toEqual([
      'monitors/storefront.yaml:17 dashboards.0.file: got monitors/dashboards/ro.json with "is_read_only": true, expected restrictedRoles: [<Datadog role id>, ...] on the ' +
        'dashboard entry (or the file) naming who may edit it: Datadog replaced the deprecated "is_read_only" by restricted roles, and dropping it would make the ' +
        'dashboard editable by everyone; or remove "is_read_only" from the JSON',
    ]);
    const own = loadOk({
      [T]: `${TEAM_FILE}dashboards:\n  - { id: a-board, file: dashboards/ro.json, restrictedRoles: ['${role}'] }\n`,
      'monitors/dashboards/ro.json': board,
    });
    expect(own.dashboards[0].restrictedRoles).toEqual([role]);
    const file = loadOk({
      [T]: `restrictedRoles: ['${role}']\n${TEAM_FILE}dashboards:\n  - { id: a-board, file: dashboards/ro.json }\n`,
      'monitors/dashboards/ro.json': board,
    });
    expect(file.dashboards[0].restrictedRoles).toEqual([role]);
    // the file's roles apply to a dashboard only when its export was read-only
    const editable = loadOk({
      [T]: `restrictedRoles: ['${role}']\n${TEAM_FILE}dashboards:\n  - { id: a-board, file: dashboards/rw.json }\n`,
      'monitors/dashboards/rw.json': board.replace('true', 'false'),
    });
    expect(editable.dashboards[0].restrictedRoles).toEqual([]);
  });

  test('fails with every problem of every file at once, and loadConfig adds them to the stage problems in one error', () => {
    const dir = tempConfig({ 'dev.yaml': mustReplace(minimalStageYaml(), 'region: us-east-1', 'region: nowhere') });
    fs.mkdirSync(path.join(dir, 'monitors'));
    fs.writeFileSync(path.join(dir, 'monitors', 'a.yaml'), withMonitor('    priority: 9\n'));
    fs.writeFileSync(path.join(dir, 'monitors', 'b.yaml'), 'team: [x]\nmonitors: {}\n');
    fs.writeFileSync(path.join(dir, 'monitors', 'policy.yaml'), 'requiredTags: [Cost Center]\n');
    let err: unknown;
    try {
      loadConfig(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split('\n')).toEqual([
      'invalid configuration: 5 problems',
      '  monitors/a.yaml:16 monitors.0.priority: got 9, expected a number <= 5',
      '  monitors/b.yaml:1 team: got ["x"], expected a lowercase name of 2-40 letters, digits and dashes',
      '  monitors/b.yaml:2 monitors: got an object (0 keys), expected an array',
      '  monitors/policy.yaml:1 requiredTags.0: got "Cost Center", expected a lowercase tag key',
      '  stacks/stages/dev.yaml:2 region: got "nowhere", expected an AWS region such as us-east-1',
    ]);
  });

  test('problems are located even for definitions nested in subfolders', () => {
    const { problems } = load({ 'monitors/teams/web/storefront.yaml': mustReplace(TEAM_FILE, 'type: query', 'type: querry') });
    expect(problems.map((p) => [p.file, p.line, p.path])).toEqual([['monitors/teams/web/storefront.yaml', 11, 'monitors.0.type']]);
  });
});
