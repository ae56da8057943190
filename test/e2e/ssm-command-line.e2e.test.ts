/**
 * The playbook runs under State Manager the way the stage's document runs it
 * (plan/ssm/ssm-document.ts, the same command line AWS-ApplyAnsiblePlaybooks
 * runs): unpack the bundle, then, in it,
 *   ansible-playbook -i "localhost," -c local -e "SSM=True rollout_stage=<stage> rollout_batch=<n> rollout_ssm_mode=<mode>" -v playbooks/ssm-apply.yml
 * The arguments come from the same pure functions the document's script is
 * rendered from (ssmPlaybookArgs, ssmExtraVariables), so the two cannot drift.
 * Here on this machine, as this user, in modes that change nothing on a host
 * without the Agent: the bundle unpacks with Python's zipfile (what unzip
 * reads), the host finds itself in its batch of the bundled inventory, takes
 * the stage's variables, and decides. `rollout_host` stands in for the
 * instance's rollout-host tag (instance metadata). The install itself under
 * `-c local` on a chroot test host is NOT covered here (docs/ssm-executor.md).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ssmBundles } from '../../cli/synthesize';
import { ssmApplyDocument, ssmCommandLine, ssmExtraVariables, ssmPlaybookArgs } from '../../plan/ssm/ssm-document';
import { planSsmExecutor } from '../../plan/ssm/ssm-plan';
import { tempDir } from '../support/fixtures';
import { ssmFixtureConfig } from '../support/ssm-fixture';

jest.setTimeout(180_000);

const config = ssmFixtureConfig();
const lab = config.stages[0];
const bundle = ssmBundles(config).lab;
const plan = planSsmExecutor(lab, { key: bundle.key });

describe('the SSM command line on the unpacked bundle', () => {
  const work = tempDir('rollout-ssm-run-');
  const root = path.join(work, 'bundle');

  beforeAll(() => {
    fs.writeFileSync(path.join(work, 'bundle.zip'), bundle.bytes);
    const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', path.join(work, 'bundle.zip'), root], { encoding: 'utf8' });
    expect(unzip.stderr).toBe('');
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The document's command line with these variables (the association's, plus rollout_host). */
  function run(extraVariables: string): { code: number | null; out: string } {
    const args = ssmPlaybookArgs(extraVariables);
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

  test("the document's script runs exactly this command line, with the association's Batch and Mode", () => {
    const doc = ssmApplyDocument({ stage: lab.name, bucket: 'b', bucketRegionalDomain: 'b.s3.us-east-1.amazonaws.com', timeoutSeconds: 600 });
    const script = doc.mainSteps[2].inputs.runCommand as string[];
    const line = script[script.length - 1];
    expect(line).toBe(ssmCommandLine(ssmExtraVariables(lab.name, '{{ Batch }}', '{{ Mode }}')));
    expect(line).toBe(
      'ansible-playbook -i "localhost," -c local -e "SSM=True rollout_stage=lab rollout_batch={{ Batch }} rollout_ssm_mode={{ Mode }}" -v playbooks/ssm-apply.yml',
    );
    // What SSM Agent substitutes for one association is what run() below executes.
    const a = plan.associations[0];
    expect(line.replace('{{ Batch }}', a.parameters.Batch).replace('{{ Mode }}', a.parameters.Mode)).toBe(
      ssmCommandLine(ssmExtraVariables(lab.name, a.batch, a.mode)),
    );
  });

  test.each(plan.associations.map((a) => [a.batch, ssmExtraVariables(lab.name, a.parameters.Batch, a.parameters.Mode)] as const))(
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
