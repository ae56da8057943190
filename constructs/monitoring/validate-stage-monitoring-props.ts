import { PropsProblems } from '../core/props-validation';
import type { StageMonitoringProps } from './stage-monitoring';

/** Check StageMonitoringProps; throws once listing every problem. */
export function validateStageMonitoringProps(id: string, props: StageMonitoringProps): void {
  const p = new PropsProblems(`StageMonitoring ${id}`);
  p.check(/^[a-z][a-z0-9]{1,15}$/.test(props.stage.name), 'stage.name', props.stage.name, 'a lowercase stage name such as dev');
  p.check(props.stage.rollout.batchPercentages.length > 0, 'stage.rollout.batchPercentages', props.stage.rollout.batchPercentages, 'at least one batch');
  p.check(Array.isArray(props.monitoring.monitors) && Array.isArray(props.monitoring.slos), 'monitoring', typeof props.monitoring, 'a loaded MonitoringConfig (loadConfig)');
  const ids = new Set<string>();
  for (const [i, m] of props.monitoring.monitors.entries()) {
    p.check(!ids.has(m.id), `monitoring.monitors.${i}.id`, m.id, 'a unique monitor id');
    ids.add(m.id);
  }
  p.throwIfAny();
}
