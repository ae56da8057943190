/**
 * The stage coverage matrix (pure): every monitor, SLO and dashboard
 * definition against every stage, and against a stage that does not exist
 * yet, so a team sees at a glance where a definition is present, disabled or
 * overridden, and which paging monitors would page nobody.
 *
 * A stage's values come from the same resolution synth uses
 * (model/monitoring/resolve.ts), so the matrix cannot disagree with what a
 * stage gets. "Paging" is the one definition of model/monitoring/routing.ts.
 * A new stage gets each definition's base values: no `stages.<name>` entry
 * (neither the definition's nor its file's routing) applies to it.
 */
import { resolveDashboard, resolveMonitor, resolveSlo } from '../../model/monitoring/resolve';
import { isPagingHandle, isPagingPriority } from '../../model/monitoring/routing';
import type { MonitorDef, MonitoringConfig, SourceRef } from '../../model/monitoring/types';

/** What a definition is in one stage. */
export type CellState = 'present' | 'overridden' | 'disabled';

/** A routing problem of a paging monitor in one stage. */
export type RoutingGap =
  /** It pages (priority 1-2 or a pager handle in some stage) but has no alert handle in this stage: an alert there reaches nobody. */
  'routes-nowhere';

export interface CoverageCell {
  readonly state: CellState;
  /** Fields a `stages.<stage>` entry changes (definition's or file's), sorted; empty unless overridden. */
  readonly overrides: readonly string[];
  /** Monitors only, when present: the alert handles and priority this stage gets. */
  readonly alert?: readonly string[];
  readonly priority?: number;
  /** Monitors only: what is wrong with the routing of a paging monitor here. */
  readonly gap?: RoutingGap;
}

export interface CoverageRow {
  readonly kind: 'monitor' | 'slo' | 'dashboard';
  readonly id: string;
  readonly team?: string;
  /** Whether the monitor pages in some stage (or would in a new one). */
  readonly paging: boolean;
  readonly source: { readonly file: string; readonly line: number };
  /** Stage name -> cell, for every stage and the new stage. */
  readonly cells: Readonly<Record<string, CoverageCell>>;
}

/** One paging monitor that pages nobody in a stage. */
export interface RoutingFinding {
  readonly id: string;
  readonly stage: string;
  readonly gap: RoutingGap;
  /** Whether `stage` is the hypothetical new stage. */
  readonly newStage: boolean;
  readonly source: { readonly file: string; readonly line: number };
}

export interface CoverageReport {
  readonly kind: 'observability-rollout/coverage';
  readonly version: 1;
  /** The configured stages, in order. */
  readonly stages: readonly string[];
  /** The name used for the stage that does not exist yet. */
  readonly newStage: string;
  readonly rows: readonly CoverageRow[];
  /** Paging monitors routed nowhere in a configured stage: these need fixing. */
  readonly findings: readonly RoutingFinding[];
  /** What a new stage would lack: definitions absent from it, and paging monitors it would route nowhere. */
  readonly newStageGaps: {
    readonly absent: readonly string[];
    readonly routing: readonly RoutingFinding[];
    /** Definitions present in every configured stage only thanks to an override there (base values differ). */
    readonly overriddenEverywhere: readonly string[];
  };
  readonly counts: {
    readonly definitions: number;
    readonly monitors: number;
    readonly slos: number;
    readonly dashboards: number;
    readonly pagingMonitors: number;
  };
}

/** Whether `name` may name the new stage: not a configured stage. */
export function newStageProblem(name: string, stages: readonly string[]): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return 'a stage name (lower-case letters, digits and dashes, starting with a letter)';
  if (stages.includes(name)) return `a name that is not already a stage (${stages.join(', ')})`;
  return undefined;
}

/** The coverage matrix of `monitoring` over `stages`, with `newStage` as the stage that does not exist yet. */
export function coverageMatrix(monitoring: MonitoringConfig, stages: readonly string[], newStage = 'new-stage'): CoverageReport {
  const all = [...stages, newStage];
  const where = (s: SourceRef): { file: string; line: number } => ({ file: s.file, line: s.line });
  const rows: CoverageRow[] = [];
  for (const def of monitoring.monitors) {
    const cells: Record<string, CoverageCell> = {};
    const paging = isPagingMonitor(def, all);
    for (const stage of all) {
      const { enabled, monitor } = resolveMonitor(def, stage);
      const overrides = overriddenFields(def.stages[stage]);
      if (!enabled) {
        cells[stage] = { state: 'disabled', overrides };
        continue;
      }
      const gap: RoutingGap | undefined = paging && monitor.notify.alert.length === 0 ? 'routes-nowhere' : undefined;
      cells[stage] = {
        state: overrides.length > 0 ? 'overridden' : 'present',
        overrides,
        alert: [...monitor.notify.alert],
        ...(monitor.priority !== undefined ? { priority: monitor.priority } : {}),
        ...(gap !== undefined ? { gap } : {}),
      };
    }
    rows.push({ kind: 'monitor', id: def.id, ...(def.team !== undefined ? { team: def.team } : {}), paging, source: where(def.source), cells });
  }
  for (const def of monitoring.slos) {
    const cells: Record<string, CoverageCell> = {};
    for (const stage of all) {
      const { enabled } = resolveSlo(def, stage);
      const overrides = overriddenFields(def.stages[stage]);
      cells[stage] = { state: !enabled ? 'disabled' : overrides.length > 0 ? 'overridden' : 'present', overrides };
    }
    rows.push({ kind: 'slo', id: def.id, ...(def.team !== undefined ? { team: def.team } : {}), paging: false, source: where(def.source), cells });
  }
  for (const def of monitoring.dashboards) {
    const cells: Record<string, CoverageCell> = {};
    for (const stage of all) cells[stage] = { state: resolveDashboard(def, stage).enabled ? 'present' : 'disabled', overrides: [] };
    rows.push({ kind: 'dashboard', id: def.id, paging: false, source: where(def.source), cells });
  }
  const findings: RoutingFinding[] = [];
  for (const row of rows) {
    for (const stage of all) {
      const gap = row.cells[stage].gap;
      if (gap !== undefined) findings.push({ id: row.id, stage, gap, newStage: stage === newStage, source: row.source });
    }
  }
  const label = (r: CoverageRow): string => `${r.kind} ${r.id}`;
  return {
    kind: 'observability-rollout/coverage',
    version: 1,
    stages: [...stages],
    newStage,
    rows,
    findings: findings.filter((f) => !f.newStage),
    newStageGaps: {
      absent: rows.filter((r) => r.cells[newStage].state === 'disabled' && stages.some((s) => r.cells[s].state !== 'disabled')).map(label),
      routing: findings.filter((f) => f.newStage),
      overriddenEverywhere: rows.filter((r) => stages.length > 0 && stages.every((s) => r.cells[s].state === 'overridden')).map(label),
    },
    counts: {
      definitions: rows.length,
      monitors: monitoring.monitors.length,
      slos: monitoring.slos.length,
      dashboards: monitoring.dashboards.length,
      pagingMonitors: rows.filter((r) => r.paging).length,
    },
  };
}

/**
 * A monitor pages when, in some stage (or the new one), it has priority 1-2 or
 * an alert handle that pages (routing.ts). Such a monitor must reach someone
 * in every stage it is enabled in (a monitor that never pages may notify
 * nobody: a dashboard or gate signal, ROLLOUT-M003).
 */
function isPagingMonitor(def: MonitorDef, stages: readonly string[]): boolean {
  return stages.some((s) => {
    const { enabled, monitor } = resolveMonitor(def, s);
    return enabled && (isPagingPriority(monitor.priority) || monitor.notify.alert.some(isPagingHandle));
  });
}

function overriddenFields(o: object | undefined): string[] {
  if (o === undefined) return [];
  return Object.entries(o)
    .filter(([k, v]) => k !== 'enabled' && v !== undefined)
    .map(([k]) => k)
    .sort();
}
