/**
 * The monitor rule pack: ROLLOUT-M001 ... ROLLOUT-M011, one rule per file,
 * documented in monitors/RULES.md. Run over every stage's plan; violations
 * fail synth and `rollout validate` with the definition's file:line. A
 * definition may suppress a rule with a written reason.
 */
import { ConfigError, Problem } from '../model/errors';
import type { MonitoringConfig, SourceRef } from '../model/monitoring/types';
import type { RolloutConfig, Stage } from '../model/stage';
import { securitySourceProblems } from '../plan/monitoring/rollout-monitors';
import { planStage } from '../plan/monitoring/stage-plan';
import { PlannedMonitor, StagePlan, teamMonitorId } from '../plan/monitoring/planned';
import { M001 } from './rules/m001-runbook-on-paging-monitors';
import { M002 } from './rules/m002-owning-team';
import { M003 } from './rules/m003-notification-routing';
import { M004 } from './rules/m004-message-template';
import { M005 } from './rules/m005-is-match-group-by';
import { M006 } from './rules/m006-critical-threshold';
import { M007 } from './rules/m007-anomaly-threshold-windows';
import { M008 } from './rules/m008-unique-names';
import { M009 } from './rules/m009-required-tags';
import { M010 } from './rules/m010-stage-scoped-query';
import { M011 } from './rules/m011-metric-tags';
import type { Finding, Rule, RuleContext } from './rule';

export type { Finding, Rule, RuleContext } from './rule';

/** Every rule, in id order. */
export const RULES: readonly Rule[] = [M001, M002, M003, M004, M005, M006, M007, M008, M009, M010, M011];

/** A rule a monitor breaks in a stage. */
export interface Violation {
  readonly rule: string;
  readonly stage: string;
  readonly monitor: PlannedMonitor;
  readonly finding: Finding;
}

/** A violation its definition suppresses, with the written reason. */
export interface SuppressedViolation extends Violation {
  readonly reason: string;
}

/** What the rule pack found in one stage. */
export interface StageRuleResult {
  readonly stage: string;
  readonly violations: readonly Violation[];
  readonly suppressed: readonly SuppressedViolation[];
}

/** Run every rule over one stage's plan. */
export function checkStagePlan(plan: StagePlan, monitoring: MonitoringConfig, rules: readonly Rule[] = RULES): StageRuleResult {
  const ctx: RuleContext = {
    stage: plan.stage,
    knownTeams: new Set(monitoring.knownTeams),
    requiredTags: monitoring.policy.requiredTags,
    monitors: plan.monitors,
    teamMonitorsById: new Map(plan.monitors.filter((m) => m.origin === 'team').map((m) => [teamMonitorId(m.key), m])),
    ...(monitoring.policy.apm.secondPrimaryTag !== undefined ? { apmSecondPrimaryTag: monitoring.policy.apm.secondPrimaryTag } : {}),
  };
  const violations: Violation[] = [];
  const suppressed: SuppressedViolation[] = [];
  for (const m of plan.monitors) {
    for (const rule of rules) {
      for (const finding of rule.check(m, ctx)) {
        const s = m.suppress.find((x) => x.rule === rule.id);
        if (s) suppressed.push({ rule: rule.id, stage: plan.stage, monitor: m, finding, reason: s.reason });
        else violations.push({ rule: rule.id, stage: plan.stage, monitor: m, finding });
      }
    }
  }
  return { stage: plan.stage, violations, suppressed };
}

/** Where a finding points: the field of the definition, its line. */
function locate(m: PlannedMonitor, field: string): { file: string; line: number; path: string } {
  const src: SourceRef = m.source;
  const key = `${m.fieldPrefix}${field}`;
  const top = key.split('.')[0];
  const line = src.fieldLines[key] ?? (m.fieldPrefix ? src.fieldLines[m.fieldPrefix.slice(0, -1)] : undefined) ?? src.fieldLines[top] ?? src.line;
  return { file: src.file, line, path: [src.path, key].filter((x) => x !== '').join('.') };
}

/**
 * Violations as located problems; the same violation in several stages is
 * one problem naming the stages.
 */
export function violationProblems(violations: readonly Violation[]): Problem[] {
  const groups = new Map<string, { at: { file: string; line: number; path: string }; v: Violation; stages: string[] }>();
  for (const v of violations) {
    const at = locate(v.monitor, v.finding.field);
    const subject = v.monitor.origin === 'team' ? '' : v.monitor.origin === 'burn-rate' ? 'burn-rate alert ' : 'generated monitor ';
    const name = v.monitor.name.replace(/^\[[^\]]+\] /, '');
    const id = `${at.file}\u0000${at.line}\u0000${at.path}\u0000${v.rule}\u0000${subject}${name}\u0000${v.finding.got}\u0000${v.finding.expected}`;
    const g = groups.get(id);
    if (g) g.stages.push(v.stage);
    else groups.set(id, { at, v, stages: [v.stage] });
  }
  return [...groups.values()].map(({ at, v, stages }) => {
    const subject = v.monitor.origin === 'team' ? '' : v.monitor.origin === 'burn-rate' ? 'burn-rate alert ' : 'generated monitor ';
    const name = v.monitor.name.replace(/^\[[^\]]+\] /, '');
    return {
      ...at,
      got: `[${v.rule}] ${subject}${JSON.stringify(name)}: ${v.finding.got} (stage${stages.length === 1 ? '' : 's'} ${[...new Set(stages)].sort().join(', ')})`,
      expected: `${v.finding.expected}; or suppress: [{rule: ${v.rule}, reason: ...}] (monitors/RULES.md)`,
    };
  });
}

/** Suppressions that name no rule of the pack. */
export function unknownSuppressionProblems(monitoring: MonitoringConfig): Problem[] {
  const ids = new Set(RULES.map((r) => r.id));
  const out: Problem[] = [];
  for (const d of [...monitoring.monitors, ...monitoring.slos]) {
    d.suppress.forEach((s, i) => {
      if (!ids.has(s.rule)) {
        out.push({
          file: d.source.file,
          line: d.source.fieldLines.suppress ?? d.source.line,
          path: `${d.source.path}.suppress.${i}.rule`,
          got: JSON.stringify(s.rule),
          expected: `a rule of the pack (${RULES[0].id} to ${RULES[RULES.length - 1].id})`,
        });
      }
    });
  }
  return out;
}

/** The rule pack over every stage: plans, results, and the problems (empty when clean). */
export function checkMonitoring(config: Pick<RolloutConfig, 'stages' | 'monitoring'>): {
  plans: StagePlan[];
  results: StageRuleResult[];
  problems: Problem[];
} {
  const plans = config.stages.map((s: Stage) => planStage(s, config.monitoring));
  const results = plans.map((p) => checkStagePlan(p, config.monitoring));
  const problems = [
    ...config.stages.flatMap((s) => securitySourceProblems(s, config.monitoring)),
    ...unknownSuppressionProblems(config.monitoring),
    ...violationProblems(results.flatMap((r) => r.violations)),
  ];
  return { plans, results, problems };
}

/** Throw one ConfigError listing every rule violation of every stage. */
export function assertMonitoringRules(config: Pick<RolloutConfig, 'stages' | 'monitoring'>): ReturnType<typeof checkMonitoring> {
  const res = checkMonitoring(config);
  if (res.problems.length > 0) throw new ConfigError(res.problems, 'monitoring policy');
  return res;
}
