/**
 * What SSM Agent runs on a host for one `aws:runShellScript` step of a stage's
 * document (plan/ssm/ssm-document.ts), as a function of an association's
 * parameters: each value checked against its parameter's `allowedPattern`
 * (SSM checks them at the API and SSM Agent again on the host), then `{{ Name }}`
 * replaced by the value, textually, as SSM Agent does
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html).
 * Used by the chroot scenario (test/e2e/ansible/lib/ssm-bundle.ts), so the
 * scripts run on the test hosts are the document's own lines.
 */
import type { SsmDocumentContent } from '../../plan/ssm/ssm-document';

/** Options of a rendered step. */
export interface SsmStepOptions {
  /**
   * Append `-e "rollout_host=$1"` to the step's ansible-playbook line: the
   * stand-in for the instance's rollout-host tag, which a real host reads
   * from instance metadata (ansible/playbooks/ssm-apply.yml).
   * @default false
   */
  readonly hostVariable?: boolean;
}

/** The step `name` of `doc` as a bash script, parameters substituted; throws naming every parameter that is missing or refused by its pattern. */
export function ssmStepScript(doc: SsmDocumentContent, name: string, parameters: Readonly<Record<string, string>>, options: SsmStepOptions = {}): string {
  const step = doc.mainSteps.find((s) => s.name === name);
  if (step === undefined || step.action !== 'aws:runShellScript') {
    throw new Error(`step ${name}: got ${step === undefined ? 'none' : step.action}, expected an aws:runShellScript step of the document`);
  }
  const problems = Object.entries(doc.parameters).flatMap(([p, def]) => {
    const value = parameters[p];
    if (value === undefined) return [`${p}: missing`];
    return new RegExp(def.allowedPattern).test(value) ? [] : [`${p}: got ${JSON.stringify(value)}, expected ${def.allowedPattern}`];
  });
  const unknown = Object.keys(parameters).filter((p) => !(p in doc.parameters));
  problems.push(...unknown.map((p) => `${p}: not a parameter of the document (expected ${Object.keys(doc.parameters).join(', ')})`));
  if (problems.length > 0) throw new Error(`document parameters: ${problems.join('; ')}`);
  const lines = (step.inputs.runCommand as string[]).map((line) => line.replace(/\{\{ (\w+) \}\}/g, (_m, p: string) => parameters[p]));
  const last = lines.length - 1;
  if (options.hostVariable) {
    if (!lines[last].startsWith('ansible-playbook ')) throw new Error(`step ${name}: its last line is not the ansible-playbook command line`);
    lines[last] += ' -e "rollout_host=$1"';
  }
  return `${lines.join('\n')}\n`;
}
