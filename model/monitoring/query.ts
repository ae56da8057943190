/**
 * Datadog monitor query syntax, as far as this tool needs to understand it:
 * the shape of each monitor type's query, the threshold at its end, its
 * group-by tags and an anomaly query's alert window. Pure string functions.
 */

/** Monitor kinds a team can declare. */
export const MONITOR_TYPES = ['metric', 'query', 'service-check', 'log', 'anomaly', 'composite'] as const;
export type MonitorType = (typeof MONITOR_TYPES)[number];

/** Placeholders allowed in queries, names and messages; replaced per stage. */
export const PLACEHOLDERS = ['env', 'service', 'team'] as const;

const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`;
const COMPARATOR = String.raw`>=|<=|>|<`;
const TIMEFRAME = String.raw`last_[1-9]\d*[mhdw]`;
const TRAILING = new RegExp(String.raw`\s(${COMPARATOR})\s*(${NUMBER})\s*$`);

const METRIC_QUERY = new RegExp(
  String.raw`^(?:(?:avg|sum|min|max)\(${TIMEFRAME}\)|(?:change|pct_change)\((?:avg|sum|min|max)\(${TIMEFRAME}\),\s*${TIMEFRAME}\)|percentile\(${TIMEFRAME}\)):\S.*\s(?:${COMPARATOR})\s*${NUMBER}$`,
);
const LOG_QUERY = new RegExp(
  String.raw`^logs\("(?:[^"\\]|\\.)*"\)(?:\.index\("[^"]*"\))?\.rollup\("(?:count|cardinality|avg|sum|min|max|pc\d{2})"(?:,\s*"[^"]+")?\)(?:\.by\("[^"]+"\))?\.last\("[1-9]\d*[mhd]"\)\s(?:${COMPARATOR})\s*${NUMBER}$`,
);
const SERVICE_CHECK_QUERY =
  /^"[A-Za-z0-9_.-]+"\.over\("[^"]+"(?:,\s*"[^"]+")*\)(?:\.exclude\("[^"]+"(?:,\s*"[^"]+")*\))?(?:\.by\("[^"]+"(?:,\s*"[^"]+")*\))?\.last\([1-9]\d?\)\.count_by_status\(\)$/;
const ANOMALY_QUERY = new RegExp(
  String.raw`^(?:avg|sum|min|max)\(${TIMEFRAME}\):anomalies\(.+,\s*'(?:basic|agile|robust)',\s*\d+(?:\.\d+)?(?:,\s*[a-z_]+='?[A-Za-z0-9_/]+'?)*\)\s>=\s*${NUMBER}$`,
);
const COMPOSITE_QUERY = /^[\s()!&|a-z0-9-]+$/;
const COMPOSITE_ID = /[a-z][a-z0-9-]*[a-z0-9]/g;

/** An example of a valid query per monitor type, for error messages. */
export const QUERY_EXAMPLES: Record<MonitorType, string> = {
  metric: 'a metric monitor query such as avg(last_5m):avg:system.cpu.user{env:${env}} by {host} > 90',
  query: 'a metric monitor query such as sum(last_10m):sum:a{env:${env}}.as_count() / sum:b{env:${env}}.as_count() > 0.05',
  'service-check': 'a service check query such as "datadog.agent.up".over("env:${env}").by("host").last(2).count_by_status()',
  log: 'a log monitor query such as logs("service:web status:error env:${env}").index("*").rollup("count").by("host").last("5m") > 50',
  anomaly:
    "an anomaly query such as avg(last_4h):anomalies(sum:a{env:${env}}.as_count(), 'basic', 2, direction='above', alert_window='last_15m', interval=60, count_default_zero='true') >= 1",
  composite: 'a composite of monitor ids such as web-errors && web-latency',
};

/** Whether `query` has the shape Datadog expects for a monitor of type `type`. */
export function isWellFormedQuery(type: MonitorType, query: string): boolean {
  const q = query.trim();
  if (!balanced(q)) return false;
  switch (type) {
    case 'metric':
    case 'query':
      return METRIC_QUERY.test(q) && !/\banomalies\(/.test(q);
    case 'anomaly':
      return ANOMALY_QUERY.test(q);
    case 'log':
      return LOG_QUERY.test(q);
    case 'service-check':
      return SERVICE_CHECK_QUERY.test(q);
    case 'composite':
      return COMPOSITE_QUERY.test(q) && compositeIds(q).length >= 2;
  }
}

/** Brackets `()`, `{}`, `[]` balance outside quoted strings. */
export function balanced(text: string): boolean {
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '{' || c === '[') open.push(c);
    else if (c in pairs) {
      if (open.pop() !== pairs[c]) return false;
    }
  }
  return open.length === 0 && quote === undefined;
}

/** The comparator and number a query ends with (`> 0.05`), if any. */
export function queryThreshold(query: string): { comparator: string; value: number } | undefined {
  const m = TRAILING.exec(query);
  return m ? { comparator: m[1], value: Number(m[2]) } : undefined;
}

/** `query` with its trailing threshold replaced by `value`. */
export function withQueryThreshold(query: string, value: number): string {
  return query.replace(TRAILING, (_all, cmp: string) => ` ${cmp} ${formatNumber(value)}`);
}

/** A number as Datadog and Terraform should both see it: plain decimal, no float noise. */
export function formatNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/**
 * Tags a query groups by: `by {host,env}` in metric queries, `.by("host")`
 * in log and service check queries. Facets keep their `@`.
 */
export function groupByTags(type: MonitorType | 'slo', query: string): string[] {
  const tags = new Set<string>();
  if (type === 'log' || type === 'service-check') {
    for (const m of query.matchAll(/\.by\(([^)]*)\)/g)) {
      for (const q of m[1].matchAll(/"([^"]*)"/g)) for (const t of q[1].split(',')) if (t.trim()) tags.add(t.trim());
    }
  } else if (type !== 'composite' && type !== 'slo') {
    for (const m of query.matchAll(/\bby\s*\{([^}]*)\}/g)) for (const t of m[1].split(',')) if (t.trim()) tags.add(t.trim());
  }
  return [...tags].sort();
}

/** The `alert_window` of an anomaly query (`last_15m`), if present. */
export function anomalyAlertWindow(query: string): string | undefined {
  return /\balert_window\s*=\s*'([^']+)'/.exec(query)?.[1];
}

/** The `interval` (seconds) of an anomaly query, if present. */
export function anomalyInterval(query: string): number | undefined {
  const m = /\binterval\s*=\s*(\d+)/.exec(query);
  return m ? Number(m[1]) : undefined;
}

/** Monitor ids a composite query refers to, in order of first use. */
export function compositeIds(query: string): string[] {
  return [...new Set(query.match(COMPOSITE_ID) ?? [])];
}

/** Replace every monitor id of a composite query (`a && !b`) with `lookup(id)`. */
export function mapCompositeIds(query: string, lookup: (id: string) => string): string {
  return query.replace(COMPOSITE_ID, (id) => lookup(id));
}

/** `${name}` placeholders used in `text`. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
}

/** Replace `${env}`, `${service}`, `${team}` in `text`; other text is untouched. */
export function substitute(text: string, values: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{(env|service|team)\}/g, (all, k: string) => values[k] ?? all);
}
