/**
 * The release plan (pure data): for each stage, which path a change takes
 * after merge, and why.
 *
 *   infra-only  the stage's stacks change, its hosts do not: the reviewed
 *               plans are applied, no batch, no soak
 *   release     the Agent reaching the hosts changes (a higher version, agent
 *               settings, hosts joining or moving between batches): stacks
 *               first, then the affected batches one by one, each after the
 *               soak and go/no-go gate of the one before
 *   rollback    the Agent version goes down (typically a revert): stacks and,
 *               without waiting, every batch in reverse order through the
 *               rollback playbook (previous version and datadog.yaml restored)
 *   none        nothing of the stage changes
 *
 * Computed from `rollout diff --format json` (review/diff/types.ts) and the
 * head's stages (their GitHub environment and batches), nothing else: the
 * same two commits always give the same plan.
 */
import type { DiffReport } from '../diff/report-json';
import type { RiskClass } from '../diff/types';

/** The path a stage takes. */
export const RELEASE_PATHS = ['infra-only', 'release', 'rollback', 'none'] as const;
export type ReleasePath = (typeof RELEASE_PATHS)[number];

/** The document `rollout diff --format json` prints (the fields the decision reads). */
/** A parsed `rollout diff --format json` (review/diff/report-json.ts). */
export type { DiffReport };

/** One batch of a stage's head inventory. */
export interface BatchFacts {
  readonly number: number;
  /** Host names, sorted; empty when the stage has fewer hosts than batches. */
  readonly hosts: readonly string[];
  /** Soak after this batch, before its go/no-go gate (hours). */
  readonly soakHours: number;
}

/** What the decision needs to know of a stage at the head commit. */
export interface StageFacts {
  readonly stage: string;
  /** The stage's GitHub environment (`ci.environment`, else the stage name); soak environments are `<environment>-soak-<n>`. */
  readonly environment: string;
  /** `agent.version` at the head. */
  readonly agentVersion?: string;
  /** Every batch of the head inventory in rollout order, empty ones included. */
  readonly batches: readonly BatchFacts[];
}

/** What the decision is computed from. */
export interface ReleaseInput {
  /** The change since the commit the stage was last deployed from (`rollout diff --base DEPLOYED --head HEAD`). */
  readonly diff: DiffReport;
  /**
   * The change since the commit whose release last completed on the stage;
   * only stages' inventories are read from it. Omitted: the same as `diff`.
   */
  readonly sincePassed?: DiffReport;
  /** The head's stages. */
  readonly stages: readonly StageFacts[];
}

/** One job of a release: the gate of the batch before (0: none), then this batch, in `environment`. */
export interface ReleaseStep {
  readonly batch: number;
  readonly gate: number;
  /** `<environment>` for the first step, `<environment>-soak-<gate>` after (its wait timer is that soak). */
  readonly environment: string;
}

/** A stage's release: its steps, then the gate of the last batch after its soak. */
export interface ReleaseSchedule {
  readonly steps: readonly ReleaseStep[];
  readonly finalGate: { readonly batch: number; readonly environment: string };
}

/** A stage's rollback: every non-empty batch, newest first, no soak. */
export interface RollbackSchedule {
  readonly from: string;
  readonly to: string;
  /** Batch numbers in the order they are rolled back. */
  readonly order: readonly number[];
  readonly hosts: number;
}

/** One stack of the stage that changes. */
export interface StackChange {
  readonly stack: string;
  readonly changes: number;
  readonly risk: RiskClass;
}

/** One batch of the stage as the plan shows it. */
export interface PlannedBatch {
  readonly number: number;
  readonly hosts: number;
  readonly soakHours: number;
  /** Some host of the batch gets a different Agent, configuration or batch. */
  readonly changes: boolean;
}

/** The decision for one stage. */
export interface StageDecision {
  readonly stage: string;
  readonly environment: string;
  readonly path: ReleasePath;
  /** Why, in one line. */
  readonly reason: string;
  /** What else a reviewer or operator should know, one line each. */
  readonly notes: readonly string[];
  /** Agent version at the base (when it changes) and at the head. */
  readonly agentVersion: { readonly from?: string; readonly to?: string };
  /** The stage's stacks that change (applied from their reviewed plans). */
  readonly stacks: readonly StackChange[];
  readonly batches: readonly PlannedBatch[];
  readonly release?: ReleaseSchedule;
  readonly rollback?: RollbackSchedule;
  /** No Agent change since the last completed release: the stage has passed the head once its stacks are applied. */
  readonly advancePassed: boolean;
}

/** A stack only an administrator applies (`state`, `github`). */
export interface AdminStackChange extends StackChange {
  /** The changes in words, highest risk first (at most ten). */
  readonly texts: readonly string[];
}

/** The whole plan. */
export interface ReleasePlan {
  readonly base: string;
  readonly head: string;
  /** The base of `sincePassed`, when it was given. */
  readonly passed?: string;
  /** Bootstrap stacks that change: CI plans them but never applies them. */
  readonly adminStacks: readonly AdminStackChange[];
  /** Stages by name. */
  readonly stages: readonly StageDecision[];
}
