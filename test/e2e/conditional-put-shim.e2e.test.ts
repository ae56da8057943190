/**
 * The conditional-PUT shim (test/support/conditional-put-shim.ts) in front of
 * s3rver: it must refuse a second `If-None-Match: *` PUT of a key the way S3
 * does (412 PreconditionFailed, S3's XML error), exactly once per key even
 * under concurrency, and pass every other request through unchanged and
 * streamed. The state-backend e2e suite relies on it for Terraform's
 * S3-native lock.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionalPutShim, startConditionalPutShim } from '../support/conditional-put-shim';
import { createBucket, deleteObject, Emulators, getObject, HttpResponse, objectUrl, putObject, signedRequest, startEmulators } from '../support/emulators';

const BUCKET = 'shim-test';
const LOCK_KEY = 'stages/dev/infra.tfstate.tflock';
const IF_NONE_MATCH = { 'If-None-Match': '*' };

/** The fields of an S3 XML error body. */
function s3Error(res: HttpResponse): Record<string, string> {
  const xml = res.body.toString('utf8');
  const inner = /<Error>([\s\S]*)<\/Error>/.exec(xml)?.[1] ?? '';
  return Object.fromEntries([...inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((m) => [m[1], m[2]]));
}

describe('conditional PUT shim in front of s3rver', () => {
  let emu: Emulators | undefined;
  let shim: ConditionalPutShim | undefined;

  beforeAll(async () => {
    emu = await startEmulators();
    shim = await startConditionalPutShim({ upstream: emu.s3Endpoint });
    await createBucket(emu.s3Endpoint, BUCKET);
  }, 30_000);

  afterAll(async () => {
    try {
      await shim?.stop();
    } finally {
      await emu?.stop();
    }
  }, 30_000);

  test('control: s3rver alone ignores If-None-Match on PUT, so the second "lock" would succeed (why the shim exists)', async () => {
    const key = 'control/state.tfstate.tflock';
    expect((await putObject(emu!.s3Endpoint, BUCKET, key, 'first', IF_NONE_MATCH)).status).toBe(200);
    expect((await putObject(emu!.s3Endpoint, BUCKET, key, 'second', IF_NONE_MATCH)).status).toBe(200);
    expect((await getObject(emu!.s3Endpoint, BUCKET, key))!.toString()).toBe('second');
  });

  test('creates the key when absent, then refuses it with 412 PreconditionFailed and S3 XML, leaving the object unchanged', async () => {
    const first = await putObject(shim!.endpoint, BUCKET, LOCK_KEY, '{"ID":"first"}', { ...IF_NONE_MATCH, 'Content-Type': 'application/json' });
    expect(first.status).toBe(200);
    const second = await putObject(shim!.endpoint, BUCKET, LOCK_KEY, '{"ID":"second"}', { ...IF_NONE_MATCH, 'Content-Type': 'application/json' });
    expect(second.status).toBe(412);
    expect(second.headers['content-type']).toBe('application/xml');
    expect(second.body.toString('utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>/);
    expect(s3Error(second)).toEqual({
      Code: 'PreconditionFailed',
      Message: 'At least one of the pre-conditions you specified did not hold',
      Condition: 'If-None-Match',
      RequestId: second.headers['x-amz-request-id'],
    });
    expect((await getObject(emu!.s3Endpoint, BUCKET, LOCK_KEY))!.toString()).toBe('{"ID":"first"}');
    expect(shim!.decisions.filter((d) => d.key === `/${BUCKET}/${LOCK_KEY}`).map((d) => d.outcome)).toEqual(['created', 'precondition-failed']);
  });

  test('after a DELETE (Terraform releasing its lock) the key can be created again', async () => {
    await deleteObject(shim!.endpoint, BUCKET, LOCK_KEY);
    expect(await getObject(emu!.s3Endpoint, BUCKET, LOCK_KEY)).toBeUndefined();
    expect((await putObject(shim!.endpoint, BUCKET, LOCK_KEY, '{"ID":"third"}', IF_NONE_MATCH)).status).toBe(200);
    expect((await putObject(shim!.endpoint, BUCKET, LOCK_KEY, '{"ID":"fourth"}', IF_NONE_MATCH)).status).toBe(412);
    await deleteObject(shim!.endpoint, BUCKET, LOCK_KEY);
  });

  test('of 24 concurrent conditional PUTs of one key exactly one wins, and the object is the winner’s; other keys are not held up', async () => {
    const key = 'race/state.tfstate.tflock';
    const bodies = Array.from({ length: 24 }, (_, i) => `{"ID":"racer-${i}"}`);
    const others = Array.from({ length: 6 }, (_, i) => putObject(shim!.endpoint, BUCKET, `race/other-${i}.tflock`, 'x', IF_NONE_MATCH));
    const results = await Promise.all(bodies.map((b) => putObject(shim!.endpoint, BUCKET, key, b, IF_NONE_MATCH)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(23);
    const winner = bodies[statuses.indexOf(200)];
    expect((await getObject(emu!.s3Endpoint, BUCKET, key))!.toString()).toBe(winner);
    expect((await Promise.all(others)).map((r) => r.status)).toEqual(Array(6).fill(200));
  });

  test('fails closed on conditions it does not implement: If-None-Match other than * and conditional POST answer 501', async () => {
    const etag = await putObject(shim!.endpoint, BUCKET, 'other/etag', 'x', { 'If-None-Match': '"0123abcd"' });
    expect(etag.status).toBe(501);
    expect(s3Error(etag).Code).toBe('NotImplemented');
    const post = await signedRequest('POST', `${objectUrl(shim!.endpoint, BUCKET, 'other/mpu')}?uploadId=1`, 's3', { headers: IF_NONE_MATCH, body: '<x/>' });
    expect(post.status).toBe(501);
    expect(await getObject(emu!.s3Endpoint, BUCKET, 'other/etag')).toBeUndefined();
  });

  test('passes reads, writes and errors of s3rver through unchanged', async () => {
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    expect((await putObject(shim!.endpoint, BUCKET, 'plain/blob.bin', body)).status).toBe(200);
    const direct = await signedRequest('GET', objectUrl(emu!.s3Endpoint, BUCKET, 'plain/blob.bin'), 's3');
    const viaShim = await signedRequest('GET', objectUrl(shim!.endpoint, BUCKET, 'plain/blob.bin'), 's3');
    expect(viaShim.status).toBe(200);
    expect(viaShim.body.equals(body)).toBe(true);
    expect(viaShim.headers.etag).toBe(direct.headers.etag);
    const range = await signedRequest('GET', objectUrl(shim!.endpoint, BUCKET, 'plain/blob.bin'), 's3', { headers: { Range: 'bytes=10-19' } });
    expect(range.status).toBe(206);
    expect(range.body.equals(body.subarray(10, 20))).toBe(true);
    const missing = await signedRequest('GET', objectUrl(shim!.endpoint, BUCKET, 'plain/missing'), 's3');
    expect(missing.status).toBe(404);
    expect(s3Error(missing).Code).toBe('NoSuchKey');
  });
});

describe('conditional PUT shim passes requests through byte for byte (against a recording upstream)', () => {
  interface Seen {
    method: string;
    url: string;
    rawHeaders: string[];
    body: Buffer;
  }
  let upstream: http.Server | undefined;
  let shim: ConditionalPutShim | undefined;
  const seen: Seen[] = [];
  /** Bytes of the body currently being received, for the streaming test. */
  let receiving = 0;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(404).end(); // every existence check: absent
        return;
      }
      const chunks: Buffer[] = [];
      receiving = 0;
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        receiving += c.length;
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
        res.writeHead(200, 'OK', ['ETag', '"abc"', 'X-Amz-Meta-Case', 'KeptAsIs', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
        res.write('part one, ');
        res.end('part two');
      });
    });
    await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve));
    shim = await startConditionalPutShim({ upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  }, 30_000);

  afterAll(async () => {
    await shim?.stop();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  }, 30_000);

  /** A raw request through the shim; `write` sends the body in steps. */
  function rawRequest(
    method: string,
    path: string,
    headers: string[],
    write: (req: http.ClientRequest) => Promise<void>,
  ): Promise<{ status: number; rawHeaders: string[]; body: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL(shim!.endpoint);
      const req = http.request({ hostname: url.hostname, port: url.port, method, path, headers: headers as unknown as http.OutgoingHttpHeaders, agent: false });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      write(req).catch(reject);
    });
  }

  test('an aws-chunked conditional upload arrives undecoded, with method, path, query and every header as sent', async () => {
    const chunked = Buffer.from('5;chunk-signature=' + 'a'.repeat(64) + '\r\nhello\r\n0;chunk-signature=' + 'b'.repeat(64) + '\r\n\r\n');
    const headers = [
      'Host',
      'bucket-host.example:1234',
      'Authorization',
      'AWS4-HMAC-SHA256 Credential=S3RVER/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
      'Content-Encoding',
      'aws-chunked',
      'X-Amz-Content-Sha256',
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'X-Amz-Decoded-Content-Length',
      '5',
      'If-None-Match',
      '*',
      'Content-Length',
      String(chunked.length),
      'X-Amz-Meta-Dup',
      'one',
      'X-Amz-Meta-Dup',
      'two',
    ];
    const res = await rawRequest('PUT', '/b/k%20ey.tflock?x-id=PutObject', headers, async (req) => {
      req.end(chunked);
    });
    expect(res.status).toBe(200);
    const got = seen[seen.length - 1];
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/b/k%20ey.tflock?x-id=PutObject');
    expect(got.body.equals(chunked)).toBe(true);
    // Every header as sent, in order, with its case; Node adds only Connection for the upstream hop.
    const pairs = (raw: string[]): string[] => raw.flatMap((v, i) => (i % 2 === 0 ? [`${v}: ${raw[i + 1]}`] : []));
    expect(pairs(got.rawHeaders).filter((h) => !/^connection:/i.test(h))).toEqual(pairs(headers));
    // The response: status, raw headers (case, duplicates) and the streamed body, unchanged.
    expect(pairs(res.rawHeaders)).toEqual(expect.arrayContaining(['ETag: "abc"', 'X-Amz-Meta-Case: KeptAsIs', 'Set-Cookie: a=1', 'Set-Cookie: b=2']));
    expect(res.body).toBe('part one, part two');
  });

  test('a chunked-transfer body is streamed: the upstream has the first part before the client sends the rest', async () => {
    const first = Buffer.alloc(64 * 1024, 1);
    const rest = Buffer.alloc(256 * 1024, 2);
    const res = await rawRequest('PUT', '/b/stream.bin', ['Host', 'x', 'Transfer-Encoding', 'chunked'], async (req) => {
      req.write(first);
      const deadline = Date.now() + 10_000;
      while (receiving < first.length) {
        if (Date.now() > deadline) throw new Error(`the upstream saw ${receiving} bytes, expected the first ${first.length} before the rest was sent`);
        await new Promise((r) => setTimeout(r, 10));
      }
      req.end(rest);
    });
    expect(res.status).toBe(200);
    expect(seen[seen.length - 1].body.equals(Buffer.concat([first, rest]))).toBe(true);
  });
});
