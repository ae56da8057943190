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

/** One metric inside a metric query: its name, the tag keys its `{...}` filter uses and the tags it groups by. */
export interface MetricTerm {
  readonly metric: string;
  /** Keys of the `key:value` (and `key IN (...)`) filters, negated ones included; `*`, bare tags and `$variables` have none. */
  readonly filterTags: readonly string[];
  readonly groupBy: readonly string[];
}

const METRIC_WITH_FILTER = /([A-Za-z][A-Za-z0-9_.]*)\s*\{([^{}]*)\}/g;
const FUNCTION_CHAIN_THEN_BY = /^(?:\s*\.[A-Za-z_]+\([^()]*\))*\s*by\s*\{([^{}]*)\}/;

/** Tag keys a metric filter (`env:prod AND (rollout_batch:2 OR !team:x)`, `service IN (a,b)`) uses. */
export function filterTagKeys(filter: string): string[] {
  const keys = new Set<string>();
  let rest = filter;
  for (const m of filter.matchAll(/([A-Za-z@][A-Za-z0-9_.\-/@]*)\s+(?:NOT\s+)?IN\s*\(([^()]*)\)/g)) {
    keys.add(m[1]);
    rest = rest.replace(m[0], ' ');
  }
  for (const token of rest.split(/[\s,()]+/)) {
    if (token === '' || token === '*' || /^(AND|OR|NOT)$/.test(token)) continue;
    const t = token.replace(/^[!-]+/, '');
    const colon = t.indexOf(':');
    // Tag keys start with a letter; anything else is a value's continuation, a bare tag or a template variable.
    if (colon <= 0 || !/^[A-Za-z][A-Za-z0-9_.\-/]*$/.test(t.slice(0, colon))) continue;
    keys.add(t.slice(0, colon));
  }
  return [...keys].sort();
}

/**
 * The metrics of a metric, query or anomaly monitor query (or of a metric
 * query without a monitor's window and threshold), each with the tags it is
 * filtered and grouped by: `sum:a{env:prod} by {host}.as_count() / sum:b{*}`
 * gives `a` (env; host) and `b`.
 */
export function metricTerms(query: string): MetricTerm[] {
  const out: MetricTerm[] = [];
  for (const m of query.matchAll(METRIC_WITH_FILTER)) {
    if (m[1] === 'by') continue; // a group-by clause, read with its metric below
    const after = query.slice((m.index ?? 0) + m[0].length);
    const groups = FUNCTION_CHAIN_THEN_BY.exec(after);
    out.push({
      metric: m[1],
      filterTags: filterTagKeys(m[2]),
      groupBy: groups
        ? groups[1]
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== '')
        : [],
    });
  }
  return out;
}

/** Whether a query counts with `.as_count()` (monitors then sum each query over the window before the arithmetic). */
export function usesAsCount(query: string): boolean {
  return /\.as_count\(\)/.test(query);
}
