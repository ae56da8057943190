import { ssmPlaybookArgv, ssmRunScript } from './ssm-document';

const parameters = {
  SourceType: 'S3',
  InstallDependencies: 'True',
  PlaybookFile: 'playbooks/ssm-apply.yml',
  ExtraVariables: 'SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=apply',
  Check: 'False',
  Verbose: '-v',
};

describe('the AWS-ApplyAnsiblePlaybooks shell step', () => {
  test('argv: local connection, the interpreter, ExtraVariables as one -e, Verbose, PlaybookFile', () => {
    expect(ssmPlaybookArgv(parameters, '/usr/bin/python3')).toEqual([
      'ansible-playbook',
      '-i',
      'localhost,',
      '-c',
      'local',
      '-e',
      'ansible_python_interpreter=/usr/bin/python3',
      '-e',
      'SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=apply',
      '-v',
      'playbooks/ssm-apply.yml',
    ]);
  });

  test('Check=True adds --check', () => {
    expect(ssmPlaybookArgv({ ...parameters, Check: 'True' }, 'python3')).toContain('--check');
  });

  test('the script unzips the bundle, checks the playbook exists and runs the same command line', () => {
    const script = ssmRunScript(parameters, { hostVariable: true });
    expect(script).toContain("for zip in $(find -iname '*.zip'); do\n  unzip -o $zip\ndone");
    expect(script).toContain('PlaybookFile="playbooks/ssm-apply.yml"');
    expect(script).toContain(
      'ansible-playbook -i "localhost," -c local -e "ansible_python_interpreter=${PYTHON_INTERPRETER}" ' +
        '-e "SSM=True rollout_stage=lab rollout_batch=1 rollout_ssm_mode=apply" "-v" "${PlaybookFile}" -e "rollout_host=$1"\n',
    );
    expect(ssmRunScript(parameters)).not.toContain('rollout_host');
  });

  test('fails when ExtraVariables breaks the document pattern, naming it', () => {
    expect(() => ssmPlaybookArgv({ ...parameters, ExtraVariables: 'a=b; rm -rf /' }, 'python3')).toThrow(/ExtraVariables: got "a=b; rm -rf \/"/);
  });

  test('fails when Verbose or PlaybookFile are not what the document allows', () => {
    expect(() => ssmRunScript({ ...parameters, Verbose: '-vvvvv', PlaybookFile: 'site.json' })).toThrow(/Verbose: got "-vvvvv".*PlaybookFile: got "site.json"/);
  });
});
