/**
 * A fake of EC2's DescribeInstances on 127.0.0.1 (test support), for the
 * amazon.aws.aws_ec2 inventory plugin. It speaks the EC2 query protocol:
 * a form-encoded POST (`Action=DescribeInstances`, `Filter.N.Name`,
 * `Filter.N.Value.M`) answered with a `DescribeInstancesResponse` document
 * shaped like the sample response of the API reference
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html,
 * elements reservationSet > item > instancesSet > item: instanceId,
 * instanceState {code, name}, privateIpAddress, privateDnsName, tagSet > item {key, value}),
 * and applies the filters the plugin sends (`tag:<key>`, `instance-state-name`;
 * `*` wildcards), so instances of another stage or stopped ones are left out
 * the way EC2 leaves them out. Every request is recorded.
 *
 * The aws_ec2 plugin of amazon.aws 5.5.1 has no endpoint option (its
 * `ansible-doc` lists none), so botocore is pointed here through its data
 * path: `ec2Redirect()` writes an endpoint rule set for EC2 whose one rule is
 * this server's URL, found first through AWS_DATA_PATH (botocore's loader
 * searches it before its own data; rule sets replaced endpoints.json in
 * botocore 1.28).
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

/** One instance of the fake: id, state, private address, tags. */
export interface FakeInstance {
  readonly instanceId: string;
  readonly state: 'pending' | 'running' | 'stopping' | 'stopped';
  readonly privateIpAddress: string;
  readonly tags: Readonly<Record<string, string>>;
}

const STATE_CODES: Record<FakeInstance['state'], number> = { pending: 0, running: 16, stopping: 64, stopped: 80 };

/** A running fake: its URL, the parsed requests, and stop(). */
export interface FakeEc2 {
  readonly url: string;
  readonly requests: URLSearchParams[];
  stop(): Promise<void>;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `value` matches an EC2 filter value (`*` any run of characters, `?` one). */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

/** The filters of a request: name -> values. */
function filtersOf(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    const values: string[] = [];
    for (let j = 1; params.has(`Filter.${i}.Value.${j}`); j++) values.push(params.get(`Filter.${i}.Value.${j}`) as string);
    out.set(params.get(`Filter.${i}.Name`) as string, values);
  }
  return out;
}

function selected(instance: FakeInstance, filters: Map<string, string[]>): boolean {
  for (const [name, values] of filters) {
    const actual = name === 'instance-state-name' ? instance.state : name.startsWith('tag:') ? instance.tags[name.slice(4)] : undefined;
    if (actual === undefined && !name.startsWith('tag:')) throw new Error(`fake EC2: filter ${name} is not implemented`);
    if (actual === undefined || !values.some((v) => matches(v, actual))) return false;
  }
  return true;
}

function instanceXml(i: FakeInstance): string {
  const tags = Object.entries(i.tags)
    .map(([k, v]) => `<item><key>${xml(k)}</key><value>${xml(v)}</value></item>`)
    .join('');
  return (
    `<item><instanceId>${i.instanceId}</instanceId><imageId>ami-0abcdef1234567890</imageId>` +
    `<instanceState><code>${STATE_CODES[i.state]}</code><name>${i.state}</name></instanceState>` +
    `<privateDnsName>ip-${i.privateIpAddress.replace(/\./g, '-')}.ec2.internal</privateDnsName><dnsName/>` +
    `<instanceType>t3.small</instanceType><launchTime>2026-11-01T00:00:00.000Z</launchTime>` +
    `<placement><availabilityZone>us-east-1a</availabilityZone><groupName/><tenancy>default</tenancy></placement>` +
    `<privateIpAddress>${i.privateIpAddress}</privateIpAddress><tagSet>${tags}</tagSet></item>`
  );
}

/** Start the fake on 127.0.0.1 with `instances`, one reservation each. */
export async function startFakeEc2(instances: readonly FakeInstance[]): Promise<FakeEc2> {
  const requests: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      requests.push(params);
      if (params.get('Action') !== 'DescribeInstances') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<Response><Errors><Error><Code>InvalidAction</Code><Message>fake EC2 answers DescribeInstances only</Message></Error></Errors></Response>`);
        return;
      }
      let body: string;
      try {
        const filters = filtersOf(params);
        const reservations = instances
          .filter((i) => selected(i, filters))
          .map(
            (i, n) =>
              `<item><reservationId>r-${String(n).padStart(17, '0')}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>${instanceXml(i)}</instancesSet></item>`,
          )
          .join('');
        body = `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>8f7724cf-496f-496e-8fe3-example</requestId><reservationSet>${reservations}</reservationSet></DescribeInstancesResponse>`;
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>${xml(String(e))}</Message></Error></Errors></Response>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A botocore data directory whose EC2 endpoint rule set resolves every
 * request to `url`; put it in AWS_DATA_PATH. The parameters are the built-ins
 * botocore passes to every rule set (Region, UseDualStack, UseFIPS, Endpoint).
 */
export function ec2Redirect(dir: string, url: string): string {
  const versionDir = path.join(dir, 'ec2', '2016-11-15');
  fs.mkdirSync(versionDir, { recursive: true });
  const parameter = (builtIn: string, type: string, required: boolean): Record<string, unknown> => ({
    builtIn,
    required,
    documentation: builtIn,
    type,
    ...(type === 'Boolean' ? { default: false } : {}),
  });
  const ruleSet = {
    version: '1.0',
    parameters: {
      Region: parameter('AWS::Region', 'String', false),
      UseDualStack: parameter('AWS::UseDualStack', 'Boolean', true),
      UseFIPS: parameter('AWS::UseFIPS', 'Boolean', true),
      Endpoint: parameter('SDK::Endpoint', 'String', false),
    },
    rules: [{ conditions: [], endpoint: { url, properties: {}, headers: {} }, type: 'endpoint' }],
  };
  fs.writeFileSync(path.join(versionDir, 'endpoint-rule-set-1.json'), JSON.stringify(ruleSet));
  return dir;
}
