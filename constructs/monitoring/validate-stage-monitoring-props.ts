import { PropsProblems } from '../core/props-validation';
import { STAGE_NAME } from '../../model/patterns';
import { SLO_ID_REF, teamMonitorId } from '../../plan/monitoring/planned';
import type { StageMonitoringProps } from './stage-monitoring';

/**
 * Check StageMonitoringProps; throws once listing every problem. The plan
 * must be internally consistent: unique keys, and every reference a
 * composite, a monitor SLO or a burn-rate alert makes resolves inside it.
 */
export function validateStageMonitoringProps(id: string, props: StageMonitoringProps): void {
  const problems = new PropsProblems(`StageMonitoring ${id}`);
  const { plan } = props;
  problems.checkFormat(STAGE_NAME, 'plan.stage', plan.stage);
  const teamIds = new Set(plan.monitors.filter((m) => m.origin === 'team').map((m) => teamMonitorId(m.key)));
  const sloIds = new Set(plan.slos.map((s) => s.id));
  for (const [kind, keys] of [
    ['monitors', plan.monitors.map((m) => m.key)],
    ['slos', plan.slos.map((s) => s.key)],
    ['dashboards', plan.dashboards.map((d) => d.key)],
    ['logsMetrics', plan.logsMetrics.map((l) => l.key)],
  ] as const) {
    const seen = new Set<string>();
    keys.forEach((key, index) => {
      problems.check(!seen.has(key), `plan.${kind}.${index}.key`, key, 'a key not used before in the stage');
      seen.add(key);
    });
  }
  plan.monitors.forEach((monitor, index) => {
    for (const ref of monitor.refs.monitors) {
      problems.check(teamIds.has(ref), `plan.monitors.${index}.refs.monitors`, ref, 'the id of a team monitor in the same plan');
    }
    if (monitor.origin === 'burn-rate') {
      problems.check(
        monitor.refs.slo !== undefined && sloIds.has(monitor.refs.slo),
        `plan.monitors.${index}.refs.slo`,
        monitor.refs.slo,
        'the id of an SLO in the same plan',
      );
      problems.check(monitor.query.includes(SLO_ID_REF), `plan.monitors.${index}.query`, monitor.query, `a burn-rate query naming ${SLO_ID_REF}`);
    }
  });
  plan.slos.forEach((slo, index) => {
    for (const ref of slo.monitorIds ?? []) problems.check(teamIds.has(ref), `plan.slos.${index}.monitorIds`, ref, 'the id of a team monitor in the same plan');
  });
  problems.throwIfAny();
}
