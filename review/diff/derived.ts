/**
 * Changes that follow from another (pure): knock-on batch moves and the
 * monitors and dashboards that count a batch's hosts follow from the change
 * to the batch split (a host joining or leaving, a pin, a criticality); the
 * message texts and dashboards that name the agent version follow from the
 * agent version. Each is marked `derivedFrom` its cause with the reason
 * (`batch sizes 12/13/13 -> 13/13/13`), so the report lists it under the
 * cause instead of beside it.
 */
import { BATCH_TAG } from '../../model/signals';
import { criticalityOf, hostsOf, inventoryModel, pinnedHosts, scheduleOf } from './inventory-diff';
import { isProductionStage } from './risk';
import { resourceIndex } from './stack-diff';
import { Change, changeKey, ChangeRef, INVENTORY_STACK, SynthTree } from './types';

/** What the batch split and the agent version of one stage did. */
interface StageFacts {
  readonly sizes: { readonly before: readonly number[]; readonly after: readonly number[] };
  readonly version: { readonly before?: string; readonly after?: string };
}

/** Which causes explain a value change; undefined when it is not explained. */
type Explained = { version: boolean; sizes: boolean } | undefined;

const sizesText = (sizes: readonly number[]): string => sizes.join('/');

/** Number pairs a batch-size change turns into each other: each batch's size and the total. */
function sizePairs(f: StageFacts): Set<string> {
  const pairs = new Set<string>();
  const { before, after } = f.sizes;
  for (let i = 0; i < Math.min(before.length, after.length); i++) if (before[i] !== after[i]) pairs.add(`${before[i]}>${after[i]}`);
  const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  if (total(before) !== total(after)) pairs.add(`${total(before)}>${total(after)}`);
  return pairs;
}

/** Does replacing the agent version and the batch sizes turn `before` into `after`? Which did it take? */
export function explainValue(before: unknown, after: unknown, f: StageFacts, allowSizes: boolean): Explained {
  const pairs = allowSizes ? sizePairs(f) : new Set<string>();
  if (typeof before === 'number' && typeof after === 'number') return pairs.has(`${before}>${after}`) ? { version: false, sizes: true } : undefined;
  if (typeof before !== 'string' || typeof after !== 'string' || before === after) return undefined;
  const { before: vb, after: va } = f.version;
  const swapped = vb && va && vb !== va ? before.split(vb).join(va) : before;
  const version = swapped !== before;
  if (swapped === after) return { version, sizes: false };
  const tb = swapped.split(/(\d+)/);
  const ta = after.split(/(\d+)/);
  if (tb.length !== ta.length || pairs.size === 0) return undefined;
  for (let i = 0; i < tb.length; i++) {
    if (tb[i] === ta[i]) continue;
    // Odd positions of the split hold the numbers.
    if (i % 2 === 0 || !pairs.has(`${tb[i]}>${ta[i]}`)) return undefined;
  }
  return { version, sizes: true };
}

/** Is the resource behind a change scoped to one batch (a rollout monitor) or a dashboard: one whose numbers may count a batch's hosts? */
function countsHosts(c: Change, head: SynthTree): boolean {
  const key = c.subject.replace(/^resource\./, '');
  const ref = resourceIndex(head.stacks[c.stack]).get(key);
  if (!ref) return false;
  if (/dashboard/.test(ref.type)) return true;
  return typeof ref.config.query === 'string' && ref.config.query.includes(`${BATCH_TAG}:`);
}

/** The change of a stack that only restates the agent version or the batch sizes; which of the two. */
function explainChange(c: Change, f: StageFacts, head: SynthTree): Explained {
  if (c.kind !== 'changed' || c.attributes.length === 0 || c.stack === INVENTORY_STACK) return undefined;
  const allowSizes = countsHosts(c, head);
  let version = false;
  let sizes = false;
  for (const a of c.attributes) {
    const e = explainValue(a.before, a.after, f, allowSizes);
    if (!e) return undefined;
    version ||= e.version;
    sizes ||= e.sizes;
  }
  return { version, sizes };
}

/** Does a host's change say its criticality changed? */
function criticalityChanged(c: Change): boolean {
  const tags = c.attributes.find((a) => a.path === 'datadog_tags');
  if (!tags) return false;
  return criticalityOf({ datadog_tags: tags.before }) !== criticalityOf({ datadog_tags: tags.after });
}

const isMove = (c: Change): boolean => c.subject.startsWith('host ') && c.attributes.some((a) => a.path === 'batch');

/** The batch-split change of a stage when no change in the inventory says why the split moved (e.g. new batch percentages). */
function batchSizesChange(stage: string, f: StageFacts): Change {
  const risk = isProductionStage(stage)
    ? { risk: 'high' as const, why: 'batch membership of prod hosts' }
    : { risk: 'medium' as const, why: 'batch membership outside prod' };
  const same = sizesText(f.sizes.before) === sizesText(f.sizes.after);
  const text = same ? 'the batch split moves hosts between batches' : `batch sizes ${sizesText(f.sizes.before)} -> ${sizesText(f.sizes.after)}`;
  return {
    stage,
    stack: INVENTORY_STACK,
    kind: 'changed',
    risk: risk.risk,
    why: risk.why,
    subject: 'batch sizes',
    label: 'batch sizes',
    text,
    attributes: [{ path: 'batch_sizes', before: [...f.sizes.before], after: [...f.sizes.after], text, risk: risk.risk, why: risk.why }],
  };
}

/** The change that moved a stage's batch split: joins and leaves first, then pins, criticality, batch count, batches added or removed. */
function splitCause(changes: readonly Change[], pinned: ReadonlySet<string> | undefined): Change | undefined {
  const ranked: Array<[number, Change]> = [];
  for (const c of changes) {
    if (c.subject.startsWith('host ') && (c.kind === 'added' || c.kind === 'removed')) ranked.push([0, c]);
    else if (isMove(c) && (!pinned || pinned.has(c.subject.slice('host '.length)))) ranked.push([1, c]);
    else if (c.subject.startsWith('host ') && criticalityChanged(c)) ranked.push([2, c]);
    else if (c.subject === 'var rollout_batch_count') ranked.push([3, c]);
    else if (/^batch \d+$/.test(c.subject) && c.kind !== 'changed') ranked.push([4, c]);
  }
  ranked.sort((a, b) => a[0] - b[0] || (a[1].subject < b[1].subject ? -1 : a[1].subject > b[1].subject ? 1 : 0));
  return ranked[0]?.[1];
}

const ref = (c: Change): ChangeRef => ({ stage: c.stage, stack: c.stack, subject: c.subject });

/**
 * Mark the changes that follow from another; returns the changes (with the
 * batch-sizes change added when nothing in the inventory explains the split).
 */
export function markDerived(changes: readonly Change[], base: SynthTree, head: SynthTree): Change[] {
  const out = [...changes];
  const index = new Map(out.map((c, i) => [changeKey(c), i]));
  const mark = (c: Change, cause: Change, reason: string): void => {
    const i = index.get(changeKey(c));
    if (i !== undefined && changeKey(c) !== changeKey(cause)) out[i] = { ...out[i], derivedFrom: { ...ref(cause), reason } };
  };
  for (const stage of Object.keys(head.inventories).sort()) {
    const b = inventoryModel(base.inventories[stage]);
    const h = inventoryModel(head.inventories[stage]);
    if (!b || !h) continue;
    const sb = scheduleOf(b);
    const sh = scheduleOf(h);
    const f: StageFacts = {
      sizes: { before: sb.batches.map((x) => x.hosts), after: sh.batches.map((x) => x.hosts) },
      version: { before: sb.agentVersion, after: sh.agentVersion },
    };
    const inStage = out.filter((c) => c.stage === stage);
    const inventory = inStage.filter((c) => c.stack === INVENTORY_STACK);
    const versionCause = f.version.before !== f.version.after ? inventory.find((c) => c.subject === 'var datadog_agent_version') : undefined;
    const versionReason = `agent version ${f.version.before ?? '(none)'} -> ${f.version.after ?? '(none)'}`;

    // The batch split: knock-on moves under the change that caused them.
    // Without criticality tags the split's order cannot be rebuilt: every move then counts as intended.
    const ph = pinnedHosts(h);
    const pb = pinnedHosts(b);
    const pinned = ph && pb ? new Set([...ph, ...pb]) : undefined;
    const sizesChanged = sizesText(f.sizes.before) !== sizesText(f.sizes.after);
    const knockOn = pinned
      ? inventory.filter((c) => isMove(c) && !pinned.has(c.subject.slice('host '.length)) && !criticalityChanged(c) && c.attributes.length === 1)
      : [];
    let splitParent = splitCause(inventory, pinned);
    if (!splitParent && pinned && (sizesChanged || knockOn.length > 0) && hostsOf(b).size > 0) {
      splitParent = batchSizesChange(stage, f);
      out.push(splitParent);
      index.set(changeKey(splitParent), out.length - 1);
    }
    const sizesReason = sizesChanged
      ? `batch sizes ${sizesText(f.sizes.before)} -> ${sizesText(f.sizes.after)}`
      : 'the batch split makes room for a pinned host';
    if (splitParent) for (const c of knockOn) mark(c, splitParent, sizesReason);

    // Monitors, dashboards and messages that only restate the version or the sizes.
    for (const c of inStage) {
      const e = explainChange(c, f, head);
      if (!e) continue;
      if (e.sizes && splitParent) mark(c, splitParent, e.version ? `${sizesReason}; ${versionReason}` : sizesReason);
      else if (!e.sizes && e.version && versionCause) mark(c, versionCause, versionReason);
    }
  }
  return out;
}
