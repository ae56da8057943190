import { planStage } from '../../../plan/monitoring/stage-plan';
import { loadOk, stageWith, TEAM_FILE, withMonitor } from '../../model/monitoring/fixtures';

const NO_ROLLOUT = 'rollout: { enabled: false }\n';

describe('team monitors: require_full_window', () => {
  const planned = (team: string): Record<string, boolean | undefined> => {
    const monitoring = loadOk({ 'monitors/storefront.yaml': team, 'monitors/policy.yaml': NO_ROLLOUT });
    return Object.fromEntries(planStage(stageWith('prod'), monitoring).monitors.map((m) => [m.key, m.requireFullWindow]));
  };

  test('a metric monitor counting with .as_count() evaluates without a full window (the provider would default to true)', () => {
    expect(planned(TEAM_FILE)).toEqual({ 'monitor-web-errors': false });
  });

  test("the definition's own requireFullWindow wins; monitors without .as_count() and other types keep the provider's default", () => {
    const team = withMonitor(`    requireFullWindow: true
  - id: web-cpu
    name: Web CPU
    type: metric
    query: avg(last_5m):avg:system.cpu.user{env:\${env},service:web} by {host} > 90
    thresholds: { critical: 90 }
    runbook: https://runbooks.example/cpu
  - id: web-logs
    name: Web error logs
    type: log
    query: logs("service:web status:error env:\${env}").index("*").rollup("count").last("5m") > 10
    thresholds: { critical: 10 }
    runbook: https://runbooks.example/logs
  - id: web-traffic
    name: Web traffic
    type: anomaly
    query: "avg(last_4h):anomalies(sum:trace.http.request.hits{env:\${env},service:web}.as_count(), 'basic', 2, direction='below', alert_window='last_15m', interval=60, count_default_zero='true') >= 1"
    thresholds: { critical: 1, criticalRecovery: 0 }
    thresholdWindows: { trigger: 15m, recovery: 15m }
    runbook: https://runbooks.example/traffic
`);
    expect(planned(team)).toEqual({
      'monitor-web-cpu': undefined,
      'monitor-web-errors': true,
      'monitor-web-logs': undefined,
      'monitor-web-traffic': false,
    });
  });
});
