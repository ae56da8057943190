import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { crc32, playbookBundle, readBundleFiles, zipStored } from '../../../plan/ssm/bundle';
import { tempDir } from '../../support/fixtures';

const ANSIBLE_DIR = path.join(__dirname, '..', '..', '..', 'ansible');

/** A copy of ansible/ in a fresh directory, with every file's mtime set to `when`. */
function copyAnsible(when: Date): string {
  const dir = tempDir('rollout-bundle-');
  fs.cpSync(ANSIBLE_DIR, dir, { recursive: true });
  const touch = (p: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const child = path.join(p, e.name);
      if (e.isDirectory()) touch(child);
      fs.utimesSync(child, when, when);
    }
  };
  touch(dir);
  return dir;
}

describe('playbook bundle', () => {
  test('crc32 is the zip checksum (check value of "123456789" is cbf43926)', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });

  test('the same tree gives the same bytes and key twice, whatever the mtimes and the file order on disk', () => {
    const a = copyAnsible(new Date('2001-02-03T04:05:06Z'));
    const b = copyAnsible(new Date('2026-11-29T00:00:00Z'));
    try {
      const first = playbookBundle(readBundleFiles(a));
      const second = playbookBundle([...readBundleFiles(b)].reverse());
      expect(second.bytes.equals(first.bytes)).toBe(true);
      expect(second.key).toBe(first.key);
      expect(first.key).toBe(`bundles/${createHash('sha256').update(first.bytes).digest('hex')}.zip`);
      expect(first.paths).toContain('playbooks/deploy-datadog.yml');
      expect(first.paths).toContain('ansible.cfg');
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });

  test('a changed byte anywhere is a new key', () => {
    const files = [
      { path: 'a.yml', bytes: Buffer.from('x: 1\n') },
      { path: 'roles/r/tasks/main.yml', bytes: Buffer.from('- debug: {}\n') },
    ];
    const base = playbookBundle(files);
    const changed = playbookBundle([files[0], { ...files[1], bytes: Buffer.from('- debug: {} \n') }]);
    expect(changed.key).not.toBe(base.key);
  });

  test('fails when a path is given twice, climbs out, or is absolute', () => {
    expect(() =>
      playbookBundle([
        { path: 'a', bytes: Buffer.from('1') },
        { path: 'a', bytes: Buffer.from('2') },
      ]),
    ).toThrow('playbookBundle: path a: got it twice, expected each path once');
    expect(() => zipStored([{ path: '../etc/passwd', bytes: Buffer.from('') }])).toThrow('zipStored: path: got "../etc/passwd", expected a relative path');
    expect(() => zipStored([{ path: '/etc/passwd', bytes: Buffer.from('') }])).toThrow('zipStored: path: got "/etc/passwd", expected a relative path');
  });

  test('reading the tree skips dot files, caches and retry files, honours exclude, and fails on a symbolic link', () => {
    const dir = tempDir('rollout-tree-');
    try {
      fs.mkdirSync(path.join(dir, 'inventories', 'dev'), { recursive: true });
      fs.mkdirSync(path.join(dir, '__pycache__'));
      fs.writeFileSync(path.join(dir, 'site.yml'), '- hosts: all\n');
      fs.writeFileSync(path.join(dir, '.hidden'), 'x');
      fs.writeFileSync(path.join(dir, 'site.retry'), 'x');
      fs.writeFileSync(path.join(dir, '__pycache__', 'm.pyc'), 'x');
      fs.writeFileSync(path.join(dir, 'inventories', 'dev', 'hosts.yml'), 'all: {}\n');
      expect(readBundleFiles(dir).map((f) => f.path)).toEqual(['inventories/dev/hosts.yml', 'site.yml']);
      expect(readBundleFiles(dir, (rel) => rel === 'inventories').map((f) => f.path)).toEqual(['site.yml']);
      fs.symlinkSync('/etc/hostname', path.join(dir, 'link.yml'));
      expect(() => readBundleFiles(dir)).toThrow(/link\.yml: got a symbolic link, expected regular files and directories/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
