/**
 * The drift report's Markdown: summary first, and values from Datadog inert
 * where the report is posted (the daily issue): no mention, link or markup
 * can come out of a monitor name or message.
 */
import { code, renderDriftMarkdown } from '../../drift/render';
import type { DriftReport } from '../../drift/run';

const report = (findings: DriftReport['findings']): DriftReport => ({
  kind: 'observability-rollout/drift-report',
  version: 2,
  stage: 'prod',
  drift: findings.length > 0,
  checkedAt: '2026-11-29T06:17:00.000Z',
  apiUrl: 'https://api.us5.datadoghq.com/',
  matchedBy: 'names',
  stateFile: null,
  toolVersion: 'observability-rollout 0.1.0',
  configCommit: null,
  counts: Object.fromEntries([...new Set(findings.map((f) => f.kind))].map((k) => [k, findings.filter((f) => f.kind === k).length])),
  findings,
  inSync: 46,
  declared: 47,
  liveRead: 50,
  objects: {
    monitor: { declared: 41, inSync: 40, liveRead: 44 },
    slo: { declared: 4, inSync: 4, liveRead: 4 },
    dashboard: { declared: 2, inSync: 2, liveRead: 2 },
  },
});

describe('drift report (Markdown)', () => {
  test('summary first: the verdict in the title, the counts in the first paragraph', () => {
    const md = renderDriftMarkdown(report([{ object: 'monitor', kind: 'lookalike', id: 7, name: '[prod] copy', why: 'named with the stage prefix "[prod]"' }]));
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Drift: prod: DRIFT');
    expect(lines[2]).toBe('**DRIFT in stage prod: 41 monitors, 4 SLOs, 2 dashboards declared, 46 in sync; 1 lookalike**');
    expect(renderDriftMarkdown(report([])).split('\n')[0]).toBe('# Drift: prod: NO DRIFT');
  });

  test('fails when a value could break out of its code span: the fence is longer than any backtick run inside', () => {
    expect(code('@team-payments')).toBe('`@team-payments`');
    expect(code('a `b` c')).toBe('``a `b` c``');
    expect(code('`x')).toBe('`` `x ``');
    const md = renderDriftMarkdown(
      report([
        {
          object: 'monitor',
          kind: 'changed',
          key: 'monitor-a',
          id: 1,
          name: 'n',
          fields: [{ field: 'message', declared: '{{#is_alert}}@pagerduty-payments{{/is_alert}}', live: 'ping ``@octocat`` [x](https://evil.example)' }],
        },
      ]),
    );
    expect(md).toContain('live ```ping ``@octocat`` [x](https://evil.example)```');
    expect(md).toContain('declared `{{#is_alert}}@pagerduty-payments{{/is_alert}}`');
  });

  test('SLO and dashboard findings name their object; a capped dashboard diff ends with the count of the rest', () => {
    const md = renderDriftMarkdown(
      report([
        { object: 'slo', kind: 'deleted', key: 'slo-web-availability', id: '5100abc', name: '[prod] Web availability' },
        { object: 'dashboard', kind: 'missing', key: 'rollout-dashboard', name: '[prod] Agent 7.72.0 rollout' },
        {
          object: 'dashboard',
          kind: 'changed',
          key: 'dashboard-payments-checkout',
          id: 'd00-drf-obj',
          name: '[prod] Payments: checkout',
          fields: [
            { field: 'widgets[0].definition.title', declared: 'Errors', live: 'Errors (edited)' },
            { field: '(3 more)', declared: '', live: '' },
          ],
        },
        { object: 'dashboard', kind: 'orphaned', id: 'zz1-clo-ned', name: '[prod] copy', inState: false },
      ]),
    );
    expect(md).toContain('- `slo-web-availability` SLO 5100abc `[prod] Web availability`: in the state, gone from Datadog');
    expect(md).toContain('- `rollout-dashboard` `[prod] Agent 7.72.0 rollout`: no managed dashboard of this name');
    expect(md).toContain(
      '- `dashboard-payments-checkout` dashboard d00-drf-obj `[prod] Payments: checkout`:\n  - widgets[0].definition.title: declared `Errors`, live `Errors (edited)`\n  - (3 more)\n',
    );
    expect(md).toContain('- dashboard zz1-clo-ned `[prod] copy`: carries the managed-by note and the stage prefix but no definition declares it');
  });
});
