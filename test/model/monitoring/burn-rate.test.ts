import {
  budgetConsumedPercent,
  datadogTier,
  DEFAULT_BURN_RATE_TIERS,
  maxBurnRate,
  minutesToExhaustion,
  SLO_TIMEFRAME_MINUTES,
  tierProblem,
} from '../../../model/monitoring/burn-rate';

const MONTH = SLO_TIMEFRAME_MINUTES['30d'];

describe('burn-rate math', () => {
  test('the default tiers are the SRE workbook ones and spend 2%, 5% and 10% of a 30-day budget', () => {
    expect(DEFAULT_BURN_RATE_TIERS.map((t) => [t.severity, t.burnRate, t.longWindowMinutes, t.shortWindowMinutes])).toEqual([
      ['page', 14.4, 60, 5],
      ['page', 6, 360, 30],
      ['ticket', 1, 4320, 360],
    ]);
    expect(DEFAULT_BURN_RATE_TIERS.map((t) => budgetConsumedPercent(t.burnRate, t.longWindowMinutes, MONTH))).toEqual([2, 5, 10]);
  });

  test('the maximum burn rate is 1 / (1 - target)', () => {
    expect(maxBurnRate(99.9)).toBe(1000);
    expect(maxBurnRate(99)).toBe(100);
    expect(maxBurnRate(95)).toBe(20);
    expect(maxBurnRate(90)).toBe(10);
  });

  test('time to exhaustion is the timeframe divided by the rate', () => {
    expect(minutesToExhaustion(14.4, MONTH)).toBe(3000);
    expect(minutesToExhaustion(1, MONTH)).toBe(MONTH);
  });

  test('tiers within 48 h run unchanged; a longer one is rescaled to 48 h at the same budget share', () => {
    expect(datadogTier(DEFAULT_BURN_RATE_TIERS[0])).toBe(DEFAULT_BURN_RATE_TIERS[0]);
    const ticket = datadogTier(DEFAULT_BURN_RATE_TIERS[2]);
    expect(ticket).toEqual({ severity: 'ticket', burnRate: 1.5, longWindowMinutes: 2880, shortWindowMinutes: 240, rescaledFrom: DEFAULT_BURN_RATE_TIERS[2] });
    expect(budgetConsumedPercent(ticket.burnRate, ticket.longWindowMinutes, MONTH)).toBe(10);
  });

  test('a tier is rejected when it can never fire or its windows are out of range', () => {
    expect(tierProblem(DEFAULT_BURN_RATE_TIERS[0], 99.9)).toBeUndefined();
    expect(tierProblem(DEFAULT_BURN_RATE_TIERS[0], 90)).toMatch(/^a burn rate of at most 10 /);
    expect(tierProblem({ severity: 'page', burnRate: 2, longWindowMinutes: 30, shortWindowMinutes: 5 }, 99)).toBe('a long window of at least 1h');
    expect(tierProblem({ severity: 'page', burnRate: 2, longWindowMinutes: 60, shortWindowMinutes: 60 }, 99)).toBe(
      'a short window shorter than the long window',
    );
  });
});
