/**
 * Rendering of a gate report: Markdown for people (summary first, then each
 * check with its queries, windows, numbers and result), JSON for machines, and
 * the short text the CLI prints. Pure and deterministic: the same report
 * renders to the same bytes.
 */
import { fmt, fmtWindow } from './checks';
import type { CheckResult, CheckStatus, GateReport, Measurement } from './types';

const STATUS: Readonly<Record<CheckStatus, string>> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' };

/** The report as JSON (2-space indent, trailing newline). */
export function renderJson(report: GateReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The observed value of a check, with its unit. */
export function observedText(c: CheckResult): string {
  return c.observed === null ? 'no data' : `${fmt(c.observed)} ${c.unit}`;
}

/** The pass condition of a check, e.g. `>= 99 %`. */
export function thresholdText(c: CheckResult): string {
  return `${c.comparator} ${fmt(c.threshold)} ${c.unit}`;
}

/** The one-line verdict the CLI prints last. */
export function verdictLine(r: GateReport): string {
  const n = (s: CheckStatus): number => r.checks.filter((c) => c.status === s).length;
  return (
    `GATE ${r.verdict}: stage ${r.stage}, batch ${r.batch} of ${r.batchCount}, agent ${r.agentVersion}: ` +
    `${n('pass')} passed, ${n('fail')} failed, ${n('inconclusive')} inconclusive`
  );
}

/** The short text for stdout: one line per check, then the verdict line. */
export function renderText(r: GateReport): string {
  const width = Math.max(...r.checks.map((c) => c.title.length));
  const lines = r.checks.map((c) => `${c.title.padEnd(width)}  ${STATUS[c.status].padEnd(12)}  ${c.summary}`);
  return [...lines, verdictLine(r)].join('\n');
}

/** The report as Markdown: summary first, then every check in full. */
export function renderMarkdown(r: GateReport): string {
  const out: string[] = [];
  out.push(`# Go/no-go gate: ${r.verdict}`, '');
  out.push(
    `Stage **${r.stage}**, batch **${r.batch}** of ${r.batchCount}, agent **${r.agentVersion}**; ` +
      `evaluated at ${r.evaluatedAt} against ${r.apiUrl} (from ${r.apiUrlSource}).${r.soft ? ' Soft mode: advisory, the command exits 0 whatever the verdict.' : ''}`,
    '',
    `Tool ${r.toolVersion}; configuration commit ${r.configCommit === null ? 'unknown (not a git checkout, and neither ROLLOUT_COMMIT nor GITHUB_SHA is set)' : `${r.configCommit.sha} (${r.configCommit.source})`}.`,
    '',
  );
  out.push('## Summary', '');
  out.push(`**${r.verdict}** (exit status ${r.exitCode}${r.soft ? ', 0 in soft mode' : ''}).`, '');
  if (r.reasons.length > 0) {
    for (const reason of r.reasons) out.push(`- ${reason}`);
    out.push('');
  }
  out.push('| # | check | result | observed | pass when | summary |', '| --- | --- | --- | --- | --- | --- |');
  r.checks.forEach((c, i) => {
    out.push(`| ${i + 1} | ${cell(c.title)} | ${STATUS[c.status]} | ${cell(observedText(c))} | ${cell(thresholdText(c))} | ${cell(c.summary)} |`);
  });
  out.push('');
  out.push('## Policy', '');
  const s = r.settings;
  out.push(
    `- soak time: ${fmt(s.soakHours)} h after the batch's deploy-start event`,
    `- coverage: at least ${fmt(s.requiredCoveragePercent, 6)}% of the batch's hosts (100 - ${fmt(s.maxFailedHostsPercent, 6)}% max failed) report agent ${r.agentVersion} through at least ${s.coverageMinPresencePercent}% of the last ${s.coverageWindowMinutes} minutes; only the batch's inventory hosts count, by name`,
    `- degradation: worse than the baseline by more than ${fmt(s.degradationThresholdPercent)}% is NO-GO; at least ${s.minDataPoints} data points per side; error-rate increases below ${s.errorRateFloorPercentagePoints} percentage points are not regressions`,
    `- baseline: ${s.baseline}`,
    '- monitors: any in Alert is NO-GO, muted or not (muted monitors are marked muted); none found, or any in No Data / Unknown / Skipped, is INCONCLUSIVE',
    '- decisions compare exact values (times in ms, decimals as sent); numbers here are rounded for display',
    '- verdict: any failed check is NO-GO; otherwise any inconclusive check (missing or sparse data, API failure) is INCONCLUSIVE; GO only when every check passed',
    '',
  );
  out.push('## Checks', '');
  r.checks.forEach((c, i) => {
    out.push(`### ${i + 1}. ${c.title}: ${STATUS[c.status]}`, '');
    out.push(c.summary, '');
    out.push(`- observed: ${observedText(c)}`, `- pass when: observed ${thresholdText(c)}`);
    out.push('');
    if (c.measurements.length > 0) {
      out.push('| query | window | value | points |', '| --- | --- | --- | --- |');
      for (const m of c.measurements) out.push(measurementRow(m));
      out.push('');
    }
    for (const d of c.details) out.push(`- ${d}`);
    if (c.details.length > 0) out.push('');
  });
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function measurementRow(m: Measurement): string {
  const value = m.value === null ? `no data${m.error ? ` (${m.error})` : ''}` : `${fmt(m.value, 9)} ${m.unit}`;
  return `| ${cell(m.label)}: \`${cell(m.query.replace(/`/g, "'"))}\` | ${fmtWindow(m.window)} | ${cell(value)} | ${m.points ?? ''} |`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
