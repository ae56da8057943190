/**
 * The Agent's log scrub rules (ansible/roles/datadog_agent/defaults/main.yml,
 * `datadog_logs_scrub_rules`) against a table of sample lines: what leaks in
 * practice is masked, and ordinary lines pass unchanged. The Agent applies
 * `mask_sequences` rules in order, replacing every match, with Go (RE2)
 * regular expressions (https://docs.datadoghq.com/agent/logs/advanced_log_collection/#scrub-sensitive-data-from-your-logs);
 * the test refuses syntax RE2 lacks and runs the rest as JavaScript regular
 * expressions, which agree with RE2 on what the rules use. Key-shaped samples
 * are built at run time so no key-like literal sits in the repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO } from '../../../support/fixtures';

interface ScrubRule {
  type: string;
  name: string;
  replace_placeholder: string;
  pattern: string;
}

const defaults = parse(fs.readFileSync(path.join(REPO, 'ansible/roles/datadog_agent/defaults/main.yml'), 'utf8')) as { datadog_logs_scrub_rules: ScrubRule[] };
const rules = defaults.datadog_logs_scrub_rules;

/** The rule as a JavaScript RegExp: a leading (?i) becomes the i flag. */
function toRegExp(pattern: string): RegExp {
  const insensitive = pattern.startsWith('(?i)');
  return new RegExp(insensitive ? pattern.slice(4) : pattern, insensitive ? 'gi' : 'g');
}

/** What the Agent sends after every rule. */
function scrub(line: string): string {
  return rules.reduce((text, rule) => text.replace(toRegExp(rule.pattern), () => rule.replace_placeholder), line);
}

const hex = (n: number): string => '0123456789abcdef'.repeat(8).slice(0, n);
const alnum = (n: number): string => 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv'.repeat(4).slice(0, n);
const awsSecret = `${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'}${'EXAMPLEKEY'}`; // 40 characters, AWS's documentation example shape
const pem = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA' + alnum(24), alnum(32), '-----END RSA PRIVATE KEY-----'].join('\n');

describe('log scrub rules', () => {
  test('every rule is a mask_sequences rule in RE2 syntax: no lookarounds, backreferences or inline flags past the start', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const rule of rules) {
      expect(rule.type).toBe('mask_sequences');
      expect(rule.pattern).not.toMatch(/\(\?<?[=!]|\\[1-9]|.\(\?[a-z]+\)/);
      expect(() => toRegExp(rule.pattern)).not.toThrow();
    }
  });

  test.each([
    ['a Datadog key in an environment dump', `DD_API_KEY=${hex(32)}`, hex(32)],
    ['an application key in a config echo', `datadog_app_key: "${hex(40)}"`, hex(40)],
    ['api_key= in an application log', `request failed api_key=${alnum(32)} status=403`, alnum(32)],
    ['an API key as a JSON field', `{"apiKey": "${alnum(24)}", "user": "bob"}`, alnum(24)],
    ['a bare 32-hex key', `retrying with key ${hex(32)} after 403`, hex(32)],
    ['a 32-hex key in a URL', `GET /api/v1/validate?dd-api-key=${hex(32)} 200`, hex(32)],
    ['an AWS secret access key', `aws_secret_access_key = ${awsSecret}`, awsSecret],
    ['an AWS secret access key in the environment', `AWS_SECRET_ACCESS_KEY="${awsSecret}"`, awsSecret],
    ['an AWS access key id', `using credentials ${'AKIA'}${'IOSFODNN7EXAMPLE'}`, `${'AKIA'}${'IOSFODNN7EXAMPLE'}`],
    ['a bearer token', `Authorization: Bearer ${alnum(20)}.${alnum(30)}.${alnum(16)}`, alnum(30)],
    ['a password field', 'db connect password=hunter2-secret host=db1', 'hunter2-secret'],
    ['credentials in a URL', 'fetch https://deploy:s3cr3t-token@repo.example.com/pkg', 's3cr3t-token'],
    ['a PEM private key in one message', `loaded key:\n${pem}\nok`, alnum(32)],
    ['the first line of a PEM key split across messages', '-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA', 'b3BlbnNzaC1rZXktdjEAAAAA'],
  ])('masks %s', (_what, line, secret) => {
    const out = scrub(line);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[MASKED_[A-Z0-9_]+\]/);
  });

  test.each([
    ['a git commit (40 hex)', `deployed commit ${hex(40)}`],
    ['a sha256 digest (64 hex)', `sha256:${hex(64)}`],
    ['a UUID', 'trace 123e4567-e89b-12d3-a456-426614174000 done'],
    ['a line about passwords without one', 'password policy updated for 3 users'],
    ['an ordinary access log line', '10.0.0.5 - - [28/Nov/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2'],
    ['an Agent status line', 'INFO | (pkg/collector/worker/check_logger.go:40) | check:cpu | Done running check'],
  ])('leaves %s unchanged', (_what, line) => {
    expect(scrub(line)).toBe(line);
  });
});
