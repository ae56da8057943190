import { ConfigError } from '../../model/errors';
import { loadConfig, parseStage } from '../../model/load-config';
import { exampleConfig, minimalStageYaml, mustReplace, tempConfig } from '../support/fixtures';

/** Parse `text` as stacks/stages/<stage>.yaml and return the problem lines. */
function problemsOf(text: string, stage = 'dev'): string[] {
  const res = parseStage(`stacks/stages/${stage}.yaml`, text);
  return res.problems.map((p) => `${p.file}:${p.line} ${p.path}: got ${p.got}, expected ${p.expected}`);
}

describe('stage model', () => {
  test('the example configuration has dev (3 hosts), prod (a few dozen) and test (6 hosts) in us-east-1', () => {
    const cfg = exampleConfig();
    expect(cfg.stages.map((s) => [s.name, s.region, s.hosts.length])).toEqual([
      ['dev', 'us-east-1', 3],
      ['prod', 'us-east-1', 38],
      ['test', 'us-east-1', 6],
    ]);
  });

  test('the schema applies every default', () => {
    const { stage } = parseStage('stacks/stages/dev.yaml', minimalStageYaml());
    expect(stage).toBeDefined();
    expect(stage!.datadog).toEqual({ site: 'us5.datadoghq.com', apiUrl: 'https://api.us5.datadoghq.com/' });
    expect(stage!.agent).toEqual({ version: '7.72.0', logsEnabled: true, apmEnabled: true, processEnabled: true });
    expect(stage!.rollout).toEqual({
      batchPercentages: [33, 33, 34],
      soakHours: [48, 48, 72],
      maxFailedHostsPercent: 1,
      degradationThresholdPercent: 5,
      executor: 'ansible',
      releasedBatches: 0,
    });
    expect(stage!.state).toEqual({ bucket: 'acme-tfstate', locking: 'both', lockTable: 'acme-tflock', keyPrefix: 'stages/dev', createKmsKey: false });
    expect(stage!.network.datadogEgressCidrs).toEqual(['0.0.0.0/0']);
    expect(stage!.hosts[0]).toEqual({
      name: 'dev-web-01',
      service: 'web',
      team: 'storefront',
      criticality: 'low',
      address: '10.0.0.1',
      managed: false,
      tags: {},
    });
  });

  test('the API URL follows the site unless given', () => {
    const text = mustReplace(minimalStageYaml(), 'network:', 'datadog:\n  site: datadoghq.eu\nnetwork:');
    expect(parseStage('stacks/stages/dev.yaml', text).stage!.datadog.apiUrl).toBe('https://api.datadoghq.eu/');
  });

  test('hosts are sorted by name whatever the file order, and managed hosts get a stable subnet', () => {
    const hosts = [
      '  - { name: b-02, service: web, team: t1, criticality: low, managed: true }',
      '  - { name: a-01, service: web, team: t1, criticality: low, managed: true }',
      '  - { name: c-03, service: web, team: t1, criticality: low, managed: true, subnetId: subnet-0000000c }',
    ];
    const base = mustReplace(
      mustReplace(minimalStageYaml(), /hosts:\n.*\n/, ''),
      '  vpcId: vpc-0123abcd',
      '  vpcId: vpc-0123abcd\n  subnetIds: [subnet-0000000a, subnet-0000000b]',
    );
    const one = parseStage('stacks/stages/dev.yaml', `${base}hosts:\n${hosts.join('\n')}\n`).stage!;
    const two = parseStage('stacks/stages/dev.yaml', `${base}hosts:\n${[...hosts].reverse().join('\n')}\n`).stage!;
    expect(one.hosts.map((h) => h.name)).toEqual(['a-01', 'b-02', 'c-03']);
    expect(two).toEqual(one);
    expect(one.hosts[2].subnetId).toBe('subnet-0000000c');
    expect(one.hosts[0].instanceType).toBe('t3.medium');
  });

  test('fails when a value has the wrong type, naming file, line, path, value and what is allowed', () => {
    const text = mustReplace(minimalStageYaml(), 'criticality: low', 'criticality: urgent');
    expect(problemsOf(text)).toEqual(['stacks/stages/dev.yaml:10 hosts.0.criticality: got "urgent", expected one of "low", "medium", "high", "critical"']);
  });

  test('fails when a required field is missing, at the line of the parent key', () => {
    const text = mustReplace(minimalStageYaml(), '  bucket: acme-tfstate\n', '');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:4 state.bucket: got missing, expected an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; no "..", not an IP address, no reserved prefix or suffix)',
    ]);
  });

  test('fails when a key is unknown, listing the known keys', () => {
    const text = mustReplace(minimalStageYaml(), 'owner: platform-team', 'owner: platform-team\nregoin: us-west-2');
    const [p] = problemsOf(text);
    expect(p).toMatch(
      /^stacks\/stages\/dev\.yaml:4 regoin: got unknown key "regoin" \(did you mean region\?\), expected one of the known keys: agent, ci, datadog, fleet, hosts, network, owner, region, rollout, stage, state$/,
    );
  });

  test('fails when several fields are wrong, reporting every problem at once', () => {
    const text = mustReplace(
      mustReplace(mustReplace(minimalStageYaml(), 'region: us-east-1', 'region: useast1'), 'bucket: acme-tfstate', 'bucket: Acme_State'),
      'address: 10.0.0.1',
      'address: 10.0.0.300',
    );
    const problems = problemsOf(text);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        'stacks/stages/dev.yaml:2 region: got "useast1", expected an AWS region such as us-east-1',
        expect.stringContaining('stacks/stages/dev.yaml:5 state.bucket: got "Acme_State", expected an S3 bucket name'),
        'stacks/stages/dev.yaml:10 hosts.0.address: got "10.0.0.300", expected an IPv4 address, an IPv6 address or a DNS name',
      ]),
    );
  });

  test('fails when the YAML is malformed, at the line where the problem starts', () => {
    expect(problemsOf('stage: dev\nhosts: [\n  - a\n')).toEqual([
      'stacks/stages/dev.yaml:2 : got a "- item" or "key:" line inside [ ] or { }, expected inside brackets, items separated by commas ([a, b], {k: v}); or no brackets',
    ]);
  });

  test('fails when a bracket is not closed, at the line that opened it (not the end of the file)', () => {
    expect(problemsOf('stage: dev\nregion: us-east-1\nhosts: [dev-web-01, dev-web-02\nowner: a-team\nnetwork: {}\n')).toEqual([
      'stacks/stages/dev.yaml:3 : got a [ that is not closed, expected a closing ] (a flow value must end before the next key)',
    ]);
  });

  test('fails when a quote is not closed, at the line that opened it', () => {
    expect(problemsOf('stage: dev\nowner: "platform-team\nregion: us-east-1\nnetwork: {}\n')).toEqual([
      'stacks/stages/dev.yaml:2 : got a quoted value whose closing quote is missing, expected the value closed by the quote it opened with',
    ]);
  });

  test('fails when a key is duplicated, naming the key at its second line', () => {
    expect(problemsOf(mustReplace(minimalStageYaml(), 'owner: platform-team', 'owner: a-team\nowner: b-team'))).toEqual([
      'stacks/stages/dev.yaml:4 : got the key "owner" a second time in the same object, expected each key once',
    ]);
  });

  test('fails when batch percentages do not sum to 100 and soak hours do not match', () => {
    const text = mustReplace(minimalStageYaml(), 'network:', 'rollout:\n  batchPercentages: [30, 30, 30]\n  soakHours: [48, 48]\nnetwork:');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:8 rollout.batchPercentages: got [30,30,30] (sum 90), expected percentages that sum to 100',
      'stacks/stages/dev.yaml:9 rollout.soakHours: got [48,48], expected one soak time per batch (3 values)',
    ]);
  });

  test('fails when a threshold is outside (0, 100)', () => {
    const text = mustReplace(minimalStageYaml(), 'network:', 'rollout:\n  maxFailedHostsPercent: 0\n  degradationThresholdPercent: 150\nnetwork:');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:8 rollout.maxFailedHostsPercent: got 0, expected a number > 0',
      'stacks/stages/dev.yaml:9 rollout.degradationThresholdPercent: got 150, expected a number < 100',
    ]);
  });

  test('fails when host names repeat, a pin is out of range, or addresses are inconsistent', () => {
    const text = mustReplace(
      minimalStageYaml(),
      /hosts:\n.*\n/,
      [
        'hosts:',
        '  - { name: web-01, service: web, team: t1, criticality: low, address: 10.0.0.1 }',
        '  - { name: web-01, service: web, team: t1, criticality: low, address: 10.0.0.2, batch: 4 }',
        '  - { name: web-03, service: web, team: t1, criticality: low }',
        '  - { name: web-04, service: web, team: t1, criticality: low, managed: true, address: 10.0.0.4 }',
        '',
      ].join('\n'),
    );
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:11 hosts.1.name: got "web-01", expected a host name not used before (hosts.0 has it)',
      'stacks/stages/dev.yaml:11 hosts.1.batch: got 4, expected a batch from 1 to 3',
      'stacks/stages/dev.yaml:12 hosts.2.address: got missing, expected an address for an existing host (or managed: true)',
      'stacks/stages/dev.yaml:13 hosts.3.address: got "10.0.0.4", expected no address on a managed host (it comes from Terraform outputs)',
      'stacks/stages/dev.yaml:13 hosts.3.subnetId: got missing, expected a subnet id, here or in network.subnetIds',
    ]);
  });

  test('fails when the stage name differs from the file name', () => {
    expect(problemsOf(minimalStageYaml('qa'), 'dev')).toEqual(['stacks/stages/dev.yaml:1 stage: got "qa", expected "dev" (the file name)']);
  });

  test('fails when the agent version is not an Agent 7 version', () => {
    const text = mustReplace(minimalStageYaml(), 'network:', 'agent:\n  version: 6.53.0\nnetwork:');
    expect(problemsOf(text)).toEqual(['stacks/stages/dev.yaml:8 agent.version: got "6.53.0", expected an Agent 7 version such as 7.72.0']);
  });

  test('fails when two stages share a state key, and the error lists problems of every file at once', () => {
    const dir = tempConfig({
      'dev.yaml': mustReplace(minimalStageYaml('dev'), 'lockTable: acme-tflock', 'lockTable: acme-tflock\n  keyPrefix: shared'),
      'test.yaml': mustReplace(minimalStageYaml('test'), 'lockTable: acme-tflock', 'lockTable: acme-tflock\n  keyPrefix: shared'),
      'prod.yaml': mustReplace(minimalStageYaml('prod'), 'owner: platform-team', 'owner: Platform Team'),
    });
    let err: unknown;
    try {
      loadConfig(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toMatch(/^invalid stage configuration: 2 problems\n/);
    expect(msg).toContain('stacks/stages/prod.yaml:3 owner: got "Platform Team", expected a lowercase name');
    expect(msg).toContain('stacks/stages/test.yaml:7 state.keyPrefix: got "shared", expected a key prefix not used by stage dev');
  });

  test.each(['bootstrap', 'bootstrap/dev'])(
    'fails when a stage keeps its state under the bootstrap prefix (%s): its CI roles could write the bootstrap state',
    (prefix) => {
      const text = mustReplace(minimalStageYaml('dev'), 'lockTable: acme-tflock', `lockTable: acme-tflock\n  keyPrefix: ${prefix}`);
      expect(problemsOf(text)).toEqual([
        `stacks/stages/dev.yaml:7 state.keyPrefix: got "${prefix}", expected a key prefix outside bootstrap/ (the bootstrap stacks keep their state there)`,
      ]);
    },
  );

  test('createKmsKey: the model names the alias of the key the state stack creates', () => {
    const text = mustReplace(minimalStageYaml('dev'), 'lockTable: acme-tflock', 'lockTable: acme-tflock\n  createKmsKey: true\n  accessLogBucket: acme-logs');
    const { stage } = parseStage('stacks/stages/dev.yaml', text);
    expect(stage!.state).toMatchObject({ createKmsKey: true, kmsKeyId: 'alias/observability-rollout-state-acme-tfstate', accessLogBucket: 'acme-logs' });
  });

  test('fails when a stage both creates a KMS key and names one, or logs the state bucket into itself', () => {
    const text = mustReplace(
      minimalStageYaml('dev'),
      'lockTable: acme-tflock',
      'lockTable: acme-tflock\n  createKmsKey: true\n  kmsKeyId: alias/tfstate\n  accessLogBucket: acme-tfstate',
    );
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:7 state.createKmsKey: got true, expected either createKmsKey: true (the state stack makes the key) or kmsKeyId (an existing key), not both',
      'stacks/stages/dev.yaml:9 state.accessLogBucket: got "acme-tfstate", expected a bucket other than the state bucket (logging into itself logs its own log writes)',
    ]);
  });

  test('network.egressProxy: the model has the URL, its port (the scheme default when none is written) and the proxy addresses', () => {
    const withProxy = (url: string): ReturnType<typeof parseStage> =>
      parseStage(
        'stacks/stages/dev.yaml',
        mustReplace(minimalStageYaml('dev'), '  vpcId: vpc-0123abcd', `  vpcId: vpc-0123abcd\n  egressProxy: { url: "${url}", cidrs: [10.0.9.10/32] }`),
      );
    expect(withProxy('http://proxy.internal:3128').stage!.network.egressProxy).toEqual({
      url: 'http://proxy.internal:3128',
      port: 3128,
      cidrs: ['10.0.9.10/32'],
    });
    expect(withProxy('https://proxy.internal:443').stage!.network.egressProxy?.port).toBe(443);
  });

  test('fails when the egress proxy URL carries credentials or has no valid port', () => {
    const problems = (url: string): string[] =>
      problemsOf(
        mustReplace(minimalStageYaml('dev'), '  vpcId: vpc-0123abcd', `  vpcId: vpc-0123abcd\n  egressProxy: { url: "${url}", cidrs: [10.0.9.10/32] }`),
      );
    expect(problems('http://user:secret@proxy.internal:3128')).toEqual([
      'stacks/stages/dev.yaml:9 network.egressProxy.url: got "http://user:secret@proxy.internal:3128", expected a proxy URL such as http://proxy.internal:3128 (scheme, host and port; no credentials or path)',
    ]);
    expect(problems('http://proxy.internal:99999')).toEqual([
      'stacks/stages/dev.yaml:9 network.egressProxy.url: got "http://proxy.internal:99999", expected a proxy port from 1 to 65535',
    ]);
  });

  test('fails when the configuration directory has no stage files', () => {
    expect(() => loadConfig(tempConfig({}))).toThrow(/stacks\/stages:1: got no stage files, expected at least one <stage>.yaml/);
  });
});

describe('state.locking', () => {
  const withLocking = (locking: string, stage = 'dev'): string =>
    mustReplace(minimalStageYaml(stage), '  bucket: acme-tfstate\n', `  bucket: acme-tfstate\n  locking: ${locking}\n`);

  test('defaults to both (DynamoDB item and S3 lock file) during the migration', () => {
    expect(parseStage('stacks/stages/dev.yaml', minimalStageYaml()).stage!.state.locking).toBe('both');
  });

  test.each(['dynamodb', 's3', 'both'] as const)('takes %s as written', (locking) => {
    const { stage, problems } = parseStage('stacks/stages/dev.yaml', withLocking(locking));
    expect(problems).toEqual([]);
    expect(stage!.state).toEqual({ bucket: 'acme-tfstate', locking, lockTable: 'acme-tflock', keyPrefix: 'stages/dev', createKmsKey: false });
  });

  test('fails when the value is not a locking mode, naming file, line, path, value and the modes', () => {
    expect(problemsOf(withLocking('dynamo'))).toEqual(['stacks/stages/dev.yaml:6 state.locking: got "dynamo", expected one of "dynamodb", "s3", "both"']);
    expect(problemsOf(withLocking('true'))).toEqual(['stacks/stages/dev.yaml:6 state.locking: got true, expected one of "dynamodb", "s3", "both"']);
  });

  test('with s3 locking the lock table may be omitted, and the model then names none', () => {
    const text = mustReplace(withLocking('s3'), '  lockTable: acme-tflock\n', '');
    const { stage, problems } = parseStage('stacks/stages/dev.yaml', text);
    expect(problems).toEqual([]);
    expect(stage!.state).toEqual({ bucket: 'acme-tfstate', locking: 's3', keyPrefix: 'stages/dev', createKmsKey: false });
  });

  test.each(['dynamodb', 'both'])('fails when locking %s has no lock table, pointing at the state section', (locking) => {
    const text = mustReplace(withLocking(locking), '  lockTable: acme-tflock\n', '');
    expect(problemsOf(text)).toEqual([
      `stacks/stages/dev.yaml:4 state.lockTable: got missing, expected a DynamoDB lock table (state.locking "${locking}" locks with DynamoDB; only "s3" needs none)`,
    ]);
    // The default (both) needs the table too.
    expect(problemsOf(mustReplace(minimalStageYaml(), '  lockTable: acme-tflock\n', ''))).toEqual([
      'stacks/stages/dev.yaml:4 state.lockTable: got missing, expected a DynamoDB lock table (state.locking "both" locks with DynamoDB; only "s3" needs none)',
    ]);
  });

  test('fails when stages sharing a bucket lock differently, naming the stage and bucket they must agree with', () => {
    const dir = tempConfig({ 'dev.yaml': withLocking('s3', 'dev'), 'prod.yaml': minimalStageYaml('prod'), 'test.yaml': withLocking('dynamodb', 'test') });
    let err: unknown;
    try {
      loadConfig(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      [
        'invalid stage configuration: 2 problems',
        '  stacks/stages/prod.yaml:4 state.locking: got "both", expected "s3" like stage dev, which shares bucket acme-tfstate',
        '  stacks/stages/test.yaml:6 state.locking: got "dynamodb", expected "s3" like stage dev, which shares bucket acme-tfstate',
      ].join('\n'),
    );
  });

  test('stages of different buckets may lock differently', () => {
    const dir = tempConfig({
      'dev.yaml': mustReplace(withLocking('s3', 'dev'), 'bucket: acme-tfstate', 'bucket: acme-dev-tfstate'),
      'prod.yaml': withLocking('dynamodb', 'prod'),
    });
    expect(loadConfig(dir).stages.map((s) => [s.name, s.state.bucket, s.state.locking])).toEqual([
      ['dev', 'acme-dev-tfstate', 's3'],
      ['prod', 'acme-tfstate', 'dynamodb'],
    ]);
  });
});

describe('values are checked by their real rules', () => {
  const base = minimalStageYaml('dev');

  test.each([
    ['two adjacent dots', 'acme..tfstate'],
    ['an IP address form', '192.168.10.5'],
    ['a reserved prefix', 'xn--tfstate'],
    ['a reserved suffix', 'acme-tfstate-s3alias'],
  ])('fails when the state bucket name has %s', (_what, bucket) => {
    expect(problemsOf(mustReplace(base, 'bucket: acme-tfstate', `bucket: ${bucket}`))).toEqual([
      `stacks/stages/dev.yaml:5 state.bucket: got "${bucket}", expected an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; no "..", not an IP address, no reserved prefix or suffix)`,
    ]);
  });

  test.each(['256.0.0.0/8', '10.0.0.0/33', '10.0.0/24'])('fails when an egress CIDR is not an IPv4 CIDR (%s): octets 0-255, prefix 0-32', (cidr) => {
    const text = mustReplace(base, '  vpcId: vpc-0123abcd', `  vpcId: vpc-0123abcd\n  datadogEgressCidrs: [${cidr}]`);
    expect(problemsOf(text)).toEqual([
      `stacks/stages/dev.yaml:9 network.datadogEgressCidrs.0: got "${cidr}", expected an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, prefix 0-32)`,
    ]);
  });

  test('fails when an egress CIDR is an IPv6 range: says IPv6 is not supported, not just "not IPv4"', () => {
    const text = mustReplace(base, '  vpcId: vpc-0123abcd', '  vpcId: vpc-0123abcd\n  datadogEgressCidrs: ["2600:1f18::/33"]');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:9 network.datadogEgressCidrs.0: got "2600:1f18::/33", expected an IPv4 CIDR such as 203.0.113.0/24 (octets 0-255, prefix 0-32); IPv6 ranges are not supported (the agent\'s security group rules are IPv4)',
    ]);
  });

  test('fails when the region is not a known AWS region; ROLLOUT_EXTRA_AWS_REGIONS admits a new one', () => {
    const text = mustReplace(base, 'region: us-east-1', 'region: us-east-9');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:2 region: got "us-east-9", expected a known AWS region such as us-east-1 (a region AWS opened since: add it to ROLLOUT_EXTRA_AWS_REGIONS)',
    ]);
    process.env.ROLLOUT_EXTRA_AWS_REGIONS = 'us-east-9';
    try {
      expect(problemsOf(text)).toEqual([]);
    } finally {
      delete process.env.ROLLOUT_EXTRA_AWS_REGIONS;
    }
  });

  test('fails when the Datadog API URL is not the API of the Datadog site', () => {
    const text = mustReplace(base, 'network:', 'datadog:\n  site: us5.datadoghq.com\n  apiUrl: https://api.datadoghq.eu/\nnetwork:');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:9 datadog.apiUrl: got "https://api.datadoghq.eu/", expected https://api.us5.datadoghq.com/, the API of datadog.site us5.datadoghq.com (or leave apiUrl out)',
    ]);
  });

  test('fails when two hosts of a stage share an address', () => {
    const text = `${base}  - { name: dev-web-02, service: web, team: storefront, criticality: low, address: 10.0.0.1 }\n`;
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:11 hosts.1.address: got "10.0.0.1", expected an address no other host of the stage has (hosts.0 has it)',
    ]);
  });

  test('fails when YAML turned the agent version into a number: quote it', () => {
    const text = mustReplace(base, 'network:', 'agent:\n  version: 7.72\nnetwork:');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:8 agent.version: got 7.72, expected an Agent 7 version such as 7.72.0 (YAML read 7.72 as a number: quote it)',
    ]);
  });

  test('fails when two files define the same stage (dev.yaml and dev.yml)', () => {
    const dir = tempConfig({ 'dev.yaml': base, 'dev.yml': base });
    let err: unknown;
    try {
      loadConfig(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split('\n')).toEqual([
      'invalid stage configuration: 1 problem',
      '  stacks/stages/dev.yml:1: got a second file for stage dev, expected one file per stage (stacks/stages/dev.yaml defines dev already)',
    ]);
  });
});

describe('all problems in one pass', () => {
  test('fails when one field fails its schema and others fail a cross-field check: both are reported', () => {
    const text = mustReplace(
      mustReplace(minimalStageYaml(), 'region: us-east-1', 'region: 42'),
      'network:',
      'rollout:\n  batchPercentages: [30, 30, 30]\nnetwork:',
    );
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:2 region: got 42, expected an AWS region such as us-east-1 (YAML read 42 as a number: quote it)',
      'stacks/stages/dev.yaml:8 rollout.batchPercentages: got [30,30,30] (sum 90), expected percentages that sum to 100',
    ]);
  });

  test('fails when one host fails its schema: the checks across the other hosts still run', () => {
    const text = [
      minimalStageYaml().trimEnd(),
      '  - { name: dev-web-02, service: web, team: storefront, criticality: urgent, address: 10.0.0.2 }',
      '  - { name: dev-web-03, service: web, team: storefront, criticality: low, address: 10.0.0.1 }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:11 hosts.1.criticality: got "urgent", expected one of "low", "medium", "high", "critical"',
      'stacks/stages/dev.yaml:12 hosts.2.address: got "10.0.0.1", expected an address no other host of the stage has (hosts.0 has it)',
    ]);
  });

  test('fails when a stage file fails its schema and two stages disagree: loadConfig reports both', () => {
    const dev = mustReplace(minimalStageYaml('dev'), 'owner: platform-team', 'owner: Platform Team');
    const prod = mustReplace(minimalStageYaml('prod'), 'region: us-east-1', 'region: eu-west-1');
    const dir = tempConfig({ 'dev.yaml': dev, 'prod.yaml': prod });
    expect(() => loadConfig(dir)).toThrow(
      [
        'invalid stage configuration: 2 problems',
        '  stacks/stages/dev.yaml:3 owner: got "Platform Team", expected a lowercase name of 2-40 letters, digits and dashes',
        '  stacks/stages/prod.yaml:2 region: got "eu-west-1", expected us-east-1 like stage dev: the state stack keeps every stage\'s state bucket and lock table in one region',
      ].join('\n'),
    );
  });
});

describe('messages read well', () => {
  test('fails when a value is missing (a key with no value): says missing, not null', () => {
    expect(problemsOf(mustReplace(minimalStageYaml(), 'region: us-east-1', 'region:'))).toEqual([
      'stacks/stages/dev.yaml:2 region: got missing, expected an AWS region such as us-east-1',
    ]);
  });

  test('fails when a section has the wrong type: says an object / an array, not zod words', () => {
    const text = mustReplace(
      mustReplace(minimalStageYaml(), 'network:\n  vpcId: vpc-0123abcd', 'network: [vpc-0123abcd]'),
      /hosts:\n.*\n/,
      'hosts: { a: 1 }\n',
    );
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:7 network: got ["vpc-0123abcd"], expected an object',
      'stacks/stages/dev.yaml:8 hosts: got an object (1 key), expected an array',
    ]);
  });

  test('fails when a key is misspelt: suggests the closest known key at the unknown key’s own line', () => {
    const text = mustReplace(minimalStageYaml(), '  lockTable: acme-tflock', '  lockTable: acme-tflock\n  keyprefix: stages/dev');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:7 state.keyprefix: got unknown key "keyprefix" (did you mean keyPrefix?), expected one of the known keys: accessLogBucket, bucket, createKmsKey, keyPrefix, kmsKeyId, lockTable, locking',
    ]);
  });

  test('fails when a tag key breaks its format: names the key and what a key must be', () => {
    const text = mustReplace(minimalStageYaml(), 'address: 10.0.0.1 }', 'address: 10.0.0.1, tags: { "Cost Center": cc-1 } }');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:10 hosts.0.tags.Cost Center: got the key "Cost Center", expected a key that is a lowercase tag key',
    ]);
  });

  test('fails when YAML 1.1 booleans are written (yes/no): says YAML reads them as text', () => {
    const text = mustReplace(minimalStageYaml(), 'address: 10.0.0.1 }', 'address: 10.0.0.1, managed: yes }');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:10 hosts.0.managed: got "yes", expected true or false (YAML reads "yes" as text: write true or false)',
    ]);
  });

  test('fails when a key is unlike any known key: no suggestion', () => {
    const [line] = problemsOf(mustReplace(minimalStageYaml(), 'owner: platform-team', 'owner: platform-team\ncolour: blue'));
    expect(line).toBe(
      'stacks/stages/dev.yaml:4 colour: got unknown key "colour", expected one of the known keys: agent, ci, datadog, fleet, hosts, network, owner, region, rollout, stage, state',
    );
  });
});

describe('host addresses', () => {
  test('an IPv6 address is a host address', () => {
    const { stage } = parseStage('stacks/stages/dev.yaml', mustReplace(minimalStageYaml(), 'address: 10.0.0.1', 'address: "2001:db8::10"'));
    expect(stage?.hosts[0].address).toBe('2001:db8::10');
  });

  test('fails when an IPv4 octet has a leading zero or is over 255', () => {
    for (const a of ['10.0.0.01', '10.0.0.256']) {
      expect(problemsOf(mustReplace(minimalStageYaml(), 'address: 10.0.0.1', `address: ${a}`))).toEqual([
        `stacks/stages/dev.yaml:10 hosts.0.address: got "${a}", expected an IPv4 address, an IPv6 address or a DNS name`,
      ]);
    }
  });

  test('fails when two hosts share an IPv6 address written two ways', () => {
    const text = [
      mustReplace(minimalStageYaml(), 'address: 10.0.0.1', 'address: "2001:db8::10"').trimEnd(),
      '  - { name: dev-web-02, service: web, team: storefront, criticality: low, address: "2001:DB8:0:0::10" }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'stacks/stages/dev.yaml:11 hosts.1.address: got "2001:DB8:0:0::10", expected an address no other host of the stage has (hosts.0 has it)',
    ]);
  });
});
