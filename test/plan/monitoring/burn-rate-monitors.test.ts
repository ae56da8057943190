import { burnRateMonitors, burnRateQuery, humanMinutes } from '../../../plan/monitoring/burn-rate-monitors';
import { SLO_ID_REF } from '../../../plan/monitoring/planned';
import { resolveStage } from '../../../model/monitoring/resolve';
import { parseTemplate } from '../../../plan/monitoring/template';
import { loadOk, TEAM_FILE } from '../../model/monitoring/fixtures';
import { mustReplace } from '../../support/fixtures';

const SLO = `${TEAM_FILE}slos:
  - id: web-availability
    name: Web availability
    type: metric
    numerator: sum:good{env:\${env}}.as_count()
    denominator: sum:all{env:\${env}}.as_count()
    targets: [{ timeframe: 7d, target: 99.9 }, { timeframe: 30d, target: 99.9, warning: 99.95 }]
    runbook: https://runbooks.example/web-slo
    priority: 1
`;

function burnFor(text: string, stage = 'prod'): ReturnType<typeof burnRateMonitors> {
  const m = loadOk({ 'monitors/storefront.yaml': text });
  return burnRateMonitors(resolveStage(m, stage).definitions.slos[0], m);
}

describe('SLO burn-rate alerts', () => {
  test('the query names the SLO, its primary timeframe, both windows and the rate', () => {
    expect(burnRateQuery('abc123', '30d', 14.4, 60, 5)).toBe('burn_rate("abc123").over("30d").long_window("1h").short_window("5m") > 14.4');
    expect(humanMinutes(3000)).toBe('2d 2h');
    expect(humanMinutes(90)).toBe('1h 30m');
  });

  test('the default tiers, field by field: page 14.4x 1h/5m and 6x 6h/30m, ticket 1x 3d/6h run as 1.5x 48h/4h', () => {
    const ms = burnFor(SLO);
    expect(
      ms.map((m) => ({
        key: m.key,
        origin: m.origin,
        kind: m.kind,
        datadogType: m.datadogType,
        name: m.name,
        query: m.query,
        thresholds: m.thresholds,
        priority: m.priority,
        notify: m.notify,
        notifyNoData: m.notifyNoData,
        refs: m.refs,
        tags: m.tags,
        runbook: m.runbook,
        team: m.team,
        service: m.service,
      })),
    ).toEqual([
      {
        key: 'slo-web-availability-burn-1-page',
        origin: 'burn-rate',
        kind: 'slo',
        datadogType: 'slo alert',
        name: '[prod] Web availability: error budget burn 14.4x over 1h/5m (page)',
        query: `burn_rate("${SLO_ID_REF}").over("30d").long_window("1h").short_window("5m") > 14.4`,
        thresholds: { critical: 14.4 },
        priority: 1,
        notify: { alert: ['@pagerduty-storefront'], warning: [], noData: [] },
        notifyNoData: false,
        refs: { monitors: [], slo: 'web-availability' },
        tags: [
          'burn_rate_severity:page',
          'cost_center:cc-web',
          'env:prod',
          'managed-by:observability-rollout',
          'service:web',
          'slo:web-availability',
          'team:storefront',
        ],
        runbook: 'https://runbooks.example/web-slo',
        team: 'storefront',
        service: 'web',
      },
      expect.objectContaining({
        key: 'slo-web-availability-burn-2-page',
        name: '[prod] Web availability: error budget burn 6x over 6h/30m (page)',
        query: `burn_rate("${SLO_ID_REF}").over("30d").long_window("6h").short_window("30m") > 6`,
        thresholds: { critical: 6 },
        priority: 1,
        notify: { alert: ['@pagerduty-storefront'], warning: [], noData: [] },
      }),
      expect.objectContaining({
        key: 'slo-web-availability-burn-3-ticket',
        name: '[prod] Web availability: error budget burn 1.5x over 48h/4h (ticket)',
        query: `burn_rate("${SLO_ID_REF}").over("30d").long_window("48h").short_window("4h") > 1.5`,
        thresholds: { critical: 1.5 },
        priority: 3,
        notify: { alert: ['@slack-storefront-alerts'], warning: [], noData: [] },
        tags: expect.arrayContaining(['burn_rate_severity:ticket']),
      }),
    ]);
  });

  test('messages explain the burn, route page tiers to the pager and ticket tiers to chat, and are valid templates', () => {
    const [page, , ticket] = burnFor(SLO);
    expect(page.message).toBe(
      [
        'Error budget of SLO "Web availability" (99.9% over 30d) is burning at {{long_window_burn_rate}}x over the last 1h and {{short_window_burn_rate}}x over the last 5m (threshold 14.4x).',
        'At 14.4x the 30d budget is gone in 2d 2h; when this fires about 2% of it is spent. Page: act now.',
        '',
        'Runbook: https://runbooks.example/web-slo',
        'Owner: team storefront, service web, stage prod',
        '',
        '{{#is_alert}}@pagerduty-storefront{{/is_alert}}',
        '{{#is_alert_recovery}}@pagerduty-storefront{{/is_alert_recovery}}',
        '',
      ].join('\n'),
    );
    expect(ticket.message).toContain("Declared as 1x over 3d/6h; Datadog's longest burn-rate window is 48h, so it runs as 1.5x over 48h/4h");
    expect(ticket.message).toContain('{{#is_alert}}@slack-storefront-alerts{{/is_alert}}');
    expect(ticket.message).not.toContain('@pagerduty');
    for (const m of [page, ticket]) expect(parseTemplate(m.message).errors).toEqual([]);
  });

  test('tiers are configurable and follow the primary timeframe; burn-rate alerting can be switched off', () => {
    const custom = mustReplace(
      SLO,
      '    priority: 1\n',
      '    priority: 1\n    primaryTimeframe: 7d\n    burnRate:\n      tiers: [{ severity: page, burnRate: 16.8, longWindow: 1h, shortWindow: 5m }]\n',
    );
    const [only, ...rest] = burnFor(custom);
    expect(rest).toEqual([]);
    expect(only.query).toBe(`burn_rate("${SLO_ID_REF}").over("7d").long_window("1h").short_window("5m") > 16.8`);
    expect(only.message).toContain('about 10% of it is spent');
    expect(burnFor(mustReplace(SLO, '    priority: 1\n', '    priority: 1\n    burnRate: { enabled: false }\n'))).toEqual([]);
  });
});
