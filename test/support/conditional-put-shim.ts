/**
 * An HTTP shim in front of an S3 emulator that enforces conditional writes.
 *
 * Terraform's S3-native state lock (`use_lockfile`, Terraform >= 1.10) is a
 * PutObject of `<key>.tflock` with `If-None-Match: *`: S3 creates the object
 * only if no object has the key, and answers 412 Precondition Failed
 * otherwise (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 * s3rver ignores that header on PUT, so against s3rver alone a second
 * concurrent apply "takes" the lock too. This shim implements it:
 *
 *  - PUT with `If-None-Match: *`: under a per-key mutex (so check-then-put is
 *    atomic among the requests through this shim), a signed HEAD of the key
 *    upstream; when the object exists, 412 with S3's XML error body; when it
 *    does not, the PUT is forwarded and the mutex is held until its response
 *    has ended (so the next conditional PUT sees the object).
 *  - Other writes of an object key (PUT, DELETE) take the same mutex, so they
 *    never interleave with a check and its PUT.
 *  - `If-None-Match` with any other value than `*`, or on POST
 *    (CompleteMultipartUpload), is answered 501 NotImplemented: fail closed
 *    rather than silently ignore a condition.
 *  - Everything else is passed through unchanged and streamed both ways:
 *    method, path and query, raw headers (case, order, duplicates; `Host`
 *    and `Authorization` included), bodies byte for byte (aws-chunked
 *    uploads too: the shim never decodes a body), status and raw response
 *    headers. Only `Expect` is not forwarded: Node's server already answered
 *    `100 Continue` to the client.
 *
 * Listens on 127.0.0.1 on a random port. Path-style requests only (the
 * Terraform backend tests set `use_path_style`).
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedRequest } from './emulators';

const LOOPBACK = '127.0.0.1';

/** What the shim decided for one conditional PUT (for assertions). */
export interface ConditionalPutDecision {
  /** Decoded `/bucket/key`. */
  readonly key: string;
  readonly outcome: 'created' | 'precondition-failed' | 'check-failed';
  /** HTTP status the client got. */
  readonly status: number;
}

export interface ConditionalPutShim {
  /** e.g. http://127.0.0.1:41236; use it as the S3 endpoint (path-style). */
  readonly endpoint: string;
  /** Every conditional PUT, in the order decided. */
  readonly decisions: readonly ConditionalPutDecision[];
  /** Idempotent: closes the server and every connection, then the upstream agent. */
  stop(): Promise<void>;
}

export interface ConditionalPutShimOptions {
  /** Upstream S3 endpoint, e.g. s3rver's http://127.0.0.1:41234. */
  readonly upstream: string;
}

export async function startConditionalPutShim(opts: ConditionalPutShimOptions): Promise<ConditionalPutShim> {
  const upstream = new URL(opts.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`conditional PUT shim: upstream ${opts.upstream} is not http://`);
  const agent = new http.Agent({ keepAlive: true });
  const decisions: ConditionalPutDecision[] = [];
  const mutex = new KeyedMutex();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendS3Error(res, 500, 'InternalError', `conditional PUT shim: ${String(err)}`);
      else res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const { pathname, search } = new URL(target, 'http://shim.invalid');
    const objectKey = objectKeyOf(pathname);
    const ifNoneMatch = req.headers['if-none-match'];

    if (ifNoneMatch !== undefined && (method === 'POST' || (method === 'PUT' && ifNoneMatch.trim() !== '*'))) {
      await drain(req);
      sendS3Error(res, 501, 'NotImplemented', `the conditional PUT shim supports only If-None-Match: * on PutObject (got ${method} with ${ifNoneMatch})`);
      return;
    }
    if (method === 'PUT' && ifNoneMatch !== undefined && objectKey !== undefined && !isPartUpload(search)) {
      await mutex.run(objectKey, () => conditionalPut(req, res, pathname, objectKey));
      return;
    }
    if ((method === 'PUT' || method === 'DELETE') && objectKey !== undefined) {
      await mutex.run(objectKey, () => forward(req, res));
      return;
    }
    await forward(req, res);
  }

  async function conditionalPut(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, key: string): Promise<void> {
    const status = await signedRequest('HEAD', `${upstream.origin}${pathname}`, 's3').then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) {
      await drain(req);
      sendS3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
      decisions.push({ key, outcome: 'precondition-failed', status: 412 });
      return;
    }
    if (status !== 404) {
      await drain(req);
      const why = status === 0 ? 'failed' : `answered HTTP ${status}`;
      sendS3Error(res, 503, 'ServiceUnavailable', `conditional PUT shim: the existence check of ${key} ${why}`);
      decisions.push({ key, outcome: 'check-failed', status: 503 });
      return;
    }
    const forwarded = await forward(req, res);
    decisions.push({ key, outcome: 'created', status: forwarded });
  }

  /** Streams the request upstream and the response back; resolves with the upstream status (0 if none) once both ended. */
  function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<number> {
    return new Promise<number>((resolve) => {
      let settled = false;
      let status = 0;
      const done = (): void => {
        if (settled) return;
        settled = true;
        resolve(status);
      };
      const headers: string[] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i].toLowerCase() === 'expect') continue;
        headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
      }
      const up = http.request({
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: headers as unknown as http.OutgoingHttpHeaders, // Node >= 18.15 takes the raw [name, value, ...] array
        agent,
        setHost: false,
      });
      up.on('response', (upRes) => {
        status = upRes.statusCode ?? 0;
        res.writeHead(status, upRes.statusMessage, upRes.rawHeaders);
        upRes.pipe(res);
        upRes.on('error', (err) => res.destroy(err));
      });
      up.on('error', (err) => {
        if (!res.headersSent) sendS3Error(res, 502, 'InternalError', `conditional PUT shim: upstream request failed: ${err.message}`);
        else res.destroy(err);
        req.resume();
        done();
      });
      // The client went away (e.g. a SIGKILLed terraform): drop the upstream request too.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
        done();
      });
      req.pipe(up);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    decisions,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).finally(() => agent.destroy());
      return stopped;
    },
  };
}

/** Decoded `/bucket/key` of a path-style object request; undefined for service and bucket requests. */
function objectKeyOf(pathname: string): string | undefined {
  const m = /^\/([^/]+)\/(.+)$/.exec(pathname);
  if (!m) return undefined;
  try {
    return `/${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
  } catch {
    return pathname;
  }
}

/** UploadPart (`?partNumber=&uploadId=`) is not an object write S3 conditions on If-None-Match. */
function isPartUpload(search: string): boolean {
  const q = new URLSearchParams(search);
  return q.has('uploadId') || q.has('partNumber');
}

function drain(req: http.IncomingMessage): Promise<void> {
  return new Promise<void>((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve();
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An S3-style error: XML body `<Error><Code/><Message/>...<RequestId/></Error>` and the matching headers. */
function sendS3Error(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const fields = { Code: code, Message: message, ...extra, RequestId: requestId };
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    Object.entries(fields)
      .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
      .join('') +
    '</Error>';
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
  res.end(body);
}

/** Runs functions one at a time per key (FIFO), concurrently across keys. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
