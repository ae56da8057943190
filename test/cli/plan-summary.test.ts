/**
 * `rollout plan-summary`: arguments, errors, exit statuses and output; the
 * join with a `rollout diff --format json` report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { planSummaryCommand } from '../../cli/commands/plan-summary';
import { UsageError } from '../../cli/args';
import { tempDir } from '../support/fixtures';

function capture(): { io: { out(t: string): void; err(t: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

describe('rollout plan-summary', () => {
  const dir = tempDir('rollout-plans-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const plan = {
    format_version: '1.2',
    planned_values: {},
    resource_changes: [{ address: 'terraform_data.a', change: { actions: ['delete', 'create'], replace_paths: [['triggers_replace']] } }],
  };

  test('prints one section per plan, titled by file name or --title', () => {
    const p1 = write('dev-infra.json', JSON.stringify(plan));
    const p2 = write('dev-observability.json', JSON.stringify({ format_version: '1.2', planned_values: {} }));
    const c = capture();
    expect(planSummaryCommand.run([p1, p2], c.io)).toBe(0);
    const md = c.out.join('');
    expect(md).toContain('### Terraform plan: dev-infra\n\n**Plan: 1 to add, 0 to change, 1 to destroy.**');
    expect(md).toContain('- medium replace `terraform_data.a`: forced by `triggers_replace` (delete, then create)');
    expect(md).toContain('### Terraform plan: dev-observability\n\n**No changes.**');
    const t = capture();
    planSummaryCommand.run([p1, '--title', 'dev / infra'], t.io);
    expect(t.out.join('')).toMatch(/^### Terraform plan: dev \/ infra\n/);
  });

  test('fails when a plan errored: the summary is printed, exit 1, stderr names what was not planned', () => {
    const errored = write(
      'prod-infra.json',
      JSON.stringify({
        ...plan,
        errored: true,
        complete: false,
        configuration: {
          root_module: {
            resources: [
              { address: 'terraform_data.a', mode: 'managed' },
              { address: 'terraform_data.b', mode: 'managed' },
            ],
          },
        },
      }),
    );
    const c = capture();
    expect(planSummaryCommand.run([errored], c.io)).toBe(1);
    expect(c.out.join('')).toContain('**The plan did not complete** (Terraform stopped on an error)');
    expect(c.err).toEqual([`rollout plan-summary: ${errored}: the plan did not complete (Terraform stopped on an error); not planned: terraform_data.b`]);
  });

  test('--diff joins the plan with the change review: where the diff predicted a replacement and the plan disagrees, it says so', () => {
    const update = write(
      'test-infra.json',
      JSON.stringify({
        format_version: '1.2',
        planned_values: {},
        resource_changes: [
          {
            address: 'terraform_data.a',
            type: 'terraform_data',
            name: 'a',
            mode: 'managed',
            change: { actions: ['update'], before: { input: 'x' }, after: { input: 'y' } },
          },
        ],
      }),
    );
    const report = write(
      'review.json',
      JSON.stringify({
        base: 'main (1234567)',
        head: 'working tree',
        highestRisk: 'medium',
        changes: [
          {
            stage: 'test',
            stack: 'test-infra',
            subject: 'resource.terraform_data.a',
            kind: 'replaced',
            risk: 'medium',
            why: 'replaces a resource',
            label: 'terraform_data a',
            text: 'terraform_data a is replaced',
            forcedBy: ['triggers_replace'],
            attributes: [],
          },
        ],
      }),
    );
    const c = capture();
    expect(planSummaryCommand.run([update, '--diff', report], c.io)).toBe(0);
    expect(c.out.join('')).toContain(
      '**The diff and the plan disagree** (what `rollout diff` predicted for this stack, and what Terraform will do):\n- `terraform_data.a`: the diff predicted a replacement (forced by triggers_replace); Terraform updates it in place',
    );
    // --stack names the stack when the file name does not.
    const renamed = write('plan.json', fs.readFileSync(update, 'utf8'));
    const s = capture();
    planSummaryCommand.run([renamed, '--stack', 'test-infra', '--diff', report], s.io);
    expect(s.out.join('')).toContain('### Terraform plan: test-infra\n');
    expect(s.out.join('')).toContain('the diff predicted a replacement');
  });

  test('fails when a plan or report file is unreadable or invalid: one clear error naming the file', () => {
    const missing = path.join(dir, 'missing.json');
    expect(() => planSummaryCommand.run([missing], capture().io)).toThrow(`${missing}: cannot read it (ENOENT)`);
    const bad = write('bad.json', '{"format_version": "1.2", "resource_changes": [');
    expect(() => planSummaryCommand.run([bad], capture().io)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
    const bin = write('plan.bin', 'PK\u0003\u0004binary');
    expect(() => planSummaryCommand.run([bin], capture().io)).toThrow(/binary plan file/);
    const p = write('ok.json', JSON.stringify(plan));
    const notReport = write('not-a-report.json', '{"base": "x"}');
    expect(() => planSummaryCommand.run([p, '--diff', notReport], capture().io)).toThrow(
      new RegExp(`^${notReport.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not the output of rollout diff --format json: `),
    );
  });

  test('fails when the command line is bad: usage errors', () => {
    expect(() => planSummaryCommand.run([], capture().io)).toThrow(
      new UsageError("rollout plan-summary: missing required argument 'PLAN.json'; see rollout plan-summary --help"),
    );
    expect(() => planSummaryCommand.run(['a.json', '--colour'], capture().io)).toThrow(
      "rollout plan-summary: unknown option '--colour'; see rollout plan-summary --help",
    );
    expect(() => planSummaryCommand.run(['a.json', 'b.json', '--title', 'x'], capture().io)).toThrow(/--title applies to one plan/);
    expect(() => planSummaryCommand.run(['a.json', 'b.json', '--stack', 'x'], capture().io)).toThrow(/--stack applies to one plan/);
  });
});
