/**
 * Synthetic configurations for the benchmark: three stages of `hosts` hosts
 * each and `monitors` team monitors (every stage gets every monitor), in a
 * configuration directory laid out like this repo.
 */
import * as fs from 'fs';
import * as path from 'path';

const TEAMS = ['storefront', 'payments', 'fulfillment', 'discovery', 'platform-team', 'data', 'identity', 'search', 'mobile', 'growth'];
const CRIT = ['low', 'medium', 'high', 'critical'];

/** Write a configuration into `dir`; returns `dir`. */
export function generateConfig(dir: string, hosts: number, monitors: number, policyYaml: string): string {
  const stagesDir = path.join(dir, 'stacks', 'stages');
  fs.mkdirSync(stagesDir, { recursive: true });
  ['dev', 'test', 'prod'].forEach((stage, si) => {
    const lines = [
      `stage: ${stage}`,
      'region: us-east-1',
      'owner: platform-team',
      'state: { bucket: bench-tfstate, lockTable: bench-tflock }',
      `network: { vpcId: vpc-0000000${si}, subnetIds: [subnet-0000000${si}] }`,
      'hosts:',
    ];
    for (let i = 0; i < hosts; i++) {
      const team = TEAMS[i % TEAMS.length];
      const managed = i < Math.min(10, Math.ceil(hosts / 100));
      const addr = managed ? 'managed: true' : `address: 10.${si}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      lines.push(`  - { name: ${stage}-h${String(i).padStart(5, '0')}, service: svc-${i % 25}, team: ${team}, criticality: ${CRIT[i % 4]}, ${addr} }`);
    }
    fs.writeFileSync(path.join(stagesDir, `${stage}.yaml`), `${lines.join('\n')}\n`);
  });
  const mon = path.join(dir, 'monitors');
  fs.mkdirSync(mon, { recursive: true });
  fs.writeFileSync(path.join(mon, 'policy.yaml'), policyYaml);
  const perTeam = Math.ceil(monitors / TEAMS.length);
  let left = monitors;
  for (const team of TEAMS) {
    if (left <= 0) break;
    const n = Math.min(perTeam, left);
    left -= n;
    const lines = [
      `team: ${team}`,
      `service: svc-${team}`,
      'tags: { cost_center: cc-bench }',
      `notify: { alert: ['@slack-${team}'], warning: ['@slack-${team}'] }`,
      'monitors:',
    ];
    for (let i = 0; i < n; i++) {
      const t = (i % 9) + 1;
      lines.push(
        `  - id: ${team}-m${i}`,
        `    name: ${team} metric ${i} high`,
        '    type: metric',
        `    query: avg(last_5m):avg:bench.metric_${i}{env:\${env},service:svc-${team}} by {host} > ${t}0`,
        `    thresholds: { critical: ${t}0, warning: ${t}5 }`.replace(`${t}5 }`, `${t - 1}5 }`),
        '    priority: 3',
        `    message: Metric ${i} of ${team} is {{value}} on {{host.name}}.`,
      );
    }
    fs.writeFileSync(path.join(mon, `${team}.yaml`), `${lines.join('\n')}\n`);
  }
  return dir;
}
