/**
 * The gate's value helpers: exact decimals (no rounding before a decision),
 * versions compared as versions, what may be printed of server text, where
 * the keys may go, and where a report says it came from.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apiUrlOfSite, checkApiUrl, PUBLISHED_SITES } from '../../gate/api-url';
import { Exact, exactSum } from '../../gate/exact';
import { configCommit, gitHead, toolVersion } from '../../gate/provenance';
import { printable, redact, serverText } from '../../gate/redact';
import { compareVersions, parseVersion, sameVersion } from '../../gate/version';
import { REPO, tempDir } from '../support/fixtures';

describe('exact decimals', () => {
  test('decimals are taken as written: 0.1 + 0.2 is 0.3, 100 - 0.1 is 99.9', () => {
    expect(0.1 + 0.2).not.toBe(0.3); // what floating point says
    expect(Exact.of(0.1).add(Exact.of(0.2)).cmp(Exact.of(0.3))).toBe(0);
    expect(Exact.int(100).sub(Exact.of(0.1)).cmp(Exact.of(99.9))).toBe(0);
    expect(Exact.of(1e-7).cmp(Exact.ratio(1, 10_000_000))).toBe(0);
    expect(Exact.of(-2.5e21).cmp(Exact.int(-2500000000000000000000n))).toBe(0);
    expect(exactSum([0.1, 0.1, 0.1]).cmp(Exact.of(0.3))).toBe(0);
  });

  test('comparisons see differences rounding would hide; toNumber is the nearest double', () => {
    expect(Exact.ratio(19_800 * 100, 20_001).cmp(Exact.int(99))).toBe(-1);
    expect(Exact.ratio(47 * 3_600_000 + 3_599_000, 3_600_000).cmp(Exact.int(48))).toBe(-1);
    expect(Exact.ratio(1, 3).toNumber()).toBe(1 / 3);
    expect(Exact.of(0.212).sub(Exact.of(0.2)).div(Exact.of(0.2)).mul(Exact.int(100)).toNumber()).toBe(6);
    expect(Exact.ratio(10n ** 40n + 1n, 10n ** 40n).toNumber()).toBe(1);
  });

  test('fails when given what is not a finite number', () => {
    expect(() => Exact.of(NaN)).toThrow('Exact.of: got NaN, expected a finite number');
    expect(() => Exact.int(1.5)).toThrow('Exact.int: got 1.5, expected an integer');
    expect(() => Exact.int(1).div(Exact.int(0))).toThrow('division by zero');
  });
});

describe('versions compare as versions, never as strings', () => {
  test.each([
    ['7.9.0', '7.10.0', -1],
    ['7.10.0', '7.9.0', 1],
    ['7.72.0', '7.72.0', 0],
    ['7.72.0', '7.100.0', -1],
    ['7.72.0-rc.1', '7.72.0', -1],
    ['7.72.0-rc.2', '7.72.0-rc.10', -1],
    ['7.72.0+build.5', '7.72.0', 0],
    ['unknown', '6.0.0', -1],
  ])('%s vs %s: %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect('7.9.0' > '7.10.0').toBe(true); // what a string comparison would say
  });

  test('equality and parsing', () => {
    expect(sameVersion('7.72.0', '7.72.0+deb')).toBe(true);
    expect(sameVersion('7.72', '7.72.0')).toBe(false);
    expect(sameVersion('x', 'x')).toBe(false);
    expect(parseVersion('7.72.1')).toEqual({ major: 7, minor: 72, patch: 1, prerelease: [] });
    expect(parseVersion('07.1.0')).toBeUndefined();
  });
});

describe('what may be printed of server text', () => {
  const KEY = 'abcdefabcdefabcdefabcdefabcdef12'; // 32 hex digits, shaped like a Datadog API key
  test('keys in any letter case, key-shaped tokens, escapes and control characters go; the length is bounded', () => {
    expect(redact(`x ${KEY.toUpperCase()} y`, [KEY])).toBe('x [redacted] y');
    expect(serverText(`bad key ${'f'.repeat(40)}\u001b[31m red\u001b[0m\r\nforged: ok\u202e`, [])).toBe('bad key [redacted] red forged: ok');
    expect(serverText(`sent${KEY.slice(0, 10)}\u0000${KEY.slice(10)}`, [KEY])).toBe('sent[redacted]'); // a control character cannot split a key past the filter
    expect(serverText('x'.repeat(500), [], 20)).toBe(`${'x'.repeat(20)}...`);
    expect(printable('name\u001b]0;title\u0007 with\ttab')).toBe('name with tab');
  });
});

describe('where the keys may go', () => {
  test.each(PUBLISHED_SITES.map((s) => [s]))('the API host of %s', (site) => {
    expect(checkApiUrl(`https://api.${site}/`)).toEqual({ ok: true, url: apiUrlOfSite(site) });
    expect(checkApiUrl(`https://API.${site.toUpperCase()}:443`)).toEqual({ ok: true, url: apiUrlOfSite(site) });
  });

  test('loopback, for tests: http or https, any port', () => {
    expect(checkApiUrl('http://127.0.0.1:4567/')).toEqual({ ok: true, url: 'http://127.0.0.1:4567/' });
    expect(checkApiUrl('https://localhost:9')).toEqual({ ok: true, url: 'https://localhost:9/' });
    expect(checkApiUrl('http://[::1]:80/')).toEqual({ ok: true, url: 'http://[::1]/' });
    expect(checkApiUrl('http://127.255.0.1/').ok).toBe(true);
  });

  test.each([
    'https://api.us5.datadoghq.com.evil.example/',
    'https://evil.example/api.us5.datadoghq.com/',
    'https://proxy.example/datadog',
    'https://us5.datadoghq.com/',
    'https://api.us5.datadoghq.com:8443/',
    'http://api.us5.datadoghq.com/',
    'https://key@api.us5.datadoghq.com/',
    'https://api.us5.datadoghq.com/api/v1',
    'https://api.us5.datadoghq.com/?x=1',
    'https://api.example.datadoghq.com/',
    'http://10.0.0.1/',
    'http://127.0.0.1.nip.io/',
    'ftp://127.0.0.1/',
    'not a url',
  ])('fails when it is %s', (url) => {
    expect(checkApiUrl(url).ok).toBe(false);
  });
});

describe('where a report came from', () => {
  const SHA = '0123456789abcdef0123456789abcdef01234567';
  const repo = (files: Record<string, string>): string => {
    const dir = tempDir('git-');
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    fs.mkdirSync(path.join(dir, 'config', 'stacks'), { recursive: true });
    return dir;
  };

  test("the tool version is package.json's", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(toolVersion()).toBe(`observability-rollout ${pkg.version}`);
    expect(toolVersion(tempDir())).toBe('observability-rollout (version unknown)');
  });

  test('the git HEAD of the configuration directory, read from files: a loose ref, a packed ref, a detached HEAD, a worktree', () => {
    const loose = repo({ '.git/HEAD': 'ref: refs/heads/main\n', [`.git/refs/heads/main`]: `${SHA}\n` });
    expect(gitHead(path.join(loose, 'config', 'stacks'))).toEqual({ sha: SHA, source: `git HEAD of ${loose} (refs/heads/main)` });
    const packed = repo({ '.git/HEAD': 'ref: refs/heads/release\n', '.git/packed-refs': `# pack-refs with: peeled\n${SHA} refs/heads/release\n` });
    expect(gitHead(packed)?.sha).toBe(SHA);
    const detached = repo({ '.git/HEAD': `${SHA}\n` });
    expect(gitHead(detached)).toEqual({ sha: SHA, source: `git HEAD of ${detached}` });
    const main = repo({ '.git/refs/heads/topic': `${SHA}\n`, '.git/worktrees/wt/HEAD': 'ref: refs/heads/topic\n', '.git/worktrees/wt/commondir': '../..\n' });
    const wt = repo({ '.git': `gitdir: ${path.join(main, '.git', 'worktrees', 'wt')}\n` });
    expect(gitHead(wt)?.sha).toBe(SHA);
  });

  test('else ROLLOUT_COMMIT, else GITHUB_SHA; else unknown', () => {
    const plain = tempDir();
    expect(configCommit(plain, { GITHUB_SHA: SHA })).toEqual({ sha: SHA, source: 'GITHUB_SHA' });
    expect(configCommit(plain, { ROLLOUT_COMMIT: 'abc1234', GITHUB_SHA: SHA })).toEqual({ sha: 'abc1234', source: 'ROLLOUT_COMMIT' });
    expect(configCommit(plain, { GITHUB_SHA: 'not-a-sha' })).toBeNull();
    expect(configCommit(plain, {})).toBeNull();
    const unborn = repo({ '.git/HEAD': 'ref: refs/heads/main\n' }); // no commit yet
    expect(configCommit(unborn, { GITHUB_SHA: SHA })).toEqual({ sha: SHA, source: 'GITHUB_SHA' });
  });
});
