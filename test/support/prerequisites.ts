/**
 * What `npm test` needs besides node_modules, checked before anything runs
 * (the first step of the `test` script in package.json), so a machine that
 * lacks a tool fails at once with one message saying what is missing and how
 * to get it, not with an assertion diff deep in a suite:
 *  - `terraform` 1.x on PATH (the end-to-end suites run terraform validate/plan/apply),
 *  - hashicorp/aws in a Terraform filesystem mirror (discovered as the suites
 *    discover it: $TF_PLUGIN_MIRROR, the implied mirror directories, a bounded search),
 *  - `jq` and `unzip` (the reviewed-plan apply script of the deploy workflow).
 *
 * Run: `ts-node --transpile-only test/support/prerequisites.ts`; exit 0 when
 * all is there, else 1 with the message on stderr.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AWS_PROVIDER_ADDRESS, AWS_PROVIDER_PLATFORM, AWS_PROVIDER_VERSION, findProviderMirror } from './terraform';

/** Terraform's docs for what the message tells a user to do. */
export const DOCS = {
  // Installing Terraform: https://developer.hashicorp.com/terraform/install
  install: 'https://developer.hashicorp.com/terraform/install',
  // `terraform providers mirror <dir>` fills a filesystem mirror: https://developer.hashicorp.com/terraform/cli/commands/providers/mirror
  mirror: 'https://developer.hashicorp.com/terraform/cli/commands/providers/mirror',
  // provider_installation { filesystem_mirror { path = ... } } in the CLI configuration:
  // https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
  cliConfig: 'https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation',
} as const;

/** Debian packages of the small tools the suites call. */
const TOOLS: Readonly<Record<string, string>> = { jq: 'jq', unzip: 'unzip' };

/** Everything missing, one entry per thing, each saying how to get it; empty when all is there. */
export function missingPrerequisites(env: NodeJS.ProcessEnv = process.env): string[] {
  const missing: string[] = [];
  const tf = spawnSync('terraform', ['version', '-json'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8' });
  if (tf.error || tf.status !== 0) {
    missing.push(`terraform is not on PATH: install Terraform 1.x (tested with 1.11) from ${DOCS.install}, and put the terraform binary on PATH`);
  } else {
    const version = (JSON.parse(tf.stdout) as { terraform_version?: string }).terraform_version ?? '';
    if (!/^1\./.test(version)) missing.push(`terraform ${version} is on PATH: install Terraform 1.x (tested with 1.11) from ${DOCS.install}`);
  }
  const saved = process.env.TF_PLUGIN_MIRROR;
  try {
    if (env.TF_PLUGIN_MIRROR === undefined) delete process.env.TF_PLUGIN_MIRROR;
    else process.env.TF_PLUGIN_MIRROR = env.TF_PLUGIN_MIRROR;
    findProviderMirror();
  } catch (e) {
    missing.push(
      `the ${AWS_PROVIDER_ADDRESS} ${AWS_PROVIDER_VERSION} provider (${AWS_PROVIDER_PLATFORM}) is not in a filesystem mirror: ` +
        `on a machine with internet, run \`terraform providers mirror -platform=${AWS_PROVIDER_PLATFORM} DIR\` in a directory whose ` +
        `configuration requires hashicorp/aws = ${AWS_PROVIDER_VERSION} (${DOCS.mirror}), copy DIR here and set TF_PLUGIN_MIRROR=DIR ` +
        `(the tests write their own CLI configuration with provider_installation { filesystem_mirror { path = DIR } }, ${DOCS.cliConfig}). ` +
        `Search: ${(e as Error).message}`,
    );
  } finally {
    if (saved === undefined) delete process.env.TF_PLUGIN_MIRROR;
    else process.env.TF_PLUGIN_MIRROR = saved;
  }
  for (const [tool, pkg] of Object.entries(TOOLS)) {
    if (!onPath(tool, env)) missing.push(`${tool} is not on PATH: apt-get install ${pkg}`);
  }
  return missing;
}

/** Whether an executable named `tool` is in one of the directories of env.PATH. */
function onPath(tool: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The one message for a machine that lacks something; undefined when nothing is missing. */
export function prerequisitesMessage(missing: readonly string[]): string | undefined {
  if (missing.length === 0) return undefined;
  return [
    `npm test cannot run here: ${missing.length} prerequisite${missing.length === 1 ? ' is' : 's are'} missing (see docs/testing.md)`,
    ...missing.map((m) => `  - ${m}`),
  ].join('\n');
}

if (require.main === module) {
  const message = prerequisitesMessage(missingPrerequisites());
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  }
}
