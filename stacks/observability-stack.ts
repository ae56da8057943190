import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { StageMonitoring } from '../constructs/monitoring/stage-monitoring';
import { addDatadogProvider } from '../constructs/providers/datadog-provider';
import { useStageBackend } from '../constructs/state-backend/s3-backend';
import type { MonitoringConfig } from '../model/monitoring/types';
import type { Stage } from '../model/stage';

/** Props of a stage's Datadog stack. */
export interface ObservabilityStackProps {
  /** The stage this stack configures in Datadog.
   * @default - none, required */
  readonly stage: Stage;
  /** Monitors, SLOs and dashboards of monitors/ (every stage gets every enabled definition).
   * @default - none, required */
  readonly monitoring: MonitoringConfig;
}

/** `<stage>-observability`: the stage's monitors, SLOs and dashboards in Datadog. */
export class ObservabilityStack extends TerraformStack {
  /** The stage's monitors, SLOs and dashboards. */
  public readonly monitoring: StageMonitoring;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id);
    const { stage } = props;
    useStageBackend(this, stage, 'observability');
    addDatadogProvider(this, { apiUrl: stage.datadog.apiUrl });
    this.monitoring = new StageMonitoring(this, 'monitoring', { stage, monitoring: props.monitoring });
  }
}
