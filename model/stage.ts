/**
 * The stage model: plain typed objects with every default applied. This is
 * the only thing constructs, inventories and reports read.
 */
import type { MonitoringConfig } from './monitoring/types';
import { CRITICALITIES } from './stage-schema';

export type Criticality = (typeof CRITICALITIES)[number];

/** One host of a stage. */
export interface Host {
  readonly name: string;
  readonly service: string;
  readonly team: string;
  readonly criticality: Criticality;
  /** Address from the stage file; absent for managed hosts (it comes from Terraform outputs). */
  readonly address?: string;
  /** Created by the stage's infra stack. */
  readonly managed: boolean;
  /** Instance type of a managed host (resolved from the stage's fleet default). */
  readonly instanceType?: string;
  /** Subnet of a managed host (resolved). */
  readonly subnetId?: string;
  /** Pinned rollout batch (1-based), if any. */
  readonly batch?: number;
  /** Extra Datadog tags, sorted by key. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Where a stage keeps its Terraform state. */
export interface StateLocation {
  readonly bucket: string;
  readonly lockTable: string;
  /** Resolved key prefix, e.g. `stages/dev`. */
  readonly keyPrefix: string;
  readonly kmsKeyId?: string;
}

/** The rollout policy of a stage. */
export interface RolloutPolicy {
  readonly batchPercentages: readonly number[];
  readonly soakHours: readonly number[];
  readonly maxFailedHostsPercent: number;
  readonly degradationThresholdPercent: number;
}

/** One deployment stage (dev, test, prod). */
export interface Stage {
  readonly name: string;
  /** Stage file, relative to the configuration directory (for messages). */
  readonly sourceFile: string;
  readonly region: string;
  readonly owner: string;
  readonly state: StateLocation;
  readonly datadog: { readonly site: string; readonly apiUrl: string };
  readonly agent: {
    readonly version: string;
    readonly logsEnabled: boolean;
    readonly apmEnabled: boolean;
    readonly processEnabled: boolean;
  };
  readonly rollout: RolloutPolicy;
  readonly network: {
    readonly vpcId: string;
    readonly subnetIds: readonly string[];
    readonly datadogEgressCidrs: readonly string[];
  };
  readonly fleet: { readonly instanceType: string; readonly amiSsmParameter: string; readonly rootVolumeGb: number };
  /** GitHub Actions OIDC access; environment resolved (default: the stage name). */
  readonly ci?: { readonly githubRepository: string; readonly environment: string };
  /** Hosts sorted by name. */
  readonly hosts: readonly Host[];
}

/** The whole configuration: every stage, sorted by name. */
export interface RolloutConfig {
  /** Configuration directory as given (used only to locate files, never in outputs). */
  readonly dir: string;
  readonly stages: readonly Stage[];
  /** Monitors, SLOs and dashboards of monitors/ (empty when there is no such folder). */
  readonly monitoring: MonitoringConfig;
}

/** Terraform state key of one of a stage's stacks. */
export function stateKey(stage: Stage, stack: 'infra' | 'observability'): string {
  return `${stage.state.keyPrefix}/${stack}.tfstate`;
}
