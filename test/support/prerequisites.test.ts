import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from './fixtures';

const SCRIPT = path.join(REPO, 'test', 'support', 'prerequisites.ts');
const TS_NODE = path.join(REPO, 'node_modules', 'ts-node', 'dist', 'bin.js');

/** Run the check as `npm test` does, with this PATH and environment. */
function check(env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TS_NODE, '--transpile-only', SCRIPT], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A PATH with only node on it. */
function pathWithOnlyNode(): string {
  const bin = tempDir('rollout-path-');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe('npm test prerequisites (test/support/prerequisites.ts)', () => {
  test('npm test runs the check first', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toMatch(/^ts-node --transpile-only test\/support\/prerequisites\.ts && /);
  });

  test('fails when terraform is not on PATH and the provider mirror is missing: one message saying what and how to get it', () => {
    const empty = tempDir('rollout-no-mirror-');
    const r = check({ HOME: tempDir('rollout-home-'), PATH: pathWithOnlyNode(), TF_PLUGIN_MIRROR: empty });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('npm test cannot run here: 4 prerequisites are missing (see docs/testing.md)');
    expect(lines[1]).toMatch(/^ {2}- terraform is not on PATH: install Terraform 1\.x .*https:\/\/developer\.hashicorp\.com\/terraform\/install/);
    expect(lines[2]).toMatch(
      /^ {2}- the registry\.terraform\.io\/hashicorp\/aws 5\.100\.0 provider \(linux_amd64\) is not in a filesystem mirror: .*terraform providers mirror/,
    );
    expect(lines[2]).toContain(`TF_PLUGIN_MIRROR=${empty} is not a Terraform filesystem mirror`);
    expect(lines.slice(3)).toEqual(['  - jq is not on PATH: apt-get install jq', '  - unzip is not on PATH: apt-get install unzip']);
  });

  test('fails when only the provider is missing, naming only it', () => {
    const r = check({ ...process.env, TF_PLUGIN_MIRROR: tempDir('rollout-no-mirror-') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^npm test cannot run here: 1 prerequisite is missing \(see docs\/testing\.md\)\n {2}- the registry\.terraform\.io\/hashicorp\/aws/,
    );
  });

  test('passes silently on this machine (terraform, the mirror, jq and unzip are here)', () => {
    const r = check(process.env);
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
