/**
 * The transport under the official client, against the fake Datadog API:
 * per-request timeout, retries, deadline, pagination, keys only in headers;
 * no redirects followed; answers that are not what the API promises are bad
 * responses naming the endpoint.
 */
import { datadogApi, Deadline, DatadogRequestError, MAX_EVENT_PAGES, redact, TransportOptions } from '../../gate/datadog-client';
import { Behaviour, FakeDatadog, HANG, raw, redirect, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, HOUR, NOW } from './scenario';

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

function api(opts: Partial<TransportOptions> & { deadlineMs?: number } = {}, keys = { apiKey: API_KEY, appKey: APP_KEY }) {
  const progress: string[] = [];
  const deadline = new Deadline(opts.deadlineMs ?? 10_000);
  deadlines.push(deadline);
  const client = datadogApi(
    { apiUrl: fake.url, ...keys },
    {
      requestTimeoutMs: 5000,
      retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
      random: () => 0.5,
      now: () => NOW,
      progress: (l) => progress.push(l),
      deadline,
      ...opts,
    },
  );
  return { client, progress };
}

test('every request has a timeout: a response that never comes is retried', async () => {
  fake.monitors = [{ id: 1, name: 'm', tags: ['env:prod'], overall_state: 'OK' }];
  fake.script('monitors', HANG);
  const { client, progress } = api({ requestTimeoutMs: 300 });
  const t0 = performance.now();
  await expect(client.listMonitors(['env:prod'])).resolves.toEqual([{ id: 1, name: 'm', state: 'OK', tags: ['env:prod'], mutes: [] }]);
  expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  expect(progress).toEqual(['GET /api/v1/monitor: no answer within the request timeout of 300 ms, backoff; retrying in 15 ms (attempt 2 of 4)']);
  expect(fake.requestsTo('monitors').map((r) => r.answered)).toEqual(['hang', 200]);
});

test('fails when the deadline is reached, whatever the request timeout', async () => {
  fake.always('query', HANG);
  const { client } = api({ deadlineMs: 300 });
  const t0 = performance.now();
  await expect(client.queryMetric('avg:x{*}', { fromMs: NOW - 60_000, toMs: NOW })).rejects.toThrow(
    new DatadogRequestError('GET /api/v1/query: the deadline of 300 ms was reached'),
  );
  expect(performance.now() - t0).toBeLessThan(1000);
});

test('fails after the attempts are used up on 5xx', async () => {
  fake.always('events:list', serverError(502));
  const { client, progress } = api();
  await expect(client.listEvents(['env:prod'], { fromMs: NOW - 60_000, toMs: NOW })).rejects.toThrow(
    'GET /api/v1/events: HTTP 502 after 4 attempts: Internal Server Error',
  );
  expect(progress).toHaveLength(3);
  expect(fake.requestsTo('events:list')).toHaveLength(4);
});

test('keys go in the headers; a key echoed in an error body is redacted', async () => {
  fake.script('query', { kind: 'status', status: 400, body: { errors: [`invalid query for key ${API_KEY}`] } });
  const { client } = api();
  const err = await client.queryMetric('avg:x{*}', { fromMs: NOW - 60_000, toMs: NOW }).catch((e: Error) => e);
  expect((err as Error).message).toBe('GET /api/v1/query: HTTP 400 (not retried): invalid query for key [redacted]');
  expect(fake.requests[0]).toEqual(expect.objectContaining({ apiKeyOk: true, appKeyOk: true }));
  expect(redact(`a ${APP_KEY} b`, [API_KEY, APP_KEY])).toBe('a [redacted] b');
});

test('monitors are read page by page (page_size 1000)', async () => {
  fake.monitors = Array.from({ length: 1500 }, (_, i) => ({ id: i + 1, name: `m${i}`, tags: ['env:prod', 'rollout_batch:1'], overall_state: 'OK' }));
  const { client } = api();
  const ms = await client.listMonitors(['env:prod', 'rollout_batch:1']);
  expect(ms).toHaveLength(1500);
  expect(fake.requestsTo('monitors').map((r) => [r.params.page, r.params.page_size, r.params.monitor_tags])).toEqual([
    ['0', '1000', 'env:prod,rollout_batch:1'],
    ['1', '1000', 'env:prod,rollout_batch:1'],
  ]);
});

test('timeseries: points with gaps come back as null, tags from tag_set', async () => {
  fake.metrics.set('avg:x{*} by {host}', [{ tags: ['host:a'], value: (t) => (t % 40 === 0 ? null : 2) }]);
  const { client } = api();
  const series = await client.queryMetric('avg:x{*} by {host}', { fromMs: NOW - 600_000, toMs: NOW });
  expect(series).toHaveLength(1);
  expect(series[0].tags).toEqual(['host:a']);
  expect(series[0].points.length).toBe(31);
  expect(series[0].points.some(([, v]) => v === null)).toBe(true);
  expect(series[0].points.some(([, v]) => v === 2)).toBe(true);
});

describe('fails closed for real', () => {
  test('fails when the API answers with a redirect: it is not followed, and the keys never reach the other origin', async () => {
    const elsewhere = await startFakeDatadog({ apiKey: API_KEY, appKey: APP_KEY });
    try {
      for (const status of [301, 302, 307, 308]) {
        fake.reset();
        fake.always('monitors', redirect(`${elsewhere.url}api/v1/monitor?monitor_tags=env:prod`, status));
        const { client, progress } = api();
        await expect(client.listMonitors(['env:prod'])).rejects.toThrow(
          new DatadogRequestError(
            `GET /api/v1/monitor: HTTP ${status} is a redirect, which is never followed (the keys go to ${fake.url.replace(/\/$/, '')} only; check --api-url / DD_SITE)`,
          ),
        );
        expect(fake.requestsTo('monitors')).toHaveLength(1); // not retried either
        expect(progress).toEqual([]);
      }
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  test.each([
    [
      'an HTML page',
      raw('<!doctype html><html><body>Service Unavailable</body></html>', 200, 'text/html; charset=utf-8'),
      'expected application/json, got text/html',
    ],
    ['malformed JSON', raw('{"status":"ok","series":[{"pointlist":[[1,2]', 200), 'malformed JSON'],
    ['no content type', { kind: 'raw', body: '{"status":"ok","series":[]}', contentType: '' } as const, 'expected application/json, got no content type'],
    ['series missing', raw('{"status":"ok"}'), 'series: got nothing, expected an array'],
    ['series not an array', raw('{"status":"ok","series":{"a":1}}'), 'series: got an object, expected an array'],
    [
      'a point not a pair',
      raw('{"status":"ok","series":[{"pointlist":[[1641344100000]]}]}'),
      'series[0].pointlist[0]: got 1 elements, expected [timestamp, value]',
    ],
    [
      'a value as text',
      raw('{"status":"ok","series":[{"pointlist":[[1641344100000,"1"]]}]}'),
      'series[0].pointlist[0][1]: got a string, expected a number or null',
    ],
    ['tags not strings', raw('{"status":"ok","series":[{"pointlist":[],"tag_set":[1]}]}'), 'series[0].tag_set[0]: got an integer, expected a string'],
    ['an unknown status', raw('{"status":"partial","series":[]}'), 'status: got "partial", expected "ok"'],
    ['200 replaced by 204', raw('', 204), 'HTTP 204, expected 200'],
  ])('fails when the timeseries answer is %s: a bad response naming the endpoint, not "no data"', async (_what, behaviour, problem) => {
    fake.script('query', behaviour as Behaviour);
    const { client } = api();
    const e = (await client.queryMetric('avg:x{*}', { fromMs: NOW - 60_000, toMs: NOW }).catch((x: Error) => x)) as Error;
    expect(e).toBeInstanceOf(DatadogRequestError);
    expect(e.message.startsWith(`GET /api/v1/query: bad response: ${problem}`)).toBe(true);
    expect(fake.requestsTo('query')).toHaveLength(1); // a bad 2xx answer is not retried
  });

  test('a bad response shows a cleaned excerpt of what came back: no keys, no terminal escapes', async () => {
    fake.script('query', raw(`<html>\u001b[2J\u001b]0;owned\u0007 ${API_KEY} ${'ab'.repeat(16)}</html>`, 200, 'text/html'));
    const { client } = api();
    const e = (await client.queryMetric('avg:x{*}', { fromMs: NOW - 60_000, toMs: NOW }).catch((x: Error) => x)) as Error;
    expect(e.message).toBe('GET /api/v1/query: bad response: expected application/json, got text/html: "<html> [redacted] [redacted]</html>"');
  });

  test('fails when a query is refused in a 200 (status "error"): the query failed, its text cleaned', async () => {
    fake.script('query', raw(`{"status":"error","error":"Error parsing query: \\u001b[31m${API_KEY}","series":[]}`));
    const { client } = api();
    await expect(client.queryMetric('avg:x{*}', { fromMs: NOW - 60_000, toMs: NOW })).rejects.toThrow(
      'GET /api/v1/query: query failed: Error parsing query: [redacted]',
    );
  });

  test.each([
    ['not an array', '{"monitors":[]}', 'the body: got an object, expected an array'],
    ['an id as text', '[{"id":"1","name":"m","overall_state":"OK","tags":[]}]', '[0].id: got a string, expected an integer'],
    ['no state', '[{"id":1,"name":"m","tags":[]}]', '[0].overall_state: got nothing, expected a monitor state such as "OK"'],
    ['downtimes not a list', '[{"id":1,"name":"m","overall_state":"OK","matching_downtimes":{}}]', '[0].matching_downtimes: got an object, expected an array'],
  ])('fails when the monitor list is %s: a bad response naming the endpoint', async (_what, body, problem) => {
    fake.script('monitors', raw(body));
    const { client } = api();
    await expect(client.listMonitors(['env:prod'])).rejects.toThrow(`GET /api/v1/monitor: bad response: ${problem}`);
  });

  test.each([
    ['no events list', '{"status":"ok"}', 'events: got nothing, expected an array'],
    [
      'a date as text',
      '{"events":[{"id":1,"id_str":"1","date_happened":"yesterday","tags":[]}]}',
      'events[0].date_happened: got a string, expected POSIX seconds',
    ],
    ['an id that is not digits', '{"events":[{"id_str":"1; rm -rf","date_happened":1,"tags":[]}]}', 'events[0].id_str: got a string, expected a decimal id'],
  ])('fails when the event list has %s: a bad response naming the endpoint', async (_what, body, problem) => {
    fake.script('events:list', raw(body));
    const { client } = api();
    await expect(client.listEvents(['env:prod'], { fromMs: NOW - 60_000, toMs: NOW })).rejects.toThrow(`GET /api/v1/events: bad response: ${problem}`);
  });

  test('events are read page by page (unaggregated, 1000 a page) until a page is not full', async () => {
    fake.events = Array.from({ length: 2500 }, (_, i) => ({ id: i + 1, title: `e${i}`, text: 'x', date_happened: NOW / 1000 - i, tags: ['env:prod'] }));
    const { client } = api();
    const events = await client.listEvents(['env:prod'], { fromMs: NOW - 3 * HOUR, toMs: NOW });
    expect(events).toHaveLength(2500);
    expect(fake.requestsTo('events:list').map((r) => [r.params.page, r.params.unaggregated, r.params.tags])).toEqual([
      ['0', 'true', 'env:prod'],
      ['1', 'true', 'env:prod'],
      ['2', 'true', 'env:prod'],
    ]);
  });

  test(`fails when more than ${MAX_EVENT_PAGES} pages of events match: not all could be read`, async () => {
    const n = MAX_EVENT_PAGES * 1000 + 1;
    fake.events = Array.from({ length: n }, (_, i) => ({ id: i + 1, title: 'e', text: 'x', date_happened: NOW / 1000 - i, tags: ['env:prod'] }));
    const { client } = api();
    await expect(client.listEvents(['env:prod'], { fromMs: NOW - 24 * HOUR, toMs: NOW })).rejects.toThrow(
      `GET /api/v1/events: more than ${MAX_EVENT_PAGES * 1000} events match env:prod in the window; not all could be read, so the latest deploy start is not known`,
    );
    expect(fake.requestsTo('events:list')).toHaveLength(MAX_EVENT_PAGES);
  });

  test('fails when the API ignores the page parameter (the same page again): the events cannot all be read', async () => {
    const page = JSON.stringify({
      status: 'ok',
      events: Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, id_str: String(i + 1), title: 'e', date_happened: NOW / 1000 - i, tags: ['env:prod'] })),
    });
    fake.always('events:list', raw(page));
    const { client } = api();
    await expect(client.listEvents(['env:prod'], { fromMs: NOW - HOUR, toMs: NOW })).rejects.toThrow(
      'GET /api/v1/events: bad response: page 1 repeats events of earlier pages; the events cannot all be read',
    );
  });

  test('monitors are asked with their downtimes (with_downtimes=true), and both kinds of mute are read', async () => {
    fake.monitors = [
      {
        id: 7,
        name: 'm',
        tags: ['env:prod'],
        overall_state: 'OK',
        downtimes: [{ id: 99, start: NOW / 1000 - 60, end: null, scope: ['env:prod'] }],
        silenced: { 'host:a': NOW / 1000 + 60 },
      },
    ];
    const { client } = api();
    const [m] = await client.listMonitors(['env:prod']);
    expect(fake.requestsTo('monitors')[0].params.with_downtimes).toBe('true');
    expect(m.mutes).toEqual([
      { kind: 'downtime', id: 99, scope: 'env:prod', startMs: NOW - 60_000, endMs: null },
      { kind: 'silenced', scope: 'host:a', startMs: null, endMs: NOW + 60_000 },
    ]);
  });
});
