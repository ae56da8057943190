import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DatadogProvider } from '@cdktf/provider-datadog/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { InfraStack } from '../../stacks/infra-stack';
import { ObservabilityStack } from '../../stacks/observability-stack';
import { StateStack } from '../../stacks/state-stack';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, exampleStage } from '../support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function synthJson(make: (app: App) => TerraformStack): { text: string; json: Json } {
  const app = Testing.app();
  const text = Testing.synth(make(app));
  return { text, json: JSON.parse(text) as Json };
}

const stateStack = (): ReturnType<typeof synthJson> => synthJson((app) => new StateStack(app, 'state', { stages: exampleConfig().stages }));
const infraStack = (stage = 'dev'): ReturnType<typeof synthJson> => synthJson((app) => new InfraStack(app, `${stage}-infra`, { stage: exampleStage(stage) }));
const obsStack = (stage = 'dev'): ReturnType<typeof synthJson> =>
  synthJson(
    (app) =>
      new ObservabilityStack(app, `${stage}-observability`, { stage: exampleStage(stage), plan: planStage(exampleStage(stage), exampleConfig().monitoring) }),
  );

describe('state stack', () => {
  test('creates the one shared bucket and lock table, and keeps its own state in that bucket', () => {
    const { json } = stateStack();
    expect((Object.values(json.resource.aws_s3_bucket) as Json[]).map((b) => b.bucket)).toEqual(['acme-observability-rollout-tfstate']);
    expect((Object.values(json.resource.aws_dynamodb_table) as Json[]).map((t) => t.name)).toEqual(['acme-observability-rollout-tflock']);
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: 'acme-observability-rollout-tfstate',
        key: 'bootstrap/state.tfstate',
        region: 'us-east-1',
        encrypt: true,
        dynamodb_table: 'acme-observability-rollout-tflock',
        use_lockfile: true,
      },
    });
  });

  test('tags everything as shared and managed by observability-rollout', () => {
    expect(stateStack().text).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-1',
      default_tags: [{ tags: { 'managed-by': 'observability-rollout', owner: 'platform-team', stage: 'shared' } }],
    });
  });

  test('fails when stages sharing a bucket disagree on the lock table', () => {
    const [a, b] = exampleConfig().stages;
    const odd = { ...b, state: { ...b.state, lockTable: 'other-lock' } };
    expect(() => synthJson((app) => new StateStack(app, 'state', { stages: [a, odd] }))).toThrow(
      /StateStack state: stage prod state: got lockTable other-lock .* expected acme-observability-rollout-tflock/,
    );
  });
});

describe.each(['dev', 'test', 'prod'])('%s-infra stack', (stage) => {
  test('has its own encrypted S3 backend key, locked by DynamoDB and the S3 lock file', () => {
    expect(infraStack(stage).json.terraform.backend).toEqual({
      s3: {
        bucket: 'acme-observability-rollout-tfstate',
        key: `stages/${stage}/infra.tfstate`,
        region: 'us-east-1',
        encrypt: true,
        dynamodb_table: 'acme-observability-rollout-tflock',
        use_lockfile: true,
      },
    });
  });

  test('tags every resource with stage, owner and managed-by', () => {
    expect(infraStack(stage).text).toHaveProviderWithProperties(AwsProvider, {
      region: 'us-east-1',
      default_tags: [{ tags: { 'managed-by': 'observability-rollout', owner: 'platform-team', stage } }],
    });
  });

  test('creates instances exactly for the managed hosts of the stage', () => {
    const managed = exampleStage(stage)
      .hosts.filter((h) => h.managed)
      .map((h) => h.name);
    const instances = (Object.values(infraStack(stage).json.resource.aws_instance ?? {}) as Json[]).map((i) => i.tags.Name);
    expect(instances).toEqual(managed);
  });
});

describe('dev-infra stack', () => {
  test('creates the three dev hosts with the agent profile and egress group', () => {
    const { json } = infraStack('dev');
    const instances = Object.values(json.resource.aws_instance) as Json[];
    expect(instances).toHaveLength(3);
    for (const i of instances) {
      expect(i.iam_instance_profile).toBe('observability-rollout-dev-agent'); // made by the bootstrap stack
      expect(i.vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.agent-access_egress_[0-9A-F]+\.id\}$/)]);
    }
  });
});

describe.each(['dev', 'test', 'prod'])('%s-observability stack', (stage) => {
  test('has its own backend key and a Datadog provider on US5 with keys from variables', () => {
    const { json, text } = obsStack(stage);
    expect(json.terraform.backend.s3).toEqual(
      expect.objectContaining({ key: `stages/${stage}/observability.tfstate`, dynamodb_table: 'acme-observability-rollout-tflock', encrypt: true }),
    );
    expect(text).toHaveProviderWithProperties(DatadogProvider, {
      api_url: 'https://api.us5.datadoghq.com/',
      api_key: '${var.datadog_api_key}',
      app_key: '${var.datadog_app_key}',
    });
    expect(json.variable.datadog_api_key.sensitive).toBe(true);
  });

  test('holds the stage monitoring, every monitor tagged with the stage, and no secret', () => {
    const { json, text } = obsStack(stage);
    const monitors = Object.values(json.resource.datadog_monitor) as Json[];
    expect(monitors.length).toBeGreaterThan(20);
    for (const m of monitors) expect(m.tags).toEqual(expect.arrayContaining([`env:${stage}`, 'managed-by:observability-rollout']));
    expect(Object.keys(json.resource).sort()).toEqual(['datadog_dashboard_json', 'datadog_logs_metric', 'datadog_monitor', 'datadog_service_level_objective']);
    // Keys appear only as the provider's references to its sensitive variables.
    expect(text).not.toMatch(/"(api_key|app_key)": "(?!\$\{var\.datadog_(api|app)_key\})/);
    expect(text).not.toMatch(/\b[0-9a-f]{32}\b|\b[0-9a-f]{40}\b/);
  });
});

/**
 * The synthesized JSON of whole example stacks, one snapshot each: any change
 * to what a stack creates shows here as a reviewed snapshot diff. The
 * observability stacks of test and prod differ from dev's only in the stage
 * (checked above); their infra stacks by their hosts.
 */
describe('whole example stacks (snapshots)', () => {
  test.each([
    ['state', (): string => stateStack().text],
    ['dev-infra', (): string => infraStack('dev').text],
    ['dev-observability', (): string => obsStack('dev').text],
  ])('%s', (_name, synth) => {
    expect(synth()).toMatchSnapshot();
  });
});
