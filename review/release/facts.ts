/**
 * A stage's facts at the head (pure): its batches, hosts and Agent version
 * from the inventory `rollout synth` wrote, its GitHub environment from the
 * stage file (given by the caller).
 */
import { inventoryModel } from '../diff/inventory-diff';
import type { StageFacts } from './types';

/**
 * Facts of `stage` from its parsed inventory (`ansible/inventories/<stage>/hosts.yml`);
 * undefined when the document is not in the shape rollout synth writes.
 */
export function stageFactsFromInventory(stage: string, environment: string, inventory: unknown): StageFacts | undefined {
  const inv = inventoryModel(inventory);
  if (!inv || inv.stage !== stage) return undefined;
  const soaks = Array.isArray(inv.vars.rollout_soak_hours) ? (inv.vars.rollout_soak_hours as unknown[]) : [];
  const batches = [...inv.batches.entries()]
    .sort(([a], [b]) => a - b)
    .map(([number, batch]) => {
      const soak = typeof batch.vars.rollout_batch_soak_hours === 'number' ? batch.vars.rollout_batch_soak_hours : soaks[number - 1];
      return { number, hosts: [...batch.hosts.keys()].sort(), soakHours: typeof soak === 'number' ? soak : 0 };
    });
  const version = inv.vars.datadog_agent_version;
  return { stage, environment, ...(typeof version === 'string' ? { agentVersion: version } : {}), batches };
}
