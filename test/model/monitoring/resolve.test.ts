import { formatProblem } from '../../../model/errors';
import { resolveStage } from '../../../model/monitoring/resolve';
import { mustReplace } from '../../support/fixtures';
import { loadOk, TEAM_FILE, withMonitor } from './fixtures';

const T = 'monitors/storefront.yaml';

describe('per-stage overrides', () => {
  const file = mustReplace(
    withMonitor(`    stages:
      dev:
        thresholds: { critical: 0.2, warning: 0.1 }
        priority: 4
      test: { enabled: false }
      prod:
        notify: { alert: ['@pagerduty-web-oncall'] }
`),
    'monitors:',
    `stages:
  dev:
    notify: { alert: ['@slack-storefront-dev'], warning: ['@slack-storefront-dev'] }
  test:
    enabled: false
monitors:`,
  );

  test('every stage gets every enabled definition; a stage nobody mentions gets the base values', () => {
    const m = loadOk({ [T]: file }, ['dev', 'prod', 'test', 'staging']);
    const staging = resolveStage(m, 'staging').definitions.monitors;
    expect(staging.map((x) => [x.id, x.priority, x.thresholds, x.notify.alert])).toEqual([
      ['web-errors', undefined, { critical: 0.05, warning: 0.02 }, ['@pagerduty-storefront']],
    ]);
    expect(staging[0].query).toContain('{env:staging,service:web}');
    expect(resolveStage(m, 'test').definitions.monitors).toEqual([]);
  });

  test('a new critical threshold is written into the query; thresholds merge over the base', () => {
    const dev = resolveStage(loadOk({ [T]: file }), 'dev').definitions.monitors[0];
    expect(dev.thresholds).toEqual({ critical: 0.2, warning: 0.1 });
    expect(dev.query).toMatch(/\{env:dev,service:web\}\.as_count\(\) > 0\.2$/);
    expect(dev.priority).toBe(4);
  });

  test('routing: the definition stage override, then the file stage override, then the base', () => {
    const m = loadOk({ [T]: file });
    expect(resolveStage(m, 'dev').definitions.monitors[0].notify).toEqual({
      alert: ['@slack-storefront-dev'],
      warning: ['@slack-storefront-dev'],
      noData: ['@slack-storefront-dev'],
    });
    expect(resolveStage(m, 'prod').definitions.monitors[0].notify).toEqual({
      alert: ['@pagerduty-web-oncall'],
      warning: [],
      noData: ['@pagerduty-web-oncall'],
    });
  });

  test("a definition's own routing beats the file's stage routing", () => {
    const own = mustReplace(
      mustReplace(TEAM_FILE, '    runbook:', "    notify: { alert: ['@slack-web-special'], warning: ['@slack-web-special'] }\n    runbook:"),
      'monitors:',
      "stages:\n  dev:\n    notify: { alert: ['@slack-storefront-dev'] }\nmonitors:",
    );
    expect(resolveStage(loadOk({ [T]: own }), 'dev').definitions.monitors[0].notify.alert).toEqual(['@slack-web-special']);
  });

  test('placeholders are replaced in names, queries and messages', () => {
    const m = loadOk({ [T]: mustReplace(TEAM_FILE, 'name: Web error ratio high', "name: '${team}/${service} errors in ${env}'") });
    const r = resolveStage(m, 'prod').definitions.monitors[0];
    expect(r.name).toBe('storefront/web errors in prod');
    expect(r.query).not.toContain('${');
  });

  test('fails when a stage override puts thresholds in the wrong order', () => {
    const m = loadOk({ [T]: withMonitor('    stages:\n      dev: { thresholds: { critical: 0.01 } }\n') });
    expect(resolveStage(m, 'dev').problems.map(formatProblem)).toEqual([
      'monitors/storefront.yaml:17 monitors.0.stages.dev.thresholds.warning: got {"critical":0.01,"warning":0.02} (stage dev), expected a warning threshold below the critical threshold (0.01) for a ">" query',
    ]);
  });

  test('fails when a composite or a monitor SLO uses a monitor disabled in the stage', () => {
    const m = loadOk({
      [T]: withMonitor(`    stages:
      dev: { enabled: false }
  - id: web-cpu
    name: Web CPU
    type: metric
    query: avg(last_5m):avg:system.cpu.user{env:\${env}} by {host} > 90
    thresholds: { critical: 90 }
  - id: web-both
    name: Both
    type: composite
    query: web-errors && web-cpu
slos:
  - id: web-slo
    name: Web SLO
    type: monitor
    monitors: [web-errors]
    targets: [{ timeframe: 30d, target: 99 }]
`),
    });
    expect(resolveStage(m, 'prod').problems).toEqual([]);
    expect(resolveStage(m, 'dev').problems.map(formatProblem)).toEqual([
      'monitors/storefront.yaml:26 monitors.2.query: got "web-errors", disabled in dev (stage dev), expected monitors enabled in every stage the composite is in (disable the composite in dev too)',
      'monitors/storefront.yaml:31 slos.0.monitors: got "web-errors", disabled in dev (stage dev), expected monitors enabled in every stage the SLO is in',
    ]);
  });

  test('fails when a service placeholder has no service', () => {
    const m = loadOk({ [T]: mustReplace(mustReplace(TEAM_FILE, 'service: web\n', ''), 'Web errors are at {{value}}.', "'${service} errors at {{value}}.'") });
    expect(resolveStage(m, 'dev').problems.map(formatProblem)).toEqual([
      'monitors/storefront.yaml:14 monitors.0.message: got "${service}" with no service (stage dev), expected a service (here or in the file) for ${service}',
    ]);
  });

  test('SLO targets can change per stage and are checked against the burn-rate tiers', () => {
    const slo = `${TEAM_FILE}slos:
  - id: web-slo
    name: Web SLO
    type: metric
    numerator: sum:good{env:\${env}}.as_count()
    denominator: sum:all{env:\${env}}.as_count()
    targets: [{ timeframe: 30d, target: 99.9 }]
    stages:
      test: { targets: [{ timeframe: 30d, target: 95 }] }
      dev: { targets: [{ timeframe: 30d, target: 90 }] }
`;
    const m = loadOk({ [T]: slo });
    expect(resolveStage(m, 'test').definitions.slos[0].targets).toEqual([{ timeframe: '30d', target: 95 }]);
    expect(resolveStage(m, 'test').problems).toEqual([]);
    expect(resolveStage(m, 'dev').problems.map(formatProblem)).toEqual([
      'monitors/storefront.yaml:25 slos.0.stages.dev.targets: got burn-rate tier 1 (14.4x) (stage dev), expected a burn rate of at most 10 (1 / (1 - 90%)); a higher rate can never fire and Datadog rejects it (target 90%)',
    ]);
  });
});
