import type { DiffReport } from '../../../review/plan-summary/diff-report';
import { renderPlanSummary } from '../../../review/plan-summary/render-summary';
import { parsePlan } from '../../../review/plan-summary/terraform-plan';
import { headline, summarizePlan } from '../../../review/plan-summary/summary';

type Json = Record<string, unknown>;

// Terraform's JSON plan marks an adopted object with `change.importing` and a moved one with `previous_address`
// (https://developer.hashicorp.com/terraform/internals/json-format, "Change Representation").
const rc = (address: string, actions: string[], extra: Json = {}, change: Json = {}): Json => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  change: { actions, before: {}, after: {}, after_unknown: {}, ...change },
  ...extra,
});

/** The first plan after `rollout import`: three monitors adopted as they are, one adopted and brought to its definition, one renamed. */
const plan = {
  format_version: '1.2',
  terraform_version: '1.11.4',
  planned_values: {},
  resource_changes: [
    rc('datadog_monitor.monitoring_monitor-a_11111111', ['no-op'], {}, { importing: { id: '101' } }),
    rc('datadog_monitor.monitoring_monitor-b_22222222', ['no-op'], {}, { importing: { id: '102' } }),
    rc('datadog_service_level_objective.monitoring_slo-c_33333333', ['no-op'], {}, { importing: { id: 'abc0123456789def0123456789abcdef' } }),
    rc('datadog_monitor.monitoring_monitor-d_44444444', ['update'], {}, { importing: { id: '104' }, before: { priority: '3' }, after: { priority: '2' } }),
    rc('datadog_monitor.monitoring_monitor-e_55555555', ['no-op'], { previous_address: 'datadog_monitor.monitoring_monitor-old_66666666' }),
  ],
};

const predicted = (subject: string, kind: 'imported' | 'renamed'): DiffReport['changes'][number] => ({
  stage: 'prod',
  stack: 'prod-observability',
  subject: `resource.${subject}`,
  kind,
  risk: kind === 'imported' ? 'medium' : 'low',
  label: subject,
});

describe('plan summary of an import', () => {
  test('says "N to import, 0 to add" as Terraform does', () => {
    const s = summarizePlan(parsePlan(JSON.stringify(plan)), 'prod-observability');
    expect(headline(s.terraform)).toBe('4 to import, 0 to add, 1 to change, 0 to destroy');
    expect(renderPlanSummary(s, 'prod-observability')).toContain('**Plan: 4 to import, 0 to add, 1 to change, 0 to destroy.**');
  });

  test('agrees with a diff that predicted the imports and the rename, an adopted object brought to its definition included', () => {
    const report: DiffReport = {
      changes: [
        predicted('datadog_monitor.monitoring_monitor-a_11111111', 'imported'),
        predicted('datadog_monitor.monitoring_monitor-b_22222222', 'imported'),
        predicted('datadog_service_level_objective.monitoring_slo-c_33333333', 'imported'),
        predicted('datadog_monitor.monitoring_monitor-d_44444444', 'imported'),
        predicted('datadog_monitor.monitoring_monitor-e_55555555', 'renamed'),
      ],
    };
    expect(summarizePlan(parsePlan(JSON.stringify(plan)), 'prod-observability', report).disagreements).toEqual([]);
  });

  test('fails when the diff predicted a creation the plan imports: the disagreement is named', () => {
    const report: DiffReport = { changes: [{ ...predicted('datadog_monitor.monitoring_monitor-a_11111111', 'imported'), kind: 'added' }] };
    const s = summarizePlan(parsePlan(JSON.stringify(plan)), 'prod-observability', report);
    expect(s.disagreements?.map((d) => d.address)).toContain('datadog_monitor.monitoring_monitor-a_11111111');
  });
});
