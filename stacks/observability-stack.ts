import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { addDatadogProvider } from '../constructs/providers/datadog-provider';
import { useS3Backend } from '../constructs/state-backend/s3-backend';
import { Stage, stateKey } from '../model/stage';

/** Props of a stage's Datadog stack. */
export interface ObservabilityStackProps {
  /** The stage this stack configures in Datadog.
   * @default - none, required */
  readonly stage: Stage;
}

/** `<stage>-observability`: the stage's monitors, SLOs and dashboards in Datadog. */
export class ObservabilityStack extends TerraformStack {
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
  }
}
