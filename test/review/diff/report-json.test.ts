import { DiffReportError, parseDiffReport } from '../../../review/diff/report-json';

const minimal = { base: 'main (1234567)', head: 'working tree', highestRisk: null, totals: {}, summary: [], changes: [], timeline: {}, riskClasses: [] };

describe('parseDiffReport', () => {
  test('reads the fields the decision uses and ignores the rest', () => {
    expect(parseDiffReport(JSON.stringify(minimal))).toEqual({ base: 'main (1234567)', head: 'working tree', highestRisk: null, changes: [] });
  });

  test('keeps the state storage the risks were judged with (the plan summary judges with it too)', () => {
    const stateStorage = { buckets: ['acme-tfstate'], tables: ['acme-tflock'] };
    expect(parseDiffReport(JSON.stringify({ ...minimal, stateStorage })).stateStorage).toEqual(stateStorage);
  });

  test('keeps a change whole, attributes with their values', () => {
    const change = {
      stage: 'prod',
      stack: 'inventory',
      subject: 'var datadog_agent_version',
      kind: 'changed',
      risk: 'high',
      why: 'agent version',
      label: 'agent version',
      text: 'agent version 7.73.0 -> 7.72.0 on 38 hosts',
      attributes: [{ path: 'datadog_agent_version', before: '7.73.0', after: '7.72.0', text: 'x', risk: 'high', why: 'agent version' }],
    };
    expect(parseDiffReport(JSON.stringify({ ...minimal, highestRisk: 'high', changes: [change] })).changes).toEqual([change]);
  });

  test('refuses what is not JSON, or not the report, naming the problem', () => {
    expect(() => parseDiffReport('{"base":', 'diff.json')).toThrow(new DiffReportError('diff.json: not JSON: Unexpected end of JSON input'));
    expect(() => parseDiffReport(JSON.stringify({ ...minimal, changes: [{ stage: 'dev' }] }))).toThrow(
      /^diff report: not the output of rollout diff --format json: changes\.0\.stack: /,
    );
    expect(() => parseDiffReport(JSON.stringify({ ...minimal, highestRisk: 'severe' }))).toThrow(/highestRisk: /);
    expect(() => parseDiffReport('[]')).toThrow(/\(document\): /);
  });
});
