import { isPagingHandle, isSlackHandle } from '../../../model/monitoring/routing';
import { buildMessage } from '../../../plan/monitoring/message';
import { parseTemplate, tagOfVariable } from '../../../plan/monitoring/template';

describe('message templates', () => {
  test('a well-formed template: handles with their enclosing blocks, is_match tags', () => {
    const t = parseTemplate(
      'Disk {{device.name}} full. {{#is_alert}}@pagerduty-web {{#is_match "host.name" "db"}}@slack-db{{/is_match}}{{else}}@slack-web{{/is_alert}} {{{event.text}}} mail@example.com',
    );
    expect(t.errors).toEqual([]);
    expect(t.handles).toEqual([
      { handle: '@pagerduty-web', within: [{ name: 'is_alert', negated: false }] },
      {
        handle: '@slack-db',
        within: [
          { name: 'is_alert', negated: false },
          { name: 'is_match', negated: false },
        ],
      },
      { handle: '@slack-web', within: [{ name: 'is_alert', negated: true }] },
    ]);
    expect(t.matches).toEqual([{ conditional: 'is_match', variable: 'host.name', tag: 'host' }]);
  });

  test.each([
    ['{{#is_alert}}x', '"{{#is_alert}}" never closed'],
    ['x{{/is_alert}}', 'a closing "{{/is_alert}}" without an opening block'],
    ['{{#is_alert}}{{#is_warning}}x{{/is_alert}}{{/is_warning}}', '"{{/is_alert}}" closing "{{#is_warning}}"'],
    ['{{#is_alrt}}x{{/is_alrt}}', 'an unknown conditional "{{#is_alrt}}"'],
    ['{{#is_match "env.name"}}x{{/is_match}}', '"{{#is_match ...}}" with a quoted tag variable and at least one quoted value'],
    ['{{else}}', 'an "{{else}}" outside a conditional block'],
    ['{{#is_alert}}x', '"{{#is_alert}}" never closed'],
    ['{{value', 'an unterminated "{{" at offset 0'],
  ])('fails when the template is %s', (text, error) => {
    expect(parseTemplate(text).errors).toContain(error);
  });

  test('tag variables name their tag', () => {
    expect(['env.name', 'env', '[dot.key].name', '[@payment.provider].name', '@http.status_code.name'].map(tagOfVariable)).toEqual([
      'env',
      'env',
      'dot.key',
      '@payment.provider',
      '@http.status_code',
    ]);
  });

  test('the built message: body, runbook and owner, then one routing block per state', () => {
    const msg = buildMessage({
      body: 'Errors at {{value}}.\n',
      runbook: 'https://runbooks.example/x',
      team: 'storefront',
      service: 'web',
      stage: 'prod',
      notify: { alert: ['@pagerduty-web'], warning: ['@slack-web'], noData: ['@pagerduty-web'] },
      warnings: true,
      noData: true,
    });
    expect(msg).toBe(
      [
        'Errors at {{value}}.',
        '',
        'Runbook: https://runbooks.example/x',
        'Owner: team storefront, service web, stage prod',
        '',
        '{{#is_alert}}@pagerduty-web{{/is_alert}}',
        '{{#is_alert_recovery}}@pagerduty-web{{/is_alert_recovery}}',
        '{{#is_warning}}@slack-web{{/is_warning}}',
        '{{#is_warning_recovery}}@slack-web{{/is_warning_recovery}}',
        '{{#is_no_data}}@pagerduty-web{{/is_no_data}}',
        '{{#is_no_data_recovery}}@pagerduty-web{{/is_no_data_recovery}}',
        '',
      ].join('\n'),
    );
    expect(parseTemplate(msg).errors).toEqual([]);
  });

  test('blocks without handles, warnings or no-data routing are left out', () => {
    const msg = buildMessage({ body: '', stage: 'dev', notify: { alert: [], warning: ['@slack-web'], noData: [] }, warnings: false, noData: false });
    expect(msg).toBe('Owner: stage dev\n');
  });

  test('handle kinds', () => {
    expect(['@pagerduty-web', '@pagerduty', '@slack-web', '@opsgenie-x'].map((h) => [isPagingHandle(h), isSlackHandle(h)])).toEqual([
      [true, false],
      [true, false],
      [false, true],
      [false, false],
    ]);
  });
});
