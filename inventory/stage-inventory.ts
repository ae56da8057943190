/**
 * Ansible inventory rendering (pure). One inventory per stage:
 * `ansible/inventories/<stage>/hosts.yml`, groups `<stage>` > `batch_1..N`.
 *
 * Variable names follow the official Datadog Ansible collection where one
 * exists (datadog_agent_version, datadog_site, datadog_agent_allow_downgrade;
 * datadog_api_key is never written: the role reads it at run time), so the
 * `datadog.dd` role can be swapped in.
 */
import type { Host, Stage } from '../model/stage';
import { Batch, splitIntoBatches } from '../model/batches';
import { apiKeySecretName } from '../model/names';
import { batchTag, envTag } from '../model/signals';
import { emitYaml, flowScalar, RawBlock, yamlScalar } from './yaml-emit';

/** Where generated inventories live, relative to the configuration directory. */
export const INVENTORIES_DIR = 'ansible/inventories';

/** Path of a stage's inventory, relative to the configuration directory. */
export function inventoryPath(stage: string): string {
  return `${INVENTORIES_DIR}/${stage}/hosts.yml`;
}

/** Datadog tags of one host in one batch, sorted. */
export function hostTags(stage: Stage, batch: number, host: Stage['hosts'][number]): string[] {
  // Already in sorted order: criticality < env < rollout_batch < service < team.
  const tags = [`criticality:${host.criticality}`, envTag(stage.name), batchTag(batch), `service:${host.service}`, `team:${host.team}`];
  let extra = false;
  for (const k in host.tags) {
    const t = `${k}:${host.tags[k]}`;
    if (!tags.includes(t)) {
      tags.push(t);
      extra = true;
    }
  }
  return extra ? tags.sort() : tags;
}

const byName = (x: Host, y: Host): number => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

/** Host vars of one host, in inventory order. */
function hostVars(stage: Stage, batch: number, h: Host, addresses: Readonly<Record<string, string>>): Record<string, unknown> {
  const address = h.address ?? addresses[h.name];
  const vars: Record<string, unknown> = {};
  if (address !== undefined) vars.ansible_host = address;
  vars.datadog_tags = hostTags(stage, batch, h);
  if (h.managed) vars.rollout_managed = true;
  return vars;
}

/** The same hosts block as emitYaml(hostVars...) gives, written directly (100,000 hosts in well under a second). */
function hostsBlock(stage: Stage, batch: Batch, addresses: Readonly<Record<string, string>>): RawBlock {
  return new RawBlock((pad) => {
    const parts: string[] = [];
    for (const h of [...batch.hosts].sort(byName)) {
      const address = h.address ?? addresses[h.name];
      parts.push(
        `${pad}${yamlScalar(h.name)}:\n` +
          (address !== undefined ? `${pad}  ansible_host: ${yamlScalar(address)}\n` : '') +
          `${pad}  datadog_tags: [${hostTags(stage, batch.number, h).map(flowScalar).join(', ')}]\n` +
          (h.managed ? `${pad}  rollout_managed: true\n` : ''),
      );
    }
    return parts.join('');
  });
}

/** The inventory as a plain object (the shape Ansible's YAML inventory plugin reads). */
export function inventoryObject(stage: Stage, batches: readonly Batch[], addresses: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  return inventoryTree(stage, batches, addresses, false);
}

function inventoryTree(stage: Stage, batches: readonly Batch[], addresses: Readonly<Record<string, string>>, raw: boolean): Record<string, unknown> {
  const children: Record<string, object> = {};
  for (const b of batches) {
    let hosts: Record<string, unknown> | RawBlock = {};
    if (raw) hosts = hostsBlock(stage, b, addresses);
    else for (const h of [...b.hosts].sort(byName)) hosts[h.name] = hostVars(stage, b.number, h, addresses);
    children[`batch_${b.number}`] = {
      vars: { rollout_batch: b.number, rollout_batch_soak_hours: stage.rollout.soakHours[b.number - 1] },
      ...(b.hosts.length > 0 ? { hosts } : {}),
    };
  }
  return {
    all: {
      children: {
        [stage.name]: {
          vars: {
            datadog_agent_allow_downgrade: false,
            datadog_agent_version: stage.agent.version,
            datadog_api_key_secret_id: apiKeySecretName(stage.name),
            datadog_apm_enabled: stage.agent.apmEnabled,
            datadog_aws_region: stage.region,
            datadog_logs_enabled: stage.agent.logsEnabled,
            datadog_process_enabled: stage.agent.processEnabled,
            ...(stage.network.egressProxy ? { datadog_proxy_url: stage.network.egressProxy.url } : {}),
            datadog_site: stage.datadog.site,
            rollout_batch_count: batches.length,
            rollout_degradation_threshold_percent: stage.rollout.degradationThresholdPercent,
            rollout_max_failed_hosts_percent: stage.rollout.maxFailedHostsPercent,
            rollout_soak_hours: [...stage.rollout.soakHours],
            rollout_stage: stage.name,
          },
          children,
        },
      },
    },
  };
}

/**
 * Render a stage's inventory as YAML. Managed hosts get `ansible_host` only
 * when `addresses` (from Terraform outputs) has them.
 */
export function renderInventory(stage: Stage, addresses: Readonly<Record<string, string>> = {}): string {
  const batches = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages);
  const sizes = batches.map((b) => b.hosts.length).join('/');
  const header = [
    `# Generated by \`rollout synth\` from ${stage.sourceFile}. Do not edit: change the stage file and synthesize.`,
    `# Stage ${stage.name}: ${stage.hosts.length} hosts in batches of ${sizes} (${stage.rollout.batchPercentages.join('/')}%),`,
    `# soak ${stage.rollout.soakHours.join('/')} h, agent ${stage.agent.version}, site ${stage.datadog.site}.`,
    ...(stage.hosts.some((h) => h.managed && addresses[h.name] === undefined)
      ? ['# Managed hosts have no ansible_host here: `rollout inventory --stage S --outputs FILE` fills them in from Terraform outputs.']
      : []),
  ];
  return `${header.join('\n')}\n${emitYaml(inventoryTree(stage, batches, addresses, true))}`;
}
