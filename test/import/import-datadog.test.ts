import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { importDatadog, ImportInput } from '../../import/import-datadog';
import { ConfigError, formatProblem } from '../../model/errors';
import { REPO } from '../support/fixtures';
import { load } from '../model/monitoring/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = path.join(REPO, 'test/fixtures/datadog');
const fixture = (rel: string): ImportInput => ({ file: rel, text: fs.readFileSync(path.join(FIXTURES, rel), 'utf8') });
const yamlOf = (text: string): Json => parse(text) as Json;

describe('importDatadog on real exported JSON', () => {
  const ic = ['nginx-5xx.json', 'postgres-percent_usage_connections.json', 'redisdb-error.json', 'nginx-NGINX-Metrics_dashboard.json'].map((f) =>
    fixture(`integrations-core/${f}`),
  );
  const res = importDatadog(ic, { stage: 'prod', team: 'platform-team' });
  const file = yamlOf(res.files['monitors/platform-team.yaml']);
  const byName = (n: string): Json => (file.monitors as Json[]).find((m) => (m.name as string).includes(n)) as Json;

  test('integrations-core recommended monitors and a dashboard become one team file and one normalized JSON file', () => {
    expect(Object.keys(res.files).sort()).toEqual(['monitors/dashboards/nginx-metrics.json', 'monitors/platform-team.yaml']);
    expect(res.counts).toEqual({ monitors: 3, slos: 0, dashboards: 1, skipped: 0 });
    expect(file.team).toBe('platform-team');
    expect(file.dashboards).toEqual([{ id: 'nginx-metrics', file: 'dashboards/nginx-metrics.json' }]);
    // Templates, not live objects: nothing to adopt (the id inside redisdb's definition is Datadog's own).
    expect(res.adopted).toBe(0);
    expect(JSON.stringify(file)).not.toContain('173301042');
  });

  test('an anomaly query alert keeps its windows, recovery threshold and require_full_window: false', () => {
    expect(byName('5xx Errors')).toEqual({
      id: 'nginx-5xx-errors-higher-than-usual',
      name: '[NGINX] 5xx Errors higher than usual',
      type: 'anomaly',
      query: expect.stringContaining("anomalies(avg:nginx.upstream.peers.responses.5xx{*} by {upstream}, 'basic', 2"),
      thresholds: { critical: 1, criticalRecovery: 0 },
      thresholdWindows: { trigger: '15m', recovery: '15m' },
      requireFullWindow: false,
      message: 'Number of 5xx errors on NGINX upstreams is at {{value}} which is higher than usual.',
      tags: { integration: 'nginx' },
    });
  });

  test('options become fields (evaluation_delay 300 -> 5m; renotify_interval "0" is off) and what has no field is reported', () => {
    expect(byName('Redis')).toMatchObject({ type: 'query', thresholds: { critical: 5 }, evaluationDelay: '5m' });
    expect(byName('Redis').renotify).toBeUndefined();
    expect(byName('Postgres').renotify).toBeUndefined();
    const notes = res.notes.map((n) => `${n.origin} ${n.field}: ${n.text}`);
    expect(notes).toContain(
      'integrations-core/redisdb-error.json options.avalanche_window: 20: team files have no field for it; not kept (the first apply removes it from the monitor)',
    );
    expect(notes.filter((n) => n.includes('postgres') && n.includes(' query: '))).toHaveLength(1);
  });

  test('the imported file gets one located report from validation: what to fix, file:line', () => {
    const { problems } = load(res.files as Record<string, string>);
    const lines = problems.map(formatProblem);
    // The postgres query puts its threshold before "by {host}": Datadog takes it, our query check does not.
    expect(lines).toEqual([expect.stringMatching(/^monitors\/platform-team\.yaml:\d+ monitors\.1\.query: got .*, expected a metric monitor query such as/)]);
  });

  test('recorded API answers: server-set fields dropped, env written back, tags split, Datadog ids adopted in the stage', () => {
    const page = fixture('v1-monitor-list-page0.json');
    const r = importDatadog([page], { stage: 'test' });
    const f = yamlOf(r.files['monitors/developer_insights.yaml']);
    expect(r.adopted).toBe(2);
    const m = (f.monitors as Json[])[0];
    expect(m.importIds).toEqual({ test: '34822915' });
    for (const k of ['org_id', 'created', 'modified', 'creator', 'overall_state', 'multi', 'matching_downtimes', 'options']) expect(m).not.toHaveProperty(k);
    expect(f.team).toBe('developer_insights');
    expect(m.tags).toMatchObject({ environment: 'test', sli: 'latency' });
  });
});

describe('importDatadog conversions', () => {
  const monitor = (over: Json = {}, options: Json = {}): Json => ({
    id: 1234567,
    name: '[prod] Checkout errors',
    type: 'query alert',
    query: 'sum(last_5m):sum:trace.http.request.errors{env:prod,service:checkout}.as_count() > 10',
    message:
      'Checkout is failing in prod.\n\nRunbook: https://runbooks.acme.example/checkout\nOwner: team payments, service checkout, stage prod\n\n{{#is_alert}}@pagerduty-payments{{/is_alert}}\n{{#is_alert_recovery}}@pagerduty-payments{{/is_alert_recovery}}\n{{#is_warning}}@slack-payments{{/is_warning}}',
    tags: ['env:prod', 'team:payments', 'service:checkout', 'managed-by:observability-rollout', 'tier:1', 'rollout_check:app-errors'],
    priority: 1,
    options: {
      thresholds: { critical: 10, warning: 5 },
      notify_no_data: true,
      no_data_timeframe: 10,
      renotify_interval: 60,
      renotify_statuses: ['alert'],
      ...options,
    },
    ...over,
  });
  const one = (m: Json, stage = 'prod'): Json => {
    const r = importDatadog([{ file: 'm.json', text: JSON.stringify(m) }], { stage });
    return (yamlOf(Object.values(r.files)[0]).monitors as Json[])[0];
  };

  test('a monitor we built reads back into the definition: ${env}, notify, runbook, owner, rollout check', () => {
    expect(one(monitor())).toEqual({
      id: 'checkout-errors',
      name: 'Checkout errors',
      type: 'query',
      query: 'sum(last_5m):sum:trace.http.request.errors{env:${env},service:checkout}.as_count() > 10',
      thresholds: { critical: 10, warning: 5 },
      noData: { notify: true, timeframe: '10m' },
      renotify: { interval: '1h', statuses: ['alert'] },
      priority: 1,
      service: 'checkout',
      runbook: 'https://runbooks.acme.example/checkout',
      message: 'Checkout is failing in prod.',
      tags: { tier: '1' },
      rolloutCheck: 'app-errors',
      // It notifies on missing data but routes it nowhere: kept so (the default would route it to the alert handles).
      notify: { alert: ['@pagerduty-payments'], warning: ['@slack-payments'], noData: [] },
      importIds: { prod: '1234567' },
    });
  });

  test("env is written back only where it is the stage's env tag", () => {
    const q = one(monitor({ query: 'sum(last_5m):sum:a{env:production,env:prod}.as_count() > 10' }), 'prod').query;
    expect(q).toBe('sum(last_5m):sum:a{env:production,env:${env}}.as_count() > 10');
  });

  test('a composite names the monitors of the same import by their new ids', () => {
    const a = monitor({ id: 11, name: 'A errors' });
    const b = monitor({ id: 12, name: 'B errors' });
    const c = monitor({ id: 13, name: 'A and B', type: 'composite', query: '11 && 12', options: {} });
    const r = importDatadog([{ file: 'all.json', text: JSON.stringify([a, b, c]) }], { stage: 'prod' });
    const ms = yamlOf(r.files['monitors/payments.yaml']).monitors as Json[];
    expect(ms.find((m) => m.type === 'composite')?.query).toBe('a-errors && b-errors');
  });

  test('fails when a file is not JSON: one error naming the file and the line, nothing converted', () => {
    const run = (): unknown =>
      importDatadog(
        [
          { file: 'ok.json', text: '[]' },
          { file: 'broken.json', text: '{\n  "name": "x",\n  oops\n}' },
        ],
        { stage: 'prod' },
      );
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/broken\.json:3: got invalid JSON/);
  });

  test('types without a team-file kind, list summaries and unknown objects are reported, not guessed', () => {
    const r = importDatadog(
      [
        { file: 'a.json', text: JSON.stringify(monitor({ type: 'slo alert', query: 'burn_rate("x").over("30d") > 14' })) },
        { file: 'b.json', text: JSON.stringify({ dashboards: [{ id: 'abc-def-ghi', title: 'x' }] }) },
        { file: 'c.json', text: JSON.stringify({ hello: 'world' }) },
      ],
      { stage: 'prod' },
    );
    expect(r.counts.monitors).toBe(0);
    expect(r.notes.map((n) => n.text)).toEqual([
      expect.stringContaining('a list of dashboard summaries'),
      'neither a monitor, an SLO nor a dashboard; skipped',
      expect.stringContaining('type "slo alert" has no team-file kind'),
    ]);
  });

  test('an SLO under `data` keeps its targets, drops our description lines, and turns burn-rate alerts off', () => {
    const slo = {
      id: 'abc0123456789def0123456789abcdef',
      name: '[prod] Checkout availability',
      type: 'metric',
      description:
        'Good requests.\nRunbook: https://runbooks.acme.example/slo\nOwner: team payments, service checkout, stage prod. Managed by observability-rollout (monitors/payments.yaml).',
      query: { numerator: 'sum:ok{env:prod}.as_count()', denominator: 'sum:all{env:prod}.as_count()' },
      thresholds: [{ timeframe: '30d', target: 99.9, warning: 99.95, target_display: '99.9' }],
      timeframe: '30d',
      target_threshold: 99.9,
      tags: ['env:prod', 'team:payments'],
      creator: { handle: 'x' },
      created_at: 1,
      modified_at: 2,
    };
    const r = importDatadog([{ file: 'slo.json', text: JSON.stringify({ data: slo }) }], { stage: 'prod' });
    expect((yamlOf(r.files['monitors/payments.yaml']).slos as Json[])[0]).toEqual({
      id: 'checkout-availability',
      name: 'Checkout availability',
      description: 'Good requests.',
      type: 'metric',
      numerator: 'sum:ok{env:${env}}.as_count()',
      denominator: 'sum:all{env:${env}}.as_count()',
      targets: [{ timeframe: '30d', target: 99.9, warning: 99.95 }],
      burnRate: { enabled: false },
      service: 'checkout',
      runbook: 'https://runbooks.acme.example/slo',
      importIds: { prod: 'abc0123456789def0123456789abcdef' },
    });
  });
});
