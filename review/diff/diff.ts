/**
 * `rollout diff`'s comparison (pure): two synthesized trees in, the changes,
 * the summary table and the schedules of the stages that changed out.
 */
import { markDerived } from './derived';
import { timeline } from './gantt';
import { diffInventory, inventoryModel, scheduleOf } from './inventory-diff';
import { diffStack, highestRisk, stateStorageOf } from './stack-diff';
import { Change, DiffResult, INVENTORY_STACK, riskRank, Schedule, SHARED_STAGE, SummaryRow, SynthTree } from './types';

/**
 * The stage a stack belongs to: stage names have no dash (model/stage-schema.ts),
 * so `<stage>-infra` and `<stage>-observability` are the stage's; a stack
 * without a dash (the `state` bootstrap stack) is `shared`.
 */
export function stageOfStack(stack: string): string {
  const dash = stack.indexOf('-');
  return dash > 0 ? stack.slice(0, dash) : SHARED_STAGE;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const stageOrder = (a: string, b: string): number => (a === b ? 0 : a === SHARED_STAGE ? -1 : b === SHARED_STAGE ? 1 : cmp(a, b));
const stackOrder = (a: string, b: string): number => (a === b ? 0 : a === INVENTORY_STACK ? 1 : b === INVENTORY_STACK ? -1 : cmp(a, b));

/** Report order: stage (shared first), stack (inventory last), risk (highest first), subject. */
export function compareChanges(a: Change, b: Change): number {
  return stageOrder(a.stage, b.stage) || stackOrder(a.stack, b.stack) || riskRank(b.risk) - riskRank(a.risk) || cmp(a.subject, b.subject);
}

/** One summary row per stage and stack that changed. */
export function summarize(changes: readonly Change[]): SummaryRow[] {
  const rows = new Map<string, { -readonly [K in keyof SummaryRow]: SummaryRow[K] }>();
  for (const c of changes) {
    const key = `${c.stage}\u0000${c.stack}`;
    const row = rows.get(key) ?? { stage: c.stage, stack: c.stack, added: 0, changed: 0, removed: 0, replaced: 0, risk: c.risk };
    row[c.kind] = (row[c.kind] ?? 0) + 1;
    if (riskRank(c.risk) > riskRank(row.risk)) row.risk = c.risk;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => stageOrder(a.stage, b.stage) || stackOrder(a.stack, b.stack));
}

/** The rollout schedules of a tree's inventories. */
function schedulesOf(t: SynthTree): Schedule[] {
  const out: Schedule[] = [];
  for (const stage of Object.keys(t.inventories).sort()) {
    const inv = inventoryModel(t.inventories[stage]);
    if (inv) out.push(scheduleOf(inv));
  }
  return out;
}

/** Compare two synthesized trees. Identical trees (in meaning) give no changes. */
export function diffTrees(base: SynthTree, head: SynthTree): DiffResult {
  const stages = [...new Set([...Object.keys(base.inventories), ...Object.keys(head.inventories)])].sort();

  const tree = stateStorageOf([...Object.values(base.stacks), ...Object.values(head.stacks)]);
  const found: Change[] = [];
  for (const stack of [...new Set([...Object.keys(base.stacks), ...Object.keys(head.stacks)])].sort()) {
    found.push(...diffStack(stageOfStack(stack), stack, base.stacks[stack], head.stacks[stack], tree));
  }
  for (const stage of stages) found.push(...diffInventory(stage, base.inventories[stage], head.inventories[stage]));
  const changes = markDerived(found, base, head).sort(compareChanges);

  // A stage's rollout changes when its inventory does (batches, hosts, soaks, agent version and settings).
  const rolloutChanged = new Set(changes.filter((c) => c.stack === INVENTORY_STACK).map((c) => c.stage));
  const top = highestRisk(changes);
  return {
    changes,
    summary: summarize(changes),
    ...(top ? { highestRisk: top } : {}),
    timeline: timeline(schedulesOf(base), schedulesOf(head), rolloutChanged),
    stateStorage: { buckets: [...tree.stateBuckets].sort(), tables: [...tree.lockTables].sort() },
  };
}
