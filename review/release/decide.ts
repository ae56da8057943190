/**
 * Deploy vs release (pure): which path each stage takes, from the change
 * itself. The rules, per stage:
 *
 * 1. rollback   the Agent version goes down between the deployed commit and
 *               the head (typically a revert);
 * 2. release    otherwise, anything that changes what reaches the hosts: a
 *               higher Agent version, agent settings (site, features, API key
 *               secret, proxy), a new stage, a host joining the rollout,
 *               moving between batches or getting other tags or address;
 * 3. infra-only otherwise, the stage's `<stage>-infra` / `<stage>-observability`
 *               stacks change;
 * 4. none       otherwise (rollout policy alone, hosts leaving the rollout,
 *               or nothing).
 *
 * A release deploys the batches holding changed hosts (every non-empty batch
 * when the change is stage-wide, e.g. the version), in order, each after the
 * soak and gate of the one before; a rollback rolls every non-empty batch
 * back, newest first, without soaks. Empty batches (fewer hosts than batches)
 * get no step, no soak and no gate. The `state` and `github` stacks are never
 * a stage's path: they are listed for an administrator to apply.
 */
import { soakEnvironmentName } from '../../model/stage';
import { Change, INVENTORY_STACK, maxRisk, SHARED_STAGE } from '../diff/types';
import type {
  AdminStackChange,
  BatchFacts,
  DiffReport,
  PlannedBatch,
  ReleaseInput,
  ReleasePath,
  ReleasePlan,
  ReleaseSchedule,
  RollbackSchedule,
  StackChange,
  StageDecision,
  StageFacts,
} from './types';
import { compareVersions } from './version';

/** What one inventory change does to the hosts. */
type Effect =
  | { readonly kind: 'version'; readonly from?: string; readonly to?: string; readonly change: Change }
  | { readonly kind: 'settings'; readonly change: Change }
  | { readonly kind: 'stage-added'; readonly change: Change }
  | { readonly kind: 'stage-removed'; readonly change: Change }
  | { readonly kind: 'hosts'; readonly host: string; readonly change: Change }
  | { readonly kind: 'leaves'; readonly host: string; readonly change: Change }
  | { readonly kind: 'policy'; readonly change: Change };

/** Effects that change what reaches some host. */
const AGENT_EFFECTS: ReadonlySet<Effect['kind']> = new Set(['version', 'settings', 'stage-added', 'hosts']);

/** Effects that reach every host of the stage. */
const STAGE_WIDE: ReadonlySet<Effect['kind']> = new Set(['version', 'settings', 'stage-added']);

/** A host variable that is rollout bookkeeping (criticality, managed), not something the host gets. */
function isBookkeeping(path: string): boolean {
  return path.startsWith('rollout_');
}

/** What an inventory change (review/diff/inventory-diff.ts subjects) does to the hosts. */
function effectOf(change: Change): Effect {
  const subject = change.subject;
  if (subject === 'inventory') {
    if (change.kind === 'added') return { kind: 'stage-added', change };
    if (change.kind === 'removed') return { kind: 'stage-removed', change };
    return { kind: 'settings', change }; // a document rollout synth did not write: assume every host is affected
  }
  if (subject === 'var datadog_agent_version') {
    const attribute = change.attributes.find((a) => a.path === 'datadog_agent_version');
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return { kind: 'version', from: text(attribute?.before), to: text(attribute?.after), change };
  }
  if (subject.startsWith('var datadog_')) return { kind: 'settings', change };
  if (subject.startsWith('var ') || subject.startsWith('batch ')) return { kind: 'policy', change };
  if (subject.startsWith('host ')) {
    const host = subject.slice('host '.length);
    if (change.kind === 'removed') return { kind: 'leaves', host, change };
    if (change.kind === 'added' || change.attributes.some((a) => !isBookkeeping(a.path))) return { kind: 'hosts', host, change };
    return { kind: 'policy', change };
  }
  return { kind: 'settings', change };
}

/** The inventory effects of `stage` in a report. */
function effectsOf(report: DiffReport, stage: string): Effect[] {
  return report.changes.filter((c) => c.stage === stage && c.stack === INVENTORY_STACK).map(effectOf);
}

/** The stacks of `stage` that change, by name, with counts and highest risk. */
function stackChanges(report: DiffReport, stage: string): StackChange[] {
  const rows = new Map<string, { stack: string; changes: number; risk: Change['risk'] }>();
  for (const c of report.changes) {
    if (c.stage !== stage || c.stack === INVENTORY_STACK) continue;
    const row = rows.get(c.stack) ?? { stack: c.stack, changes: 0, risk: c.risk };
    row.changes++;
    row.risk = maxRisk(row.risk, c.risk);
    rows.set(c.stack, row);
  }
  return [...rows.values()].sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

/** Bootstrap stacks (`shared`: state, github) that change. */
function adminStackChanges(report: DiffReport): AdminStackChange[] {
  return stackChanges(report, SHARED_STAGE).map((row) => ({
    ...row,
    texts: report.changes
      .filter((c) => c.stage === SHARED_STAGE && c.stack === row.stack)
      .slice(0, 10)
      .map((c) => c.text),
  }));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** At most three items, then how many more. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 3).join('; ');
  return items.length > 3 ? `${shown}; and ${items.length - 3} more` : shown;
}

/** The head batch of every host. */
function batchOfHost(batches: readonly BatchFacts[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of batches) for (const h of b.hosts) out.set(h, b.number);
  return out;
}

/** Batches with hosts whose Agent, configuration or batch changes; every non-empty batch for a stage-wide change. */
function affectedBatches(batches: readonly BatchFacts[], effects: readonly Effect[]): Set<number> {
  const nonEmpty = batches.filter((b) => b.hosts.length > 0).map((b) => b.number);
  if (effects.some((e) => STAGE_WIDE.has(e.kind))) return new Set(nonEmpty);
  const where = batchOfHost(batches);
  const out = new Set<number>();
  for (const e of effects) {
    if (e.kind !== 'hosts') continue;
    const batch = where.get(e.host);
    if (batch !== undefined) out.add(batch);
  }
  // A host change that no head batch holds cannot be placed: deploy every batch rather than none.
  return out.size > 0 || !effects.some((e) => e.kind === 'hosts') ? out : new Set(nonEmpty);
}

/** Steps of a release over `batches` (ascending, non-empty), in `environment`. */
export function releaseSchedule(environment: string, batches: readonly number[]): ReleaseSchedule | undefined {
  if (batches.length === 0) return undefined;
  const steps = batches.map((batch, i) =>
    i === 0 ? { batch, gate: 0, environment } : { batch, gate: batches[i - 1], environment: soakEnvironmentName(environment, batches[i - 1]) },
  );
  const last = batches[batches.length - 1];
  return { steps, finalGate: { batch: last, environment: soakEnvironmentName(environment, last) } };
}

/** The reason of a release, from its effects (the diff's own wording). */
function releaseReason(effects: readonly Effect[], hosts: number): string {
  const parts: string[] = [];
  for (const e of effects) {
    if (e.kind === 'version') parts.push(`agent ${e.from ?? 'none'} -> ${e.to ?? 'none'} on ${plural(hosts, 'host')}`);
    else if (e.kind === 'stage-added') parts.push(`new stage: ${e.change.text.replace(/^inventory of stage \S+ is added: /, '')}`);
    else if (e.kind === 'settings' || e.kind === 'hosts') parts.push(e.change.text);
  }
  return listed(parts);
}

/** The decision for one stage. */
function decideStage(stage: string, facts: StageFacts | undefined, diff: DiffReport, sincePassed: DiffReport): StageDecision {
  const effects = effectsOf(diff, stage);
  const passedEffects = effectsOf(sincePassed, stage);
  const stacks = stackChanges(diff, stage);
  const batches = facts?.batches ?? [];
  const hosts = batches.reduce((n, b) => n + b.hosts.length, 0);
  const environment = facts?.environment ?? stage;
  const version = effects.find((e): e is Extract<Effect, { kind: 'version' }> => e.kind === 'version');
  const agentVersion = {
    ...(version?.from ? { from: version.from } : {}),
    ...((version?.to ?? facts?.agentVersion) ? { to: version?.to ?? facts?.agentVersion } : {}),
  };
  const agent = effects.filter((e) => AGENT_EFFECTS.has(e.kind));
  const passedAgent = passedEffects.filter((e) => AGENT_EFFECTS.has(e.kind));
  const notes: string[] = [];

  const removed = !facts || effects.some((e) => e.kind === 'stage-removed');
  const down = !removed && version?.from !== undefined && version.to !== undefined && compareVersions(version.to, version.from) < 0;
  let path: ReleasePath;
  let reason: string;
  let release: ReleaseSchedule | undefined;
  let rollback: RollbackSchedule | undefined;
  const affected = affectedBatches(batches, [...agent, ...passedAgent]);

  if (removed) {
    path = 'none';
    reason = 'the stage is removed: its hosts keep their Agent';
    if (stacks.length > 0) notes.push('its stacks are no longer synthesized, so CI neither applies nor destroys them; destroy them by hand if they must go');
  } else if (down && version?.from && version.to) {
    path = 'rollback';
    const order = batches
      .filter((b) => b.hosts.length > 0)
      .map((b) => b.number)
      .reverse();
    rollback = { from: version.from, to: version.to, order, hosts };
    reason = `rollback to ${version.to} on ${plural(hosts, 'host')} (agent ${version.from} -> ${version.to})`;
    notes.push(
      `hosts running ${version.from} get back the version and datadog.yaml recorded before the release; hosts already on ${version.to} are left as they are, so batches the release never reached cost a few seconds`,
    );
  } else if (agent.length > 0) {
    path = 'release';
    const order = [...affected].sort((a, b) => a - b);
    release = releaseSchedule(environment, order);
    reason = releaseReason(agent, hosts);
  } else if (stacks.length > 0) {
    path = 'infra-only';
    reason = `stacks change: ${stacks.map((s) => `${s.stack} (${plural(s.changes, 'change')})`).join(', ')}`;
  } else {
    path = 'none';
    reason = effects.some((e) => e.kind === 'policy') ? 'only rollout policy changes (the next release uses it)' : 'nothing of this stage changes';
  }

  if (path !== 'release' && path !== 'rollback' && !removed && passedAgent.length > 0) {
    notes.push(
      `Agent changes since the last completed release are not through this stage yet (a release in flight, stopped by a gate, or waiting for the stage before): ${listed(passedAgent.map((e) => e.change.text))}; this change adds none`,
    );
  }
  for (const e of effects)
    if (e.kind === 'leaves') notes.push(`${e.change.text}: its Agent stays installed (the rollback playbook with rollback_mode=remove removes it)`);
  const policy = effects.filter((e) => e.kind === 'policy').map((e) => e.change.text);
  if (policy.length > 0) notes.push(`rollout policy: ${listed(policy)}`);
  if (path === 'release' || path === 'rollback') {
    for (const b of batches) if (b.hosts.length === 0) notes.push(`batch ${b.number} has no hosts: it gets no step, no soak and no gate`);
  }

  const planned: PlannedBatch[] = batches.map((b) => ({
    number: b.number,
    hosts: b.hosts.length,
    soakHours: b.soakHours,
    changes: b.hosts.length > 0 && (path === 'rollback' || (path === 'release' && affected.has(b.number))),
  }));
  return {
    stage,
    environment,
    path,
    reason,
    notes,
    agentVersion,
    stacks,
    batches: planned,
    ...(release ? { release } : {}),
    ...(rollback ? { rollback } : {}),
    advancePassed: !removed && passedAgent.length === 0 && path !== 'rollback' && path !== 'release',
  };
}

/** Stage names of a report (not the shared bootstrap stacks). */
function stagesOf(report: DiffReport): string[] {
  return report.changes.map((c) => c.stage).filter((s) => s !== SHARED_STAGE);
}

/** The release plan: one decision per stage of the head (and per stage the change removes), by name. */
export function decideRelease(input: ReleaseInput): ReleasePlan {
  const sincePassed = input.sincePassed ?? input.diff;
  const facts = new Map(input.stages.map((s) => [s.stage, s]));
  const names = [...new Set([...facts.keys(), ...stagesOf(input.diff)])].sort();
  return {
    base: input.diff.base,
    head: input.diff.head,
    ...(input.sincePassed ? { passed: input.sincePassed.base } : {}),
    adminStacks: adminStackChanges(input.diff),
    stages: names.map((name) => decideStage(name, facts.get(name), input.diff, sincePassed)),
  };
}
