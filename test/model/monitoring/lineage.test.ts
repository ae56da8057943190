import { mustReplace } from '../../support/fixtures';
import { loadOk, problemLines, TEAM_FILE, withMonitor } from './fixtures';

const SECOND = `  - id: web-latency
    name: Web latency high
    type: metric
    query: avg(last_5m):avg:trace.http.request.duration{env:\${env},service:web} > 2
    thresholds: { critical: 2 }
    runbook: https://runbooks.example/web-latency
`;

describe('previousIds and importIds', () => {
  test('are read into the model', () => {
    const m = loadOk({
      'monitors/web.yaml': mustReplace(TEAM_FILE, '- id: web-errors', "- id: web-errors\n    previousIds: [web-5xx]\n    importIds: { prod: '123' }"),
    });
    expect(m.monitors[0]).toMatchObject({ id: 'web-errors', previousIds: ['web-5xx'], importIds: { prod: '123' } });
  });

  test('fails when a previous id is the live id of another definition, naming where', () => {
    const text = withMonitor(mustReplace(SECOND, '- id: web-latency', '- id: web-latency\n    previousIds: [web-errors]'));
    expect(problemLines({ 'monitors/web.yaml': text })).toEqual([
      'monitors/web.yaml:17 monitors.1.previousIds.0: got "web-errors", expected a monitor id no definition uses now (monitors/web.yaml:9 has it: rename that one, or drop it from previousIds)',
    ]);
  });

  test('fails when two definitions claim the same previous id', () => {
    const a = mustReplace(TEAM_FILE, '- id: web-errors', '- id: web-errors\n    previousIds: [web-old]');
    const text = `${a}${mustReplace(SECOND, '- id: web-latency', '- id: web-latency\n    previousIds: [web-old]')}`;
    expect(problemLines({ 'monitors/web.yaml': text })).toEqual([
      'monitors/web.yaml:18 monitors.1.previousIds.0: got "web-old", expected a previous monitor id of one definition only (monitors/web.yaml:9 lists it too)',
    ]);
  });

  test('fails when an id is reused by another definition', () => {
    const text = withMonitor(mustReplace(SECOND, '- id: web-latency', '- id: web-errors'));
    expect(problemLines({ 'monitors/web.yaml': text })).toEqual([
      expect.stringContaining('monitors.1.id: got "web-errors", expected a monitor id not used before'),
    ]);
  });

  test('fails when two definitions adopt one Datadog object in a stage, or the stage is unknown', () => {
    const a = mustReplace(TEAM_FILE, '- id: web-errors', "- id: web-errors\n    importIds: { prod: '42' }");
    const text = `${a}${mustReplace(SECOND, '- id: web-latency', "- id: web-latency\n    importIds: { prod: '42', staging: '43' }")}`;
    expect(problemLines({ 'monitors/web.yaml': text })).toEqual([
      'monitors/web.yaml:18 monitors.1.importIds.prod: got "42", expected a Datadog monitor adopted by one definition per stage (monitors/web.yaml:9 adopts it in prod)',
      'monitors/web.yaml:18 monitors.1.importIds.staging: got "staging", expected a stage of stacks/stages (dev, prod, test)',
    ]);
  });
});
