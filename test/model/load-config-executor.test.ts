import { parseStage } from '../../model/load-config';
import { minimalStageYaml, mustReplace } from '../support/fixtures';

/** Parse `text` as stacks/stages/dev.yaml and return the problem lines. */
function problemsOf(text: string): string[] {
  return parseStage('stacks/stages/dev.yaml', text).problems.map((p) => `${p.file}:${p.line} ${p.path}: got ${p.got}, expected ${p.expected}`);
}

/** The minimal stage with a rollout section and these hosts instead of its one host. */
function stageWith(rollout: string[], hosts: string[]): string {
  const text = mustReplace(minimalStageYaml(), /hosts:\n.*\n/, ['hosts:', ...hosts, ''].join('\n'));
  return mustReplace(text, 'network:', ['rollout:', ...rollout.map((l) => `  ${l}`), 'network:'].join('\n'));
}

const EXISTING = '  - { name: dev-web-01, service: web, team: storefront, criticality: low, address: 10.0.0.1, instanceId: i-0123456789abcdef0 }';
const OLD_ID = '  - { name: dev-web-02, service: web, team: storefront, criticality: low, address: 10.0.0.2, instanceId: i-89abcdef }';
const NO_ID = '  - { name: dev-web-03, service: web, team: storefront, criticality: low, address: 10.0.0.3 }';

describe('rollout.executor', () => {
  test('defaults to ansible with nothing released and no instance ids needed', () => {
    const { stage } = parseStage('stacks/stages/dev.yaml', minimalStageYaml());
    expect(stage!.rollout.executor).toBe('ansible');
    expect(stage!.rollout.releasedBatches).toBe(0);
    expect(stage!.rollout.ssmMaxConcurrency).toBeUndefined();
  });

  test('ssm reads releasedBatches, ssmMaxConcurrency (a number or a percentage) and instance ids of 8 and 17 hex digits', () => {
    const { stage, problems } = parseStage(
      'stacks/stages/dev.yaml',
      stageWith(['executor: ssm', 'releasedBatches: 2', 'ssmMaxConcurrency: 40'], [EXISTING, OLD_ID]),
    );
    expect(problems).toEqual([]);
    expect(stage!.rollout).toMatchObject({ executor: 'ssm', releasedBatches: 2, ssmMaxConcurrency: '40' });
    expect(stage!.hosts.map((h) => h.instanceId)).toEqual(['i-0123456789abcdef0', 'i-89abcdef']);
    const pct = parseStage('stacks/stages/dev.yaml', stageWith(['executor: ssm', 'releasedBatches: 3', 'ssmMaxConcurrency: 25%'], [EXISTING]));
    expect(pct.stage!.rollout.ssmMaxConcurrency).toBe('25%');
  });

  test('fails when ssm is chosen and existing hosts lack an instance id, naming each host', () => {
    const lines = problemsOf(stageWith(['executor: ssm', 'releasedBatches: 0'], [EXISTING, NO_ID, NO_ID.replace('03', '04').replace('10.0.0.3', '10.0.0.4')]));
    expect(lines).toEqual([
      'stacks/stages/dev.yaml:14 hosts.1.instanceId: got missing, expected the EC2 instance id of existing host dev-web-03 (rollout.executor is ssm: the stack tags the instance with its batch)',
      'stacks/stages/dev.yaml:15 hosts.2.instanceId: got missing, expected the EC2 instance id of existing host dev-web-04 (rollout.executor is ssm: the stack tags the instance with its batch)',
    ]);
  });

  test('fails when an instance id is not i- and 8 or 17 lowercase hex digits', () => {
    for (const bad of ['i-0123', 'i-0123456789ABCDEF0', 'i-0123456789abcdef', 'x-0123456789abcdef0']) {
      const lines = problemsOf(stageWith(['executor: ssm', 'releasedBatches: 0'], [EXISTING.replace('i-0123456789abcdef0', bad)]));
      expect(lines).toEqual([
        `stacks/stages/dev.yaml:13 hosts.0.instanceId: got "${bad}", expected an EC2 instance id such as i-0123456789abcdef0 (i- and 8 or 17 lowercase hex digits)`,
      ]);
    }
  });

  test('fails when two hosts name one instance, or a managed host names one', () => {
    const managed =
      '  - { name: dev-new-01, service: web, team: storefront, criticality: low, managed: true, subnetId: subnet-0123abcd, instanceId: i-89abcdee }';
    const twice = EXISTING.replace(/01,/, '05,').replace('10.0.0.1', '10.0.0.5');
    expect(problemsOf(stageWith(['executor: ssm', 'releasedBatches: 0'], [EXISTING, twice, managed]))).toEqual([
      'stacks/stages/dev.yaml:14 hosts.1.instanceId: got "i-0123456789abcdef0", expected an instance id no other host of the stage has (hosts.0 has it)',
      'stacks/stages/dev.yaml:15 hosts.2.instanceId: got "i-89abcdee", expected no instanceId on a managed host (the infra stack creates its instance)',
    ]);
  });

  test('fails when ssm is chosen without releasedBatches (nothing is implied: unreleased batches are rolled back)', () => {
    expect(problemsOf(stageWith(['executor: ssm'], [EXISTING]))).toEqual([
      'stacks/stages/dev.yaml:7 rollout.releasedBatches: got missing, expected how many batches the release has reached, 0 to 3 (with executor ssm the batches not reached are rolled back, so it is never implied)',
    ]);
  });

  test('fails when releasedBatches is beyond the stage batches, or ssm settings come with executor ansible', () => {
    expect(problemsOf(stageWith(['executor: ssm', 'releasedBatches: 4'], [EXISTING]))).toEqual([
      'stacks/stages/dev.yaml:9 rollout.releasedBatches: got 4, expected a number of batches from 0 to 3 (the stage has 3 batches)',
    ]);
    expect(problemsOf(stageWith(['releasedBatches: 1', 'ssmMaxConcurrency: 10%'], [EXISTING]))).toEqual([
      'stacks/stages/dev.yaml:8 rollout.releasedBatches: got 1, expected no releasedBatches with executor ansible (the deploy workflow releases batch by batch; set executor: ssm)',
      'stacks/stages/dev.yaml:9 rollout.ssmMaxConcurrency: got "10%", expected no ssmMaxConcurrency with executor ansible (ansible.cfg forks limit a push; set executor: ssm)',
    ]);
  });

  test('fails when the executor or the concurrency is not one this tool knows', () => {
    expect(problemsOf(stageWith(['executor: salt', 'ssmMaxConcurrency: 0%'], [EXISTING]))).toEqual([
      'stacks/stages/dev.yaml:8 rollout.executor: got "salt", expected one of "ansible", "ssm"',
      'stacks/stages/dev.yaml:9 rollout.ssmMaxConcurrency: got "0%", expected a number of hosts from 1 to 99999 or a percentage from 1% to 100%, such as 25%',
    ]);
  });
});
