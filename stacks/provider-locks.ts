/**
 * Terraform dependency lock files for the synthesized stacks. Terraform reads
 * `.terraform.lock.hcl` from the directory it runs in, which for cdktf is
 * `cdktf.out/stacks/<stack>/` (replaced on every synth, and not committed),
 * so the checksums are committed here and synth writes the lock file into
 * every stack whose providers are all listed
 * (https://developer.hashicorp.com/terraform/language/files/dependency-lock).
 *
 * Checksums were produced with `terraform providers lock -fs-mirror=<mirror>
 * -platform=linux_amd64 <provider>` from the provider package the tests use;
 * the terraform-validate e2e suite runs `terraform init` against them, so a
 * wrong checksum fails CI. Only linux_amd64 is listed (the CI and deploy
 * runners): to run Terraform elsewhere, add that platform's `h1:` hash here
 * (`terraform providers lock -platform=darwin_arm64 hashicorp/aws` in any
 * stack directory prints it). Providers without an entry (DataDog/datadog,
 * integrations/github: no package on the build machine to hash) get no lock
 * file; their versions are still pinned exactly in `required_providers`.
 */

/** Fully qualified provider address -> exact version and package checksums. */
export const PROVIDER_LOCKS: Readonly<Record<string, { readonly version: string; readonly hashes: readonly string[] }>> = {
  'registry.terraform.io/hashicorp/aws': { version: '5.100.0', hashes: ['h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0='] },
};

/** `aws` -> `registry.terraform.io/hashicorp/aws`; `DataDog/datadog` -> `registry.terraform.io/datadog/datadog` (Terraform's source address rules). */
export function providerAddress(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/**
 * The lock file of a stack with these `required_providers`, in the layout
 * `terraform init` writes; undefined when a provider has no entry or its
 * pinned version differs from the locked one (the lock would be wrong).
 */
export function lockFileFor(requiredProviders: Readonly<Record<string, { readonly source: string; readonly version?: string }>>): string | undefined {
  const blocks: string[] = [];
  const addresses = Object.values(requiredProviders).map((p) => ({ address: providerAddress(p.source), version: p.version }));
  for (const { address, version } of addresses.sort((a, b) => (a.address < b.address ? -1 : 1))) {
    const lock = PROVIDER_LOCKS[address];
    if (!lock || version !== lock.version) return undefined;
    blocks.push(
      [
        `provider "${address}" {`,
        `  version     = "${lock.version}"`,
        `  constraints = "${version}"`,
        '  hashes = [',
        ...lock.hashes.map((h) => `    "${h}",`),
        '  ]',
        '}',
      ].join('\n'),
    );
  }
  if (blocks.length === 0) return undefined;
  return `# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n\n${blocks.join('\n\n')}\n`;
}
