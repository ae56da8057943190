import { deploymentEvent } from '../../gate/events';
import { planGate } from '../../gate/gate-plan';
import { renderJson, renderMarkdown, renderText, verdictLine } from '../../gate/gate-report';
import { runGate } from '../../gate/run';
import type { GateApi } from '../../gate/datadog-client';
import type { Series } from '../../gate/types';
import { deploymentEventTags } from '../../model/signals';
import { exampleStage } from '../support/fixtures';
import { HOUR, NOW } from './scenario';

const stage = exampleStage('test');

/** A GateApi stub: healthy data, with a hook to break one call. */
function stubApi(overrides: Partial<GateApi> = {}): GateApi & { calls: string[] } {
  const calls: string[] = [];
  const hosts = planGate(stage, 2, NOW).batchHosts;
  const flat = (v: number): Series[] => [{ tags: [], points: Array.from({ length: 30 }, (_, i) => [NOW - i * 60_000, v] as const) }];
  return {
    calls,
    listEvents: async (tags) => {
      calls.push(`events ${tags.join(',')}`);
      return [{ id: '9', title: 'start', happenedAtMs: NOW - 49 * HOUR, tags: deploymentEventTags('test', 2, 'start', '7.72.0', 'abc1234') }];
    },
    queryMetric: async (query) => {
      calls.push(`query ${query}`);
      if (query.startsWith('sum:datadog.agent.running')) {
        // one point a minute through the 10-minute coverage window
        return hosts.map((h) => ({ tags: [`host:${h}`, 'version:7.72.0'], points: Array.from({ length: 11 }, (_, i) => [NOW - i * 60_000, 1] as const) }));
      }
      return flat(query.includes('.duration') ? 0.2 : 0.01);
    },
    listMonitors: async (tags) => {
      calls.push(`monitors ${tags.join(',')}`);
      return [{ id: 1, name: 'm | pipe', state: 'OK', tags: [...tags] }];
    },
    listDowntimes: async () => {
      calls.push('downtimes');
      return [];
    },
    ...overrides,
  };
}

const PROVENANCE = {
  apiUrl: 'https://api.us5.datadoghq.com/',
  apiUrlSource: 'stage test datadog.apiUrl',
  toolVersion: 'observability-rollout 0.1.0',
  configCommit: { sha: '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345', source: 'GITHUB_SHA' },
};
const run = (api: GateApi, soft = false) => runGate(stage, 2, { api, nowMs: NOW, progress: () => undefined, provenance: PROVENANCE, soft });

describe('runGate (stub API, no HTTP)', () => {
  test('asks for everything once and answers GO on healthy data', async () => {
    const api = stubApi();
    const r = await run(api);
    expect(r.verdict).toBe('GO');
    expect(api.calls).toHaveLength(1 + 1 + 3 + 4 + 1); // events, agents, 3 monitor searches, 4 comparisons, downtimes
  });

  test('fails closed when a call throws: that check is inconclusive, the others still decide', async () => {
    const r = await run(
      stubApi({
        listMonitors: async (tags) => {
          if (tags.includes('rollout_check:security')) throw new Error('GET /api/v1/monitor: HTTP 500 after 5 attempts');
          return [{ id: 1, name: 'm', state: 'OK', tags: [...tags] }];
        },
      }),
    );
    expect(r.verdict).toBe('INCONCLUSIVE');
    expect(r.reasons).toEqual(['Security-signal monitors: inconclusive: could not read the monitors: GET /api/v1/monitor: HTTP 500 after 5 attempts']);
  });
});

describe('report rendering', () => {
  test('Markdown: the verdict and summary first, then every check with its queries, windows and numbers', async () => {
    const r = await run(stubApi());
    const md = renderMarkdown(r);
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Go/no-go gate: GO');
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Policy'));
    expect(md.indexOf('## Policy')).toBeLessThan(md.indexOf('## Checks'));
    expect(md).toContain('| 2 | Coverage | PASS | 100 % | >= 99 % |');
    expect(md).toContain(
      '`sum:datadog.agent.running{env:test AND rollout_batch:2} by {host,version}` | 2025-06-02T11:50:00.000Z .. 2025-06-02T12:00:00.000Z | 2 hosts | 22 |',
    );
    // where the data came from, and what produced the report
    expect(lines[2]).toBe(
      'Stage **test**, batch **2** of 3, agent **7.72.0**; evaluated at 2025-06-02T12:00:00.000Z against https://api.us5.datadoghq.com/ (from stage test datadog.apiUrl).',
    );
    expect(lines[4]).toBe('Tool observability-rollout 0.1.0; configuration commit 3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345 (GITHUB_SHA).');
    expect(md).toContain(
      '`sum:trace.http.request.duration{env:test AND (rollout_batch:3)} by {service}.rollup(sum) / sum:trace.http.request.hits{env:test AND (rollout_batch:3)} by {service}.as_count()` | ' +
        '2025-05-31T12:00:00.000Z .. 2025-06-02T12:00:00.000Z | 0.2 s | 30 |',
    );
    expect(md).toContain('- monitor 1 "m | pipe": OK'); // details are list items, not table cells
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/\n\n\n/);
  });

  test('JSON: the whole record, stable, parseable', async () => {
    const r = await run(stubApi());
    const text = renderJson(r);
    expect(JSON.parse(text)).toEqual(r);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'kind',
      'version',
      'verdict',
      'exitCode',
      'soft',
      'stage',
      'batch',
      'batchCount',
      'agentVersion',
      'evaluatedAt',
      'apiUrl',
      'apiUrlSource',
      'toolVersion',
      'configCommit',
      'reasons',
      'settings',
      'checks',
    ]);
    expect(renderJson(await run(stubApi()))).toBe(text);
  });

  test('text: one line per check, the verdict line last', async () => {
    const r = await run(stubApi());
    const lines = renderText(r).split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[8]).toBe(verdictLine(r));
    expect(lines[8]).toBe('GATE GO: stage test, batch 2 of 3, agent 7.72.0: 8 passed, 0 failed, 0 inconclusive');
  });
});

describe('deployment events', () => {
  test('carry stage, batch, phase, version and commit as tags, dated by the clock', () => {
    const e = deploymentEvent({ stage: 'prod', batch: 2, batchCount: 3, hostCount: 13, phase: 'end', version: '7.72.0', commit: 'abc1234', nowMs: NOW });
    expect(e).toEqual({
      title: 'Datadog Agent 7.72.0 rollout finished: prod batch 2 of 3',
      text: 'Deployment end of the Datadog Agent 7.72.0 to batch 2 of 3 of stage prod (13 hosts).\nCommit: abc1234.\nPosted by observability-rollout (rollout event).',
      tags: ['env:prod', 'rollout_batch:2', 'rollout_phase:end', 'agent_version:7.72.0', 'git.commit.sha:abc1234', 'managed-by:observability-rollout'],
      happenedAtMs: NOW,
      alertType: 'success',
      aggregationKey: 'observability-rollout:prod:2:7.72.0',
    });
  });
});
