import { DiffReportError, parseDiffReport } from '../../../review/diff/report-json';
import type { DiffReport } from '../../../review/plan-summary/diff-report';
import { parsePlan, PlanFormatError } from '../../../review/plan-summary/terraform-plan';
import { renderPlanSummary } from '../../../review/plan-summary/render-summary';
import { formatPath, headline, PlanItem, summarizePlan } from '../../../review/plan-summary/summary';

type Json = Record<string, unknown>;

const rc = (address: string, actions: string[], extra: Json = {}, change: Json = {}): Json => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  change: { actions, before: null, after: null, after_unknown: {}, ...change },
  ...extra,
});

/** A plan with one of everything, in a shuffled order. */
function busyPlan(): Json {
  return {
    format_version: '1.2',
    terraform_version: '1.11.4',
    planned_values: {},
    resource_changes: [
      rc(
        'aws_instance.web',
        ['update'],
        {},
        {
          before: { instance_type: 't3.small', tags: { a: '1' }, private_ip: '10.0.0.1' },
          after: { instance_type: 't3.large', tags: { a: '1' } },
          after_unknown: { private_ip: true },
        },
      ),
      rc(
        'aws_s3_bucket.state',
        ['delete', 'create'],
        { action_reason: 'replace_because_cannot_update' },
        { replace_paths: [['bucket']], before: { bucket: 'acme-tfstate' }, after: { bucket: 'acme-tfstate-2' } },
      ),
      rc(
        'aws_instance.db',
        ['create', 'delete'],
        { action_reason: 'replace_because_cannot_update' },
        {
          replace_paths: [['root_block_device', 0, 'encrypted'], ['ami']],
          before: { ami: 'ami-1', tags: { Name: 'db-01' }, root_block_device: [{ encrypted: false }] },
          after: { ami: 'ami-2', tags: { Name: 'db-01' }, root_block_device: [{ encrypted: true }] },
        },
      ),
      rc('aws_iam_role.old', ['delete'], { action_reason: 'delete_because_no_resource_config' }, { before: { name: 'old-role' } }),
      rc('aws_iam_role.new', ['create'], {}, { after: { name: 'new-role' }, after_unknown: { arn: true } }),
      rc('aws_instance.tainted', ['delete', 'create'], { action_reason: 'replace_because_tainted' }),
      rc('aws_instance.gone', ['delete'], { deposed: 'abc123' }),
      rc('aws_security_group.kept', ['no-op']),
      rc('aws_security_group.renamed', ['no-op'], { previous_address: 'aws_security_group.old_name' }),
      rc('aws_secretsmanager_secret.imported', ['no-op'], {}, { importing: { id: 'arn:secret' } }),
      { ...rc('data.aws_iam_policy_document.p', ['read'], { action_reason: 'read_because_config_unknown' }), mode: 'data' },
      rc('aws_instance.forgotten', ['forget']),
    ],
    resource_drift: [rc('aws_security_group.kept', ['update'])],
    output_changes: { host_addresses: { actions: ['update'] }, unchanged: { actions: ['no-op'] } },
  };
}

describe('parsePlan', () => {
  test('accepts terraform show -json output', () => {
    const p = parsePlan(JSON.stringify(busyPlan()));
    expect(p.resource_changes).toHaveLength(12);
    expect(p.terraform_version).toBe('1.11.4');
  });

  test('a plan without changes may omit resource_changes', () => {
    expect(parsePlan(JSON.stringify({ format_version: '1.2', planned_values: {} })).resource_changes).toEqual([]);
  });

  test.each([
    ['not JSON', '{"format_version": ', /^not valid JSON \(.*\); expected the output of `terraform show -json PLANFILE`/],
    ['a binary plan file', 'PK\u0003\u0004tfplan...', /^this is a binary plan file \(zip\); .*terraform show -json PLANFILE > plan\.json/],
    ['a list', '[]', /^got a list, expected a JSON object/],
    ['no format_version', '{"resource_changes": []}', /^no "format_version"/],
    ['format 2.0', '{"format_version": "2.0", "resource_changes": []}', /^format_version: got "2\.0", expected 1\.x/],
    ['a state', '{"format_version": "1.0", "values": {}}', /^this is a state \(terraform show -json without a plan file\)/],
    [
      'a broken change',
      '{"format_version": "1.2", "resource_changes": [{"address": "a.b"}]}',
      /^resource_changes\[0\]: expected an object with "address" and "change.actions"/,
    ],
  ])('rejects %s with one clear message', (_what, text, message) => {
    expect(() => parsePlan(text)).toThrow(PlanFormatError);
    expect(() => parsePlan(text)).toThrow(message);
  });
});

describe('summarizePlan', () => {
  const s = summarizePlan(parsePlan(JSON.stringify(busyPlan())), 'dev-infra');

  test('counts every action; no-ops are not counted', () => {
    expect(s.counts).toEqual({ replace: 3, delete: 2, create: 1, update: 1, read: 1, move: 1, import: 1, forget: 1 });
  });

  test("the headline counts as Terraform's Plan: line does: a replacement is one to add and one to destroy, reads and moves are not counted", () => {
    expect(s.terraform).toEqual({ add: 4, change: 1, destroy: 5, import: 1, forget: 1 });
    expect(headline(s.terraform)).toBe('1 to import, 4 to add, 1 to change, 5 to destroy, 1 to forget');
    expect(headline({ add: 1, change: 2, destroy: 0, import: 0, forget: 0 })).toBe('1 to add, 2 to change, 0 to destroy');
  });

  test('replacements name the attributes that force them; destroys say why; deposed objects are named', () => {
    const replaced = s.items.filter((i) => i.action === 'replace');
    expect(replaced.map((i) => [i.address, i.forcedBy, i.reason, i.order])).toEqual([
      ['aws_instance.db', ['ami', 'root_block_device.encrypted'], 'an attribute cannot be updated in place', 'create, then delete'],
      ['aws_instance.tainted', [], 'the resource is tainted', 'delete, then create'],
      ['aws_s3_bucket.state', ['bucket'], 'an attribute cannot be updated in place', 'delete, then create'],
    ]);
    expect(s.items.filter((i) => i.action === 'delete').map((i) => [i.address, i.reason])).toEqual([
      ['aws_iam_role.old', 'removed from the configuration'],
      ['aws_instance.gone (deposed object abc123)', 'a deposed object left by an earlier replacement'],
    ]);
  });

  test('resources are named and judged as the diff names and judges them', () => {
    const by = (a: string): PlanItem => s.items.find((i) => i.address === a) as PlanItem;
    expect(by('aws_instance.db')).toMatchObject({ label: 'host db-01', risk: 'critical', why: 'replaces a host' });
    expect(by('aws_iam_role.old')).toMatchObject({ label: 'IAM role `old-role`', risk: 'high', why: 'IAM' });
    expect(by('aws_instance.web')).toMatchObject({ risk: 'medium', attributes: ['instance_type', 'private_ip (known after apply)'] });
    expect(s.highestRisk).toBe('critical');
  });

  test('updates list the changed attributes (computed ones marked), never values', () => {
    expect(s.items.find((o) => o.action === 'update')).toMatchObject({
      address: 'aws_instance.web',
      action: 'update',
      attributes: ['instance_type', 'private_ip (known after apply)'],
    });
    expect(s.items.find((o) => o.action === 'move')).toMatchObject({ from: 'aws_security_group.old_name' });
    expect(s.drift).toEqual(['aws_security_group.kept']);
    expect(s.outputs).toEqual([{ name: 'host_addresses', action: 'update' }]);
  });

  test('a monitor in a prod stack is judged with its stage: loosening a paging one is high, and the summary says loosened', () => {
    const monitor = (critical: string): Json => ({
      name: 'api latency',
      type: 'metric alert',
      query: `avg(last_5m):x{env:prod} > ${critical}`,
      message: '@pagerduty-payments',
      monitor_thresholds: [{ critical }],
    });
    const plan = {
      format_version: '1.2',
      planned_values: {},
      resource_changes: [
        rc('datadog_monitor.monitoring_monitor-api-latency_0F0F0F0F', ['update'], {}, { before: monitor('2'), after: monitor('3'), after_unknown: {} }),
      ],
    };
    const prod = summarizePlan(parsePlan(JSON.stringify(plan)), 'prod-observability');
    expect(prod.items[0]).toMatchObject({
      label: 'monitor `api latency` (api-latency)',
      risk: 'high',
      why: 'loosens a paging monitor in prod',
      attributes: ['monitor_thresholds.critical (loosened)', 'query (loosened)'],
    });
    expect(summarizePlan(parsePlan(JSON.stringify(plan)), 'dev-observability').items[0]).toMatchObject({
      risk: 'medium',
      why: 'loosens a paging monitor outside prod',
    });
  });

  test('formatPath', () => {
    expect(formatPath(['a', 0, 'b', 'c'])).toBe('a[0].b.c');
  });
});

describe('incomplete plans', () => {
  const configured = (addresses: string[]): Json => ({
    root_module: {
      resources: addresses.map((a) => ({ address: a, mode: a.startsWith('data.') ? 'data' : 'managed', type: a.split('.')[0], name: a.split('.')[1] })),
      module_calls: { net: { module: { resources: [{ address: 'aws_vpc.main', mode: 'managed' }] } } },
    },
  });

  test('fails when the plan errored: it is marked incomplete and names what it did not plan', () => {
    const plan = {
      format_version: '1.2',
      planned_values: {},
      errored: true,
      complete: false,
      configuration: configured(['terraform_data.a', 'terraform_data.b', 'data.aws_caller_identity.me', 'data.aws_partition.p']),
      prior_state: { values: { root_module: { resources: [{ address: 'data.aws_partition.p', mode: 'data' }] } } },
      resource_changes: [rc('terraform_data.a', ['create'])],
    };
    const s = summarizePlan(parsePlan(JSON.stringify(plan)), 'x');
    expect(s).toMatchObject({ incomplete: true, errored: true });
    expect(s.missing).toEqual(['data.aws_caller_identity.me', 'module.net.aws_vpc.main', 'terraform_data.b']);
    const md = renderPlanSummary(s, 'x');
    expect(md).toContain(
      '**The plan did not complete** (Terraform stopped on an error): what it shows is not the whole change. Not planned: `data.aws_caller_identity.me`, `module.net.aws_vpc.main`, `terraform_data.b`.',
    );
  });

  test('fails when the plan is partial (complete: false, e.g. -target): named as partial', () => {
    const plan = {
      format_version: '1.2',
      planned_values: {},
      complete: false,
      configuration: configured(['terraform_data.a', 'terraform_data.b']),
      resource_changes: [rc('terraform_data.a', ['create'])],
    };
    const s = summarizePlan(parsePlan(JSON.stringify(plan)), 'x');
    expect(s).toMatchObject({ incomplete: true, errored: false, missing: ['module.net.aws_vpc.main', 'terraform_data.b'] });
    expect(renderPlanSummary(s, 'x')).toContain('**The plan is partial** (it covers part of the configuration, e.g. `-target`)');
  });

  test('instances of a configured block count as planned (count, for_each)', () => {
    const plan = {
      format_version: '1.2',
      planned_values: {},
      errored: true,
      configuration: { root_module: { resources: [{ address: 'terraform_data.many', mode: 'managed' }] } },
      resource_changes: [rc('terraform_data.many[0]', ['create'])],
    };
    expect(summarizePlan(parsePlan(JSON.stringify(plan))).missing).toEqual([]);
  });
});

describe('joined with the diff', () => {
  const report: DiffReport = {
    changes: [
      {
        stage: 'dev',
        stack: 'dev-infra',
        subject: 'resource.aws_s3_bucket.state',
        kind: 'replaced',
        risk: 'critical',
        label: 'state bucket `acme-tfstate`',
        forcedBy: ['bucket'],
      },
      {
        stage: 'dev',
        stack: 'dev-infra',
        subject: 'resource.aws_instance.web',
        kind: 'replaced',
        risk: 'critical',
        label: 'host web-01',
        forcedBy: ['subnet_id'],
      },
      { stage: 'dev', stack: 'dev-infra', subject: 'resource.aws_iam_role.never', kind: 'changed', risk: 'high', label: 'IAM role `never`' },
      { stage: 'dev', stack: 'dev-infra', subject: 'resource.aws_iam_role.new', kind: 'added', risk: 'high', label: 'IAM role `new`' },
      { stage: 'dev', stack: 'dev-observability', subject: 'resource.aws_instance.tainted', kind: 'changed', risk: 'medium', label: 'elsewhere' },
    ],
    stateStorage: { buckets: ['acme-tfstate'], tables: [] },
  };

  test('says where the diff predicted a replacement and the plan disagrees, and the other way round', () => {
    const s = summarizePlan(parsePlan(JSON.stringify(busyPlan())), 'dev-infra', report);
    const text = (a: string): string | undefined => s.disagreements?.find((d) => d.address === a)?.text;
    expect(text('aws_instance.web')).toBe('the diff predicted a replacement (forced by subnet_id); Terraform updates it in place');
    expect(text('aws_instance.tainted')).toBe('Terraform replaces it; the diff has no change for it (drift, or a change made outside this commit)');
    expect(text('aws_iam_role.never')).toBe(
      'the diff predicted an in-place update; the plan has no change for it (already applied, or the same value at apply time)',
    );
    expect(text('aws_s3_bucket.state')).toBeUndefined(); // both say replaced
    expect(text('aws_iam_role.new')).toBeUndefined(); // both say created
    const md = renderPlanSummary(s, 'dev-infra');
    expect(md).toContain('**The diff and the plan disagree** (what `rollout diff` predicted for this stack, and what Terraform will do):');
    expect(md).toContain('- host web-01 (`aws_instance.web`): the diff predicted a replacement (forced by subnet_id); Terraform updates it in place');
  });

  test('the state buckets the diff judged with make a bucket replacement critical here too', () => {
    const s = summarizePlan(parsePlan(JSON.stringify(busyPlan())), 'dev-infra', report);
    expect(s.items.find((i) => i.address === 'aws_s3_bucket.state')).toMatchObject({
      label: 'state bucket `acme-tfstate`',
      risk: 'critical',
      why: 'replaces the state bucket',
    });
    expect(summarizePlan(parsePlan(JSON.stringify(busyPlan())), 'dev-infra').items.find((i) => i.address === 'aws_s3_bucket.state')).toMatchObject({
      risk: 'high',
    });
  });

  test('fails when the report is not a diff report: one clear error naming the file (the shared parser, review/diff/report-json.ts)', () => {
    expect(() => parseDiffReport('{"changes": [{"stack": 1}]}', 'review.json')).toThrow(DiffReportError);
    expect(() => parseDiffReport('{"changes": [{"stack": 1}]}', 'review.json')).toThrow(/^review\.json: not the output of rollout diff --format json: /);
    expect(() => parseDiffReport('[', 'review.json')).toThrow(/^review\.json: not JSON/);
  });
});

describe('renderPlanSummary', () => {
  test("Terraform's headline first, replacements, destroys and risky changes next, the full plan collapsed", () => {
    const md = renderPlanSummary(summarizePlan(parsePlan(JSON.stringify(busyPlan())), 'dev-infra'), 'dev-infra');
    const lines = md.split('\n');
    expect(lines[0]).toBe('### Terraform plan: dev-infra');
    expect(lines[2]).toBe(
      '**Plan: 1 to import, 4 to add, 1 to change, 5 to destroy, 1 to forget.** 3 replacements (each counted once to add and once to destroy, as Terraform counts); 1 data source read during apply, not counted; 1 moved, not counted. Highest risk: **critical**.',
    );
    expect(md).toContain(
      [
        '**Replacements, destroys and changes above low risk** (highest risk first):',
        '- **critical** replace host db-01 (`aws_instance.db`): forced by `ami`, `root_block_device.encrypted` (create, then delete) _(replaces a host)_',
        '- **critical** replace `aws_instance.tainted`: the resource is tainted (delete, then create) _(replaces a host)_',
        '- **critical** destroy `aws_instance.gone (deposed object abc123)`: a deposed object left by an earlier replacement _(destroys a host)_',
        '- **high** replace S3 bucket `acme-tfstate` (`aws_s3_bucket.state`): forced by `bucket` (delete, then create) _(replaces stored data)_',
        '- **high** destroy IAM role `old-role` (`aws_iam_role.old`): removed from the configuration _(IAM)_',
        '- **high** create IAM role `new-role` (`aws_iam_role.new`) _(IAM)_',
      ].join('\n'),
    );
    expect(md).toContain(
      '<details><summary>Full plan: 12 changes (3 replace, 2 delete, 1 create, 1 update, 1 read, 1 move, 1 import, 1 forget, 1 output)</summary>',
    );
    expect(md).toContain('| replace | 3 |\n| destroy | 2 |\n| create | 1 |\n| update in place | 1 |');
    expect(md).toContain('- medium update `aws_instance.web`: `instance_type`, `private_ip` (known after apply)');
    expect(md).toContain('- low move `aws_security_group.renamed` from `aws_security_group.old_name`');
    expect(md).toContain('- low read `data.aws_iam_policy_document.p`');
    expect(md).toContain('**Drift**: 1 resource changed outside Terraform since the last apply: `aws_security_group.kept`.');
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });

  test('no values reach the summary, sensitive or not', () => {
    const plan = busyPlan();
    (plan.resource_changes as Json[]).push(
      rc(
        'terraform_data.secret',
        ['update'],
        {},
        { before: { input: 'hunter2-before' }, after: { input: 'hunter2-after' }, before_sensitive: { input: true }, after_sensitive: { input: true } },
      ),
    );
    const md = renderPlanSummary(summarizePlan(parsePlan(JSON.stringify(plan))), 'x');
    expect(md).toContain('- medium update `terraform_data.secret`');
    expect(md).not.toMatch(/hunter2|t3\.large|10\.0\.0\.1/);
  });

  test('an empty plan says so', () => {
    const md = renderPlanSummary(
      summarizePlan(parsePlan(JSON.stringify({ format_version: '1.2', planned_values: {}, resource_changes: [rc('a.b', ['no-op'])] }))),
      'dev-observability',
    );
    expect(md).toBe('### Terraform plan: dev-observability\n\n**No changes.** The infrastructure matches the configuration.\n');
  });

  test('deterministic: the order of resource_changes does not matter', () => {
    const a = busyPlan();
    const b = { ...a, resource_changes: [...(a.resource_changes as Json[])].reverse() };
    const render = (p: Json): string => renderPlanSummary(summarizePlan(parsePlan(JSON.stringify(p)), 'dev-infra'), 't');
    expect(render(b)).toBe(render(a));
  });
});
