/**
 * The transport under the official client, against the fake Datadog API:
 * per-request timeout, retries, deadline, pagination, keys only in headers.
 */
import { datadogApi, Deadline, DatadogRequestError, redact, TransportOptions } from '../../gate/datadog-client';
import { FakeDatadog, HANG, serverError, startFakeDatadog } from '../support/fake-datadog';
import { API_KEY, APP_KEY, NOW } from './scenario';

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
  await expect(client.listMonitors(['env:prod'])).resolves.toEqual([{ id: 1, name: 'm', state: 'OK', tags: ['env:prod'] }]);
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
