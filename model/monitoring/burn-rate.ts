/**
 * Burn-rate math for multi-window, multi-burn-rate SLO alerts (Google SRE
 * workbook, "Alerting on SLOs"). Pure functions; no Datadog, no cdktf.
 *
 * A burn rate of 1 spends exactly the error budget over the SLO's timeframe;
 * a tier alerts when both its long and its short window burn faster than
 * its rate. Datadog's `burn_rate()` monitors accept long windows of 1 h to
 * 48 h: a tier with a longer window is rescaled to 48 h at the burn rate
 * that spends the same share of the budget (1x over 3d = 1.5x over 48h),
 * keeping the short window the same fraction of the long one.
 */

/** SLO timeframes Datadog supports, in minutes. */
export const SLO_TIMEFRAME_MINUTES = { '7d': 7 * 24 * 60, '30d': 30 * 24 * 60, '90d': 90 * 24 * 60 } as const;
export type SloTimeframe = keyof typeof SLO_TIMEFRAME_MINUTES;
export const SLO_TIMEFRAMES = Object.keys(SLO_TIMEFRAME_MINUTES) as SloTimeframe[];

/** Datadog's bounds on a burn-rate alert's long window. */
export const MIN_LONG_WINDOW_MINUTES = 60;
export const MAX_LONG_WINDOW_MINUTES = 48 * 60;

/** What a tier does when it fires. */
export const BURN_RATE_SEVERITIES = ['page', 'ticket'] as const;
export type BurnRateSeverity = (typeof BURN_RATE_SEVERITIES)[number];

/** One burn-rate alert tier. */
export interface BurnRateTier {
  readonly severity: BurnRateSeverity;
  /** Multiple of the budget-neutral rate that fires the alert. */
  readonly burnRate: number;
  readonly longWindowMinutes: number;
  readonly shortWindowMinutes: number;
}

/** The workbook's tiers for a 30-day SLO: page at 14.4x 1h/5m and 6x 6h/30m, ticket at 1x 3d/6h. */
export const DEFAULT_BURN_RATE_TIERS: readonly BurnRateTier[] = [
  { severity: 'page', burnRate: 14.4, longWindowMinutes: 60, shortWindowMinutes: 5 },
  { severity: 'page', burnRate: 6, longWindowMinutes: 6 * 60, shortWindowMinutes: 30 },
  { severity: 'ticket', burnRate: 1, longWindowMinutes: 3 * 24 * 60, shortWindowMinutes: 6 * 60 },
];

/** The highest burn rate an SLO with `targetPercent` can ever show: 1 / (1 - target). */
export function maxBurnRate(targetPercent: number): number {
  return round(1 / (1 - targetPercent / 100), 6);
}

/** Share of the error budget (percent) a tier has spent when it fires: rate x long window / timeframe. */
export function budgetConsumedPercent(burnRate: number, longWindowMinutes: number, timeframeMinutes: number): number {
  return round((burnRate * longWindowMinutes * 100) / timeframeMinutes, 4);
}

/** Minutes until the whole budget is gone at `burnRate`: timeframe / rate. */
export function minutesToExhaustion(burnRate: number, timeframeMinutes: number): number {
  return Math.round(timeframeMinutes / burnRate);
}

/** The tier as Datadog can run it: unchanged, or rescaled to a 48 h long window (same budget share). */
export function datadogTier(tier: BurnRateTier): BurnRateTier & { readonly rescaledFrom?: BurnRateTier } {
  if (tier.longWindowMinutes <= MAX_LONG_WINDOW_MINUTES) return tier;
  const factor = tier.longWindowMinutes / MAX_LONG_WINDOW_MINUTES;
  return {
    severity: tier.severity,
    burnRate: round(tier.burnRate * factor, 3),
    longWindowMinutes: MAX_LONG_WINDOW_MINUTES,
    shortWindowMinutes: Math.max(1, Math.round(tier.shortWindowMinutes / factor)),
    rescaledFrom: tier,
  };
}

/** Why a tier cannot be created for an SLO with `targetPercent`, or undefined when it can. */
export function tierProblem(tier: BurnRateTier, targetPercent: number): string | undefined {
  if (tier.longWindowMinutes < MIN_LONG_WINDOW_MINUTES) return 'a long window of at least 1h';
  if (tier.shortWindowMinutes >= tier.longWindowMinutes) return 'a short window shorter than the long window';
  const dd = datadogTier(tier);
  const max = maxBurnRate(targetPercent);
  if (dd.burnRate > max) {
    return `a burn rate of at most ${max} (1 / (1 - ${targetPercent}%)); a higher rate can never fire and Datadog rejects it`;
  }
  return undefined;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
