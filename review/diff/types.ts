/**
 * The change model of `rollout diff`: what a commit does to the synthesized
 * tree (every stack's cdk.tf.json and every generated inventory), as a list of
 * changes a person can read, each with a risk class.
 */

/** Risk classes, lowest first (docs/change-review.md). */
export const RISK_CLASSES = ['low', 'medium', 'high', 'critical'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

/** What happens to the thing that changed (`renamed`: a Terraform `moved` block keeps the object; `imported`: an `import` block adopts one). */
export type ChangeKind = 'added' | 'changed' | 'removed' | 'replaced' | 'renamed' | 'imported';

/** The stage name used for the `state` bootstrap stack, shared by every stage. */
export const SHARED_STAGE = 'shared';

/** Row name of a stage's generated inventory in the summary. */
export const INVENTORY_STACK = 'inventory';

/** One attribute-level difference inside a change. */
export interface AttributeChange {
  /** Attribute path, e.g. `monitor_thresholds.critical`, `statement[ReadDatadogApiKey].actions`, `batch`. */
  readonly path: string;
  /** Value before (absent: `undefined`, rendered as JSON `null` in the JSON report). */
  readonly before?: unknown;
  /** Value after. */
  readonly after?: unknown;
  /** The difference in words, without the subject: `critical threshold 0.5 -> 0.8`. */
  readonly text: string;
  readonly risk: RiskClass;
  /** Why this risk class (the rule that matched). */
  readonly why: string;
}

/** One change to one thing (a resource, a host, a setting). */
export interface Change {
  /** Stage the change belongs to (`shared` for the state stack). */
  readonly stage: string;
  /** Stack name (`dev-infra`, `state`) or `inventory`. */
  readonly stack: string;
  readonly kind: ChangeKind;
  /** Highest risk of the change and its attributes. */
  readonly risk: RiskClass;
  /** Why the change as a whole has its risk class. */
  readonly why: string;
  /** Stable key of the thing within its stack: `resource.aws_instance.fleet_dev-web-01_E2F0C669`, `host dev-web-01`, `var datadog_agent_version`. */
  readonly subject: string;
  /** Human name: `host dev-web-01`, "monitor `api latency`", "state bucket `acme-tfstate`". */
  readonly label: string;
  /** The change in one sentence. */
  readonly text: string;
  /** Attribute differences (empty for additions and removals). */
  readonly attributes: readonly AttributeChange[];
  /** For replacements: the attributes that force it. */
  readonly forcedBy?: readonly string[];
  /** A change that follows from another (a knock-on batch move, a monitor counting a batch's hosts): that change and why. */
  readonly derivedFrom?: ChangeRef & { readonly reason: string };
}

/** Where a change is: stage, stack and subject together name it. */
export interface ChangeRef {
  readonly stage: string;
  readonly stack: string;
  readonly subject: string;
}

/** The key of a change (`prod/inventory/host prod-web-09`). */
export function changeKey(c: ChangeRef): string {
  return `${c.stage}/${c.stack}/${c.subject}`;
}

/** One row of the summary table. */
export interface SummaryRow {
  readonly stage: string;
  readonly stack: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly replaced: number;
  /** Renames (moved blocks); absent when none. */
  readonly renamed?: number;
  /** Imports (import blocks); absent when none. */
  readonly imported?: number;
  readonly risk: RiskClass;
}

/** A stage's rollout schedule, read from its inventory (for the Gantt chart). */
export interface Schedule {
  readonly stage: string;
  readonly agentVersion?: string;
  readonly batches: ReadonlyArray<{ readonly number: number; readonly hosts: number; readonly soakHours: number }>;
}

/** The parsed synthesized tree of one side. */
export interface SynthTree {
  /** Stack name -> parsed cdk.tf.json. */
  readonly stacks: Readonly<Record<string, unknown>>;
  /** Stage name -> parsed hosts.yml. */
  readonly inventories: Readonly<Record<string, unknown>>;
}

/** One stage on the rollout timeline: when it starts (hours after the first stage starts) and its batches. */
export interface TimedSchedule extends Schedule {
  readonly startHour: number;
}

/** The rollout across stages, before and after: every stage in promotion order with real offsets. */
export interface Timeline {
  /** Stages whose rollout changes (batches, hosts, soaks, agent version), in promotion order: the ones drawn. */
  readonly changed: readonly string[];
  readonly before: readonly TimedSchedule[];
  readonly after: readonly TimedSchedule[];
}

/** Everything `rollout diff` found. */
export interface DiffResult {
  /** Changes in report order (stage, stack, risk descending, subject). */
  readonly changes: readonly Change[];
  readonly summary: readonly SummaryRow[];
  /** Highest risk of any change; undefined when there is none. */
  readonly highestRisk?: RiskClass;
  /** The rollout timeline; `changed` is empty when no stage's rollout changes. */
  readonly timeline: Timeline;
  /** State buckets and lock tables named by the backends (the plan summary judges with them). */
  readonly stateStorage: { readonly buckets: readonly string[]; readonly tables: readonly string[] };
}

/** Numeric rank of a risk class (low 0 .. critical 3). */
export function riskRank(r: RiskClass): number {
  return RISK_CLASSES.indexOf(r);
}

/** The higher of two risk classes. */
export function maxRisk(a: RiskClass, b: RiskClass): RiskClass {
  return riskRank(a) >= riskRank(b) ? a : b;
}

/** Parse a risk class name; undefined when it is not one. */
export function parseRisk(text: string): RiskClass | undefined {
  return (RISK_CLASSES as readonly string[]).includes(text) ? (text as RiskClass) : undefined;
}
