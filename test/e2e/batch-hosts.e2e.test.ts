/**
 * Which hosts a batch covers in this run, as the deploy's gate play
 * (ansible/playbooks/_deploy_batch.yml) and the rollback's controller plays
 * (ansible/playbooks/vars/rollback_batch.yml) compute them: the batch group,
 * narrowed by --limit, without the hosts the preflight excluded (deploy).
 * The expressions are read from the playbooks themselves and evaluated by
 * ansible-playbook on localhost, so a change to either is what is tested.
 * The pattern form "batch_1:&<limit>" got this wrong for limits of several
 * parts ("a:b:localhost" is ((batch_1 & a) + b + localhost)).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { REPO, tempDir } from '../support/fixtures';

jest.setTimeout(120_000);

const PLAYBOOKS = path.join(REPO, 'ansible', 'playbooks');

/** The `_batch_hosts` expression of the deploy's gate play (the play whose vars define it). */
function deployExpression(): string {
  const plays = parse(fs.readFileSync(path.join(PLAYBOOKS, '_deploy_batch.yml'), 'utf8')) as { vars?: Record<string, string> }[];
  const withIt = plays.filter((p) => p.vars?._batch_hosts !== undefined);
  expect(withIt).toHaveLength(1);
  return withIt[0].vars!._batch_hosts;
}

function rollbackExpression(): string {
  const vars = parse(fs.readFileSync(path.join(PLAYBOOKS, 'vars', 'rollback_batch.yml'), 'utf8')) as Record<string, string>;
  expect(vars._batch_hosts).toBeDefined();
  return vars._batch_hosts;
}

describe('the batch hosts of a run', () => {
  const work = tempDir('rollout-batch-hosts-');
  const inventory = path.join(work, 'hosts.yml');

  beforeAll(() => {
    fs.writeFileSync(
      inventory,
      stringify({
        all: {
          children: {
            bh: { children: { batch_1: { hosts: { a1: null, a2: null, a3: null } }, batch_2: { hosts: { b1: null, b2: null } } } },
            rollout_excluded: { hosts: { a2: null } },
          },
        },
      }),
    );
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** Evaluates `expression` with _batch_group = batch_<batch> on localhost; returns the host list it gives. */
  function evaluate(expression: string, batch: number, limit?: string): string[] {
    const playbook = path.join(work, 'eval.yml');
    fs.writeFileSync(
      playbook,
      stringify([
        {
          hosts: 'localhost',
          connection: 'local',
          gather_facts: false,
          vars: { _batch_group: `batch_${batch}`, _batch_hosts: expression },
          tasks: [{ 'ansible.builtin.debug': { msg: 'BATCH_HOSTS={{ _batch_hosts | to_json }}' } }],
        },
      ]),
    );
    const args = ['-i', inventory, playbook, ...(limit ? ['--limit', limit] : [])];
    const r = spawnSync('ansible-playbook', args, { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' }, timeout: 100_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect({ code: r.status, out: r.status === 0 ? '' : out }).toEqual({ code: 0, out: '' });
    const m = /BATCH_HOSTS=(\[[^\]]*\])/.exec(out);
    expect(m).not.toBeNull();
    return JSON.parse(m![1].replace(/\\"/g, '"')) as string[];
  }

  test('deploy: the whole batch without the excluded hosts, in inventory order', () => {
    expect(evaluate(deployExpression(), 1)).toEqual(['a1', 'a3']);
    expect(evaluate(deployExpression(), 2)).toEqual(['b1', 'b2']);
  });

  test('deploy and rollback: a limit of several parts narrows the batch to its own hosts only', () => {
    expect(evaluate(deployExpression(), 1, 'a1:b1:localhost')).toEqual(['a1']);
    expect(evaluate(rollbackExpression(), 1, 'a1:b1:localhost')).toEqual(['a1']);
    expect(evaluate(rollbackExpression(), 2, 'a1:b1:localhost')).toEqual(['b1']);
  });

  test('rollback: the excluded hosts of a deploy are still rolled back (and muted)', () => {
    expect(evaluate(rollbackExpression(), 1)).toEqual(['a1', 'a2', 'a3']);
  });

  test('a batch the inventory does not have covers no host', () => {
    expect(evaluate(deployExpression(), 3)).toEqual([]);
    expect(evaluate(rollbackExpression(), 3)).toEqual([]);
  });
});
