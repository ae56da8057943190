/**
 * Local AWS emulators for end-to-end tests of the Terraform S3 state backend:
 * s3rver (S3) and dynalite (DynamoDB), both bound to 127.0.0.1 on ephemeral ports.
 *
 * The small HTTP clients below use only Node built-ins (no AWS SDK). Requests are
 * signed with a real SigV4 signature: neither emulator verifies it (s3rver skips V4
 * verification, dynalite only checks the Authorization header's shape), but a
 * well-formed signature keeps these helpers honest against stricter emulators too.
 */
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** s3rver ships one fixed account; dynalite accepts any key. */
export const EMULATOR_ACCESS_KEY = 'S3RVER';
export const EMULATOR_SECRET_KEY = 'S3RVER';
export const EMULATOR_REGION = 'us-east-1';

const LOOPBACK = '127.0.0.1';
const REQUEST_TIMEOUT_MS = 15_000;

export interface Emulators {
  /** e.g. http://127.0.0.1:41234 (path-style S3) */
  s3Endpoint: string;
  /** e.g. http://127.0.0.1:41235 */
  dynamoEndpoint: string;
  /** Directory where s3rver keeps its objects (removed by stop()). */
  s3Directory: string;
  /** Idempotent; closes both servers and removes the s3rver directory. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Minimal typings for the two untyped packages (loaded with require so that the
// strict test tsconfig does not need ambient module declarations).
// ---------------------------------------------------------------------------
interface S3rverOptions {
  address?: string;
  port?: number;
  silent?: boolean;
  directory?: string;
  resetOnClose?: boolean;
  vhostBuckets?: boolean;
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: http.Server;
}
type S3rverConstructor = new (options: S3rverOptions) => S3rverInstance;
interface DynaliteOptions {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}
type DynaliteFactory = (options: DynaliteOptions) => http.Server;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as S3rverConstructor;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export async function startEmulators(): Promise<Emulators> {
  const s3Directory = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-s3rver-'));
  let s3: S3rverInstance | undefined;
  let dynamo: http.Server | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const closing: Promise<void>[] = [];
    if (s3?.httpServer) {
      const server = s3.httpServer;
      closing.push(closeServer(server, () => s3!.close()));
    }
    if (dynamo) {
      const server = dynamo;
      closing.push(closeServer(server, () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))));
    }
    const results = await Promise.allSettled(closing);
    fs.rmSync(s3Directory, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    s3 = new S3rver({ address: LOOPBACK, port: 0, silent: true, directory: s3Directory, resetOnClose: false });
    const s3Address = await s3.run();

    dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }); // no `path`: in-memory
    const dynamoServer = dynamo;
    await new Promise<void>((resolve, reject) => {
      dynamoServer.once('error', reject);
      dynamoServer.listen(0, LOOPBACK, () => {
        dynamoServer.off('error', reject);
        resolve();
      });
    });
    const dynamoAddress = dynamoServer.address() as AddressInfo;

    return {
      s3Endpoint: `http://${LOOPBACK}:${s3Address.port}`,
      dynamoEndpoint: `http://${LOOPBACK}:${dynamoAddress.port}`,
      s3Directory,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** server.close() waits for idle keep-alive sockets; drop them so stop() is prompt. */
async function closeServer(server: http.Server, close: () => Promise<void>): Promise<void> {
  const done = close();
  server.closeAllConnections();
  await done;
}

// ---------------------------------------------------------------------------
// HTTP + SigV4
// ---------------------------------------------------------------------------
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Returns the headers to add (host, x-amz-date, x-amz-content-sha256, authorization). */
function sigV4Headers(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  service: 's3' | 'dynamodb',
  region: string,
): Record<string, string> {
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, ''); // YYYYMMDDTHHMMSSZ
  const dateStamp = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(body);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
  all['host'] = url.host;
  all['x-amz-date'] = amzDate;
  all['x-amz-content-sha256'] = payloadHash;
  const names = Object.keys(all).sort();
  const canonicalHeaders = names.map((n) => `${n}:${all[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [method, url.pathname || '/', canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${dateStamp}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${EMULATOR_SECRET_KEY}`, dateStamp);
  const kSigning = hmac(hmac(hmac(kDate, region), service), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_ACCESS_KEY}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** One SigV4-signed request with the emulator credentials; `rawUrl`'s path is sent as given (already encoded). */
export async function signedRequest(
  method: string,
  rawUrl: string,
  service: 's3' | 'dynamodb',
  opts: { headers?: Record<string, string>; body?: string | Buffer; region?: string } = {},
): Promise<HttpResponse> {
  const url = new URL(rawUrl);
  const body = opts.body === undefined ? Buffer.alloc(0) : Buffer.from(opts.body);
  const headers = sigV4Headers(method, url, opts.headers ?? {}, body, service, opts.region ?? EMULATOR_REGION);
  headers['content-length'] = String(body.length);
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${rawUrl} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function objectUrl(endpoint: string, bucket: string, key?: string): string {
  const base = `${endpoint.replace(/\/+$/, '')}/${rfc3986(bucket)}`;
  return key === undefined ? base : `${base}/${key.split('/').map(rfc3986).join('/')}`;
}

// ---------------------------------------------------------------------------
// S3
// ---------------------------------------------------------------------------
export async function createBucket(endpoint: string, name: string): Promise<void> {
  const res = await signedRequest('PUT', objectUrl(endpoint, name), 's3');
  if (res.status !== 200) throw new Error(`CreateBucket ${name} failed: HTTP ${res.status} ${res.body.toString('utf8')}`);
}

/** GetObject; returns undefined on 404. */
export async function getObject(endpoint: string, bucket: string, key: string): Promise<Buffer | undefined> {
  const res = await signedRequest('GET', objectUrl(endpoint, bucket, key), 's3');
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GetObject s3://${bucket}/${key} failed: HTTP ${res.status} ${res.body.toString('utf8')}`);
  return res.body;
}

/** PutObject (unconditional unless `headers` say otherwise); returns the response. */
export async function putObject(
  endpoint: string,
  bucket: string,
  key: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return signedRequest('PUT', objectUrl(endpoint, bucket, key), 's3', { body, headers });
}

/** DeleteObject; S3 answers 204 whether or not the key existed. */
export async function deleteObject(endpoint: string, bucket: string, key: string): Promise<void> {
  const res = await signedRequest('DELETE', objectUrl(endpoint, bucket, key), 's3');
  if (res.status !== 204 && res.status !== 200) throw new Error(`DeleteObject s3://${bucket}/${key} failed: HTTP ${res.status} ${res.body.toString('utf8')}`);
}

/** ListObjectsV2 (first page, up to 1000 keys), keys XML-unescaped. */
export async function listObjectKeys(endpoint: string, bucket: string): Promise<string[]> {
  const res = await signedRequest('GET', `${objectUrl(endpoint, bucket)}?list-type=2`, 's3');
  if (res.status !== 200) throw new Error(`ListObjectsV2 ${bucket} failed: HTTP ${res.status} ${res.body.toString('utf8')}`);
  const xml = res.body.toString('utf8');
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlUnescape(m[1]));
}

function xmlUnescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}

// ---------------------------------------------------------------------------
// DynamoDB (JSON 1.0 protocol)
// ---------------------------------------------------------------------------
type AttributeValue = { S?: string; N?: string; B?: string; BOOL?: boolean; NULL?: boolean; [other: string]: unknown };
export type DynamoItem = Record<string, AttributeValue>;

export async function dynamoCall<T = unknown>(endpoint: string, operation: string, payload: unknown): Promise<T> {
  const res = await signedRequest('POST', `${endpoint.replace(/\/+$/, '')}/`, 'dynamodb', {
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
    body: JSON.stringify(payload),
  });
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw new Error(`DynamoDB ${operation} failed: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** The table layout Terraform's S3 backend expects: partition key LockID (S). */
export async function createLockTable(endpoint: string, name: string): Promise<void> {
  await dynamoCall(endpoint, 'CreateTable', {
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  // createTableMs is 0, but wait for ACTIVE anyway so this also works with real emulator delays.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = await dynamoCall<{ Table?: { TableStatus?: string } }>(endpoint, 'DescribeTable', { TableName: name });
    if (d.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${name} not ACTIVE after 10 s (status ${d.Table?.TableStatus})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Full Scan (follows pagination). */
export async function scanTable(endpoint: string, table: string): Promise<DynamoItem[]> {
  const items: DynamoItem[] = [];
  let startKey: DynamoItem | undefined;
  do {
    const page: { Items?: DynamoItem[]; LastEvaluatedKey?: DynamoItem } = await dynamoCall(endpoint, 'Scan', {
      TableName: table,
      ConsistentRead: true,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Terraform's lock metadata (statemgr.LockInfo) as stored in the item's `Info` attribute. */
export interface TerraformLockInfo {
  ID: string;
  Operation: string;
  Info: string;
  Who: string;
  Version: string;
  Created: string;
  Path: string;
}
export interface LockItem {
  /** "<bucket>/<key>" */
  lockId: string;
  info: TerraformLockInfo;
}

/**
 * Lock entries only. The S3 backend also keeps a permanent "<bucket>/<key>-md5" item
 * (attribute `Digest`) in the same table to detect stale reads; that is not a lock and
 * is excluded here (see getStateDigests).
 */
export async function getLockItems(endpoint: string, table: string): Promise<LockItem[]> {
  const items = await scanTable(endpoint, table);
  return items
    .filter((i) => typeof i.Info?.S === 'string' && typeof i.LockID?.S === 'string')
    .map((i) => ({ lockId: i.LockID.S as string, info: JSON.parse(i.Info.S as string) as TerraformLockInfo }));
}

/** Deletes one item by LockID (test clean-up; Terraform itself would use force-unlock). */
export async function deleteLockItem(endpoint: string, table: string, lockId: string): Promise<void> {
  await dynamoCall(endpoint, 'DeleteItem', { TableName: table, Key: { LockID: { S: lockId } } });
}

/** "<bucket>/<key>-md5" -> hex MD5 of the last state Terraform wrote. */
export async function getStateDigests(endpoint: string, table: string): Promise<Record<string, string>> {
  const items = await scanTable(endpoint, table);
  const out: Record<string, string> = {};
  for (const i of items) {
    if (typeof i.Digest?.S === 'string' && typeof i.LockID?.S === 'string') out[i.LockID.S] = i.Digest.S;
  }
  return out;
}

/**
 * Terraform's S3-native lock (`use_lockfile`, Terraform >= 1.10): the object
 * `<key>.tflock` beside the state, holding the same LockInfo JSON as a
 * DynamoDB lock item. Undefined when there is no lock file.
 */
export async function getLockFile(endpoint: string, bucket: string, stateKey: string): Promise<TerraformLockInfo | undefined> {
  const body = await getObject(endpoint, bucket, `${stateKey}.tflock`);
  return body === undefined ? undefined : (JSON.parse(body.toString('utf8')) as TerraformLockInfo);
}

/**
 * What Terraform's s3 backend needs to talk to the emulators, added to a
 * backend block (verified with terraform 1.11.4): path-style addressing
 * (else it resolves "<bucket>.127.0.0.1"), the emulator credentials, and the
 * two skip flags without which init calls STS/IAM on the real AWS endpoints.
 * The metadata and region skips are defensive only. skip_s3_checksum is not
 * needed: s3rver ignores the x-amz-checksum-sha256 header Terraform sends.
 */
export function emulatorBackendSettings(emu: { s3Endpoint: string; dynamoEndpoint: string }): Record<string, unknown> {
  return {
    endpoints: { s3: emu.s3Endpoint, dynamodb: emu.dynamoEndpoint },
    use_path_style: true,
    access_key: EMULATOR_ACCESS_KEY,
    secret_key: EMULATOR_SECRET_KEY,
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
}
