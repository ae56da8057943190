/**
 * The shape of a rule of the monitor rule pack (pure). A rule looks at one
 * planned monitor of one stage, with the whole stage's plan for context, and
 * returns what is wrong with it. Rules are documented in monitors/RULES.md.
 */
import type { PlannedMonitor } from '../plan/monitoring/planned';

/** What a rule sees besides the monitor. */
export interface RuleContext {
  readonly stage: string;
  /** Teams of the stage files (host teams and stage owners). */
  readonly knownTeams: ReadonlySet<string>;
  /** Tag keys the policy requires on every monitor (besides env, service, team). */
  readonly requiredTags: readonly string[];
  /** Every monitor planned for the stage, sorted by key. */
  readonly monitors: readonly PlannedMonitor[];
  /** Team monitors of the stage by definition id (for composites). */
  readonly teamMonitorsById: ReadonlyMap<string, PlannedMonitor>;
  /** The organization's APM second primary tag (monitors/policy.yaml apm.secondPrimaryTag), if declared: APM distributions carry it. */
  readonly apmSecondPrimaryTag?: string;
}

/** One thing a rule found wrong. */
export interface Finding {
  /** Field of the definition to point at (`runbook`, `message`, `thresholds.critical`, ...). */
  readonly field: string;
  /** What is there, for humans. */
  readonly got: string;
  /** What the rule wants instead. */
  readonly expected: string;
}

/** A rule of the pack. */
export interface Rule {
  /** `ROLLOUT-M001` ... */
  readonly id: string;
  /** One line: what the rule requires. */
  readonly title: string;
  check(monitor: PlannedMonitor, ctx: RuleContext): Finding[];
}
