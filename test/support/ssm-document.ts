/**
 * What the AWS-ApplyAnsiblePlaybooks document runs on a host, as a function
 * of an association's parameters: the run part of its `aws:runShellScript`
 * step, after `aws:downloadContent` has put the bundle in the working
 * directory. Shared by test/e2e/ssm-command-line.e2e.test.ts (on this
 * machine) and test/e2e/ansible/lib/ssm-bundle.ts (inside a chroot test host),
 * so the two cannot drift from each other.
 *
 * Source: the document's parameters and behaviour,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-state-manager-ansible.html;
 * its runShellScript lines as AWS publishes them (reviewed in a Terraform copy
 * of the document's content, `aws_ssm_document` "Toolkit-AnsiblePlaybook", in
 * the public code index): `for zip in $(find -iname '*.zip'); do unzip -o $zip; done`,
 * a check that PlaybookFile exists (exit 2), `PYTHON_INTERPRETER=$(which python3)`, then
 *   ansible-playbook -i "localhost," [--check] -c local -e "ansible_python_interpreter=${PYTHON_INTERPRETER}"
 *     -e "{{ExtraVariables}}" "{{Verbose}}" "${PlaybookFile}"
 * SSM substitutes `{{Name}}` textually into the script; the ExtraVariables
 * allowedPattern (below) keeps pipes, semicolons, parentheses and whitespace
 * inside unquoted values out, and the plan's values are plain words.
 *
 * If plan/ssm gains its own per-stage document (a pure function holding the
 * same command line), this module should read it from there.
 */

/** The document's ExtraVariables allowedPattern. */
export const EXTRA_VARIABLES_PATTERN = /^$|^\w+=(([^\s|:();&]+)|('[^|:();&]+'))(\s+\w+=(([^\s|:();&]+)|('[^|:();&]+')))*$/;
/** The document's PlaybookFile allowedPattern. */
export const PLAYBOOK_FILE_PATTERN = /[(a-z_A-Z0-9\-.)/]+(.yml|.yaml)$/;
const VERBOSE = ['-v', '-vv', '-vvv', '-vvvv'];

/** The parameters this module reads, checked against the document's patterns; throws naming the bad one. */
function checked(parameters: Readonly<Record<string, string>>): { extra: string; verbose: string; playbook: string; check: boolean } {
  const extra = parameters.ExtraVariables ?? 'SSM=True';
  const verbose = parameters.Verbose ?? '-v';
  const playbook = parameters.PlaybookFile ?? '';
  const problems = [
    ...(EXTRA_VARIABLES_PATTERN.test(extra) ? [] : [`ExtraVariables: got ${JSON.stringify(extra)}, expected key=value words (the document's allowedPattern)`]),
    ...(VERBOSE.includes(verbose) ? [] : [`Verbose: got ${JSON.stringify(verbose)}, expected one of ${VERBOSE.join(' ')}`]),
    ...(PLAYBOOK_FILE_PATTERN.test(playbook) ? [] : [`PlaybookFile: got ${JSON.stringify(playbook)}, expected a relative .yml/.yaml path`]),
    ...(['True', 'False', undefined].includes(parameters.Check) ? [] : [`Check: got ${JSON.stringify(parameters.Check)}, expected True or False`]),
  ];
  if (problems.length > 0) throw new Error(`AWS-ApplyAnsiblePlaybooks parameters: ${problems.join('; ')}`);
  return { extra, verbose, playbook, check: parameters.Check === 'True' };
}

/** The ansible-playbook argv the document runs (argv[0] = "ansible-playbook"), with `pythonInterpreter` for `$(which python3)`. */
export function ssmPlaybookArgv(parameters: Readonly<Record<string, string>>, pythonInterpreter: string): string[] {
  const p = checked(parameters);
  return [
    'ansible-playbook',
    '-i',
    'localhost,',
    ...(p.check ? ['--check'] : []),
    '-c',
    'local',
    '-e',
    `ansible_python_interpreter=${pythonInterpreter}`,
    '-e',
    p.extra,
    p.verbose,
    p.playbook,
  ];
}

/**
 * The run part of the document's shell step as a bash script, parameters
 * substituted as SSM does. `hostVariable`, when given, is appended as one
 * more `-e "rollout_host=$1"`: the stand-in for the instance's rollout-host
 * tag, which a real host reads from instance metadata.
 */
export function ssmRunScript(parameters: Readonly<Record<string, string>>, options: { readonly hostVariable?: boolean } = {}): string {
  const p = checked(parameters);
  const host = options.hostVariable ? ' -e "rollout_host=$1"' : '';
  return [
    '#!/bin/bash',
    'echo "Running Ansible in $(pwd)"',
    "for zip in $(find -iname '*.zip'); do",
    '  unzip -o $zip',
    'done',
    `PlaybookFile="${p.playbook}"`,
    'if [ ! -f "${PlaybookFile}" ] ; then',
    '  echo "The specified Playbook file doesn\'t exist in the downloaded bundle. Please review the relative path and file name." >&2',
    '  exit 2',
    'fi',
    'PYTHON_INTERPRETER=$(which python3)',
    `ansible-playbook -i "localhost,"${p.check ? ' --check' : ''} -c local -e "ansible_python_interpreter=\${PYTHON_INTERPRETER}" -e "${p.extra}" "${p.verbose}" "\${PlaybookFile}"${host}`,
    '',
  ].join('\n');
}
