/**
 * Monitoring fixtures: small team files and a stage, loaded through the real
 * loader (no file system).
 */
import { formatProblem, Problem, sortProblems } from '../../../model/errors';
import { loadMonitoringFiles } from '../../../model/monitoring/load-monitoring';
import type { MonitoringConfig } from '../../../model/monitoring/types';
import { parseStage } from '../../../model/load-config';
import type { Stage } from '../../../model/stage';
import { minimalStageYaml, mustReplace } from '../../support/fixtures';

export const STAGES = ['dev', 'prod', 'test'];
export const KNOWN_TEAMS = ['payments', 'platform-team', 'storefront'];

/** A valid team file with one query monitor (storefront, web). */
export const TEAM_FILE = `team: storefront
service: web
tags:
  cost_center: cc-web
notify:
  alert: ['@pagerduty-storefront']
  warning: ['@slack-storefront-alerts']
monitors:
  - id: web-errors
    name: Web error ratio high
    type: query
    query: sum(last_5m):sum:trace.http.request.errors{env:\${env},service:web}.as_count() / sum:trace.http.request.hits{env:\${env},service:web}.as_count() > 0.05
    thresholds: { critical: 0.05, warning: 0.02 }
    runbook: https://runbooks.example/web-errors
    message: Web errors are at {{value}}.
`;

/** Monitor lines (indented for `monitors:`) to append to a team file. */
export function withMonitor(lines: string): string {
  return `${TEAM_FILE}${lines.replace(/^\n/, '')}`;
}

/** Load team files (`monitors/<name>`) and an optional policy; returns the model and problems. */
export function load(files: Record<string, string>, stages = STAGES): { monitoring: MonitoringConfig; problems: Problem[] } {
  return loadMonitoringFiles(files, { stages, knownTeams: KNOWN_TEAMS });
}

/** Load and require no problems. */
export function loadOk(files: Record<string, string>, stages = STAGES): MonitoringConfig {
  const { monitoring, problems } = load(files, stages);
  if (problems.length > 0) throw new Error(`unexpected problems:\n${problems.map(formatProblem).join('\n')}`);
  return monitoring;
}

/** Problems of loading `files`, sorted as a ConfigError lists them, formatted `file:line path: got X, expected Y`. */
export function problemLines(files: Record<string, string>, stages = STAGES): string[] {
  return sortProblems(load(files, stages).problems).map(formatProblem);
}

/** A stage (from the minimal stage file) with `hosts` web hosts of team storefront. */
export function stageWith(name = 'dev', hosts = 1): Stage {
  const lines = Array.from(
    { length: hosts },
    (_, i) => `  - { name: ${name}-web-${String(i + 1).padStart(2, '0')}, service: web, team: storefront, criticality: low, address: 10.0.0.${i + 1} }`,
  );
  const text = mustReplace(minimalStageYaml(name), /hosts:\n.*\n/, `hosts:\n${lines.join('\n')}\n`);
  const res = parseStage(`stacks/stages/${name}.yaml`, text);
  if (!res.stage) throw new Error(res.problems.map(formatProblem).join('\n'));
  return res.stage;
}
