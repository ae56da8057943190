import * as fs from 'fs';
import * as path from 'path';
import { planStage } from '../../plan/monitoring/stage-plan';
import { assertMonitoringRules, checkMonitoring, checkStagePlan, RULES, violationProblems } from '../../policy/rule-pack';
import { ConfigError, formatProblem, sortProblems } from '../../model/errors';
import { exampleConfig, mustReplace, REPO } from '../support/fixtures';
import { loadOk, stageWith, TEAM_FILE, withMonitor } from '../model/monitoring/fixtures';

const T = 'monitors/storefront.yaml';
const NO_ROLLOUT = 'rollout: { enabled: false }\n';

/** Run the rule pack over one team file in one stage; rule ids found and the problems as printed. */
function check(team: string, o: { stage?: string; policy?: string } = {}): { rules: string[]; problems: string[]; suppressed: string[] } {
  const monitoring = loadOk({ [T]: team, 'monitors/policy.yaml': o.policy ?? NO_ROLLOUT });
  const res = checkStagePlan(planStage(stageWith(o.stage ?? 'prod'), monitoring), monitoring);
  return {
    rules: [...new Set(res.violations.map((v) => v.rule))].sort(),
    problems: sortProblems(violationProblems(res.violations)).map(formatProblem),
    suppressed: res.suppressed.map((s) => `${s.rule} ${s.monitor.key}: ${s.reason}`),
  };
}

const ok = (team: string, o?: { stage?: string; policy?: string }): void => expect(check(team, o)).toEqual({ rules: [], problems: [], suppressed: [] });

describe('rule pack', () => {
  test('has ROLLOUT-M001 to ROLLOUT-M011, each documented in monitors/RULES.md', () => {
    expect(RULES.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, i) => `ROLLOUT-M${String(i + 1).padStart(3, '0')}`));
    const doc = fs.readFileSync(path.join(REPO, 'monitors', 'RULES.md'), 'utf8');
    for (const r of RULES) expect(doc).toMatch(new RegExp(`^\\| \\[?${r.id}`, 'm'));
  });

  test('the example configuration passes in every stage, with its one written suppression', () => {
    const res = assertMonitoringRules(exampleConfig());
    expect(res.results.flatMap((r) => r.suppressed.map((s) => `${r.stage} ${s.rule} ${s.monitor.key}`))).toEqual([
      'dev ROLLOUT-M001 monitor-api-host-cpu',
      'prod ROLLOUT-M001 monitor-api-host-cpu',
      'test ROLLOUT-M001 monitor-api-host-cpu',
    ]);
  });

  test('a good monitor passes every rule', () => ok(TEAM_FILE));

  test('generated rollout monitors pass every rule, with and without a policy file', () => {
    const monitoring = loadOk({ [T]: TEAM_FILE });
    expect(checkStagePlan(planStage(stageWith('prod', 6), monitoring), monitoring).violations).toEqual([]);
    const example = exampleConfig();
    for (const st of example.stages) expect(checkStagePlan(planStage(st, example.monitoring), example.monitoring).violations).toEqual([]);
  });

  describe('ROLLOUT-M001 runbook on paging monitors', () => {
    test('passes a monitor that pages nobody and has no runbook', () =>
      ok(mustReplace(mustReplace(TEAM_FILE, "alert: ['@pagerduty-storefront']", "alert: ['@slack-storefront-alerts']"), / {4}runbook: .*\n/, '')));
    test('fails when a monitor notifying PagerDuty has no runbook', () => {
      expect(check(mustReplace(TEAM_FILE, / {4}runbook: .*\n/, '')).problems).toEqual([
        'monitors/storefront.yaml:9 monitors.0.runbook: got [ROLLOUT-M001] "Web error ratio high": a paging monitor (@pagerduty-storefront) without a runbook (stage prod), expected a runbook: https://... link on every paging monitor; or suppress: [{rule: ROLLOUT-M001, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when a priority 1-2 monitor has no runbook, even if it only notifies Slack', () => {
      const team = mustReplace(
        mustReplace(TEAM_FILE, "alert: ['@pagerduty-storefront']", "alert: ['@slack-storefront-alerts']"),
        / {4}runbook: .*\n/,
        '    priority: 2\n',
      );
      expect(check(team).rules).toEqual(['ROLLOUT-M001']);
    });
  });

  describe('ROLLOUT-M002 owning team', () => {
    test('fails when a monitor has no team', () => {
      expect(check(mustReplace(TEAM_FILE, 'team: storefront\n', '')).problems).toEqual([
        'monitors/storefront.yaml:8 monitors.0.team: got [ROLLOUT-M002] "Web error ratio high": no team (stage prod), expected a team (here or in the file): one of payments, platform-team, storefront; or suppress: [{rule: ROLLOUT-M002, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when the team is unknown to the stage files', () => {
      expect(check(mustReplace(TEAM_FILE, 'team: storefront', 'team: storefrnt')).rules).toEqual(['ROLLOUT-M002']);
    });
  });

  describe('ROLLOUT-M003 notification routing', () => {
    test('passes PagerDuty inside {{#is_alert}} in the text, and a warning monitor that notifies nobody', () => {
      ok(mustReplace(TEAM_FILE, 'Web errors are at {{value}}.', "'{{#is_alert}}Escalate to @pagerduty-web-lead{{/is_alert}}'"));
      ok(mustReplace(mustReplace(TEAM_FILE, "alert: ['@pagerduty-storefront']", 'alert: []'), "warning: ['@slack-storefront-alerts']", 'warning: []'));
    });
    test('fails when a PagerDuty handle sits outside {{#is_alert}} in the message', () => {
      expect(check(mustReplace(TEAM_FILE, 'Web errors are at {{value}}.', "'Page @pagerduty-web-lead now.'")).problems).toEqual([
        'monitors/storefront.yaml:15 monitors.0.message: got [ROLLOUT-M003] "Web error ratio high": PagerDuty handle @pagerduty-web-lead outside {{#is_alert}} (it would page on warnings or recoveries too) (stage prod), expected PagerDuty handles only in notify.alert or inside {{#is_alert}}...{{/is_alert}} in the message; or suppress: [{rule: ROLLOUT-M003, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when warnings are routed to PagerDuty', () => {
      const lines = check(mustReplace(TEAM_FILE, "warning: ['@slack-storefront-alerts']", "warning: ['@pagerduty-storefront']")).problems;
      expect(lines).toEqual([
        expect.stringContaining('monitors.0.notify: got [ROLLOUT-M003] "Web error ratio high": PagerDuty handle @pagerduty-storefront outside {{#is_alert}}'),
        expect.stringContaining(
          'monitors.0.notify: got [ROLLOUT-M003] "Web error ratio high": a warning threshold (0.02) whose warnings notify no Slack channel',
        ),
      ]);
    });
    test('fails when a monitor with a warning threshold sends its warnings to no Slack channel', () => {
      expect(check(mustReplace(TEAM_FILE, "warning: ['@slack-storefront-alerts']", "warning: ['@web-team@example.com']")).rules).toEqual(['ROLLOUT-M003']);
    });
  });

  describe('ROLLOUT-M004 well-formed message template', () => {
    test('fails when a conditional block is never closed', () => {
      const res = check(mustReplace(TEAM_FILE, 'Web errors are at {{value}}.', "'{{#is_warning}}Errors rising'"));
      // The open block swallows the routing lines: the pager now sits inside {{#is_warning}} too.
      expect(res.rules).toEqual(['ROLLOUT-M003', 'ROLLOUT-M004']);
      expect(res.problems.filter((p) => p.includes('ROLLOUT-M004]'))).toEqual([
        'monitors/storefront.yaml:15 monitors.0.message: got [ROLLOUT-M004] "Web error ratio high": "{{#is_warning}}" never closed (stage prod), expected a well-formed template: each {{#x}} or {{^x}} closed by its {{/x}}, known conditionals only; or suppress: [{rule: ROLLOUT-M004, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when blocks cross or a conditional does not exist', () => {
      expect(check(mustReplace(TEAM_FILE, 'Web errors are at {{value}}.', "'{{#is_alert}}{{#is_warn}}x{{/is_alert}}{{/is_warn}}'")).problems[0]).toContain(
        'an unknown conditional "{{#is_warn}}"; "{{/is_alert}}" closing "{{#is_warn}}"',
      );
    });
    test('fails when the re-notification message is malformed', () => {
      expect(check(withMonitor('    renotify: { interval: 1h, message: "{{/is_alert}} still failing" }\n')).rules).toEqual(['ROLLOUT-M004']);
    });
  });

  describe('ROLLOUT-M005 is_match on grouped tags', () => {
    const byHost = mustReplace(
      mustReplace(TEAM_FILE, '.as_count() > 0.05', '.as_count() by {host} > 0.05'),
      'Web errors are at {{value}}.',
      '\'{{#is_match "host.name" "canary"}}Canary host: @slack-web-canary{{/is_match}}\'',
    );
    test('passes is_match on a tag the query groups by', () => ok(mustReplace(byHost, '.as_count() / sum', '.as_count() by {host} / sum')));
    test('fails when is_match tests a tag the query does not group by', () => {
      expect(check(mustReplace(byHost, ' by {host} > 0.05', ' > 0.05')).problems).toEqual([
        'monitors/storefront.yaml:15 monitors.0.message: got [ROLLOUT-M005] "Web error ratio high": is_match on "host" with the query grouped by nothing (stage prod), expected is_match only on grouped tags (add "by {host}" to the query, or match on a grouped tag); or suppress: [{rule: ROLLOUT-M005, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when a composite matches a tag its monitors do not all group by', () => {
      const team = withMonitor(`  - id: web-cpu
    name: Web CPU
    type: metric
    query: avg(last_5m):avg:system.cpu.user{env:\${env},service:web} by {host} > 90
    thresholds: { critical: 90 }
    runbook: https://runbooks.example/cpu
  - id: web-both
    name: Web both
    type: composite
    query: web-errors && web-cpu
    runbook: https://runbooks.example/both
    message: '{{#is_match "host.name" "a"}}x{{/is_match}}'
`);
      expect(check(team).problems).toEqual([
        expect.stringMatching(
          /^monitors\/storefront\.yaml:27 monitors\.2\.message: got \[ROLLOUT-M005\] "Web both": is_match on "host" with the query grouped by nothing/,
        ),
      ]);
    });
  });

  describe('ROLLOUT-M006 critical threshold equals the query', () => {
    test('passes a stage override of the critical threshold (the query is rewritten)', () =>
      ok(withMonitor('    stages:\n      dev: { thresholds: { critical: 0.2, warning: 0.1 } }\n'), { stage: 'dev' }));
    test('fails when the critical threshold differs from the query', () => {
      expect(check(mustReplace(TEAM_FILE, 'critical: 0.05', 'critical: 0.1')).problems).toEqual([
        'monitors/storefront.yaml:13 monitors.0.thresholds.critical: got [ROLLOUT-M006] "Web error ratio high": critical 0.1 but the query says > 0.05 (stage prod), expected thresholds.critical: 0.05 (or change the query); or suppress: [{rule: ROLLOUT-M006, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when a stage override changes the query and not the threshold', () => {
      const team = withMonitor(
        '    stages:\n      dev: { query: "sum(last_5m):sum:trace.http.request.errors{env:${env},service:web}.as_count() / sum:trace.http.request.hits{env:${env},service:web}.as_count() > 0.3" }\n',
      );
      expect(check(team, { stage: 'dev' }).rules).toEqual(['ROLLOUT-M006']);
      expect(check(team, { stage: 'prod' }).rules).toEqual([]);
    });
  });

  describe('ROLLOUT-M007 anomaly threshold windows', () => {
    const anomaly = (windows: string, interval = 60): string =>
      withMonitor(`  - id: web-traffic
    name: Web traffic
    type: anomaly
    query: "avg(last_4h):anomalies(sum:trace.http.request.hits{env:\${env},service:web}.as_count(), 'basic', 2, direction='below', alert_window='last_15m', interval=${interval}, count_default_zero='true') >= 1"
    thresholds: { critical: 1, criticalRecovery: 0 }
    runbook: https://runbooks.example/traffic
${windows}`);
    test('passes trigger and recovery windows with the trigger equal to the alert window', () =>
      ok(anomaly('    thresholdWindows: { trigger: 15m, recovery: 30m }\n')));
    test('fails when an anomaly monitor declares no threshold windows', () => {
      expect(check(anomaly('')).problems).toEqual([
        'monitors/storefront.yaml:16 monitors.1.thresholdWindows: got [ROLLOUT-M007] "Web traffic": no threshold windows (stage prod), expected thresholdWindows: { trigger: 15m, recovery: ... }; or suppress: [{rule: ROLLOUT-M007, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test("fails when the trigger window is not the query's alert_window", () => {
      expect(check(anomaly('    thresholdWindows: { trigger: 30m, recovery: 30m }\n')).problems[0]).toContain(
        'got [ROLLOUT-M007] "Web traffic": trigger window last_30m but alert_window last_15m in the query',
      );
    });
    test('fails when the rollup interval is over a fifth of the alert window', () => {
      expect(check(anomaly('    thresholdWindows: { trigger: 15m, recovery: 15m }\n', 300)).problems[0]).toContain('interval=300s');
    });
  });

  describe('ROLLOUT-M008 unique names per stage', () => {
    test('fails when two monitors of a stage share a name, naming the first', () => {
      const other = mustReplace(TEAM_FILE, 'id: web-errors', 'id: web-errors-2');
      const monitoring = loadOk({ [T]: TEAM_FILE, 'monitors/web/other.yaml': other, 'monitors/policy.yaml': NO_ROLLOUT });
      const res = checkStagePlan(planStage(stageWith('prod'), monitoring), monitoring);
      expect(violationProblems(res.violations).map(formatProblem)).toEqual([
        'monitors/web/other.yaml:10 monitors.0.name: got [ROLLOUT-M008] "Web error ratio high": "[prod] Web error ratio high", also the name of monitors/storefront.yaml:10 (stage prod), expected a name no other monitor of the stage has; or suppress: [{rule: ROLLOUT-M008, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('passes the same name in different stages (the stage prefixes it)', () => {
      const monitoring = loadOk({ [T]: TEAM_FILE, 'monitors/policy.yaml': NO_ROLLOUT });
      const names = ['dev', 'prod'].flatMap((s) => planStage(stageWith(s), monitoring).monitors.map((m) => m.name));
      expect(names).toEqual(['[dev] Web error ratio high', '[prod] Web error ratio high']);
    });
  });

  describe('ROLLOUT-M009 required tags', () => {
    test('fails when a monitor has no service', () => {
      expect(check(mustReplace(mustReplace(TEAM_FILE, 'service: web\n', ''), /service:web/g, 'host:web')).problems).toEqual([
        'monitors/storefront.yaml:8 monitors.0.service: got [ROLLOUT-M009] "Web error ratio high": no service tag (stage prod), expected a service (here or in the file); or suppress: [{rule: ROLLOUT-M009, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when a tag the policy requires is missing; passes when it is there', () => {
      const policy = `requiredTags: [cost_center, tier]\n${NO_ROLLOUT}`;
      expect(check(TEAM_FILE, { policy }).problems).toEqual([
        'monitors/storefront.yaml:9 monitors.0.tags: got [ROLLOUT-M009] "Web error ratio high": no tier tag (stage prod), expected tags.tier; or suppress: [{rule: ROLLOUT-M009, reason: ...}] (monitors/RULES.md)',
      ]);
      ok(mustReplace(TEAM_FILE, '  cost_center: cc-web', '  cost_center: cc-web\n  tier: gold'), { policy });
    });
  });

  describe('ROLLOUT-M010 stage-scoped queries', () => {
    test('fails when a query is not filtered by the stage env', () => {
      const team = mustReplace(TEAM_FILE, /env:\$\{env\}/g, 'env:prod');
      expect(check(team, { stage: 'prod' }).rules).toEqual([]);
      expect(check(team, { stage: 'dev' }).problems).toEqual([
        'monitors/storefront.yaml:12 monitors.0.query: got [ROLLOUT-M010] "Web error ratio high": a query without env:dev (stage dev), expected a query filtered by env:${env} (replaced by the stage name); or suppress: [{rule: ROLLOUT-M010, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when the env filter only starts with the stage name', () => {
      expect(check(mustReplace(TEAM_FILE, /env:\$\{env\}/g, 'env:${env}-canary')).rules).toEqual(['ROLLOUT-M010']);
    });
  });

  describe('ROLLOUT-M011 metric tags', () => {
    const latency = (query: string, extra = ''): string =>
      withMonitor(`  - id: web-latency
    name: Web latency
    type: metric
    query: ${query}
    thresholds: { critical: 1 }
    runbook: https://runbooks.example/latency
${extra}`);
    test('passes tags the metric carries: the distribution by its own tags, host-tagged metrics by any tag, unknown metrics by anything', () => {
      ok(latency('percentile(last_10m):p95:trace.http.request{env:${env},service:web} by {resource_name} > 1'));
      ok(latency('avg(last_10m):avg:system.processes.cpu.pct{env:${env},service:web,rollout_batch:1} by {host,process_name} > 1'));
      ok(latency('avg(last_10m):avg:custom.queue.depth{env:${env},service:web,rollout_batch:1} by {shard} > 1'));
    });
    test('fails when the latency distribution (no host tags) is filtered by a host tag, with file:line', () => {
      expect(check(latency('percentile(last_10m):p95:trace.http.request{env:${env},service:web,rollout_batch:1} > 1')).problems).toEqual([
        'monitors/storefront.yaml:19 monitors.1.query: got [ROLLOUT-M011] "Web latency": trace.http.request (distribution, no host tags) filtered by rollout_batch, ' +
          'tags it does not carry: the query matches nothing (stage prod), expected only tags trace.<span> carries: env, resource, resource_name, service, synthetics, version ' +
          '(and the APM second primary tag, once an organization administrator sets one and monitors/policy.yaml declares it as apm.secondPrimaryTag) ' +
          '(https://docs.datadoghq.com/tracing/metrics/metrics_namespace/, https://docs.datadoghq.com/tracing/guide/ddsketch_trace_metrics/, ' +
          'https://docs.datadoghq.com/tracing/guide/setting_primary_tags_to_scope/); or suppress: [{rule: ROLLOUT-M011, reason: ...}] (monitors/RULES.md)',
      ]);
    });
    test('fails when a metric without host tags is grouped by host; a log-based metric carries only its group-by tags', () => {
      expect(check(latency('percentile(last_10m):p95:trace.http.request{env:${env},service:web} by {host} > 1')).problems[0]).toContain(
        'trace.http.request (distribution, no host tags) grouped by host, tags it does not carry',
      );
      const logs = withMonitor(`  - id: logins
    name: Logins
    type: query
    query: sum(last_10m):sum:rollout.security.failed_logins.prod{env:\${env}} by {host}.as_count() > 10
    thresholds: { critical: 10 }
    runbook: https://runbooks.example/logins
`);
      expect(check(logs).problems[0]).toContain(
        'rollout.security.failed_logins.prod (count, no host tags) grouped by host, tags it does not carry: the query matches nothing (stage prod), expected only tags rollout.security.failed_logins.<stage> carries: env, rollout_batch',
      );
    });
    test('passes a rollout_batch filter on the distribution once monitors/policy.yaml declares it the APM second primary tag', () => {
      const team = latency('percentile(last_10m):p95:trace.http.request{env:${env},service:web,rollout_batch:1} > 1');
      ok(team, { policy: `apm: { secondPrimaryTag: rollout_batch }\n${NO_ROLLOUT}` });
      expect(check(team, { policy: `apm: { secondPrimaryTag: datacenter }\n${NO_ROLLOUT}` }).rules).toEqual(['ROLLOUT-M011']);
    });
    test('a written reason suppresses it for that monitor', () => {
      const res = check(
        latency(
          'percentile(last_10m):p95:trace.http.request{env:${env},service:web,rollout_batch:1} > 1',
          '    suppress: [{ rule: ROLLOUT-M011, reason: Our org set rollout_batch as second primary tag in 2024. }]\n',
        ),
      );
      expect(res.rules).toEqual([]);
      expect(res.suppressed).toEqual(['ROLLOUT-M011 monitor-web-latency: Our org set rollout_batch as second primary tag in 2024.']);
    });
    test('the generated rollout monitors pass in every latency mode the policy accepts', () => {
      const monitoring = loadOk({ [T]: TEAM_FILE, 'monitors/policy.yaml': 'apm: { secondPrimaryTag: rollout_batch }\nrollout: { latency: p99 }\n' });
      expect(checkStagePlan(planStage(stageWith('prod', 6), monitoring), monitoring).violations).toEqual([]);
    });
  });

  describe('suppressions', () => {
    test('a suppression with a written reason turns a violation into a recorded exception, for its rule only', () => {
      const team =
        mustReplace(mustReplace(TEAM_FILE, / {4}runbook: .*\n/, ''), 'critical: 0.05', 'critical: 0.1') +
        '    suppress:\n      - { rule: ROLLOUT-M001, reason: The on-call handbook covers web errors end to end. }\n';
      const res = check(team);
      expect(res.rules).toEqual(['ROLLOUT-M006']);
      expect(res.suppressed).toEqual(['ROLLOUT-M001 monitor-web-errors: The on-call handbook covers web errors end to end.']);
    });

    test('fails when a suppression names a rule the pack does not have', () => {
      const monitoring = loadOk({ [T]: `${TEAM_FILE}    suppress: [{ rule: ROLLOUT-M099, reason: this rule does not exist at all }]\n` });
      expect(checkMonitoring({ stages: [stageWith('prod')], monitoring }).problems.map(formatProblem)).toEqual([
        'monitors/storefront.yaml:16 monitors.0.suppress.0.rule: got "ROLLOUT-M099", expected a rule of the pack (ROLLOUT-M001 to ROLLOUT-M011)',
      ]);
    });

    test('an SLO suppression covers its burn-rate alerts', () => {
      const slo = `${TEAM_FILE}slos:
  - id: web-slo
    name: Web SLO
    type: metric
    numerator: sum:good{env:\${env}}.as_count()
    denominator: sum:all{env:\${env}}.as_count()
    targets: [{ timeframe: 30d, target: 99.9 }]
`;
      expect(check(slo).problems).toEqual([
        expect.stringMatching(
          /^monitors\/storefront\.yaml:17 slos\.0\.runbook: got \[ROLLOUT-M001\] burn-rate alert "Web SLO: error budget burn 14\.4x over 1h\/5m \(page\)": a paging monitor \(priority 2, @pagerduty-storefront\) without a runbook/,
        ),
        expect.stringMatching(
          /^monitors\/storefront\.yaml:17 slos\.0\.runbook: got \[ROLLOUT-M001\] burn-rate alert "Web SLO: error budget burn 6x over 6h\/30m \(page\)"/,
        ),
      ]);
      const suppressed = check(`${slo}    suppress: [{ rule: ROLLOUT-M001, reason: The SLO page links the runbook in its description. }]\n`);
      expect(suppressed.rules).toEqual([]);
      expect(suppressed.suppressed).toHaveLength(2);
    });
  });

  test('violations fail with one ConfigError listing every stage and file at once; the same violation in several stages is one line', () => {
    const monitoring = loadOk({
      [T]: mustReplace(mustReplace(TEAM_FILE, / {4}runbook: .*\n/, ''), 'critical: 0.05', 'critical: 0.1'),
      'monitors/policy.yaml': NO_ROLLOUT,
    });
    let err: unknown;
    try {
      assertMonitoringRules({ stages: [stageWith('dev'), stageWith('prod')], monitoring });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split('\n')).toEqual([
      'invalid monitoring policy: 2 problems',
      '  monitors/storefront.yaml:9 monitors.0.runbook: got [ROLLOUT-M001] "Web error ratio high": a paging monitor (@pagerduty-storefront) without a runbook (stages dev, prod), expected a runbook: https://... link on every paging monitor; or suppress: [{rule: ROLLOUT-M001, reason: ...}] (monitors/RULES.md)',
      '  monitors/storefront.yaml:13 monitors.0.thresholds.critical: got [ROLLOUT-M006] "Web error ratio high": critical 0.1 but the query says > 0.05 (stages dev, prod), expected thresholds.critical: 0.05 (or change the query); or suppress: [{rule: ROLLOUT-M006, reason: ...}] (monitors/RULES.md)',
    ]);
  });
});
