import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
import { Testing } from 'cdktf';
import { addAwsProvider } from '../../../constructs/providers/aws-provider';
import { addDatadogProvider } from '../../../constructs/providers/datadog-provider';

describe('providers', () => {
  test('the AWS provider carries the default tags, sorted', () => {
    const out = Testing.synthScope((s) => {
      addAwsProvider(s, { region: 'us-east-1', defaultTags: { stage: 'dev', owner: 'platform-team', 'managed-by': 'observability-rollout' } });
    });
    expect(out).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-1',
      default_tags: [{ tags: { 'managed-by': 'observability-rollout', owner: 'platform-team', stage: 'dev' } }],
    });
  });

  test('fails when the region or a required default tag is missing', () => {
    expect(() => Testing.synthScope((s) => void addAwsProvider(s, { region: 'east', defaultTags: { stage: 'dev' } }))).toThrow(
      /AwsProvider: 3 invalid props\n {2}region: got "east".*\n {2}defaultTags.owner: got missing.*\n {2}defaultTags.managed-by: got missing/,
    );
  });

  test('the Datadog provider points at the site API and takes keys only from sensitive, optional variables', () => {
    const out = Testing.synthScope((s) => void addDatadogProvider(s, { apiUrl: 'https://api.us5.datadoghq.com/' }));
    expect(out).toHaveProviderWithProperties(DatadogProvider, {
      api_url: 'https://api.us5.datadoghq.com/',
      api_key: '${var.datadog_api_key}',
      app_key: '${var.datadog_app_key}',
    });
    const vars = JSON.parse(out).variable;
    for (const v of ['datadog_api_key', 'datadog_app_key']) {
      expect(vars[v]).toEqual(expect.objectContaining({ sensitive: true, nullable: true, default: null, type: 'string' }));
    }
  });

  test('fails when the API URL is not an https API URL', () => {
    expect(() => Testing.synthScope((s) => void addDatadogProvider(s, { apiUrl: 'http://us5.datadoghq.com' }))).toThrow(
      'DatadogProvider: 1 invalid prop\n  apiUrl: got "http://us5.datadoghq.com", expected an https URL such as https://api.us5.datadoghq.com/',
    );
  });
});
