/**
 * Durations in monitor files: `5m`, `1h`, `3d` (whole minutes, hours, days).
 * The model keeps minutes; Datadog wants different spellings in different
 * places (`last_15m`, `1h`, minutes as numbers), rendered here.
 */

/** The YAML spelling of a duration. */
export const DURATION = /^([1-9]\d{0,4})(m|h|d)$/;
/** What a duration must look like, for error messages. */
export const DURATION_EXPECTED = 'a duration such as 5m, 1h or 3d';

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/** Minutes of a duration string (`90m` -> 90, `6h` -> 360); undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNIT_MINUTES[m[2]] : undefined;
}

/** Canonical short spelling of minutes: whole days as `3d`, whole hours as `6h`, else `30m`. */
export function formatDuration(minutes: number): string {
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** Spelling with hours as the largest unit (`48h`, `30m`): what SLO burn-rate windows take. */
export function formatHoursMinutes(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** Datadog timeframe spelling: `last_15m`, `last_4h`, `last_2d`. */
export function lastWindow(minutes: number): string {
  return `last_${formatDuration(minutes)}`;
}

/** Minutes of a Datadog `last_<n><unit>` window (also accepts `last_1w`); undefined when malformed. */
export function parseLastWindow(text: string): number | undefined {
  const m = /^last_([1-9]\d{0,4})(m|h|d|w)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'w' ? 7 * 24 * 60 : UNIT_MINUTES[m[2]]);
}
