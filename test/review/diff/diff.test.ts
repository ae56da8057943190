import { diffTrees, stageOfStack } from '../../../review/diff/diff';
import { parseSynthTree, SynthTreeError } from '../../../review/diff/tree';
import type { Change, DiffResult } from '../../../review/diff/types';
import { mustReplace } from '../../support/fixtures';
import { asTree, clone, exampleTree, hostBatches, inventory, inventoryYaml, Json, reverseKeys } from './trees';

type Tree = ReturnType<typeof exampleTree>;

function diff(mutate: (t: Tree) => void, base: Tree = exampleTree()): DiffResult {
  const head = clone(base);
  mutate(head);
  return diffTrees(asTree(base), asTree(head));
}

function only(res: DiffResult): Change {
  expect(res.changes).toHaveLength(1);
  return res.changes[0];
}

const texts = (res: DiffResult): string[] => res.changes.map((c) => c.text);

describe('diffTrees: no change', () => {
  test('identical trees give an empty diff', () => {
    const res = diffTrees(asTree(exampleTree()), asTree(exampleTree()));
    expect(res).toMatchObject({ changes: [], summary: [], timeline: { changed: [] } });
    expect(res.highestRisk).toBeUndefined();
  });

  test('reordered keys (JSON and YAML) and reordered hosts give an empty diff', () => {
    const base = exampleTree();
    const head = reverseKeys(base) as Tree;
    expect(JSON.stringify(head)).not.toEqual(JSON.stringify(base));
    expect(diffTrees(asTree(base), asTree(head)).changes).toEqual([]);
  });

  test('reordered hosts and keys in the inventory files give an empty diff', () => {
    const inv = inventory('prod', hostBatches('prod', [3, 3, 4]));
    const files = (doc: Json): Record<string, string> => ({ 'ansible/inventories/prod/hosts.yml': inventoryYaml(doc) });
    const a = parseSynthTree(files(inv));
    const b = parseSynthTree(files(reverseKeys(inv) as Json));
    expect(inventoryYaml(reverseKeys(inv) as Json)).not.toEqual(inventoryYaml(inv));
    expect(diffTrees(a, b).changes).toEqual([]);
  });

  test('cdktf metadata (construct paths) is not a change', () => {
    const res = diff((t) => {
      t.stacks['dev-infra'].resource.aws_iam_role['agent-access_role_BA18D0AB']['//'].metadata.path = 'dev-infra/elsewhere/role';
      t.stacks['dev-infra']['//'].metadata.version = '0.22.0';
    });
    expect(res.changes).toEqual([]);
  });
});

describe('diffTrees: wording and risk', () => {
  test('a monitor threshold, by the monitor name and id, says it is loosened', () => {
    const res = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.monitor_thresholds.critical = 0.8;
      m.query = mustReplace(m.query, '> 0.5', '> 0.8');
    });
    const c = only(res);
    expect(c).toMatchObject({
      stage: 'prod',
      stack: 'prod-observability',
      kind: 'changed',
      risk: 'high',
      why: 'loosens a paging monitor in prod',
      label: 'monitor `api latency` (api-latency)',
    });
    expect(c.attributes.map((a) => a.text)).toEqual([
      'critical threshold 0.5 -> 0.8 (loosened)',
      'query `…v:prod,service:api} > 0.5` -> `…v:prod,service:api} > 0.8` (loosened)',
    ]);
    const one = diff((t) => {
      t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].monitor_thresholds.critical = 0.8;
    });
    expect(texts(one)).toEqual(['monitor `api latency` (api-latency) critical threshold 0.5 -> 0.8 (loosened)']);
  });

  test('risk follows impact: loosening a paging prod monitor is high, tightening it medium, the same in dev lower', () => {
    const set = (stage: string, critical: number) => (t: Tree) => {
      const m = t.stacks[`${stage}-observability`].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.monitor_thresholds.critical = critical;
      m.query = mustReplace(m.query, '> 0.5', `> ${critical}`);
    };
    expect(only(diff(set('prod', 0.8)))).toMatchObject({ risk: 'high', why: 'loosens a paging monitor in prod' });
    expect(only(diff(set('prod', 0.4)))).toMatchObject({ risk: 'medium', why: 'tightens a paging monitor in prod' });
    expect(only(diff(set('dev', 0.8)))).toMatchObject({ risk: 'medium', why: 'loosens a paging monitor outside prod' });
    expect(only(diff(set('dev', 0.4)))).toMatchObject({ risk: 'low', why: 'tightens a paging monitor outside prod' });
    expect(only(diff(set('prod', 0.4))).attributes.map((a) => a.text)).toEqual([
      'critical threshold 0.5 -> 0.4 (tightened)',
      'query `…v:prod,service:api} > 0.5` -> `…v:prod,service:api} > 0.4` (tightened)',
    ]);
  });

  test('for a `<` comparator a lower threshold is the looser one', () => {
    const base = exampleTree();
    const coverage = base.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
    coverage.query = 'max(last_15m):default_zero(sum:datadog.agent.running{env:prod}) * 100 / 12 < 99';
    coverage.monitor_thresholds = { critical: 99 };
    const down = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.query = mustReplace(m.query, '< 99', '< 95');
      m.monitor_thresholds.critical = 95;
    }, base);
    expect(only(down)).toMatchObject({ risk: 'high', why: 'loosens a paging monitor in prod' });
    expect(only(down).attributes.map((a) => a.text)).toEqual([
      'critical threshold 99 -> 95 (loosened)',
      'query `…nv:prod}) * 100 / 12 < 99` -> `…nv:prod}) * 100 / 12 < 95` (loosened)',
    ]);
  });

  test('deleting a paging prod monitor is high; in dev medium; a monitor that does not page, lower', () => {
    const del = (stage: string) => (t: Tree) => delete t.stacks[`${stage}-observability`].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
    expect(only(diff(del('prod')))).toMatchObject({ kind: 'removed', risk: 'high', why: 'deletes a paging monitor in prod' });
    expect(only(diff(del('dev')))).toMatchObject({ kind: 'removed', risk: 'medium', why: 'deletes a paging monitor outside prod' });
    const quiet = exampleTree();
    const m = quiet.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
    m.message = '{{#is_alert}}@slack-payments{{/is_alert}} API latency is high.';
    expect(only(diff(del('prod'), quiet))).toMatchObject({ kind: 'removed', risk: 'medium', why: 'deletes a monitor in prod' });
  });

  test('a monitor stops paging (PagerDuty handle removed, or priority 2 -> 3): loosened, high in prod', () => {
    const res = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.message = mustReplace(m.message, '@pagerduty-payments', '@slack-payments-oncall');
    });
    expect(only(res)).toMatchObject({ risk: 'high', why: 'loosens a paging monitor in prod' });
    expect(only(res).attributes[0].text).toMatch(/^notification message .* \(loosened\)$/);
    const prio = exampleTree();
    const m = prio.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
    m.message = 'API latency is high. @slack-payments';
    m.priority = 2;
    expect(only(diff((t) => (t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].priority = 3), prio))).toMatchObject({
      risk: 'high',
      why: 'loosens a paging monitor in prod',
      text: 'monitor `api latency` (api-latency) priority 2 -> 3 (loosened)',
    });
  });

  test('fails when the direction cannot be told (comparator changed): no direction claimed, medium in prod', () => {
    const res = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.query = mustReplace(m.query, '> 0.5', '>= 0.8');
      m.monitor_thresholds.critical = 0.8;
    });
    expect(only(res)).toMatchObject({ risk: 'medium', why: 'monitor thresholds' });
    expect(
      only(res)
        .attributes.map((a) => a.text)
        .join(' '),
    ).not.toMatch(/loosened|tightened/);
  });

  test('notification routing is medium, message text alone is low', () => {
    const routed = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.message = mustReplace(m.message, '@pagerduty-payments', '@pagerduty-platform');
    });
    expect(only(routed)).toMatchObject({ risk: 'medium', why: 'notification routing' });
    const text = diff((t) => {
      const m = t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
      m.message = mustReplace(m.message, 'API latency is high.', 'API latency is too high.');
    });
    expect(only(text)).toMatchObject({ risk: 'low', why: 'message text' });
  });

  test('an SLO target, by the SLO name and timeframe: raised is tightened (medium), lowered is loosened (high in prod, medium in dev)', () => {
    const target = (stage: string, v: number) => (t: Tree) => {
      t.stacks[`${stage}-observability`].resource.datadog_service_level_objective.slos_checkout_0E0E0E0E.thresholds[0].target = v;
    };
    expect(only(diff(target('prod', 99.95)))).toMatchObject({
      risk: 'medium',
      why: 'tightens an SLO in prod',
      text: 'SLO `checkout availability` (checkout) 30d target 99.9 -> 99.95 (tightened)',
    });
    expect(only(diff(target('prod', 99.5)))).toMatchObject({
      risk: 'high',
      why: 'loosens an SLO in prod',
      text: expect.stringMatching(/99\.9 -> 99\.5 \(loosened\)$/),
    });
    expect(only(diff(target('dev', 99.5)))).toMatchObject({ risk: 'medium', why: 'loosens an SLO outside prod' });
    expect(only(diff((t) => delete t.stacks['prod-observability'].resource.datadog_service_level_objective)).risk).toBe('high');
  });

  test('dashboards are low risk and compared by their JSON content, not its bytes', () => {
    const reformatted = diff((t) => {
      const d = t.stacks['dev-observability'].resource.datadog_dashboard_json.dashboards_rollout_0D0D0D0D;
      d.dashboard = JSON.stringify(reverseKeys(JSON.parse(d.dashboard)), null, 2);
    });
    expect(reformatted.changes).toEqual([]);
    const res = diff((t) => {
      const d = t.stacks['dev-observability'].resource.datadog_dashboard_json.dashboards_rollout_0D0D0D0D;
      const j = JSON.parse(d.dashboard);
      j.widgets[0].definition.content = 'hello world';
      d.dashboard = JSON.stringify(j);
    });
    expect(only(res)).toMatchObject({
      risk: 'low',
      label: 'dashboard `dev rollout`',
      text: 'dashboard `dev rollout` dashboard.widgets[0].definition.content hello -> `hello world`',
    });
  });

  test('unknown Datadog resource types are handled generically, by name', () => {
    const base = exampleTree();
    base.stacks['dev-observability'].resource.datadog_synthetics_test = {
      synthetics_home_0A0A0A0A: { name: 'home page', type: 'api', status: 'live', tags: ['env:dev'] },
    };
    const res = diff((t) => {
      t.stacks['dev-observability'].resource.datadog_synthetics_test['synthetics_home_0A0A0A0A'].status = 'paused';
    }, base);
    expect(only(res)).toMatchObject({ risk: 'medium', text: 'synthetics test `home page` status live -> paused' });
    const added = diff((t) => {
      t.stacks['dev-observability'].resource.datadog_synthetics_test['synthetics_cart_0B0B0B0B'] = { name: 'cart', type: 'api' };
    }, base);
    expect(only(added)).toMatchObject({ kind: 'added', risk: 'medium', text: 'synthetics test `cart` is created' });
  });

  test('tags are low risk', () => {
    const res = diff((t) => {
      t.stacks['dev-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].tags.push('tier:1');
    });
    expect(only(res)).toMatchObject({ risk: 'low', why: 'tags' });
  });

  test('state bucket: prevent_destroy removed is critical', () => {
    const res = diff((t) => {
      delete t.stacks.state.resource.aws_s3_bucket.storage_bucket_1A2B3C4D.lifecycle;
    });
    expect(only(res)).toMatchObject({
      stage: 'shared',
      stack: 'state',
      risk: 'critical',
      text: 'state bucket `acme-tfstate`: prevent_destroy removed',
    });
  });

  test('turning off other state protection is critical; the lock table and bucket guards are named', () => {
    const res = diff((t) => {
      const r = t.stacks.state.resource;
      r.aws_dynamodb_table['storage_lock-table_9A8B7C6D'].deletion_protection_enabled = false;
      r.aws_dynamodb_table['storage_lock-table_9A8B7C6D'].point_in_time_recovery.enabled = false;
      r.aws_s3_bucket_versioning.storage_versioning_5E6F7A8B.versioning_configuration.status = 'Suspended';
      r.aws_s3_bucket_public_access_block['storage_public-access-block_0C1D2E3F'].block_public_policy = false;
    });
    expect(res.changes.map((c) => [c.risk, c.text])).toEqual([
      ['critical', 'lock table `acme-tflock` deletion protection true -> false (and 1 more)'],
      ['critical', 'state bucket `acme-tfstate` public access block block_public_policy true -> false'],
      ['critical', 'state bucket `acme-tfstate` versioning status Enabled -> Suspended'],
    ]);
    expect(res.changes[0].attributes.map((a) => a.text)).toEqual(['deletion protection true -> false', 'point-in-time recovery true -> false']);
  });

  test('removing a state bucket guard turns protection off (critical)', () => {
    const res = diff((t) => {
      delete t.stacks.state.resource.aws_s3_bucket_versioning;
    });
    expect(only(res)).toMatchObject({
      kind: 'removed',
      risk: 'critical',
      why: 'turns off state protection',
      text: 'state bucket `acme-tfstate` versioning is destroyed',
    });
  });

  test('renaming the state bucket replaces it (critical), naming the attribute that forces it', () => {
    const res = diff((t) => {
      t.stacks.state.resource.aws_s3_bucket.storage_bucket_1A2B3C4D.bucket = 'acme-tfstate-2';
    });
    const c = only(res);
    expect(c).toMatchObject({ kind: 'replaced', risk: 'critical', forcedBy: ['bucket'] });
    expect(c.text).toBe('state bucket `acme-tfstate` is replaced (destroyed and re-created) because bucket changes');
  });

  test('hosts: destroyed or replaced is critical; a new AMI is ignored by lifecycle and low; instance type is medium', () => {
    expect(only(diff((t) => delete t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01']))).toMatchObject({
      kind: 'removed',
      risk: 'critical',
      why: 'destroys a host',
      text: 'host dev-web-01 is destroyed',
    });
    const moved = only(diff((t) => (t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'].subnet_id = 'subnet-0a11de5e0002d001')));
    expect(moved).toMatchObject({ kind: 'replaced', risk: 'critical', why: 'replaces a host', forcedBy: ['subnet_id'] });
    const ami = only(diff((t) => (t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'].ami = 'ami-0123')));
    expect(ami).toMatchObject({ kind: 'changed', risk: 'low' });
    expect(ami.text).toMatch(/^host dev-web-01 ami .* -> ami-0123 \(ignored by lifecycle\.ignore_changes/);
    const size = only(diff((t) => (t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'].instance_type = 't3.large')));
    expect(size).toMatchObject({ kind: 'changed', risk: 'medium', text: 'host dev-web-01 instance type t3.small -> t3.large' });
  });

  test('an attribute Terraform applies in place is a change, not destroy + create', () => {
    const host = (t: Tree): Json => t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'];
    const cases: Array<[string, (t: Tree) => void]> = [
      ['instance type (stop, resize, start)', (t) => (host(t).instance_type = 't3.large')],
      ['root volume size', (t) => (host(t).root_block_device.volume_size = 40)],
      ['user data without user_data_replace_on_change', (t) => (host(t).user_data = '#!/bin/sh\necho hi')],
      ['EBS volume tags', (t) => (host(t).ebs_block_device = [{ device_name: '/dev/sdb', tags: { a: '1' } }])],
      ['tags', (t) => (host(t).tags.team = 'payments')],
    ];
    const base = exampleTree();
    host(base).ebs_block_device = [{ device_name: '/dev/sdb', tags: {} }];
    for (const [what, mutate] of cases) expect([what, only(diff(mutate, base)).kind]).toEqual([what, 'changed']);
    const replaced = only(
      diff((t) => {
        host(t).user_data = '#!/bin/sh\necho hi';
        host(t).user_data_replace_on_change = true;
      }, base),
    );
    expect(replaced).toMatchObject({ kind: 'replaced', forcedBy: ['user_data'] });
  });

  test('a monitor moving between metric alert and query alert is no replacement (the provider treats them alike); another type is', () => {
    const type = (v: string) => (t: Tree) => (t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].type = v);
    const base = exampleTree();
    type('metric alert')(base);
    expect(only(diff(type('query alert'), base))).toMatchObject({
      kind: 'changed',
      risk: 'low',
      text: 'monitor `api latency` (api-latency) type `metric alert` -> `query alert` (Datadog treats the two alike: no replacement, no update)',
    });
    expect(only(diff(type('service check'), base))).toMatchObject({
      kind: 'replaced',
      risk: 'high',
      why: 'replaces (deletes and re-creates) a paging monitor in prod',
    });
  });

  test('IAM is high, with policy statements matched by sid', () => {
    const res = diff((t) => {
      t.stacks['dev-infra'].data.aws_iam_policy_document['agent-access_read-secret_565AC20C'].statement[0].actions.push('secretsmanager:DescribeSecret');
    });
    const c = only(res);
    expect(c).toMatchObject({ risk: 'high', why: 'IAM', label: 'IAM policy document agent-access/read-secret' });
    expect(c.attributes[0].path).toBe('statement[ReadDatadogApiKey].actions');
    expect(c.text).toBe('IAM policy document agent-access/read-secret statement[ReadDatadogApiKey].actions: adds secretsmanager:DescribeSecret');
  });

  test('list changes (IAM actions, CIDRs, tags) read as adds X, removes Y, whole, however long', () => {
    const many = Array.from({ length: 40 }, (_, i) => `s3:Action${String(i).padStart(2, '0')}`);
    const base = exampleTree();
    const doc = base.stacks['dev-infra'].data.aws_iam_policy_document['agent-access_read-secret_565AC20C'];
    doc.statement[0].actions = many;
    base.stacks['dev-infra'].resource.aws_security_group['agent-access_egress_1111AAAA'].ingress = [
      { from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'] },
    ];
    base.stacks['dev-infra'].resource.aws_iam_role['agent-access_role_BA18D0AB'].assume_role_policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Ec2', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } }],
    });
    const res = diff((t) => {
      const d = t.stacks['dev-infra'].data.aws_iam_policy_document['agent-access_read-secret_565AC20C'];
      d.statement[0].actions = [...many.slice(1), 's3:PutObject'];
      t.stacks['dev-infra'].resource.aws_security_group['agent-access_egress_1111AAAA'].ingress[0].cidr_blocks = ['10.0.0.0/8', '192.168.0.0/16'];
      const role = t.stacks['dev-infra'].resource.aws_iam_role['agent-access_role_BA18D0AB'];
      const policy = JSON.parse(role.assume_role_policy);
      policy.Statement[0].Action = ['sts:AssumeRole', 'sts:TagSession'];
      role.assume_role_policy = JSON.stringify(policy);
      t.stacks['dev-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].tags = ['env:dev', 'service:api', 'team:storefront', 'tier:1'];
    }, base);
    const all = res.changes.flatMap((c) => c.attributes.map((a) => a.text));
    expect(all).toEqual(
      expect.arrayContaining([
        'statement[ReadDatadogApiKey].actions: adds s3:PutObject; removes s3:Action00',
        'ingress[0].cidr_blocks: adds 192.168.0.0/16',
        'assume_role_policy.Statement[Ec2].Action: adds sts:TagSession',
        'tags: adds team:storefront, tier:1; removes team:payments',
      ]),
    );
    expect(all.join('\n')).not.toContain('…');
  });

  test('security groups are high; a new description replaces the group', () => {
    const res = diff((t) => (t.stacks['dev-infra'].resource.aws_security_group['agent-access_egress_1111AAAA'].description = 'new'));
    expect(only(res)).toMatchObject({ kind: 'replaced', risk: 'high', forcedBy: ['description'] });
  });

  test('moving a stack state (backend key) is critical', () => {
    const res = diff((t) => (t.stacks['dev-infra'].terraform.backend.s3.key = 'stages/dev2/infra.tfstate'));
    expect(only(res)).toMatchObject({
      subject: 'terraform.backend',
      risk: 'critical',
      text: 'state backend s3.key stages/dev/infra.tfstate -> stages/dev2/infra.tfstate',
    });
  });

  test('turning on S3-native locking is high (every runner must lock the same way), not a state move', () => {
    const res = diff((t) => (t.stacks['dev-infra'].terraform.backend.s3.use_lockfile = true));
    expect(only(res)).toMatchObject({ subject: 'terraform.backend', risk: 'high', why: 'state locking (every runner must lock the same way)' });
  });

  test('GitHub environments: removing one is critical (its secrets go with it), changing its protection is high', () => {
    const environment = { repository: 'observability-rollout', environment: 'prod', wait_timer: 0, reviewers: [{ teams: ['${data.github_team.cab.id}'] }] };
    const base = exampleTree();
    base.stacks.github = { terraform: {}, resource: { github_repository_environment: { environments_prod_ABCD1234: environment } } };
    const removed = diff((t) => delete t.stacks.github.resource.github_repository_environment['environments_prod_ABCD1234'], base);
    expect(only(removed)).toMatchObject({ kind: 'removed', risk: 'critical', why: 'destroys a GitHub environment (and deletes its secrets)' });
    const weakened = diff((t) => (t.stacks.github.resource.github_repository_environment['environments_prod_ABCD1234'].reviewers = []), base);
    expect(only(weakened)).toMatchObject({ risk: 'high', why: 'GitHub deployment protection' });
  });

  test('a provider upgrade is medium; a sensitive variable made visible is high', () => {
    const res = diff((t) => {
      t.stacks['dev-observability'].terraform.required_providers.datadog.version = '3.83.0';
      t.stacks['dev-observability'].variable.datadog_api_key.sensitive = false;
    });
    expect(res.changes.map((c) => [c.risk, c.text])).toEqual([
      ['high', 'variable datadog_api_key sensitive true -> false'],
      ['medium', 'provider datadog requirement version 3.82.0 -> 3.83.0'],
    ]);
  });
});

describe('diffTrees: inventories', () => {
  const move = (t: Tree, stage: string, host: string, from: number, to: number): void => {
    const kids = t.inventories[stage].all.children[stage].children;
    const h = kids[`batch_${from}`].hosts[host];
    delete kids[`batch_${from}`].hosts[host];
    h.datadog_tags = h.datadog_tags.map((x: string) => (x.startsWith('rollout_batch:') ? `rollout_batch:${to}` : x));
    kids[`batch_${to}`].hosts[host] = h;
  };

  test('a prod host moving between batches is high, worded as a move (its rollout_batch tag follows silently)', () => {
    const res = diff((t) => move(t, 'prod', 'prod-web-17', 2, 1));
    expect(only(res)).toMatchObject({
      stage: 'prod',
      stack: 'inventory',
      kind: 'changed',
      risk: 'high',
      text: 'host prod-web-17 moves from batch 2 to batch 1',
    });
  });

  test('a dev host moving is medium', () => {
    expect(only(diff((t) => move(t, 'dev', 'dev-web-02', 2, 1)))).toMatchObject({ risk: 'medium', why: 'batch membership outside prod' });
  });

  test('agent version, counted over the hosts', () => {
    const res = diff((t) => (t.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.73.0'));
    expect(only(res)).toMatchObject({ risk: 'high', why: 'agent version', text: 'agent version 7.72.0 -> 7.73.0 on 30 hosts' });
  });

  test('a lower agent version reads as a rollback, compared as versions (7.10.0 -> 7.9.0 is one)', () => {
    const down = diff((t) => (t.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.71.0'));
    expect(only(down)).toMatchObject({ risk: 'high', text: 'rollback to 7.71.0 on 30 hosts (agent version 7.72.0 -> 7.71.0)' });
    const base = exampleTree();
    base.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.10.0';
    const byVersion = diff((t) => (t.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.9.0'), base);
    expect(only(byVersion).text).toBe('rollback to 7.9.0 on 30 hosts (agent version 7.10.0 -> 7.9.0)');
  });

  test('hosts joining and leaving the rollout; address changes', () => {
    const res = diff((t) => {
      const kids = t.inventories.prod.all.children.prod.children;
      kids.batch_3.hosts['prod-web-31'] = { ansible_host: '10.0.3.99', datadog_tags: ['env:prod', 'rollout_batch:3'], rollout_criticality: 'low' };
      delete kids.batch_1.hosts['prod-web-01'];
      kids.batch_2.hosts['prod-web-12'].ansible_host = '10.0.2.200';
    });
    expect(res.changes.map((c) => [c.kind, c.risk, c.text])).toEqual([
      ['removed', 'high', 'host prod-web-01 leaves the rollout (was in batch 1)'],
      ['added', 'high', 'host prod-web-31 joins the rollout in batch 3'],
      ['changed', 'medium', 'host prod-web-12 address 10.0.2.11 -> 10.0.2.200'],
    ]);
  });

  test('soak hours: one change for the stage, not one per batch', () => {
    const res = diff((t) => (t.inventories.dev = inventory('dev', hostBatches('dev', [1, 1, 1]), { soak: [24, 48, 72] })));
    expect(texts(res)).toEqual(['soak hours `[48, 48, 72]` -> `[24, 48, 72]`']);
  });

  test('a new stage: its stacks and inventory are added', () => {
    const res = diff((t) => {
      t.inventories.test = inventory('test', hostBatches('test', [2, 2, 2]));
    });
    expect(only(res)).toMatchObject({
      stage: 'test',
      kind: 'added',
      risk: 'medium',
      text: 'inventory of stage test is added: 6 hosts in batches of 2/2/2, agent 7.72.0',
    });
    expect(res.timeline.changed).toEqual(['test']);
    expect(res.timeline.after.map((s) => [s.stage, s.startHour])).toEqual([
      ['dev', 0],
      ['test', 168],
      ['prod', 336],
    ]);
  });

  test('an inventory of another shape is compared generically', () => {
    const base = exampleTree();
    base.inventories.dev = { all: { hosts: { a: { x: 1 } } } };
    const res = diff((t) => (t.inventories.dev.all.hosts.a.x = 2), base);
    expect(only(res)).toMatchObject({ stack: 'inventory', risk: 'medium', text: 'inventory: 1 setting change' });
  });
});

describe('diffTrees: summary, order, schedules', () => {
  const busy = (t: Tree): void => {
    t.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.73.0';
    t.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].monitor_thresholds.critical = 0.8;
    delete t.stacks.state.resource.aws_s3_bucket.storage_bucket_1A2B3C4D.lifecycle;
    t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'].subnet_id = 'subnet-0a11de5e0002d001';
    t.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-02_ABCDEF01'] = { tags: { Name: 'dev-web-02' }, instance_type: 't3.small' };
  };

  test('one summary row per stage and stack, shared first, inventory last, with the highest risk', () => {
    const res = diff(busy);
    expect(res.highestRisk).toBe('critical');
    expect(res.summary).toEqual([
      { stage: 'shared', stack: 'state', added: 0, changed: 1, removed: 0, replaced: 0, risk: 'critical' },
      { stage: 'dev', stack: 'dev-infra', added: 1, changed: 0, removed: 0, replaced: 1, risk: 'critical' },
      { stage: 'prod', stack: 'prod-observability', added: 0, changed: 1, removed: 0, replaced: 0, risk: 'high' },
      { stage: 'prod', stack: 'inventory', added: 0, changed: 1, removed: 0, replaced: 0, risk: 'high' },
    ]);
    // Only prod's rollout (its inventory) changes; dev's stacks change but not its rollout.
    expect(res.timeline.changed).toEqual(['prod']);
    expect(res.timeline.after.map((s) => [s.stage, s.startHour, s.batches.map((b) => `${b.hosts}@${b.soakHours}`).join(' ')])).toEqual([
      ['dev', 0, '1@48 1@48 1@72'],
      ['prod', 168, '10@48 10@48 10@72'],
    ]);
  });

  test('the result does not depend on the order of stacks, resources or hosts in the input', () => {
    const base = exampleTree();
    const head = clone(base);
    busy(head);
    const a = diffTrees(asTree(base), asTree(head));
    const b = diffTrees(asTree(reverseKeys(base) as Tree), asTree(reverseKeys(head) as Tree));
    expect(b).toEqual(a);
  });

  test('the diff from B back to A is exactly the inverse of A to B', () => {
    const a = exampleTree();
    const b = clone(a);
    busy(b);
    const inverse = (c: Change): unknown => ({
      where: `${c.stage}/${c.stack}/${c.subject}`,
      kind: c.kind === 'added' ? 'removed' : c.kind === 'removed' ? 'added' : c.kind,
      attributes: c.attributes.map((x) => ({ path: x.path, before: x.after, after: x.before })),
    });
    const same = (c: Change): unknown => ({
      where: `${c.stage}/${c.stack}/${c.subject}`,
      kind: c.kind,
      attributes: c.attributes.map((x) => ({ path: x.path, before: x.before, after: x.after })),
    });
    const forward = diffTrees(asTree(a), asTree(b)).changes.map(inverse);
    const back = diffTrees(asTree(b), asTree(a)).changes.map(same);
    expect(back).toEqual(forward);
    expect(back.length).toBe(5);
  });

  test('stages of stacks: <stage>-x belongs to the stage, the state stack is shared', () => {
    expect(['state', 'dev-infra', 'prod-observability'].map(stageOfStack)).toEqual(['shared', 'dev', 'prod']);
  });
});

describe('parseSynthTree', () => {
  test('reads stacks and inventories, ignores other files', () => {
    const t = parseSynthTree({
      'stacks/dev-infra/cdk.tf.json': '{"resource":{}}',
      'manifest.json': '{}',
      'ansible/inventories/dev/hosts.yml': 'all: {}\n',
    });
    expect(t).toEqual({ stacks: { 'dev-infra': { resource: {} } }, inventories: { dev: { all: {} } } });
  });

  test('names the file that is not valid', () => {
    expect(() => parseSynthTree({ 'stacks/dev-infra/cdk.tf.json': '{' }, 'base main')).toThrow(SynthTreeError);
    expect(() => parseSynthTree({ 'stacks/dev-infra/cdk.tf.json': '{' }, 'base main')).toThrow(/^base main: stacks\/dev-infra\/cdk\.tf\.json: not valid JSON/);
  });
});
