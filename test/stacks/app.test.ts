import { Testing } from 'cdktf';
import { ConfigError } from '../../model/errors';
import * as stagePlan from '../../plan/monitoring/stage-plan';
import { buildStacks } from '../../stacks/app';
import { loadOk, TEAM_FILE } from '../model/monitoring/fixtures';
import { exampleConfig, mustReplace } from '../support/fixtures';

describe('buildStacks', () => {
  afterEach(() => jest.restoreAllMocks());

  test('adds the state stack, the github stack and an infra and observability stack per stage, in deploy order', () => {
    const app = Testing.app();
    buildStacks(app, exampleConfig());
    expect(app.node.children.map((c) => c.node.id)).toEqual([
      'state',
      'github',
      'dev-infra',
      'dev-observability',
      'prod-infra',
      'prod-observability',
      'test-infra',
      'test-observability',
    ]);
  });

  test('plans each stage once per synth: the rule pack and the observability stacks share the plans', () => {
    const config = exampleConfig();
    const spy = jest.spyOn(stagePlan, 'planStage');
    buildStacks(Testing.app(), config);
    expect(spy.mock.calls.map(([stage]) => stage.name)).toEqual(config.stages.map((s) => s.name));
  });

  test('fails when a monitor breaks a rule, before any stack is added, with the file and line of the definition', () => {
    const config = exampleConfig();
    const monitoring = loadOk({ 'monitors/storefront.yaml': mustReplace(TEAM_FILE, 'critical: 0.05', 'critical: 0.5') });
    const app = Testing.app();
    let err: unknown;
    try {
      buildStacks(app, { ...config, monitoring });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /^invalid monitoring policy: 1 problem\n {2}monitors\/storefront\.yaml:13 monitors\.0\.thresholds\.critical: got \[ROLLOUT-M006\]/,
    );
    expect(app.node.children).toHaveLength(0);
  });
});
