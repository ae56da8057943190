import * as fs from 'fs';
import * as path from 'path';
import { synthApp } from '../../cli/synthesize';
import { lockFileFor, providerAddress } from '../../stacks/provider-locks';
import { exampleConfig, tempDir } from '../support/fixtures';

describe('provider lock files', () => {
  test('the lock of an AWS stack is what `terraform providers lock` writes', () => {
    expect(lockFileFor({ aws: { source: 'aws', version: '5.100.0' } })).toBe(
      [
        '# This file is maintained automatically by "terraform init".',
        '# Manual edits may be lost in future updates.',
        '',
        'provider "registry.terraform.io/hashicorp/aws" {',
        '  version     = "5.100.0"',
        '  constraints = "5.100.0"',
        '  hashes = [',
        '    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('provider sources resolve like Terraform resolves them', () => {
    expect(providerAddress('aws')).toBe('registry.terraform.io/hashicorp/aws');
    expect(providerAddress('DataDog/datadog')).toBe('registry.terraform.io/datadog/datadog');
    expect(providerAddress('registry.terraform.io/integrations/github')).toBe('registry.terraform.io/integrations/github');
  });

  test('no lock when a provider has no checksums here, or its pinned version is not the locked one', () => {
    expect(lockFileFor({ datadog: { source: 'DataDog/datadog', version: '3.82.0' } })).toBeUndefined();
    expect(lockFileFor({ aws: { source: 'aws', version: '5.99.0' } })).toBeUndefined();
    expect(lockFileFor({})).toBeUndefined();
  });

  test('synth writes the lock beside cdk.tf.json of every AWS stack, and none for the Datadog stacks', () => {
    const out = tempDir('rollout-locks-');
    try {
      const stacks = synthApp(exampleConfig(), out);
      const locked = stacks.filter((s) => fs.existsSync(path.join(out, 'stacks', s, '.terraform.lock.hcl')));
      expect(locked).toEqual(['dev-infra', 'prod-infra', 'state', 'test-infra']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
