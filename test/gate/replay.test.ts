/**
 * Replay: answers recorded from the real Datadog API, served byte for byte by
 * the fake API (test/support/fake-datadog.ts) and read by the gate's client
 * and checks. Every fixture is in test/fixtures/datadog/, and
 * test/fixtures/datadog/SOURCES.md names its repository, path, commit and
 * license (DataDog/datadog-api-client-typescript, Apache-2.0; recorded
 * cassettes `cassettes/v1/.../recording.har`, response bodies copied out).
 * The v1 events list has no recording anywhere (features/v1/events.feature
 * marks it `@skip`), so its fixture is the OpenAPI spec's documented example.
 *
 * Each fixture is also broken on purpose (one field of the wrong shape, a
 * truncated body): the client must call that a bad response, naming the
 * endpoint, and never read it as "no data".
 */
import * as fs from 'fs';
import * as path from 'path';
import { coverageCheck, exactSeriesMean, monitorsCheck, seriesMean, soakCheck } from '../../gate/checks';
import { datadogApi, Deadline } from '../../gate/datadog-client';
import { planGate } from '../../gate/gate-plan';
import { makeEventCommand } from '../../cli/commands/event';
import { parseDowntimeCreated, parseDowntimeList } from '../../gate/downtimes';
import { exampleStage, mustReplace } from '../support/fixtures';
import { FakeDatadog, raw, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, COMMIT, KEYS_ENV, largeConfig, NOW } from './scenario';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'datadog');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

let fake: FakeDatadog;
const deadlines: Deadline[] = [];
beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
});
beforeEach(() => fake.reset());
afterAll(async () => {
  for (const d of deadlines) d.dispose();
  await fake.close();
});

function client() {
  const deadline = new Deadline(10_000);
  deadlines.push(deadline);
  return datadogApi(
    { apiUrl: fake.url, apiKey: API_KEY, appKey: APP_KEY },
    {
      requestTimeoutMs: 5000,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      random: () => 0.5,
      now: () => NOW,
      progress: () => undefined,
      deadline,
    },
  );
}

test('every fixture is listed in SOURCES.md with its source', () => {
  const sources = fixture('SOURCES.md');
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const f of files) expect(sources).toContain(`\`${f}\``);
  expect(sources).toContain('a6d174205b047bd01a9df066deae5d7fee9c436c');
  expect(fixture('NOTICE')).toContain('Datadog');
});

describe('GET /api/v1/monitor (recorded: Get-all-monitors-returns-OK-response-with-pagination, page 0 and page 1)', () => {
  // Source: DataDog/datadog-api-client-typescript cassettes/v1/Monitors_4022238206/Get-all-monitors-returns-OK-response-with-pagination_1138556425/recording.har
  test('the recorded monitors are read: id, name, state, tags, no mutes', async () => {
    fake.script('monitors', raw(fixture('v1-monitor-list-page0.json')));
    const page0 = await client().listMonitors(['environment:test']);
    expect(page0.map((m) => [m.id, m.state, m.mutes])).toEqual([
      [34822915, 'No Data', []],
      [34822916, 'No Data', []],
    ]);
    expect(page0[0].name).toBe('SLO Monitor: aws_alb_latency_p95 for splunk');
    expect(page0[0].tags).toContain('team:developer_insights');
    fake.script('monitors', raw(fixture('v1-monitor-list-page1.json')));
    expect((await client().listMonitors(['environment:test'])).map((m) => m.id)).toEqual([34822917]);
  });

  test('is INCONCLUSIVE when the recorded monitors are in No Data (missing data is never GO)', async () => {
    fake.script('monitors', raw(fixture('v1-monitor-list-page0.json')));
    const tags = ['environment:test', 'sli:latency'];
    const c = monitorsCheck('rollout-monitors', 'Rollout monitors', { tags, result: { ok: true, value: await client().listMonitors(tags) } }, NOW);
    expect(c.status).toBe('inconclusive');
    expect(c.summary).toBe('none in Alert, but 2 of 2 monitors cannot tell (34822915 No Data, 34822916 No Data)');
  });

  test.each([
    [
      'overall_state null',
      (b: string) =>
        mustReplace(
          b,
          '"overall_state":"No Data","creator":{"name":null,"handle":"frog@datadoghq.com","email":"frog@datadoghq.com","id":1445416},"matching_downtimes":[]}]',
          '"overall_state":null}]',
        ),
      '[1].overall_state: got null',
    ],
    [
      'the tags an object',
      (b: string) =>
        mustReplace(
          b,
          '"tags":["environment:test","generator:slops","release:e6a2686","sli:latency","slotype:alb"',
          '"tags":{"0":"environment:test"},"x":["generator:slops","release:e6a2686","sli:latency","slotype:alb"',
        ),
      '[0].tags: got an object, expected an array',
    ],
    ['cut short', (b: string) => b.slice(0, 700), 'malformed JSON'],
  ])('fails when the recorded monitor list has %s: a bad response naming the endpoint', async (_what, breakIt, problem) => {
    fake.script('monitors', raw(breakIt(fixture('v1-monitor-list-page0.json'))));
    await expect(client().listMonitors(['environment:test'])).rejects.toThrow(`GET /api/v1/monitor: bad response: ${problem}`);
  });
});

describe('GET /api/v1/monitor with downtimes (recorded: Get-a-monitor-s-details-with-downtime)', () => {
  // Source: DataDog/datadog-api-client-typescript cassettes/v1/Monitors_4022238206/Get-a-monitor-s-details-with-downtime-returns-OK-response_1158424129/recording.har
  // (GET /api/v1/monitor/{id}?with_downtimes=true; the list endpoint returns the same Monitor objects, so the body is served as a one-element list)
  const body = (): string => `[${fixture('v1-monitor-with-downtime.json')}]`;
  const during = Date.parse('2023-05-23T00:00:00Z'); // the downtime ran 2023-05-22T21:15:19Z .. 2023-05-29T21:15:19Z

  test('the recorded downtime and silence are read, and the monitor shows as muted while the downtime runs', async () => {
    fake.script('monitors', raw(body()));
    const monitors = await client().listMonitors(['env:ci']);
    expect(monitors[0].mutes).toEqual([
      { kind: 'downtime', id: 2942947856, scope: '*', startMs: 1684790119000, endMs: 1685394919000 },
      { kind: 'silenced', scope: '*', startMs: null, endMs: 1685394919000 },
    ]);
    const obs = { tags: ['env:ci'], result: { ok: true as const, value: monitors } };
    const c = monitorsCheck('rollout-monitors', 'Rollout monitors', obs, during);
    expect(c.details).toEqual([
      'monitor 119766008 "Test-Get_a_monitor_s_details_with_downtime_returns_OK_response-1684790119": No Data, muted (downtime 2942947856, scope *, until 2023-05-29T21:15:19.000Z)',
    ]);
    expect(c.summary).toMatch(/; muted: 119766008 "Test-Get_a_monitor_s_details_with_downtime_returns_OK_response-1684790119"$/);
    const after = monitorsCheck('rollout-monitors', 'Rollout monitors', obs, Date.parse('2023-06-01T00:00:00Z'));
    expect(after.details[0]).toMatch(/: No Data$/);
  });

  test('fails when the recorded downtime has no id: a bad response naming the endpoint', async () => {
    fake.script('monitors', raw(mustReplace(body(), '"matching_downtimes":[{"id":2942947856,', '"matching_downtimes":[{')));
    await expect(client().listMonitors(['env:ci'])).rejects.toThrow(
      'GET /api/v1/monitor: bad response: [0].matching_downtimes[0].id: got nothing, expected an integer',
    );
  });
});

describe('GET /api/v1/query (recorded: Query-timeseries-points-returns-OK-response)', () => {
  // Source: DataDog/datadog-api-client-typescript cassettes/v1/Metrics_2046978582/Query-timeseries-points-returns-OK-response_1049433794/recording.har
  test('the recorded series is read: 288 points at a 300 s interval, values exact', async () => {
    fake.script('query', raw(fixture('v1-query-timeseries.json')));
    const series = await client().queryMetric('system.cpu.idle{*}', { fromMs: 1641343852000, toMs: 1641430252000 });
    expect(series).toHaveLength(1);
    expect(series[0].tags).toEqual([]);
    expect(series[0].intervalMs).toBe(300_000);
    expect(series[0].points).toHaveLength(288);
    expect(series[0].points[0]).toEqual([1641344100000, 91.4583840476142]);
    const { mean, points } = seriesMean(series);
    expect(points).toBe(288);
    expect(mean).toBeGreaterThan(90);
    expect(exactSeriesMean(series).mean!.toNumber()).toBe(mean);
  });

  test('coverage ignores the recorded series: it has no host or version tag (no data, never a GO)', async () => {
    fake.script('query', raw(fixture('v1-query-timeseries.json')));
    const plan = planGate(exampleStage('test'), 1, NOW);
    const value = await client().queryMetric(plan.coverage.query, plan.coverage.window);
    expect(coverageCheck(plan, { query: plan.coverage, result: { ok: true, value } }).status).toBe('inconclusive');
  });

  test.each([
    ['the interval as text', (b: string) => mustReplace(b, '"interval":300', '"interval":"300"'), 'series[0].interval: got a string, expected seconds'],
    ['no pointlist', (b: string) => mustReplace(b, '"pointlist":', '"points":'), 'series[0].pointlist: got nothing, expected an array'],
    [
      'a point of three numbers',
      (b: string) => mustReplace(b, '[1641344100000,91.4583840476142]', '[1641344100000,91.4583840476142,1]'),
      'series[0].pointlist[0]: got 3 elements',
    ],
    ['cut short', (b: string) => b.slice(0, 5000), 'malformed JSON'],
  ])('fails when the recorded series has %s: a bad response naming the endpoint', async (_what, breakIt, problem) => {
    fake.script('query', raw(breakIt(fixture('v1-query-timeseries.json'))));
    await expect(client().queryMetric('system.cpu.idle{*}', { fromMs: 1641343852000, toMs: 1641430252000 })).rejects.toThrow(
      `GET /api/v1/query: bad response: ${problem}`,
    );
  });
});

describe('GET /api/v1/events (no recording exists: the OpenAPI spec example of /api/v1/events GET 200)', () => {
  // Source: DataDog/datadog-api-client-typescript .generator/schemas/v1/openapi.yaml, paths./api/v1/events.get.responses.200 example "default"
  test('the documented example is read: id from id_str, date in ms, tags', async () => {
    fake.script('events:list', raw(fixture('v1-events-list-spec-example.json')));
    const events = await client().listEvents(['environment:test'], { fromMs: 1674842000000, toMs: 1674843000000 });
    expect(events).toEqual([{ id: '123', title: 'Did you hear the news today?', happenedAtMs: 1674842440000, tags: ['environment:test'] }]);
    // and it is not a deploy-start event of ours: the soak time stays unknown
    const plan = planGate(exampleStage('test'), 1, NOW);
    expect(soakCheck(plan, { ok: true, value: events }).status).toBe('inconclusive');
  });

  test.each([
    ['events renamed', (b: string) => mustReplace(b, '{"events":', '{"event":'), 'events: got nothing, expected an array'],
    [
      'the date in ms as text',
      (b: string) => mustReplace(b, '"date_happened":1674842440', '"date_happened":"1674842440000"'),
      'events[0].date_happened: got a string',
    ],
    [
      'a tag that is a number',
      (b: string) => mustReplace(b, '"tags":["environment:test"]', '"tags":[7]'),
      'events[0].tags[0]: got an integer, expected a string',
    ],
  ])('fails when the documented example has %s: a bad response naming the endpoint', async (_what, breakIt, problem) => {
    fake.script('events:list', raw(breakIt(fixture('v1-events-list-spec-example.json'))));
    await expect(client().listEvents(['environment:test'], { fromMs: 1674842000000, toMs: 1674843000000 })).rejects.toThrow(
      `GET /api/v1/events: bad response: ${problem}`,
    );
  });
});

describe('POST /api/v1/events (recorded: Post-an-event-returns-OK-response, 202)', () => {
  // Source: DataDog/datadog-api-client-typescript cassettes/v1/Events_3416228/Post-an-event-returns-OK-response_1209415328/recording.har
  const post = (): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const cmd = makeEventCommand({ env: { ...KEYS_ENV }, now: () => NOW, random: () => 0.5 });
    const argv = ['--config', largeConfig().dir, '--api-url', fake.url, '--phase', 'start', '--stage', 'prod', '--batch', '1', '--commit', COMMIT];
    return Promise.resolve(cmd.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })).then((code) => ({
      code,
      out: out.join('\n'),
      err: err.join('\n'),
    }));
  };

  test('rollout event prints the id from id_str (the number id lost precision: 6327818702635911000)', async () => {
    fake.script('events:post', raw(fixture('v1-events-post-202.json'), 202));
    const r = await post();
    expect(r.code).toBe(0);
    expect(r.out).toBe(`posted start event 6327818702635911562: Datadog Agent 7.72.0 rollout started: prod batch 1 of 3 (commit ${COMMIT})`);
  });

  test('fails when the recorded answer has no event: exit 1, a bad response, nothing of the body printed', async () => {
    fake.script('events:post', raw(mustReplace(fixture('v1-events-post-202.json'), '"event":{', '"evt":{'), 202));
    const r = await post();
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'rollout event: the start event was not posted: POST /api/v1/events: bad response: event: got nothing, expected an object (Datadog answered, but not as its API documents: the event may have been recorded anyway)',
    );
    expect(r.out).toBe('');
    expect(`${r.out}${r.err}`).not.toContain('Test-Post_an_event');
  });
});

describe('recorded v2 downtime answers', () => {
  // Source: DataDog/datadog-api-client-typescript cassettes/v2/Downtimes_1733580485/Get-all-downtimes-returns-OK-response-with-pagination_3916578648/recording.har
  test('the recorded pages (2 + 1 of 3) are read in full: the next offset is what was read, whatever the page size', async () => {
    fake.script('downtimes:list', raw(fixture('v2-downtime-list-page0.json')), raw(fixture('v2-downtime-list-page1.json')));
    const all = await client().listDowntimes();
    expect(all.map((d) => d.id)).toEqual([
      'b4613732-f84d-11ed-a766-da7ad0900002',
      'f799770a-f918-11ed-8b48-da7ad0900002',
      '34953930-f9e3-11ed-85d4-da7ad0900002',
    ]);
    expect(all[0]).toEqual({
      id: 'b4613732-f84d-11ed-a766-da7ad0900002',
      scope: 'host:"java-hostsMuteErrorsTest-local-1684724813"',
      monitorTags: ['*'],
      status: 'active',
      message: null,
      startMs: Date.parse('2023-05-22T03:06:54.072Z'),
      endMs: null,
    });
    expect(fake.requestsTo('downtimes:list').map((r) => r.params['page[offset]'])).toEqual(['0', '2']);
    expect(fake.requestsTo('downtimes:list').every((r) => r.params.current_only === 'true' && r.appKeyOk)).toBe(true);
  });

  // Source: cassettes/v2/Downtimes_1733580485/Schedule-a-downtime-returns-OK-response_2989429594/recording.har
  test('the recorded creation answer is read: id, monitor tags, open end', () => {
    const d = parseDowntimeCreated(JSON.parse(fixture('v2-downtime-create-200.json')));
    expect(d).toMatchObject({ id: '85428b34-0187-11ee-bb05-da7ad0900002', monitorTags: ['cat:hat'], status: 'active', endMs: null, message: 'dark forest' });
  });

  // Source: cassettes/v2/Downtimes_1733580485/Cancel-a-downtime-returns-Downtime-not-found-response_547651317/recording.har
  test('the recorded 404 of a cancel reads as "gone", not as an error', async () => {
    fake.script('downtimes:cancel', raw(fixture('v2-downtime-cancel-404.json'), 404));
    await expect(client().cancelDowntime('00000000-0000-1234-0000-000000000000')).resolves.toBe('gone');
  });

  test('fails when a recorded answer is broken: a bad response naming the endpoint and the field, never "no downtimes"', async () => {
    const broken = mustReplace(
      fixture('v2-downtime-list-page1.json'),
      '"monitor_identifier":{"monitor_tags":["*"]}',
      '"monitor_identifier":{"monitor_tags":"*"}',
    );
    fake.script('downtimes:list', raw(broken));
    await expect(client().listDowntimes()).rejects.toThrow(
      'GET /api/v2/downtime: bad response: data[0].attributes.monitor_identifier.monitor_tags: got a string, expected an array',
    );
    fake.script('downtimes:list', raw(fixture('v2-downtime-list-page0.json').slice(0, 200)));
    await expect(client().listDowntimes()).rejects.toThrow(/GET \/api\/v2\/downtime: bad response: malformed JSON/);
    expect(() => parseDowntimeList({ data: [], meta: { page: { total_filtered_count: -1 } } })).toThrow(/total_filtered_count/);
  });
});
