/**
 * From check results to the verdict. Pure.
 *
 * - any check failed                 -> NO-GO (a finding outranks missing data)
 * - else any check inconclusive      -> INCONCLUSIVE
 * - else, and only with every check  -> GO
 * Missing data is never GO: a check without data is inconclusive, and a
 * report missing a check cannot be GO.
 */
import type { GatePlan } from './gate-plan';
import { CHECK_IDS, CheckResult, GateReport, Provenance, Verdict, VERDICT_EXIT_CODES } from './types';

/** The verdict of a set of check results. */
export function decideVerdict(checks: readonly CheckResult[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'NO-GO';
  if (checks.some((c) => c.status === 'inconclusive')) return 'INCONCLUSIVE';
  const present = new Set(checks.map((c) => c.id));
  return CHECK_IDS.every((id) => present.has(id)) ? 'GO' : 'INCONCLUSIVE';
}

/** Assemble the report of one gate run. `apiUrl` must carry no credentials. */
export function buildReport(plan: GatePlan, checks: readonly CheckResult[], opts: Provenance & { soft: boolean }): GateReport {
  const verdict = decideVerdict(checks);
  const reasons = checks.filter((c) => c.status !== 'pass').map((c) => `${c.title}: ${c.status}: ${c.summary}`);
  if (verdict === 'INCONCLUSIVE' && reasons.length === 0) reasons.push('not every check ran');
  return {
    kind: 'observability-rollout/gate-report',
    version: 2,
    verdict,
    exitCode: VERDICT_EXIT_CODES[verdict],
    soft: opts.soft,
    stage: plan.stage,
    batch: plan.batch,
    batchCount: plan.batchCount,
    agentVersion: plan.agentVersion,
    evaluatedAt: new Date(plan.nowMs).toISOString(),
    apiUrl: opts.apiUrl,
    apiUrlSource: opts.apiUrlSource,
    toolVersion: opts.toolVersion,
    configCommit: opts.configCommit,
    reasons,
    settings: plan.settings,
    checks,
  };
}
