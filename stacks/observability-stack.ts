import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { StageMonitoring } from '../constructs/monitoring/stage-monitoring';
import { addDatadogProvider } from '../constructs/providers/datadog-provider';
import { useStageBackend } from '../constructs/state-backend/s3-backend';
import type { Stage } from '../model/stage';
import type { StagePlan } from '../plan/monitoring/planned';

/** Props of a stage's Datadog stack. */
export interface ObservabilityStackProps {
  /** The stage this stack configures in Datadog (state key, API URL). */
  readonly stage: Stage;
  /** The stage's monitoring plan, judged by the rule pack (stacks/app.ts builds it once per synth). */
  readonly plan: StagePlan;
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
    if (props.plan.stage !== stage.name) {
      throw new Error(
        `ObservabilityStack ${id}: plan.stage: got ${JSON.stringify(props.plan.stage)}, expected the plan of stage ${JSON.stringify(stage.name)}`,
      );
    }
    this.monitoring = new StageMonitoring(this, 'monitoring', { plan: props.plan });
  }
}
