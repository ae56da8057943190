/**
 * Multi-window, multi-burn-rate alerts of an SLO (pure): one Datadog
 * `slo alert` monitor per tier. Page tiers go to the alert handles with the
 * SLO's priority; ticket tiers go to the warning handles (never a pager)
 * with priority 3 or lower.
 */
import { budgetConsumedPercent, datadogTier, minutesToExhaustion, SLO_TIMEFRAME_MINUTES } from '../../model/monitoring/burn-rate';
import { formatDuration, formatHoursMinutes } from '../../model/monitoring/duration';
import { formatNumber } from '../../model/monitoring/query';
import type { MonitoringConfig, StageSloDef } from '../../model/monitoring/types';
import { buildMessage } from './message';
import { PlannedMonitor, SLO_ID_REF, sloKey, tagList } from './planned';

/** The Datadog burn-rate query of a tier: `burn_rate("<id>").over("30d").long_window("1h").short_window("5m") > 14.4`. */
export function burnRateQuery(sloId: string, timeframe: string, burnRate: number, longWindowMinutes: number, shortWindowMinutes: number): string {
  return (
    `burn_rate("${sloId}").over("${timeframe}")` +
    `.long_window("${formatHoursMinutes(longWindowMinutes)}").short_window("${formatHoursMinutes(shortWindowMinutes)}") > ${formatNumber(burnRate)}`
  );
}

/** `3000` minutes -> `2d 2h`; `90` -> `1h 30m`. */
export function humanMinutes(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}

/** The burn-rate alerts of one SLO in one stage (none when burn-rate alerting is off). */
export function burnRateMonitors(slo: StageSloDef, monitoring: MonitoringConfig): PlannedMonitor[] {
  if (!slo.burnRate.enabled) return [];
  const primary = slo.targets.find((t) => t.timeframe === slo.primaryTimeframe);
  if (!primary) return [];
  const timeframeMinutes = SLO_TIMEFRAME_MINUTES[slo.primaryTimeframe];
  return slo.burnRate.tiers.map((tier, i): PlannedMonitor => {
    const dd = datadogTier(tier);
    const long = formatHoursMinutes(dd.longWindowMinutes);
    const short = formatHoursMinutes(dd.shortWindowMinutes);
    const rate = formatNumber(dd.burnRate);
    const page = tier.severity === 'page';
    const notify = { alert: page ? slo.notify.alert : slo.notify.warning, warning: [], noData: [] };
    const budget = formatNumber(budgetConsumedPercent(dd.burnRate, dd.longWindowMinutes, timeframeMinutes));
    const lines = [
      `Error budget of SLO "${slo.name}" (${formatNumber(primary.target)}% over ${slo.primaryTimeframe}) is burning at ` +
        `{{long_window_burn_rate}}x over the last ${long} and {{short_window_burn_rate}}x over the last ${short} (threshold ${rate}x).`,
      `At ${rate}x the ${slo.primaryTimeframe} budget is gone in ${humanMinutes(minutesToExhaustion(dd.burnRate, timeframeMinutes))}; ` +
        `when this fires about ${budget}% of it is spent. ${page ? 'Page: act now.' : 'Ticket: fix within working hours.'}`,
    ];
    if (dd.rescaledFrom) {
      const o = dd.rescaledFrom;
      lines.push(
        `Declared as ${formatNumber(o.burnRate)}x over ${formatDuration(o.longWindowMinutes)}/${formatDuration(o.shortWindowMinutes)}; ` +
          `Datadog's longest burn-rate window is 48h, so it runs as ${rate}x over ${long}/${short}, which spends the same share of the budget.`,
      );
    }
    const body = lines.join('\n');
    return {
      key: `${sloKey(slo.id)}-burn-${i + 1}-${tier.severity}`,
      // A renamed SLO keeps its burn-rate alerts too.
      ...(slo.previousIds?.length ? { previousKeys: slo.previousIds.map((id) => `${sloKey(id)}-burn-${i + 1}-${tier.severity}`) } : {}),
      origin: 'burn-rate',
      stage: slo.stage,
      kind: 'slo',
      datadogType: 'slo alert',
      name: `[${slo.stage}] ${slo.name}: error budget burn ${rate}x over ${long}/${short} (${tier.severity})`,
      query: burnRateQuery(SLO_ID_REF, slo.primaryTimeframe, dd.burnRate, dd.longWindowMinutes, dd.shortWindowMinutes),
      body,
      message: buildMessage({
        body,
        ...(slo.runbook !== undefined ? { runbook: slo.runbook } : {}),
        ...(slo.team !== undefined ? { team: slo.team } : {}),
        ...(slo.service !== undefined ? { service: slo.service } : {}),
        stage: slo.stage,
        notify,
        warnings: false,
        noData: false,
      }),
      thresholds: { critical: dd.burnRate },
      priority: page ? slo.priority : Math.max(3, slo.priority),
      tags: tagList(slo.stage, slo.service, slo.team, { ...monitoring.policy.tags, ...slo.tags }, [`slo:${slo.id}`, `burn_rate_severity:${tier.severity}`]),
      restrictedRoles: slo.restrictedRoles,
      notifyNoData: false,
      ...(slo.team !== undefined ? { team: slo.team } : {}),
      ...(slo.service !== undefined ? { service: slo.service } : {}),
      ...(slo.runbook !== undefined ? { runbook: slo.runbook } : {}),
      notify,
      refs: { monitors: [], slo: slo.id },
      suppress: slo.suppress,
      source: slo.source,
      fieldPrefix: '',
    };
  });
}
