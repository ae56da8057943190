/**
 * Hand-built synthesized trees for the diff tests: the shapes cdktf and
 * `rollout synth` write, small enough to read, no cdktf involved.
 */
import { stringify } from 'yaml';
import type { SynthTree } from '../../../review/diff/types';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const meta = (stack: string, path: string, id: string): Json => ({ '//': { metadata: { path: `${stack}/${path}`, uniqueId: id } } });
const BUCKET = 'acme-tfstate';
const TABLE = 'acme-tflock';

export function backend(key: string): Json {
  return { s3: { bucket: BUCKET, key, region: 'us-east-1', encrypt: true, dynamodb_table: TABLE } };
}

export function stateStack(): Json {
  const s = 'state';
  return {
    '//': { metadata: { backend: 's3', stackName: s, version: '0.21.0' } },
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: { 'managed-by': 'observability-rollout', stage: 'shared' } }] }] },
    resource: {
      aws_s3_bucket: {
        storage_bucket_1A2B3C4D: { ...meta(s, 'storage/bucket', 'storage_bucket_1A2B3C4D'), bucket: BUCKET, lifecycle: { prevent_destroy: true } },
      },
      aws_s3_bucket_versioning: {
        storage_versioning_5E6F7A8B: {
          ...meta(s, 'storage/versioning', 'storage_versioning_5E6F7A8B'),
          bucket: '${aws_s3_bucket.storage_bucket_1A2B3C4D.id}',
          versioning_configuration: { status: 'Enabled' },
        },
      },
      aws_s3_bucket_public_access_block: {
        'storage_public-access-block_0C1D2E3F': {
          ...meta(s, 'storage/public-access-block', 'storage_public-access-block_0C1D2E3F'),
          bucket: '${aws_s3_bucket.storage_bucket_1A2B3C4D.id}',
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        },
      },
      aws_dynamodb_table: {
        'storage_lock-table_9A8B7C6D': {
          ...meta(s, 'storage/lock-table', 'storage_lock-table_9A8B7C6D'),
          name: TABLE,
          hash_key: 'LockID',
          billing_mode: 'PAY_PER_REQUEST',
          attribute: [{ name: 'LockID', type: 'S' }],
          deletion_protection_enabled: true,
          point_in_time_recovery: { enabled: true },
          lifecycle: { prevent_destroy: true },
        },
      },
    },
    terraform: { backend: backend('bootstrap/state.tfstate'), required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
  };
}

export function infraStack(stage: string, hosts: string[] = [`${stage}-web-01`]): Json {
  const s = `${stage}-infra`;
  const instances: Json = {};
  for (const h of hosts) {
    instances[`fleet_${h}_ABCDEF01`] = {
      ...meta(s, `fleet/${h}`, `fleet_${h}_ABCDEF01`),
      ami: '${data.aws_ssm_parameter.fleet_ami_C1E825E0.value}',
      instance_type: 't3.small',
      subnet_id: 'subnet-0a11de5e0001d001',
      root_block_device: { encrypted: true, volume_size: 20, volume_type: 'gp3' },
      tags: { Name: h, team: 'storefront' },
      lifecycle: { ignore_changes: ['ami'] },
    };
  }
  return {
    '//': { metadata: { backend: 's3', stackName: s, version: '0.21.0' } },
    data: {
      aws_iam_policy_document: {
        'agent-access_read-secret_565AC20C': {
          ...meta(s, 'agent-access/read-secret', 'agent-access_read-secret_565AC20C'),
          statement: [
            {
              sid: 'ReadDatadogApiKey',
              effect: 'Allow',
              actions: ['secretsmanager:GetSecretValue'],
              resources: ['${aws_secretsmanager_secret.agent-access_api-key_5A6D995F.arn}'],
            },
          ],
        },
      },
    },
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: { stage } }] }] },
    resource: {
      aws_iam_role: {
        'agent-access_role_BA18D0AB': { ...meta(s, 'agent-access/role', 'agent-access_role_BA18D0AB'), name: `observability-rollout-${stage}-agent` },
      },
      aws_instance: instances,
      aws_security_group: {
        'agent-access_egress_1111AAAA': {
          ...meta(s, 'agent-access/egress', 'agent-access_egress_1111AAAA'),
          name: `observability-rollout-${stage}-datadog-egress`,
          description: 'egress',
          vpc_id: 'vpc-0a11de5e0000d001',
        },
      },
    },
    terraform: { backend: backend(`stages/${stage}/infra.tfstate`), required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
  };
}

export function observabilityStack(stage: string, critical = 0.5): Json {
  const s = `${stage}-observability`;
  return {
    '//': { metadata: { backend: 's3', stackName: s, version: '0.21.0' } },
    provider: { datadog: [{ api_url: 'https://api.us5.datadoghq.com/', api_key: '${var.datadog_api_key}' }] },
    resource: {
      datadog_monitor: {
        'monitors_api-latency_0F0F0F0F': {
          ...meta(s, 'monitors/api-latency', 'monitors_api-latency_0F0F0F0F'),
          name: 'api latency',
          type: 'query alert',
          query: `avg(last_5m):avg:trace.http.request.duration{env:${stage},service:api} > ${critical}`,
          message: '{{#is_alert}}@pagerduty-payments{{/is_alert}} {{#is_warning}}@slack-payments{{/is_warning}} API latency is high.',
          monitor_thresholds: { critical, warning: 0.3 },
          tags: ['env:' + stage, 'service:api', 'team:payments'],
        },
      },
      datadog_service_level_objective: {
        slos_checkout_0E0E0E0E: {
          ...meta(s, 'slos/checkout', 'slos_checkout_0E0E0E0E'),
          name: 'checkout availability',
          type: 'metric',
          thresholds: [
            { timeframe: '30d', target: 99.9, warning: 99.95 },
            { timeframe: '7d', target: 99.9 },
          ],
        },
      },
      datadog_dashboard_json: {
        dashboards_rollout_0D0D0D0D: {
          ...meta(s, 'dashboards/rollout', 'dashboards_rollout_0D0D0D0D'),
          dashboard: JSON.stringify({ title: `${stage} rollout`, layout_type: 'ordered', widgets: [{ definition: { type: 'note', content: 'hello' } }] }),
        },
      },
    },
    terraform: { backend: backend(`stages/${stage}/observability.tfstate`), required_providers: { datadog: { source: 'DataDog/datadog', version: '3.82.0' } } },
    variable: { datadog_api_key: { type: 'string', sensitive: true, nullable: true, default: null } },
  };
}

/** An inventory document as `rollout synth` writes it: `batches[i]` lists the host names of batch i+1. */
export function inventory(stage: string, batches: string[][], opts: { version?: string; soak?: number[] } = {}): Json {
  const soak = opts.soak ?? [48, 48, 72];
  const children: Json = {};
  batches.forEach((hosts, i) => {
    const n = i + 1;
    const hs: Json = {};
    for (const h of hosts) {
      hs[h] = {
        ansible_host: `10.0.${n}.${hosts.indexOf(h) + 10}`,
        datadog_tags: [`env:${stage}`, `rollout_batch:${n}`, 'team:storefront'],
        rollout_criticality: 'low',
      };
    }
    children[`batch_${n}`] = { vars: { rollout_batch: n, rollout_batch_soak_hours: soak[i] }, ...(hosts.length ? { hosts: hs } : {}) };
  });
  return {
    all: {
      children: {
        [stage]: {
          vars: {
            datadog_agent_version: opts.version ?? '7.72.0',
            datadog_site: 'us5.datadoghq.com',
            rollout_batch_count: batches.length,
            rollout_soak_hours: soak,
            rollout_stage: stage,
          },
          children,
        },
      },
    },
  };
}

/** Host names `<stage>-web-01 ..` split into three batches of the given sizes. */
export function hostBatches(stage: string, sizes: number[]): string[][] {
  let k = 0;
  return sizes.map((n) => Array.from({ length: n }, () => `${stage}-web-${String(++k).padStart(2, '0')}`));
}

/** A whole tree: state, dev and prod stacks and inventories. */
export function exampleTree(): { stacks: Json; inventories: Json } {
  return {
    stacks: {
      state: stateStack(),
      'dev-infra': infraStack('dev'),
      'dev-observability': observabilityStack('dev'),
      'prod-infra': infraStack('prod', []),
      'prod-observability': observabilityStack('prod'),
    },
    inventories: {
      dev: inventory('dev', hostBatches('dev', [1, 1, 1])),
      prod: inventory('prod', hostBatches('prod', [10, 10, 10])),
    },
  };
}

/** A deep copy, to mutate one side. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Reverse the key order of every object (same meaning, different bytes). */
export function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const k of Object.keys(v).reverse()) out[k] = reverseKeys((v as Json)[k]);
    return out;
  }
  return v;
}

export function asTree(t: { stacks: Json; inventories: Json }): SynthTree {
  return t;
}

/** Render an inventory document as YAML text (for tests that parse files). */
export function inventoryYaml(doc: Json): string {
  return `# Generated by \`rollout synth\`\n${stringify(doc, { lineWidth: 0, indent: 2 })}`;
}
