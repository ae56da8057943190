/**
 * The playbook runs under State Manager the way AWS-ApplyAnsiblePlaybooks
 * runs it: unpack the bundle, then, in it,
 *   ansible-playbook -i "localhost," -c local -e "<ExtraVariables>" -v <PlaybookFile>
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-ansible.html).
 * Here on this machine, as this user, in modes that change nothing on a host
 * without the Agent: the bundle unpacks with Python's zipfile (what unzip
 * reads), the host finds itself in its batch of the bundled inventory, takes
 * the stage's variables, and decides. `rollout_host` stands in for the
 * instance's rollout-host tag (instance metadata). The command line is the
 * one test/support/ssm-document.ts derives from the association parameters,
 * the same the chroot end-to-end run uses for a real install and rollback
 * (test/e2e/ansible/lib/ssm-scenario.sh).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ssmBundles } from '../../cli/synthesize';
import { planSsmExecutor } from '../../plan/ssm/ssm-plan';
import { tempDir } from '../support/fixtures';
import { ssmPlaybookArgv } from '../support/ssm-document';
import { ssmFixtureConfig } from '../support/ssm-fixture';

jest.setTimeout(180_000);

const config = ssmFixtureConfig();
const lab = config.stages[0];
const bundle = ssmBundles(config).lab;
const plan = planSsmExecutor(lab, { key: bundle.key, bucketRegionalDomain: 'b.s3.us-east-1.amazonaws.com' });
/** `$(which python3)`, as the document's shell step finds the interpreter. */
const python3 = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();

describe('the SSM command line on the unpacked bundle', () => {
  const work = tempDir('rollout-ssm-run-');
  const root = path.join(work, 'bundle');

  beforeAll(() => {
    fs.writeFileSync(path.join(work, 'bundle.zip'), bundle.bytes);
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', path.join(work, 'bundle.zip'), root], { encoding: 'utf8' });
    expect(unzip.stderr).toBe('');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The document's command line with the association's parameters, ExtraVariables replaced by `extraVariables` (plus rollout_host). */
  function run(extraVariables: string): { code: number | null; out: string } {
    const args = ssmPlaybookArgv({ ...plan.associations[0].parameters, ExtraVariables: extraVariables }, python3).slice(1);
    const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
    const res = spawnSync('ansible-playbook', args, { cwd: root, encoding: 'utf8', env, timeout: 150_000 });
    return { code: res.status, out: `${res.stdout}${res.stderr}` };
  }

  test('the zip is what zipfile reads: every path, every byte, dated 1980-01-01, mode 0644', () => {
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys, zipfile, json, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\n' +
          'print(json.dumps([[i.filename, list(i.date_time), oct(i.external_attr >> 16), hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))',
        path.join(work, 'bundle.zip'),
      ],
      { encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    const entries = JSON.parse(py.stdout) as [string, number[], string, string][];
    expect(entries.map((e) => e[0])).toEqual(bundle.paths);
    for (const [name, date, mode, digest] of entries) {
      expect([name, date, mode]).toEqual([name, [1980, 1, 1, 0, 0, 0], '0o100644']);
      const onDisk = fs.readFileSync(path.join(root, name));
      expect(digest).toBe(createHash('sha256').update(onDisk).digest('hex'));
    }
  });

  test.each(plan.associations.map((a) => [a.batch, a.parameters.ExtraVariables] as const))(
    'batch %i: a host of the batch finds itself, takes the stage version and, without an Agent, is left as it is',
    (batch, extra) => {
      const hosts = plan.hostTags.filter((h) => h.batch === batch).map((h) => h.host);
      expect(hosts.length).toBeGreaterThan(0);
      // Rollback mode everywhere: on a host without the Agent it changes nothing (apply mode would install).
      const held = extra.replace('rollout_ssm_mode=apply', 'rollout_ssm_mode=rollback');
      const res = run(`${held} rollout_host=${hosts[0]}`);
      expect({ code: res.code, recap: /localhost\s+: .*/.exec(res.out)?.[0] }).toEqual({ code: 0, recap: expect.stringMatching(/changed=0 .*failed=0 /) });
      expect(res.out.replace(/\s+/g, ' ')).toContain(
        `SSM_RUN stage=lab batch=${batch} host=${hosts[0]} mode=rollback installed=none stage_version=${lab.agent.version} action=leave`,
      );
    },
  );

  test('fails when the host is not in the batch the association targets, changing nothing', () => {
    const other = plan.hostTags.find((h) => h.batch !== 1) as { host: string };
    const res = run(`SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=rollback rollout_host=${other.host}`);
    expect(res.code).not.toBe(0);
    expect(res.out.replace(/\s+/g, ' ')).toContain(`Host "${other.host}" is not in batch_1 of inventories/lab/hosts.yml`);
  });

  test('fails when the association variables are wrong, naming them', () => {
    const res = run('SSM=True rollout_stage=lab rollout_batch=9 rollout_ssm_mode=apply rollout_host=lab-web-01');
    expect(res.code).not.toBe(0);
    expect(res.out.replace(/\s+/g, ' ')).toContain('got rollout_stage=lab, rollout_batch=9, rollout_ssm_mode=apply');
  });
});
