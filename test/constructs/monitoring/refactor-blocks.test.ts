import { Testing } from 'cdktf';
import { StageMonitoring } from '../../../constructs/monitoring/stage-monitoring';
import { planStage } from '../../../plan/monitoring/stage-plan';
import { mustReplace } from '../../support/fixtures';
import { loadOk, stageWith, TEAM_FILE } from '../../model/monitoring/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synth(teamFile: string, stage = 'prod'): Json {
  const monitoring = loadOk({ 'monitors/storefront.yaml': teamFile });
  return JSON.parse(Testing.synthScope((s) => void new StageMonitoring(s, 'monitoring', { plan: planStage(stageWith(stage), monitoring) }))) as Json;
}

const address = (json: Json, type: string, key: string): string => {
  const names = Object.keys(json.resource[type] as Json).filter((n) => n.startsWith(`monitoring_${key}_`));
  expect(names).toHaveLength(1);
  return `${type}.${names[0]}`;
};

describe('renames and adoptions in the synthesized JSON', () => {
  test('a renamed monitor gets plain moved blocks, oldest id first, chained to its address', () => {
    const before = synth(TEAM_FILE);
    const middle = synth(mustReplace(TEAM_FILE, '- id: web-errors', '- id: web-error-ratio'));
    const after = synth(mustReplace(TEAM_FILE, '- id: web-errors', '- id: web-5xx\n    previousIds: [web-errors, web-error-ratio]'));
    const a = address(before, 'datadog_monitor', 'monitor-web-errors');
    const b = address(middle, 'datadog_monitor', 'monitor-web-error-ratio');
    const c = address(after, 'datadog_monitor', 'monitor-web-5xx');
    expect(after.moved).toEqual([
      { from: a, to: b },
      { from: b, to: c },
    ]);
    // The old addresses are gone from the resources: Terraform moves state instead of destroying.
    expect(Object.keys(after.resource.datadog_monitor as Json).map((n) => `datadog_monitor.${n}`)).not.toContain(a);
    expect(before.moved).toBeUndefined();
  });

  test('a renamed SLO moves its burn-rate alerts along', () => {
    const slo = `slos:
  - id: web-availability
    name: Web availability
    type: metric
    numerator: sum:trace.http.request.hits{env:\${env},service:web}.as_count() - sum:trace.http.request.errors{env:\${env},service:web}.as_count()
    denominator: sum:trace.http.request.hits{env:\${env},service:web}.as_count()
    targets: [{ timeframe: 30d, target: 99.9 }]
    runbook: https://runbooks.example/web-slo
`;
    const before = synth(`${TEAM_FILE}${slo}`);
    const after = synth(`${TEAM_FILE}${mustReplace(slo, '- id: web-availability', '- id: web-served\n    previousIds: [web-availability]')}`);
    const moved = after.moved as Array<{ from: string; to: string }>;
    expect(moved).toContainEqual({
      from: address(before, 'datadog_service_level_objective', 'slo-web-availability'),
      to: address(after, 'datadog_service_level_objective', 'slo-web-served'),
    });
    const burns = moved.filter((m) => m.from.startsWith('datadog_monitor.'));
    expect(burns.length).toBeGreaterThan(0);
    for (const m of burns) expect(m.from.replace('web-availability', 'web-served').replace(/_[0-9A-F]{8}$/, '')).toBe(m.to.replace(/_[0-9A-F]{8}$/, ''));
  });

  test('importIds give an import block in the stage named, none elsewhere', () => {
    const team = mustReplace(TEAM_FILE, '- id: web-errors', "- id: web-errors\n    importIds: { prod: '1234567' }");
    const prod = synth(team, 'prod');
    expect(prod.import).toEqual([{ id: '1234567', to: address(prod, 'datadog_monitor', 'monitor-web-errors') }]);
    expect(synth(team, 'dev').import).toBeUndefined();
  });
});
