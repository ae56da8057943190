import { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { DATADOG_API_URL } from '../../model/patterns';
import { PropsProblems } from '../core/props-validation';

/** Props of the Datadog provider of an observability stack. */
export interface StageDatadogProviderProps {
  /** Datadog API URL of the organization's site (the stage model derives https://api.us5.datadoghq.com/ from site us5). */
  readonly apiUrl: string;
}

/**
 * The Datadog provider pointed at the stage's site. The keys are sensitive
 * Terraform variables that default to null, so the provider falls back to the
 * DD_API_KEY / DD_APP_KEY environment: no key ever reaches a synthesized file.
 */
export function addDatadogProvider(scope: Construct, props: StageDatadogProviderProps): DatadogProvider {
  const p = new PropsProblems('DatadogProvider');
  p.checkFormat(DATADOG_API_URL, 'apiUrl', props.apiUrl);
  p.throwIfAny();
  const key = (id: string, what: string, env: string): TerraformVariable => {
    const v = new TerraformVariable(scope, id, {
      type: 'string',
      sensitive: true,
      nullable: true,
      description: `Datadog ${what}; set TF_VAR_${id}, or leave it null and the provider reads ${env}.`,
    });
    // `default: null` makes the variable optional (cdktf cannot express it in props).
    v.addOverride('default', null);
    return v;
  };
  const apiKey = key('datadog_api_key', 'API key', 'DD_API_KEY');
  const appKey = key('datadog_app_key', 'application key', 'DD_APP_KEY');
  return new DatadogProvider(scope, 'datadog', {
    apiUrl: props.apiUrl,
    apiKey: apiKey.stringValue,
    appKey: appKey.stringValue,
  });
}
