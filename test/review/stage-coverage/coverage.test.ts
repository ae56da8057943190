/**
 * The stage coverage matrix on the example configuration and on copies of it
 * edited to break routing, add a stage-only definition and a new stage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../../cli/main';
import { loadConfig } from '../../../model/load-config';
import { coverageMatrix, CoverageReport, newStageProblem } from '../../../review/stage-coverage/coverage';
import { renderCoverageMarkdown } from '../../../review/stage-coverage/render';
import { exampleConfig, mustReplace, tempDir } from '../../support/fixtures';
import { exampleConfigFiles } from '../diff/git-repo';

/** A copy of the example configuration with `edits` (file -> change) applied. */
function configWith(edits: Record<string, (text: string) => string>): string {
  const dir = tempDir('rollout-coverage-');
  for (const [rel, text] of Object.entries(exampleConfigFiles())) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), edits[rel] ? edits[rel](text) : text);
  }
  return dir;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(''), err: err.join('\n') };
}

function matrixOf(dir: string, newStage?: string): CoverageReport {
  const c = loadConfig(dir);
  return coverageMatrix(
    c.monitoring,
    c.stages.map((s) => s.name),
    newStage,
  );
}

const STOREFRONT = 'monitors/storefront.yaml';
const PAYMENTS = 'monitors/payments.yaml';

describe('coverage matrix', () => {
  const config = exampleConfig();
  const stages = config.stages.map((s) => s.name);
  const report = coverageMatrix(config.monitoring, stages, 'staging');

  test('every definition is a row and every stage (and the new one) a column', () => {
    const m = config.monitoring;
    expect(report.rows.map((r) => `${r.kind} ${r.id}`)).toEqual([
      ...m.monitors.map((x) => `monitor ${x.id}`),
      ...m.slos.map((x) => `slo ${x.id}`),
      ...m.dashboards.map((x) => `dashboard ${x.id}`),
    ]);
    for (const r of report.rows) expect(Object.keys(r.cells).sort()).toEqual([...stages, 'staging'].sort());
    expect(report.counts.definitions).toBe(m.monitors.length + m.slos.length + m.dashboards.length);
  });

  test('a stage-disabled definition is disabled there and present in the new stage; a prod override names its fields', () => {
    const drop = report.rows.find((r) => r.id === 'web-traffic-drop');
    expect(drop?.cells.dev.state).toBe('disabled');
    expect(drop?.cells.test.state).toBe('disabled');
    expect(drop?.cells.prod).toMatchObject({ state: 'overridden', overrides: ['notify'] });
    expect(drop?.cells.staging.state).toBe('present');
    const ratio = report.rows.find((r) => r.id === 'api-error-ratio');
    expect(ratio?.cells.prod).toMatchObject({ state: 'overridden', overrides: ['notify', 'priority'], priority: 1, alert: ['@pagerduty-payments'] });
    expect(ratio?.cells.dev).toMatchObject({ state: 'overridden', overrides: ['thresholds'], alert: ['@slack-payments-alerts'] });
  });

  test('the example configuration has no paging monitor that routes nowhere', () => {
    expect(report.findings).toEqual([]);
    expect(renderCoverageMarkdown(report).split('\n')[2]).toMatch(/^\*\*OK\*\*: 19 definitions/);
  });

  test('fails when a paging monitor has no alert handle in a stage: the stage is named, with file and line', () => {
    const dir = configWith({
      [PAYMENTS]: (t) =>
        mustReplace(
          t,
          '      prod: { priority: 1 }\n      dev: { thresholds:',
          '      prod: { priority: 1 }\n      test: { notify: { alert: [], warning: [], noData: [] } }\n      dev: { thresholds:',
        ),
    });
    try {
      const r = matrixOf(dir);
      expect(r.findings).toEqual([expect.objectContaining({ id: 'api-error-ratio', stage: 'test', gap: 'routes-nowhere', newStage: false })]);
      expect(r.findings[0].source.file).toBe(PAYMENTS);
      const md = renderCoverageMarkdown(r);
      expect(md.split('\n')[2]).toMatch(/^\*\*1 paging monitor route nowhere\*\*/);
      expect(md).toContain('`api-error-ratio` in **test** (monitors/payments.yaml:');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a new stage's gaps: a definition enabled only per stage is absent, a monitor routed only per stage routes nowhere", () => {
    const dir = configWith({
      [STOREFRONT]: (t) =>
        mustReplace(
          t,
          '    stages:\n      # Synthetic traffic only: no pattern to learn.\n      dev: { enabled: false }\n      test: { enabled: false }\n',
          '    enabled: false\n    stages:\n      prod: { enabled: true }\n',
        ),
      // The payments file routes per stage only: no base routing.
      [PAYMENTS]: (t) =>
        mustReplace(
          t,
          "notify:\n  alert: ['@slack-payments-alerts']\n  warning: ['@slack-payments-alerts']\nstages:\n",
          "stages:\n  dev:\n    notify:\n      alert: ['@slack-payments-alerts']\n      warning: ['@slack-payments-alerts']\n  test:\n    notify:\n      alert: ['@slack-payments-alerts']\n      warning: ['@slack-payments-alerts']\n",
        ),
    });
    try {
      const r = matrixOf(dir, 'staging');
      expect(r.findings).toEqual([]);
      expect(r.newStageGaps.absent).toEqual(['monitor web-traffic-drop']);
      const routing = r.newStageGaps.routing.map((f) => f.id);
      expect(routing).toContain('api-error-ratio');
      expect(r.newStageGaps.routing.every((f) => f.stage === 'staging' && f.newStage)).toBe(true);
      expect(renderCoverageMarkdown(r)).toContain('- monitor web-traffic-drop: disabled by default, enabled only per stage; the new stage would not get it');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails when the new stage name is a configured stage or not a stage name', () => {
    expect(newStageProblem('prod', stages)).toMatch(/not already a stage/);
    expect(newStageProblem('Prod!', stages)).toMatch(/lower-case/);
    expect(newStageProblem('staging', stages)).toBeUndefined();
  });
});

describe('rollout coverage', () => {
  test('prints the Markdown report, summary first, and exits 0 on the example', async () => {
    const r = await cli(['coverage', '--config', path.resolve(__dirname, '../../..')]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('# Stage coverage');
    expect(r.out).toContain('| monitor `web-traffic-drop` (paging) | - | override (notify) | - | yes |');
    // The summary counts what the section under it lists: no gap, one definition overridden everywhere.
    expect(r.out).toContain('a new stage would have 0 gaps and 1 definition to check (base values used nowhere yet).');
    expect(r.out).toContain('- monitor checkout-5xx-ratio: overridden in every stage; the new stage would get its base values');
  });

  test('--format json is the report; exits 1 when a paging monitor routes nowhere', async () => {
    const dir = configWith({
      [PAYMENTS]: (t) =>
        mustReplace(t, '      prod: { priority: 1 }\n', '      prod: { priority: 1 }\n      test: { notify: { alert: [], warning: [], noData: [] } }\n'),
    });
    try {
      const r = await cli(['coverage', '--config', dir, '--format', 'json', '--new-stage', 'staging']);
      expect(r.code).toBe(1);
      const json = JSON.parse(r.out) as CoverageReport;
      expect(json.kind).toBe('observability-rollout/coverage');
      expect(json.newStage).toBe('staging');
      expect(json.findings.map((f) => `${f.id}@${f.stage}`)).toEqual(['api-error-ratio@test']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help prints the usage of coverage, drift and downtime, exit 0', async () => {
    for (const [cmd, first] of [
      ['coverage', 'Usage: rollout coverage [options]'],
      ['drift', 'Usage: rollout drift [options]'],
      ['downtime', 'Usage: rollout downtime [options] <schedule|cancel>'],
    ]) {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out.startsWith(first)).toBe(true);
    }
  });

  test('fails when --format or --new-stage is bad: one usage error, exit 2', async () => {
    const a = await cli(['coverage', '--format', 'yaml']);
    expect(a.code).toBe(2);
    expect(a.err).toBe('rollout coverage: --format: got "yaml", expected one of markdown, json');
    const b = await cli(['coverage', '--config', path.resolve(__dirname, '../../..'), '--new-stage', 'dev']);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^rollout coverage: --new-stage: got "dev", expected a name that is not already a stage/);
  });
});
