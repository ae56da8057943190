import { ssmApplyDocument, ssmCommandLine, ssmExtraVariables } from '../../plan/ssm/ssm-document';
import { ssmStepScript } from './ssm-document';

const doc = ssmApplyDocument({ stage: 'lab', bucket: 'b', bucketRegionalDomain: 'b.s3.us-east-1.amazonaws.com', timeoutSeconds: 600 });
const parameters = { BundleKey: `bundles/${'a'.repeat(64)}.zip`, Batch: '1', Mode: 'apply' };

describe("a stage document's shell step as SSM Agent runs it", () => {
  test('every parameter substituted; the last line is the command line with the stage fixed and the association batch and mode', () => {
    const script = ssmStepScript(doc, 'runPlaybook', parameters);
    expect(script).not.toMatch(/\{\{/);
    expect(script).toContain(`key='${parameters.BundleKey}'; batch='1'; mode='apply'`);
    expect(script.trimEnd().split('\n').pop()).toBe(ssmCommandLine(ssmExtraVariables('lab', 1, 'apply')));
  });

  test('hostVariable adds the instance tag stand-in to the ansible-playbook line only', () => {
    const script = ssmStepScript(doc, 'runPlaybook', parameters, { hostVariable: true });
    expect(script.trimEnd().split('\n').pop()).toBe(`${ssmCommandLine(ssmExtraVariables('lab', 1, 'apply'))} -e "rollout_host=$1"`);
    expect(() => ssmStepScript(doc, 'checkParameters', parameters, { hostVariable: true })).toThrow(/not the ansible-playbook command line/);
  });

  test('fails when a value is refused by its pattern, missing, or not a parameter: every problem named', () => {
    expect(() => ssmStepScript(doc, 'runPlaybook', { BundleKey: "bundles/x.zip'; rm -rf /; '", Batch: '9', Other: 'x' })).toThrow(
      /BundleKey: got .*expected \^bundles\/\[0-9a-f\]\{64\}\\\.zip\$; Batch: got "9", expected \^\[1-5\]\$; Mode: missing; Other: not a parameter/,
    );
  });

  test('fails when the step is not a shell step of the document', () => {
    expect(() => ssmStepScript(doc, 'downloadBundle', parameters)).toThrow(/got aws:downloadContent, expected an aws:runShellScript step/);
    expect(() => ssmStepScript(doc, 'nope', parameters)).toThrow(/got none/);
  });
});
