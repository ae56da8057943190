import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMMANDS, run } from '../../cli/main';
import { OutputLockedError } from '../../cli/output-lock';
import { OutputError, OutputFs, TEMP_PREFIX } from '../../cli/output-transaction';
import { recoverOutputs, synthesize } from '../../cli/synthesize';
import { minimalStageYaml, mustReplace, readTree, REPO, tempConfig, tempDir } from '../support/fixtures';
import { faultFs, fsError, SimulatedCrash } from './fault-fs';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const SENTINELS = {
  DD_API_KEY: 'sentinel-dd-api-key-from-the-environment',
  DD_APP_KEY: 'sentinel-dd-app-key-from-the-environment',
  TF_VAR_datadog_api_key: 'sentinel-tfvar-api-key-value',
  AWS_SECRET_ACCESS_KEY: 'sentinel-aws-secret-access-key',
};

describe('synthesis', () => {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries(SENTINELS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const k of Object.keys(SENTINELS)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  test('writes every stack of the example configuration', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    const res = synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    expect(res.stacks).toEqual(['dev-infra', 'dev-observability', 'github', 'prod-infra', 'prod-observability', 'state', 'test-infra', 'test-observability']);
    for (const s of res.stacks) expect(fs.existsSync(path.join(out, 'stacks', s, 'cdk.tf.json'))).toBe(true);
  });

  test('is deterministic: two syntheses in different directories are byte-identical', async () => {
    const a = path.join(tempDir('rollout-a-'), 'out');
    const b = path.join(tempDir('rollout-b-'), 'nested', 'other');
    synthesize({ configDir: REPO, outdir: a, inventoryRoot: path.dirname(a) });
    synthesize({ configDir: REPO, outdir: b, inventoryRoot: path.dirname(b) });
    const ta = readTree(a);
    const tb = readTree(b);
    expect(Object.keys(ta).length).toBeGreaterThan(7);
    expect(tb).toEqual(ta);
    const inv = (d: string): Record<string, string> => readTree(path.join(path.dirname(d), 'ansible'));
    expect(Object.keys(inv(a))).toEqual(['inventories/dev/hosts.yml', 'inventories/prod/hosts.yml', 'inventories/test/hosts.yml']);
    expect(inv(b)).toEqual(inv(a));
    const all = Object.values(ta).join('\n');
    expect(all).not.toContain(REPO);
    expect(all).not.toContain(a);
    expect(all).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });

  test('no secret from the environment reaches the output', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    const all = Object.values(readTree(out)).join('\n');
    for (const v of Object.values(SENTINELS)) expect(all).not.toContain(v);
    expect(all).not.toMatch(/secret_string|"api_key": "(?!\$\{var\.)/);
  });

  test('fails when the configuration is invalid, and leaves the previous output untouched', async () => {
    const out = path.join(tempDir(), 'cdktf.out');
    synthesize({ configDir: REPO, outdir: out, inventoryRoot: path.dirname(out) });
    const before = readTree(out);
    const bad = tempConfig({
      'dev.yaml': mustReplace(mustReplace(minimalStageYaml(), 'criticality: low', 'criticality: urgent'), 'region: us-east-1', 'region: nowhere'),
    });
    const c = capture();
    const code = await run(['synth', '--config', bad, '--out', out], c.io);
    expect(code).toBe(1);
    expect(c.err.join('\n')).toBe(
      [
        'invalid stage configuration: 2 problems',
        '  stacks/stages/dev.yaml:2 region: got "nowhere", expected an AWS region such as us-east-1',
        '  stacks/stages/dev.yaml:10 hosts.0.criticality: got "urgent", expected one of "low", "medium", "high", "critical"',
      ].join('\n'),
    );
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['ansible', 'cdktf.out']);
  });

  test('fails when the configuration is invalid, and writes nothing where there was nothing', async () => {
    const dir = tempDir();
    const bad = tempConfig({ 'dev.yaml': 'stage: dev\n' });
    expect(await run(['synth', '--config', bad, '--out', path.join(dir, 'cdktf.out')], capture().io)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

/**
 * `cdktf.out/` and the inventories are replaced together or not at all. The
 * old outputs come from a configuration with stages dev and test, the new
 * ones from dev (changed), prod (added) and no test (its inventory pruned); a
 * hand-written inventory and an unrelated file sit beside them throughout.
 */
describe('synthesis: outputs all or nothing', () => {
  /** Every step of a synth of the new configuration over the old outputs (test/cli/fault-fs.ts). */
  const STEPS = [
    'mkdir .',
    'create cdktf.out.lock',
    'write cdktf.out.lock',
    'mkdir .rollout-synth-<pid>-new-cdktf.out',
    'write ansible/inventories/dev/.rollout-synth-<pid>-new-hosts.yml',
    'mkdir ansible/inventories/.rollout-synth-<pid>-new-prod',
    'write ansible/inventories/.rollout-synth-<pid>-new-prod/hosts.yml',
    'write .rollout-synth-<pid>-new-cdktf.out.journal',
    'rename .rollout-synth-<pid>-new-cdktf.out.journal -> cdktf.out.journal',
    'rename cdktf.out -> .rollout-synth-<pid>-old-cdktf.out',
    'rename .rollout-synth-<pid>-new-cdktf.out -> cdktf.out',
    'rename ansible/inventories/dev/hosts.yml -> ansible/inventories/dev/.rollout-synth-<pid>-old-hosts.yml',
    'rename ansible/inventories/dev/.rollout-synth-<pid>-new-hosts.yml -> ansible/inventories/dev/hosts.yml',
    'rename ansible/inventories/.rollout-synth-<pid>-new-prod -> ansible/inventories/prod',
    'rename ansible/inventories/test -> ansible/inventories/.rollout-synth-<pid>-old-test',
    'remove cdktf.out.journal',
    'remove .rollout-synth-<pid>-old-cdktf.out',
    'remove ansible/inventories/dev/.rollout-synth-<pid>-old-hosts.yml',
    'remove ansible/inventories/.rollout-synth-<pid>-old-test',
    'remove cdktf.out.lock',
  ];
  /** 1-based: the step that makes the commit (the journal in place), and the one that ends it. */
  const COMMIT = STEPS.indexOf('rename .rollout-synth-<pid>-new-cdktf.out.journal -> cdktf.out.journal') + 1;
  const JOURNAL_REMOVED = STEPS.indexOf('remove cdktf.out.journal') + 1;

  let cfgOld: string;
  let cfgNew: string;
  let template: string;
  let OLD: Record<string, string>;
  let NEW: Record<string, string>;

  const outOf = (work: string): string => path.join(work, 'cdktf.out');
  const lockOf = (work: string): string => path.join(work, 'cdktf.out.lock');
  const journalOf = (work: string): string => path.join(work, 'cdktf.out.journal');
  const rel = (p: string): string => path.relative(process.cwd(), p);
  const synth = (configDir: string, work: string, fsOps?: OutputFs, log: string[] = []): void => {
    synthesize({ configDir, outdir: outOf(work), inventoryRoot: work, log: (l) => log.push(l) }, fsOps);
  };
  const recover = (work: string, log: string[] = [], fsOps?: OutputFs): void => {
    recoverOutputs({ outdir: outOf(work), inventoryRoot: work, log: (l) => log.push(l) }, fsOps);
  };
  const copyOf = (dir: string): string => {
    const d = tempDir('rollout-work-');
    fs.cpSync(dir, d, { recursive: true });
    return d;
  };
  const thrown = (fn: () => void): Error => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected an error');
  };
  const deadPid = (): number => {
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    if (pid === undefined) throw new Error('could not start a process');
    return pid;
  };

  /** Every file (relative path -> contents) and directory (`path/` -> '') under `dir`. */
  function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          out[`${path.relative(dir, p)}/`] = '';
          walk(p);
        } else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
      }
    };
    walk(dir);
    return out;
  }

  /** The output files only: no directories, temporaries, lock or journal. */
  function outputs(snap: Record<string, string>): string {
    const keep = Object.entries(snap).filter(
      ([k]) => !k.endsWith('/') && !k.split('/').some((seg) => seg.startsWith(TEMP_PREFIX)) && k !== 'cdktf.out.lock' && k !== 'cdktf.out.journal',
    );
    return JSON.stringify(keep.sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  function state(work: string): 'old' | 'new' | 'mixed' {
    const o = outputs(snapshot(work));
    return o === outputs(OLD) ? 'old' : o === outputs(NEW) ? 'new' : 'mixed';
  }

  /** Log lines name paths relative to the working directory, never absolute ones. */
  function expectRelativePaths(log: string[]): void {
    for (const line of log) expect(line).not.toMatch(/(^|[\s:(])\//);
  }

  beforeAll(() => {
    cfgOld = tempConfig({ 'dev.yaml': minimalStageYaml('dev'), 'test.yaml': minimalStageYaml('test') });
    cfgNew = tempConfig({ 'dev.yaml': mustReplace(minimalStageYaml('dev'), 'address: 10.0.0.1', 'address: 10.0.0.9'), 'prod.yaml': minimalStageYaml('prod') });
    template = tempDir('rollout-template-');
    fs.mkdirSync(path.join(template, 'ansible', 'inventories', 'manual'), { recursive: true });
    fs.writeFileSync(path.join(template, 'ansible', 'inventories', 'manual', 'hosts.yml'), 'all: {} # written by hand\n');
    fs.writeFileSync(path.join(template, 'notes.txt'), 'not ours\n');
    synth(cfgOld, template);
    OLD = snapshot(template);
    const fresh = copyOf(template);
    synth(cfgNew, fresh);
    NEW = snapshot(fresh);
  });

  test('old and new outputs differ in every part: stacks, a changed, an added and a pruned inventory', () => {
    const keys = (snap: Record<string, string>): string[] => Object.keys(snap).filter((k) => !k.endsWith('/'));
    expect(keys(OLD)).toEqual(
      expect.arrayContaining([
        'cdktf.out/stacks/test-infra/cdk.tf.json',
        'ansible/inventories/test/hosts.yml',
        'ansible/inventories/manual/hosts.yml',
        'notes.txt',
      ]),
    );
    expect(keys(NEW)).toEqual(
      expect.arrayContaining(['cdktf.out/stacks/prod-infra/cdk.tf.json', 'ansible/inventories/prod/hosts.yml', 'ansible/inventories/manual/hosts.yml']),
    );
    expect(keys(NEW)).not.toContain('ansible/inventories/test/hosts.yml');
    expect(Object.keys(NEW)).not.toContain('ansible/inventories/test/');
    expect(NEW['ansible/inventories/dev/hosts.yml']).not.toBe(OLD['ansible/inventories/dev/hosts.yml']);
    expect(Object.keys(NEW).filter((k) => k.includes(TEMP_PREFIX) || k.startsWith('cdktf.out.'))).toEqual([]);
  });

  test('commits in these steps: lock, stage everything, journal (the commit point), renames, clean up, unlock', () => {
    const work = copyOf(template);
    const f = faultFs({ root: work });
    synth(cfgNew, work, f.fs);
    expect(f.steps).toEqual(STEPS);
    expect(snapshot(work)).toEqual(NEW);
  });

  test('the journal lists the renames relative to itself, with no path of this machine', () => {
    const work = copyOf(template);
    let journal = '';
    const f = faultFs({
      root: work,
      before: (step) => {
        if (step === STEPS[COMMIT - 1]) journal = fs.readFileSync(path.join(work, `${TEMP_PREFIX}${process.pid}-new-cdktf.out.journal`), 'utf8');
      },
    });
    synth(cfgNew, work, f.fs);
    const body = JSON.parse(journal) as { format: string; entries: Array<Record<string, unknown>> };
    expect(body.format).toBe('rollout-synth-journal/1');
    expect(body.entries.map((e) => [e.target, e.hadOld])).toEqual([
      ['cdktf.out', true],
      ['ansible/inventories/dev/hosts.yml', true],
      ['ansible/inventories/prod', false],
      ['ansible/inventories/test', true],
    ]);
    expect(journal).not.toContain(work);
    expect(journal).not.toContain(os.tmpdir());
  });

  test.each(STEPS.map((step, i) => [i + 1, step] as const))(
    'a kill before step %i (%s) leaves all-old or all-new outputs after recovery and after a rerun',
    (n, step) => {
      const work = copyOf(template);
      expect(() => synth(cfgNew, work, faultFs({ root: work, crashAt: n }).fs)).toThrow(SimulatedCrash);
      // Right after the kill: a journal exactly while renames are under way; without one the outputs are whole.
      const journalLeft = fs.existsSync(journalOf(work));
      expect(journalLeft).toBe(n > COMMIT && n <= JOURNAL_REMOVED);
      if (!journalLeft) {
        expect(state(work)).toBe(n <= COMMIT ? 'old' : 'new');
        expect(fs.existsSync(outOf(work))).toBe(true);
      }
      const rerun = copyOf(work);

      const log: string[] = [];
      recover(work, log);
      expect(fs.existsSync(path.join(outOf(work), 'manifest.json'))).toBe(true);
      expect(snapshot(work)).toEqual(n <= COMMIT ? OLD : NEW);
      if (journalLeft) expect(log).toContain(`recovered an interrupted rollout synth: finished its commit from ${rel(journalOf(work))}`);
      if (step.startsWith('write cdktf.out.lock') || n > STEPS.indexOf('create cdktf.out.lock') + 1) expect(log.join('\n')).toMatch(/^taking over /);
      expectRelativePaths(log);

      synth(cfgNew, rerun);
      expect(snapshot(rerun)).toEqual(NEW);
    },
  );

  const WRITES = STEPS.map((step, i) => [i + 1, step] as const).filter(([, step]) => step.startsWith('write '));

  test.each(WRITES)('a kill during step %i (%s, half written) leaves the old outputs after recovery, the new ones after a rerun', (n) => {
    const work = copyOf(template);
    expect(() => synth(cfgNew, work, faultFs({ root: work, crashAt: n, torn: true }).fs)).toThrow(SimulatedCrash);
    expect(fs.existsSync(journalOf(work))).toBe(false);
    const rerun = copyOf(work);
    const log: string[] = [];
    recover(work, log);
    expect(snapshot(work)).toEqual(OLD);
    expectRelativePaths(log);
    synth(cfgNew, rerun);
    expect(snapshot(rerun)).toEqual(NEW);
  });

  test('a kill during recovery is recovered by the next run, at every step of the recovery', () => {
    const crashed = copyOf(template);
    const midApply = STEPS.indexOf('rename ansible/inventories/dev/.rollout-synth-<pid>-new-hosts.yml -> ansible/inventories/dev/hosts.yml') + 1;
    expect(() => synth(cfgNew, crashed, faultFs({ root: crashed, crashAt: midApply }).fs)).toThrow(SimulatedCrash);
    const recording = copyOf(crashed);
    const f = faultFs({ root: recording });
    recover(recording, [], f.fs);
    expect(snapshot(recording)).toEqual(NEW);
    expect(f.steps.length).toBeGreaterThan(5);
    for (let k = 1; k <= f.steps.length; k++) {
      const work = copyOf(crashed);
      expect(() => recover(work, [], faultFs({ root: work, crashAt: k }).fs)).toThrow(SimulatedCrash);
      recover(work);
      expect([k, snapshot(work)]).toEqual([k, NEW]);
    }
  });

  test('rolls back an interrupted commit whose staged output was removed by hand, also when that roll back is killed', () => {
    const lastInstall = STEPS.map((s, i) => [i + 1, s] as const)
      .filter(([, s]) => /^rename \S*\.rollout-synth-<pid>-new-\S+ -> /.test(s) && !s.includes('journal'))
      .pop();
    if (!lastInstall) throw new Error('no install step');
    const [n, step] = lastInstall;
    const staged = path.join(step.split(' ')[1].split('<pid>').join(String(process.pid)));
    const crashed = copyOf(template);
    expect(() => synth(cfgNew, crashed, faultFs({ root: crashed, crashAt: n }).fs)).toThrow(SimulatedCrash);
    fs.rmSync(path.join(crashed, staged), { recursive: true });
    expect(state(crashed)).toBe('mixed');

    const recording = copyOf(crashed);
    const f = faultFs({ root: recording });
    const log: string[] = [];
    recover(recording, log, f.fs);
    expect(snapshot(recording)).toEqual(OLD);
    const target = path.join(recording, step.split(' -> ')[1]);
    expect(log).toContain(
      `recovered an interrupted rollout synth: undid its commit from ${rel(journalOf(recording))} (staged ${rel(target)} was missing); the previous outputs are back`,
    );
    for (let k = 1; k <= f.steps.length; k++) {
      const work = copyOf(crashed);
      expect(() => recover(work, [], faultFs({ root: work, crashAt: k }).fs)).toThrow(SimulatedCrash);
      recover(work);
      expect([k, snapshot(work)]).toEqual([k, OLD]);
    }
  });

  test('fails when a rename after the commit point fails, and rolls back to the old outputs at once', () => {
    const work = copyOf(template);
    const failing = 'rename ansible/inventories/.rollout-synth-<pid>-new-prod -> ansible/inventories/prod';
    expect(STEPS).toContain(failing);
    const f = faultFs({ root: work, fail: (step) => (step === failing ? fsError('EIO', step) : undefined) });
    const err = thrown(() => synth(cfgNew, work, f.fs));
    expect(err).toBeInstanceOf(OutputError);
    expect(err.message).toBe(`cannot replace ${rel(path.join(work, 'ansible/inventories/prod'))}: input/output error; rolled back, nothing was replaced`);
    expect(snapshot(work)).toEqual(OLD);
  });

  test('fails when a rename after the commit point fails and so does the roll back, keeping the journal for the next run', () => {
    const work = copyOf(template);
    const failing = 'rename ansible/inventories/.rollout-synth-<pid>-new-prod -> ansible/inventories/prod';
    let broken = false;
    const f = faultFs({
      root: work,
      fail: (step) => {
        broken ||= step === failing;
        return broken && step.startsWith('rename ') ? fsError('EIO', step) : undefined;
      },
    });
    const err = thrown(() => synth(cfgNew, work, f.fs));
    expect(err.message).toBe(
      `cannot replace ${rel(path.join(work, 'ansible/inventories/prod'))}: input/output error; ${rel(journalOf(work))} is kept: the next rollout synth finishes the commit (or undoes it)`,
    );
    expect(fs.existsSync(journalOf(work))).toBe(true);
    expect(fs.existsSync(lockOf(work))).toBe(false);
    const recovered = copyOf(work);
    recover(recovered);
    expect(snapshot(recovered)).toEqual(NEW);
    const log: string[] = [];
    synth(cfgNew, work, undefined, log);
    expect(log).toEqual([`recovered an interrupted rollout synth: finished its commit from ${rel(journalOf(work))}`]);
    expect(snapshot(work)).toEqual(NEW);
  });

  test('fails when an inventory folder is read-only (as root, where chmod does not stop writes: when a file stands where an inventory folder must be), and changes nothing', () => {
    const work = copyOf(template);
    const devDir = path.join(work, 'ansible', 'inventories', 'dev');
    fs.chmodSync(devDir, 0o555);
    let expected: string;
    try {
      const probe = path.join(devDir, '.probe');
      let permissionsStopWrites = false;
      try {
        fs.writeFileSync(probe, '');
        fs.rmSync(probe);
      } catch {
        permissionsStopWrites = true;
      }
      if (permissionsStopWrites) {
        expected = `cannot write ${rel(path.join(devDir, 'hosts.yml'))}: permission denied; nothing was replaced`;
      } else {
        // Running as root: the same failure to write an inventory, made by a file where a directory must be.
        fs.chmodSync(devDir, 0o755);
        const prodDir = path.join(work, 'ansible', 'inventories', 'prod');
        fs.writeFileSync(prodDir, 'a file where the prod inventory folder must be\n');
        expected = `cannot write ${rel(path.join(prodDir, 'hosts.yml'))}: ${rel(prodDir)} is a file, expected a directory; nothing was replaced`;
      }
      const before = snapshot(work);
      const err = thrown(() => synth(cfgNew, work));
      expect(err).toBeInstanceOf(OutputError);
      expect(err.message).toBe(expected);
      expect(snapshot(work)).toEqual(before);
    } finally {
      fs.chmodSync(devDir, 0o755);
    }
  });

  test('fails when the journal is not one synth wrote, naming it, and changes nothing', () => {
    const work = copyOf(template);
    fs.writeFileSync(journalOf(work), 'not a journal\n');
    const before = snapshot(work);
    const err = thrown(() => synth(cfgNew, work));
    expect(err.message).toBe(
      `${rel(journalOf(work))}: got text that is not JSON, expected a journal written by rollout synth; check the outputs beside it, then remove it to synthesize again`,
    );
    expect(snapshot(work)).toEqual(before);
  });

  test('fails when another synth of the same output runs in this process, and the first one succeeds', () => {
    const work = copyOf(template);
    let second: Error | undefined;
    const f = faultFs({
      root: work,
      before: (step) => {
        if (step === STEPS[COMMIT - 1]) second = thrown(() => synth(cfgNew, work));
      },
    });
    synth(cfgNew, work, f.fs);
    expect(second).toBeInstanceOf(OutputLockedError);
    expect(second?.message).toBe(
      `${rel(lockOf(work))} is held by pid ${process.pid}: another rollout synth is writing ${rel(outOf(work))}; run one at a time (the lock is taken over once pid ${process.pid} has ended)`,
    );
    expect(snapshot(work)).toEqual(NEW);
  });

  test('fails when another rollout synth process runs on the same output: one line naming the lock and its pid; the first one succeeds', () => {
    const work = copyOf(template);
    let child: ReturnType<typeof spawnSync> | undefined;
    const f = faultFs({
      root: work,
      before: (step) => {
        if (step !== STEPS[COMMIT - 1]) return;
        child = spawnSync(
          process.execPath,
          ['-r', require.resolve('ts-node/register/transpile-only'), path.join(REPO, 'cli', 'main.ts'), 'synth', '--config', cfgNew, '--out', 'cdktf.out'],
          { cwd: work, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(REPO, 'tsconfig.json') } },
        );
      },
    });
    synth(cfgNew, work, f.fs);
    expect(child?.stderr).toBe(
      `rollout synth: cdktf.out.lock is held by pid ${process.pid}: another rollout synth is writing cdktf.out; run one at a time (the lock is taken over once pid ${process.pid} has ended)\n`,
    );
    expect(child?.status).toBe(1);
    expect(child?.stdout).toBe('');
    expect(snapshot(work)).toEqual(NEW);
    expect(fs.readdirSync(cfgNew)).toEqual(['stacks']);
  }, 60_000);

  test('fails when the lock is held by a live process on this host, naming it, and changes nothing', () => {
    const work = copyOf(template);
    fs.writeFileSync(lockOf(work), `${JSON.stringify({ pid: process.ppid, hostname: os.hostname() })}\n`);
    const before = snapshot(work);
    const err = thrown(() => synth(cfgNew, work));
    expect(err).toBeInstanceOf(OutputLockedError);
    expect(err.message).toBe(
      `${rel(lockOf(work))} is held by pid ${process.ppid}: another rollout synth is writing ${rel(outOf(work))}; run one at a time (the lock is taken over once pid ${process.ppid} has ended)`,
    );
    expect(snapshot(work)).toEqual(before);
  });

  test('fails when the lock is held on another host (whose processes cannot be checked), and changes nothing', () => {
    const work = copyOf(template);
    fs.writeFileSync(lockOf(work), `${JSON.stringify({ pid: 4242, hostname: 'build-7.example' })}\n`);
    const before = snapshot(work);
    const err = thrown(() => synth(cfgNew, work));
    expect(err.message).toBe(
      `${rel(lockOf(work))} is held by pid 4242 on host build-7.example: another rollout synth may be writing ${rel(outOf(work))}; run one at a time, or remove the lock if no synth runs there`,
    );
    expect(snapshot(work)).toEqual(before);
  });

  test('takes over a stale lock (its process has ended) with a notice', () => {
    const work = copyOf(template);
    const pid = deadPid();
    fs.writeFileSync(lockOf(work), `${JSON.stringify({ pid, hostname: os.hostname() })}\n`);
    const log: string[] = [];
    synth(cfgNew, work, undefined, log);
    expect(log).toEqual([`taking over ${rel(lockOf(work))}: pid ${pid} has ended (an interrupted rollout synth)`]);
    expect(snapshot(work)).toEqual(NEW);
  });

  test('takes over a lock left empty (a run killed between creating and writing it) with a notice', () => {
    const work = copyOf(template);
    fs.writeFileSync(lockOf(work), '');
    const log: string[] = [];
    synth(cfgNew, work, undefined, log);
    expect(log).toEqual([`taking over ${rel(lockOf(work))}: got unreadable contents, expected the pid of a running synth`]);
    expect(snapshot(work)).toEqual(NEW);
  });

  test('removes stale temporaries of crashed runs (ended processes), keeping those of live ones and everything else', () => {
    const work = copyOf(template);
    const dead = deadPid();
    const live = process.ppid;
    const put = (rel: string, text = 'x\n'): void => {
      fs.mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
      fs.writeFileSync(path.join(work, rel), text);
    };
    const stale = [
      `.rollout-synth-${dead}-new-cdktf.out/stacks/dev-infra/cdk.tf.json`,
      `.rollout-synth-${dead}-old-cdktf.out/manifest.json`,
      `.rollout-synth-${dead}-new-cdktf.out.journal`,
      `cdktf.out.tmp-${dead}/manifest.json`,
      `ansible/inventories/dev/.rollout-synth-${dead}-new-hosts.yml`,
      `ansible/inventories/dev/hosts.yml.tmp-${dead}`,
      `ansible/inventories/.rollout-synth-${dead}-new-qa/hosts.yml`,
      `ansible/inventories/.rollout-synth-${dead}-old-test/hosts.yml`,
      `.rollout-synth-${dead}-new-ansible/inventories/qa/hosts.yml`,
    ];
    const kept = [
      `.rollout-synth-${live}-new-cdktf.out/manifest.json`,
      `.rollout-synth-${dead}-new-other.out/manifest.json`,
      `.rollout-synth-notes`,
      `ansible/inventories/dev/.rollout-synth-${live}-new-hosts.yml`,
      `ansible/inventories/dev/notes.yml.tmp-${dead}`,
      `ansible/inventories/notes.tmp-${dead}`,
    ];
    for (const p of [...stale, ...kept]) put(p);
    const log: string[] = [];
    synth(cfgNew, work, undefined, log);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^removed 9 stale temporaries of interrupted synths: /);
    expectRelativePaths(log);
    const after = snapshot(work);
    for (const p of stale) expect(Object.keys(after)).not.toContain(p);
    const expected = { ...NEW };
    for (const p of kept) {
      expected[p] = 'x\n';
      expected[`${path.dirname(p)}/`] = '';
    }
    delete expected['./'];
    expect(after).toEqual(expected);
  });
});

describe('rollout CLI', () => {
  test('validate summarizes each stage', async () => {
    const c = capture();
    expect(await run(['validate', '--config', REPO], c.io)).toBe(0);
    expect(c.out).toEqual([
      'dev: 3 hosts (3 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks dev-infra dev-observability',
      'prod: 38 hosts (0 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks prod-infra prod-observability',
      'test: 6 hosts (0 managed), agent 7.72.0, site us5.datadoghq.com, batches 33/33/34%, stacks test-infra test-observability',
      'monitoring: 13 monitors, 4 SLOs, 2 dashboards from monitors/payments.yaml, monitors/policy.yaml, monitors/storefront.yaml',
      '  dev: 31 monitors (12 team, 2 burn-rate, 17 rollout), 1 SLO, 2 dashboards',
      '  prod: 41 monitors (13 team, 11 burn-rate, 17 rollout), 4 SLOs, 3 dashboards',
      '  test: 40 monitors (12 team, 11 burn-rate, 17 rollout), 4 SLOs, 3 dashboards',
      'rules: 11 rules (ROLLOUT-M001 to ROLLOUT-M011) pass in 3 stages, 1 suppression',
      expect.stringMatching(/^ {2}suppressed monitors\/payments\.yaml:\d+ ROLLOUT-M001 monitor-api-host-cpu: ".+" \(dev, prod, test\)$/),
      'ok: 3 stages valid',
    ]);
  });

  test('fails when an unknown option is given, with exit status 2 and the closest known option', async () => {
    const c = capture();
    expect(await run(['synth', '--conifg', 'x'], c.io)).toBe(2);
    expect(c.err).toEqual(["rollout synth: unknown option '--conifg' (did you mean --config?); see rollout synth --help"]);
  });

  test('fails when the command is unknown', async () => {
    const c = capture();
    expect(await run(['deploy'], c.io)).toBe(2);
    expect(c.err).toEqual(["rollout: unknown command 'deploy'; see rollout --help"]);
    const near = capture();
    expect(await run(['sytnh'], near.io)).toBe(2);
    expect(near.err).toEqual(["rollout: unknown command 'sytnh' (did you mean synth?); see rollout --help"]);
    expect(COMMANDS.map((x) => x.name)).toContain('synth');
  });

  test('fails when the configuration directory has no stage files: exit 1, naming the directory', async () => {
    const c = capture();
    expect(await run(['validate', '--config', tempDir()], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/stacks\/stages:1: got no such directory, expected a directory of stage files in /);
  });
});

describe('rollout inventory', () => {
  test('prints a stage inventory, filling managed hosts from Terraform outputs', async () => {
    const dir = tempDir();
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(
      outputs,
      JSON.stringify({ host_addresses: { value: { 'dev-api-01': '10.1.0.1', 'dev-web-01': '10.1.0.2', 'dev-worker-01': '10.1.0.3' } } }),
    );
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs], c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('ansible_host: 10.1.0.2');
    expect(c.out.join('\n')).not.toContain('fills them in');
    const out = path.join(dir, 'inv', 'hosts.yml');
    fs.mkdirSync(path.dirname(out));
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs, '--out', out], capture().io)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(`${c.out.join('\n')}`);
  });

  test('fails when the stage is unknown', async () => {
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'qa'], c.io)).toBe(2);
    expect(c.err[0]).toBe('rollout inventory: --stage: got "qa", expected one of dev, prod, test');
  });

  test('fails when the outputs are incomplete, writing nothing', async () => {
    const dir = tempDir();
    const outputs = path.join(dir, 'outputs.json');
    fs.writeFileSync(outputs, JSON.stringify({ host_addresses: { value: {} } }));
    const c = capture();
    expect(await run(['inventory', '--config', REPO, '--stage', 'dev', '--outputs', outputs, '--out', path.join(dir, 'hosts.yml')], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^invalid Terraform outputs: 3 problems/);
    expect(fs.readdirSync(dir)).toEqual(['outputs.json']);
  });
});
