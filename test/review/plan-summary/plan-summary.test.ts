import { parsePlan, PlanFormatError } from '../../../review/plan-summary/terraform-plan';
import { renderPlanSummary } from '../../../review/plan-summary/render-summary';
import { formatPath, summarizePlan } from '../../../review/plan-summary/summary';

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
      rc('aws_s3_bucket.state', ['delete', 'create'], { action_reason: 'replace_because_cannot_update' }, { replace_paths: [['bucket']] }),
      rc(
        'aws_instance.db',
        ['create', 'delete'],
        { action_reason: 'replace_because_cannot_update' },
        { replace_paths: [['root_block_device', 0, 'encrypted'], ['ami']] },
      ),
      rc('aws_iam_role.old', ['delete'], { action_reason: 'delete_because_no_resource_config' }),
      rc('aws_iam_role.new', ['create']),
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
  const s = summarizePlan(parsePlan(JSON.stringify(busyPlan())));

  test('counts every action; no-ops are not counted', () => {
    expect(s.counts).toEqual({ replace: 3, delete: 2, create: 1, update: 1, read: 1, move: 1, import: 1, forget: 1 });
  });

  test('replacements name the attributes that force them, sorted by address', () => {
    expect(s.replacements).toEqual([
      {
        address: 'aws_instance.db',
        forcedBy: ['ami', 'root_block_device[0].encrypted'],
        reason: 'an attribute cannot be updated in place',
        order: 'create, then delete',
      },
      { address: 'aws_instance.tainted', forcedBy: [], reason: 'the resource is tainted', order: 'delete, then create' },
      { address: 'aws_s3_bucket.state', forcedBy: ['bucket'], reason: 'an attribute cannot be updated in place', order: 'delete, then create' },
    ]);
  });

  test('destroys say why; deposed objects are named', () => {
    expect(s.destroys).toEqual([
      { address: 'aws_iam_role.old', reason: 'removed from the configuration' },
      { address: 'aws_instance.gone (deposed object abc123)', reason: 'a deposed object left by an earlier replacement' },
    ]);
  });

  test('updates list the changed attributes (computed ones marked), never values', () => {
    expect(s.others.find((o) => o.action === 'update')).toEqual({
      address: 'aws_instance.web',
      action: 'update',
      attributes: ['instance_type', 'private_ip (known after apply)'],
    });
    expect(s.others.find((o) => o.action === 'move')).toMatchObject({ from: 'aws_security_group.old_name' });
    expect(s.drift).toEqual(['aws_security_group.kept']);
    expect(s.outputs).toEqual([{ name: 'host_addresses', action: 'update' }]);
  });

  test('formatPath', () => {
    expect(formatPath(['a', 0, 'b', 'c'])).toBe('a[0].b.c');
  });
});

describe('renderPlanSummary', () => {
  test('counts first, replacements and destroys called out, the rest collapsed', () => {
    const md = renderPlanSummary(summarizePlan(parsePlan(JSON.stringify(busyPlan()))), 'dev-infra');
    const lines = md.split('\n');
    expect(lines[0]).toBe('### Terraform plan: dev-infra');
    expect(md).toContain('**Plan: 1 to add, 1 to change, 3 to replace, 2 to destroy, 1 to read, 1 to move, 1 to import, 1 to forget.**');
    expect(md).toContain('| replace | 3 |\n| destroy | 2 |\n| create | 1 |\n| update in place | 1 |');
    expect(md).toContain('- `aws_instance.db`: forced by `ami`, `root_block_device[0].encrypted` (create, then delete)');
    expect(md).toContain('- `aws_instance.tainted`: the resource is tainted (delete, then create)');
    expect(md).toContain('- `aws_iam_role.old`: removed from the configuration');
    expect(md.indexOf('**Replaced**')).toBeLessThan(md.indexOf('**Destroyed**'));
    expect(md.indexOf('**Destroyed**')).toBeLessThan(md.indexOf('<details>'));
    expect(md).toContain('<details><summary>7 more: 1 create, 1 update, 1 read, 1 move, 1 import, 1 forget, 1 output</summary>');
    expect(md).toContain('- update `aws_instance.web`: `instance_type`, `private_ip` (known after apply)');
    expect(md).toContain('- move `aws_security_group.renamed` from `aws_security_group.old_name`');
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
    expect(md).toContain('- update `terraform_data.secret`: `input`');
    expect(md).not.toMatch(/hunter2|t3\.large|10\.0\.0\.1/);
  });

  test('an empty plan says so', () => {
    const md = renderPlanSummary(
      summarizePlan(parsePlan(JSON.stringify({ format_version: '1.2', planned_values: {}, resource_changes: [rc('a.b', ['no-op'])] }))),
      'dev-observability',
    );
    expect(md).toBe('### Terraform plan: dev-observability\n\n**No changes.** The infrastructure matches the configuration.\n');
  });

  test('an errored plan is marked partial', () => {
    const md = renderPlanSummary(summarizePlan(parsePlan(JSON.stringify({ format_version: '1.2', planned_values: {}, errored: true }))), 'x');
    expect(md).toContain('**The plan did not complete**');
  });

  test('deterministic: the order of resource_changes does not matter', () => {
    const a = busyPlan();
    const b = { ...a, resource_changes: [...(a.resource_changes as Json[])].reverse() };
    const render = (p: Json): string => renderPlanSummary(summarizePlan(parsePlan(JSON.stringify(p))), 't');
    expect(render(b)).toBe(render(a));
  });
});
