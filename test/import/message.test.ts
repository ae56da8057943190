import fc from 'fast-check';
import { parseMessage } from '../../import/message';
import { buildMessage, MessageParts } from '../../plan/monitoring/message';

const handle = fc.constantFrom('@pagerduty-payments', '@slack-payments-alerts', '@slack-web', '@oncall@acme.example', '@webhook-incidents');
const handles = fc.uniqueArray(handle, { maxLength: 3 });
const word = fc.constantFrom('errors', 'in', 'the', 'api', '{{value}}', '{{host.name}}', 'p99', 'over', '5', 'minutes.', 'Check');
const line = fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' '));
const body = fc.array(line, { maxLength: 4 }).map((ls) => ls.join('\n'));
const slug = fc.constantFrom('payments', 'web', 'checkout', 'platform-team');

const parts: fc.Arbitrary<MessageParts> = fc.record({
  body,
  runbook: fc.option(fc.constantFrom('https://runbooks.acme.example/a', 'https://wiki.acme.example/x?y=1'), { nil: undefined }),
  team: fc.option(slug, { nil: undefined }),
  service: fc.option(slug, { nil: undefined }),
  stage: fc.constantFrom('dev', 'prod'),
  notify: fc.record({ alert: handles, warning: handles, noData: handles }),
  warnings: fc.boolean(),
  noData: fc.boolean(),
}) as fc.Arbitrary<MessageParts>;

describe('parseMessage', () => {
  test('reads back every part buildMessage writes (property)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const parsed = parseMessage(buildMessage(p));
        expect(parsed.body).toBe(p.body.trim().replace(/\n{3,}/g, '\n\n'));
        expect(parsed.runbook).toBe(p.runbook);
        expect(parsed.owner).toEqual({ ...(p.team ? { team: p.team } : {}), ...(p.service ? { service: p.service } : {}), stage: p.stage });
        expect(parsed.routed).toEqual({ alert: p.notify.alert, warning: p.warnings ? p.notify.warning : [], noData: p.noData ? p.notify.noData : [] });
        expect(parsed.bare).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test('a hand-written message: bare handle lines are routing, handles in prose and other blocks stay in the text', () => {
    const m = parseMessage(
      [
        'Disk almost full on {{host.name}}; ask @sam.lee@acme.example if unsure.',
        '{{#is_match "env.name" "prod"}}@pagerduty-storage{{/is_match}}',
        '{{#is_warning}}Clean /var/log first.{{/is_warning}}',
        '@slack-storage @webhook-tickets',
        '{{#is_alert}} @pagerduty-storage {{/is_alert}}',
      ].join('\n'),
    );
    expect(m.bare).toEqual(['@slack-storage', '@webhook-tickets']);
    expect(m.routed).toEqual({ alert: ['@pagerduty-storage'], warning: [], noData: [] });
    expect(m.body).toBe(
      [
        'Disk almost full on {{host.name}}; ask @sam.lee@acme.example if unsure.',
        '{{#is_match "env.name" "prod"}}@pagerduty-storage{{/is_match}}',
        '{{#is_warning}}Clean /var/log first.{{/is_warning}}',
      ].join('\n'),
    );
  });

  test('lines inside a block are never taken as runbook, owner or routing', () => {
    const m = parseMessage('{{#is_alert}}\nRunbook: https://x.example/a\n@slack-a\n{{/is_alert}}');
    expect(m.runbook).toBeUndefined();
    expect(m.bare).toEqual([]);
    expect(m.body).toContain('Runbook: https://x.example/a');
  });
});
