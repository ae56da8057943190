/**
 * `npm run bench`: synth wall time and peak RSS at growing sizes, ours and
 * the naive cdktf setup side by side; unit suite, batch split + inventory for
 * 100,000 hosts, and `rollout diff` of the example. Prints a Markdown table
 * and writes BENCHMARKS.md. Options: --quick (1 run, small sizes only),
 * --no-naive, --runs N. The pull-request loop (diff + plan summary) is timed
 * in a temporary repository (pr-loop.ts), never in this checkout.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Host, Stage } from '../../model/stage';
import { defaultRolloutPolicy } from '../../model/load-config';
import { renderInventory } from '../../inventory/stage-inventory';
import { generateConfig } from './generate';
import { Figures, measureCommand, measureFn, measureNode } from './measure';
import { makeNaiveTree } from './naive';
import { measurePrLoop, prLoopRows } from './pr-loop';

const REPO = path.resolve(__dirname, '..', '..', '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const NAIVE = !argv.includes('--no-naive');
const RUNS = Number(argv[argv.indexOf('--runs') + 1]) || (QUICK ? 1 : 3);

const SIZES: Array<{ hosts: number; monitors: number }> = QUICK
  ? [{ hosts: 10, monitors: 10 }]
  : [
      { hosts: 10, monitors: 10 },
      { hosts: 1000, monitors: 500 },
      { hosts: 10000, monitors: 2000 },
    ];

const s = (ms: number): string => (ms / 1000).toFixed(2);
const fmt = (f: Figures): string => `${s(f.wallMs.median)} s (${s(f.wallMs.min)}-${s(f.wallMs.max)})`;
const mem = (f: Figures): string => (f.rssMb ? `${f.rssMb.median.toFixed(0)} MiB (${f.rssMb.min.toFixed(0)}-${f.rssMb.max.toFixed(0)})` : '-');

/** Count Terraform resources + data sources across every stack of a synth output. */
function countResources(out: string): number {
  let n = 0;
  for (const st of fs.readdirSync(path.join(out, 'stacks'))) {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'stacks', st, 'cdk.tf.json'), 'utf8')) as Record<string, Record<string, object>>;
    for (const kind of ['resource', 'data']) for (const byType of Object.values(json[kind] ?? {})) n += Object.keys(byType).length;
  }
  return n;
}

function machine(): string {
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return `${os.cpus().length} cores (${cpu.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-bench-'));
  const lines: string[] = [];
  const log = (t: string): void => {
    lines.push(t);
    process.stdout.write(`${t}\n`);
  };
  const policy = fs.readFileSync(path.join(REPO, 'monitors', 'policy.yaml'), 'utf8');
  const naiveDir = path.join(work, 'naive');
  if (NAIVE) {
    const n = makeNaiveTree(REPO, naiveDir);
    process.stderr.write(`naive tree: ${n} provider imports rewritten to the package root\n`);
  }
  const tsNode = path.join(REPO, 'node_modules', 'ts-node', 'dist', 'bin.js');

  log('## Synth: ours vs the naive cdktf setup');
  log('');
  log(
    `Median of ${RUNS} runs (min-max). Ours: \`node dist/main.js\` (compiled JavaScript, deep provider imports). Naive: the same stacks with provider classes imported from the package root, run by \`ts-node\` with type checking (a fresh \`cdktf init\` project's \`npx ts-node main.ts\`). Three stages each.`,
  );
  log('');
  log('| hosts/stage | monitors/stage | resources | ours: wall | ours: peak RSS | ms/item | marginal ms/item | naive: wall | naive: peak RSS | naive/ours |');
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  let prev: { wall: number; items: number } | undefined;
  for (const size of SIZES) {
    const cfg = generateConfig(path.join(work, `cfg-${size.hosts}-${size.monitors}`), size.hosts, size.monitors, policy);
    const out = path.join(work, `out-${size.hosts}`);
    process.stderr.write(`size ${size.hosts} hosts, ${size.monitors} monitors per stage\n`);
    const ours = measureNode([path.join(REPO, 'dist', 'main.js'), '--config', cfg, '--out', out], { cwd: work, runs: RUNS, label: 'ours' });
    const resources = countResources(out);
    const items = resources + 3 * size.hosts;
    let naiveCells = ['-', '-', '-'];
    if (NAIVE) {
      const naive = measureNode(
        [tsNode, '--project', path.join(naiveDir, 'tsconfig.json'), path.join(naiveDir, 'main.ts'), '--config', cfg, '--out', `${out}-naive`],
        {
          cwd: naiveDir,
          runs: RUNS,
          label: 'naive',
        },
      );
      const diff = spawnSync('diff', ['-r', out, `${out}-naive`], { encoding: 'utf8' });
      if (diff.status !== 0) throw new Error(`naive and ours synthesize different output:\n${diff.stdout.slice(0, 2000)}`);
      naiveCells = [fmt(naive), mem(naive), `${(naive.wallMs.median / ours.wallMs.median).toFixed(1)}x`];
    }
    const marginal = prev ? ((ours.wallMs.median - prev.wall) / (items - prev.items)).toFixed(3) : '-';
    prev = { wall: ours.wallMs.median, items };
    log(
      `| ${size.hosts.toLocaleString('en')} | ${size.monitors.toLocaleString('en')} | ${resources.toLocaleString('en')} | ${fmt(ours)} | ${mem(ours)} | ${(ours.wallMs.median / items).toFixed(3)} | ${marginal} | ${naiveCells.join(' | ')} |`,
    );
  }
  log('');
  log(
    '"ms/item" is wall time divided by items (resources + hosts, three stages); it includes the fixed start-up (module loading, about 0.5 s), so it falls as sizes grow. "marginal ms/item" is the cost of the items added since the previous row: flat or falling means time grows linearly.',
  );
  log('');

  log('## Other figures');
  log('');
  log('| what | wall | peak RSS |');
  log('| --- | ---: | ---: |');
  const cdktf = measureCommand(path.join(REPO, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', path.join(work, 'cdktf-cli-out')], {
    cwd: REPO,
    runs: RUNS,
    label: 'cdktf synth',
  });
  log(`| \`cdktf synth\` of the example (app command \`node scripts/app.js\`, sources unchanged) | ${fmt(cdktf)} | - |`);
  const direct = measureNode([path.join(REPO, 'dist', 'main.js'), '--out', path.join(work, 'example-out')], { cwd: REPO, runs: RUNS, label: 'direct synth' });
  log(`| direct synth of the example (\`node dist/main.js\`) | ${fmt(direct)} | ${mem(direct)} |`);

  const hosts: Host[] = Array.from({ length: 100_000 }, (_, i) => ({
    name: `h${String(i).padStart(6, '0')}`,
    service: `svc-${i % 25}`,
    team: 'team',
    criticality: (['low', 'medium', 'high', 'critical'] as const)[i % 4],
    managed: false,
    address: `10.${Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
    tags: {},
  }));
  const stage: Stage = {
    name: 'bench',
    sourceFile: 'stacks/stages/bench.yaml',
    region: 'us-east-1',
    owner: 'platform-team',
    state: { bucket: 'b', locking: 'both', lockTable: 't', keyPrefix: 'stages/bench', createKmsKey: false },
    datadog: { site: 'us5.datadoghq.com', apiUrl: 'https://api.us5.datadoghq.com/' },
    agent: { version: '7.72.0', logsEnabled: true, apmEnabled: true, processEnabled: true },
    rollout: defaultRolloutPolicy(),
    network: { vpcId: 'vpc-00000000', subnetIds: [], datadogEgressCidrs: ['0.0.0.0/0'] },
    fleet: { instanceType: 't3.medium', amiSsmParameter: '/x', rootVolumeGb: 20 },
    hosts,
  };
  const split = measureFn(() => void renderInventory(stage), Math.max(RUNS, 3));
  log(`| batch split + inventory rendering, 100,000 hosts (in process) | ${fmt(split)} | - |`);

  // The pull-request loop, in a temporary repository (a worktree of this checkout would change its git state).
  for (const row of prLoopRows(measurePrLoop(Math.max(RUNS, 3)))) log(`${row} - |`);
  if (!QUICK) {
    const unit = measureCommand('npm', ['run', '--silent', 'test:unit'], { cwd: REPO, runs: 1, label: 'unit suite' });
    log(`| \`npm run test:unit\` (unit suite, jest, 2 workers) | ${fmt(unit)} | - |`);
  }
  log('');
  log(`Machine: ${machine()}.`);

  if (!QUICK) {
    const doc = path.join(REPO, 'BENCHMARKS.md');
    const head = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8').split('<!-- bench:begin -->')[0] : '# Benchmarks\n\n';
    const tail =
      fs.existsSync(doc) && fs.readFileSync(doc, 'utf8').includes('<!-- bench:end -->') ? fs.readFileSync(doc, 'utf8').split('<!-- bench:end -->')[1] : '\n';
    fs.writeFileSync(doc, `${head}<!-- bench:begin -->\n${lines.join('\n')}\n<!-- bench:end -->${tail}`);
    process.stderr.write(`wrote ${doc}\n`);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main();
