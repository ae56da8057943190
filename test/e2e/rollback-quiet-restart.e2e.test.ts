/**
 * Quiet restarts around rollbacks (ansible/playbooks/rollback-datadog.yml,
 * _rollback_batch.yml, tasks/quiet_restart.yml), run by ansible-playbook
 * against hosts that cannot be reached (ssh to 127.0.0.1 port 1): no host
 * changes, so this needs neither root nor chroots, and it is the case a
 * chroot host cannot show: a batch whose every host is unreachable still
 * gets its downtime cancelled and the next batch still runs. The downtime
 * command is the e2e fake (test/e2e/ansible/fixtures/downtime.sh), which
 * logs each call. The rollback itself on real hosts, with the same calls, is
 * asserted by test/e2e/ansible/run.sh (s_quiet_rollback_*).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, tempDir } from '../support/fixtures';

jest.setTimeout(300_000);

const TOOLS = ['ansible-playbook', 'ssh'];
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const describeWithTools = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) console.warn(`rollback-quiet-restart: skipped, not on PATH: ${missing.join(', ')}`);

const FAKE = path.join(REPO, 'test', 'e2e', 'ansible', 'fixtures', 'downtime.sh');

describeWithTools('quiet restarts around a rollback (unreachable hosts)', () => {
  const work = tempDir('rollout-rollback-quiet-');
  const inventory = path.join(work, 'hosts.yml');
  const log = path.join(work, 'downtime.log');

  beforeAll(() => {
    const host = '{ansible_host: 127.0.0.1, ansible_port: 1, ansible_connection: ssh}';
    fs.writeFileSync(
      inventory,
      [
        'all:',
        '  children:',
        '    qt:',
        '      vars: {rollout_stage: qt, ansible_ssh_common_args: "-o ConnectTimeout=5"}',
        '      children:',
        `        batch_1: {hosts: {qt-1: ${host}, qt-2: ${host}}}`,
        `        batch_2: {hosts: {qt-3: ${host}}}`,
        `        batch_3: {hosts: {qt-4: ${host}, qt-5: ${host}}}`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function rollback(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; calls: string[] } {
    fs.writeFileSync(log, '');
    const r = spawnSync('ansible-playbook', ['-i', inventory, 'playbooks/rollback-datadog.yml', '-e', `rollout_downtime_command=${FAKE}`, ...args], {
      cwd: path.join(REPO, 'ansible'),
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: path.join(REPO, 'ansible', 'ansible.cfg'), E2E_DOWNTIME_LOG: log, ...env },
    });
    const calls = fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
    return { code: r.status, out: `${r.stdout}${r.stderr}`.replace(/\s+/g, ' '), calls };
  }

  test('each batch newest first: scheduled on its hosts in this run (--limit), cancelled after it though every host failed', () => {
    const r = rollback(['-e', 'rollback_batch=all', '--limit', 'qt-1:qt-3:qt-4:qt-5:localhost']);
    expect(r.calls).toEqual([
      'action=schedule stage=qt batch=3 hosts=qt-4,qt-5 minutes=30 deadline=20',
      'action=cancel stage=qt batch=3 hosts= minutes= deadline=20',
      'action=schedule stage=qt batch=2 hosts=qt-3 minutes=30 deadline=20',
      'action=cancel stage=qt batch=2 hosts= minutes= deadline=20',
      'action=schedule stage=qt batch=1 hosts=qt-1 minutes=30 deadline=20',
      'action=cancel stage=qt batch=1 hosts= minutes= deadline=20',
    ]);
    // Unreachable hosts are failed hosts of their batch (reported, the run fails at the end), not the end of the playbook.
    expect(r.out).toContain('ROLLBACK FAILED on qt-3');
    expect(r.out).toMatch(/Rollback failed on: qt-4, qt-5, qt-3, qt-1 \(see the errors above\)/);
    expect(r.code).not.toBe(0);
  });

  test('fails open: a schedule and a cancel Datadog refuses are reported, and the rollback goes on', () => {
    const r = rollback(['-e', 'rollback_batch=2', '-e', 'rollout_quiet_restart_minutes=15'], { E2E_DOWNTIME_FAIL: 'schedule cancel' });
    expect(r.calls).toEqual([
      'action=schedule stage=qt batch=2 hosts=qt-3 minutes=15 deadline=20',
      'action=cancel stage=qt batch=2 hosts= minutes= deadline=20',
    ]);
    expect(r.out).toContain('QUIET RESTART NOT SCHEDULED for batch 2 of stage qt (rc=1): going on without it');
    expect(r.out).toContain('QUIET RESTART NOT ENDED for batch 2 of stage qt (rc=1)');
    expect(r.out).toContain('ROLLBACK FAILED on qt-3'); // the host play ran after the failed schedule
    expect(r.out).toContain('ROLLBACK_TIMING batch=2');
  });

  test('rollout_downtime_command="" disables it; a batch not selected gets no downtime', () => {
    const off = rollback(['-e', 'rollback_batch=1', '-e', 'rollout_downtime_command=']);
    expect(off.calls).toEqual([]);
    expect(off.out).toContain('ROLLBACK FAILED on qt-1');
    const one = rollback(['-e', 'rollback_batch=3']);
    expect(one.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(['action=schedule stage=qt batch=3', 'action=cancel stage=qt batch=3']);
  });
});
