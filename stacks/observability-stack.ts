import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { StageMonitoring } from '../constructs/monitoring/stage-monitoring';
import { addDatadogProvider } from '../constructs/providers/datadog-provider';
import { useS3Backend } from '../constructs/state-backend/s3-backend';
import type { MonitoringConfig } from '../model/monitoring/types';
import { Stage, stateKey } from '../model/stage';

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
    useS3Backend(this, {
      bucket: stage.state.bucket,
      key: stateKey(stage, 'observability'),
      region: stage.region,
      lockTable: stage.state.lockTable,
      ...(stage.state.kmsKeyId !== undefined ? { kmsKeyId: stage.state.kmsKeyId } : {}),
    });
    addDatadogProvider(this, { apiUrl: stage.datadog.apiUrl });
    this.monitoring = new StageMonitoring(this, 'monitoring', { stage, monitoring: props.monitoring });
  }
}
