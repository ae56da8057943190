/**
 * The monitoring model: plain typed objects with every default applied.
 * Definitions (MonitorDef, SloDef, DashboardDef) hold their per-stage
 * overrides; `resolveStage` (resolve.ts) merges them for one stage.
 */
import type { BurnRateTier, SloTimeframe } from './burn-rate';
import type { MonitorType } from './query';
import type { LatencyMode } from '../signals';

export type { BurnRateTier, SloTimeframe } from './burn-rate';
export type { MonitorType } from './query';

/** Where a definition came from, for `file:line field.path` messages. */
export interface SourceRef {
  /** File relative to the configuration directory (`monitors/payments.yaml`). */
  readonly file: string;
  /** Line of the definition (its first key). */
  readonly line: number;
  /** Dotted path of the definition in the file (`monitors.2`). */
  readonly path: string;
  /** Line of each field present in the definition (`query` -> 14), for precise messages. */
  readonly fieldLines: Readonly<Record<string, number>>;
}

/** Notification handles by monitor state. */
export interface Notify {
  readonly alert: readonly string[];
  readonly warning: readonly string[];
  readonly noData: readonly string[];
}

export interface Thresholds {
  readonly critical?: number;
  readonly warning?: number;
  readonly criticalRecovery?: number;
  readonly warningRecovery?: number;
  readonly ok?: number;
  readonly unknown?: number;
}

/** A rule switched off for one definition, with the reason. */
export interface Suppression {
  readonly rule: string;
  readonly reason: string;
}

/** What a stage may change in a monitor. */
export interface MonitorStageOverride {
  readonly enabled?: boolean;
  readonly priority?: number;
  readonly thresholds?: Thresholds;
  readonly notify?: Notify;
  readonly query?: string;
}

/** A team's monitor, as declared (placeholders not yet replaced). */
export interface MonitorDef {
  readonly id: string;
  /** Ids it had before, oldest first (Terraform `moved` blocks keep the Datadog object). */
  readonly previousIds?: readonly string[];
  /** Datadog id of the existing object each stage adopts (Terraform `import` blocks). */
  readonly importIds?: Readonly<Record<string, string>>;
  readonly name: string;
  readonly type: MonitorType;
  readonly query: string;
  readonly message: string;
  readonly runbook?: string;
  /** Owning team (the definition's, else the file's). */
  readonly team?: string;
  readonly service?: string;
  readonly priority?: number;
  readonly thresholds: Thresholds;
  /** Anomaly monitors: `last_15m`-style trigger and recovery windows. */
  readonly thresholdWindows?: { readonly trigger: string; readonly recovery: string };
  readonly noData: { readonly notify: boolean; readonly timeframeMinutes?: number };
  readonly renotify?: {
    readonly intervalMinutes: number;
    readonly statuses: readonly string[];
    readonly occurrences?: number;
    readonly message?: string;
  };
  readonly evaluationDelaySeconds?: number;
  readonly newGroupDelaySeconds?: number;
  readonly requireFullWindow?: boolean;
  /** Extra tags (file's, then the definition's), sorted by key. */
  readonly tags: Readonly<Record<string, string>>;
  readonly restrictedRoles: readonly string[];
  /** Routing in a stage without an override. */
  readonly notify: Notify;
  /** A go/no-go gate signal (`rollout_check:<kind>`). */
  readonly rolloutCheck?: 'app-errors';
  readonly enabled: boolean;
  /** Per-stage overrides, the file's stage routing folded in. */
  readonly stages: Readonly<Record<string, MonitorStageOverride>>;
  readonly suppress: readonly Suppression[];
  readonly source: SourceRef;
}

export interface SloTarget {
  readonly timeframe: SloTimeframe;
  readonly target: number;
  readonly warning?: number;
}

/** A team's SLO, as declared. */
export interface SloDef {
  readonly id: string;
  /** Ids it had before, oldest first (Terraform `moved` blocks keep the Datadog object). */
  readonly previousIds?: readonly string[];
  /** Datadog id of the existing object each stage adopts (Terraform `import` blocks). */
  readonly importIds?: Readonly<Record<string, string>>;
  readonly name: string;
  readonly description?: string;
  readonly type: 'metric' | 'monitor' | 'time-slice';
  readonly query?: { readonly numerator: string; readonly denominator: string };
  /** Monitor SLOs: ids of monitors in monitors/. */
  readonly monitorIds?: readonly string[];
  readonly timeSlice?: { readonly query: string; readonly comparator: string; readonly threshold: number; readonly intervalSeconds: number };
  /** Sorted 7d, 30d, 90d. */
  readonly targets: readonly SloTarget[];
  readonly primaryTimeframe: SloTimeframe;
  readonly burnRate: { readonly enabled: boolean; readonly tiers: readonly BurnRateTier[] };
  readonly runbook?: string;
  readonly team?: string;
  readonly service?: string;
  /** Priority of the paging burn-rate alerts. */
  readonly priority: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly restrictedRoles: readonly string[];
  readonly notify: Notify;
  readonly enabled: boolean;
  readonly stages: Readonly<Record<string, { readonly enabled?: boolean; readonly targets?: readonly SloTarget[]; readonly notify?: Notify }>>;
  readonly suppress: readonly Suppression[];
  readonly source: SourceRef;
}

/** A team's dashboard, as declared; `definition` is the exported JSON, normalized later. */
export interface DashboardDef {
  readonly id: string;
  /** Ids it had before, oldest first (Terraform `moved` blocks keep the Datadog object). */
  readonly previousIds?: readonly string[];
  /** Datadog id of the existing object each stage adopts (Terraform `import` blocks). */
  readonly importIds?: Readonly<Record<string, string>>;
  readonly title: string;
  readonly team?: string;
  /** Role ids that may edit it (`restricted_roles`; empty: anyone with dashboard write access). */
  readonly restrictedRoles: readonly string[];
  /** JSON file, relative to the configuration directory. */
  readonly file: string;
  readonly definition: Readonly<Record<string, unknown>>;
  readonly enabled: boolean;
  readonly stages: Readonly<Record<string, { readonly enabled?: boolean }>>;
  readonly source: SourceRef;
}

/** Settings of the monitors generated from the rollout (per stage, per batch). */
export interface RolloutMonitoringPolicy {
  readonly enabled: boolean;
  /** Owning team; absent: the stage's owner. */
  readonly team?: string;
  readonly runbook?: string;
  readonly priority: number;
  readonly notify: Notify;
  /** Tags of the generated monitors, over the policy's tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly stages: Readonly<Record<string, { readonly enabled?: boolean; readonly priority?: number; readonly notify?: Notify }>>;
  readonly apmOperation: string;
  /** How latency is compared per batch (LATENCY_MODES). */
  readonly latency: LatencyMode;
  readonly comparisonWindowMinutes: number;
  readonly windowMinutes: number;
  readonly agentCpuPercent: { readonly warning: number; readonly critical: number };
  readonly agentMemoryMb: { readonly warning: number; readonly critical: number };
  readonly security: {
    readonly enabled: boolean;
    readonly logQuery: string;
    readonly algorithm: 'basic' | 'agile' | 'robust';
    readonly deviations: number;
    readonly alertWindowMinutes: number;
  };
}

/** `monitors/policy.yaml`, defaults applied (also when the file is absent). */
export interface MonitoringPolicy {
  readonly requiredTags: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** The organization's APM settings the queries depend on. */
  readonly apm: { readonly secondPrimaryTag?: string };
  readonly rollout: RolloutMonitoringPolicy;
  /** The policy file, when there is one (generated monitors point at it). */
  readonly source: SourceRef;
}

/** Everything under monitors/. */
export interface MonitoringConfig {
  /** Files read, relative to the configuration directory, sorted. */
  readonly files: readonly string[];
  readonly policy: MonitoringPolicy;
  /** Sorted by id. */
  readonly monitors: readonly MonitorDef[];
  readonly slos: readonly SloDef[];
  readonly dashboards: readonly DashboardDef[];
  /** Teams of the stage files (host teams and stage owners), sorted: who may own a monitor. */
  readonly knownTeams: readonly string[];
}

/** A monitor as one stage gets it: overrides merged, placeholders replaced. */
export interface StageMonitorDef extends Omit<MonitorDef, 'stages' | 'enabled'> {
  readonly stage: string;
}

/** An SLO as one stage gets it. */
export interface StageSloDef extends Omit<SloDef, 'stages' | 'enabled'> {
  readonly stage: string;
}

/** A dashboard as one stage gets it (JSON not yet normalized). */
export interface StageDashboardDef extends Omit<DashboardDef, 'stages' | 'enabled'> {
  readonly stage: string;
}

/** The definitions one stage gets. */
export interface StageDefinitions {
  readonly stage: string;
  readonly monitors: readonly StageMonitorDef[];
  readonly slos: readonly StageSloDef[];
  readonly dashboards: readonly StageDashboardDef[];
}
