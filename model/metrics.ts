/**
 * The metric catalog: every metric the rollout (monitors, dashboard, gate)
 * and the rule pack rely on, with its type, the tags it carries and where
 * that is documented. signals.ts builds every query from these names, and
 * ROLLOUT-M011 refuses a query that filters or groups a catalogued metric by
 * a tag it does not carry. Facts and sources: docs/sources/datadog-contract.md.
 *
 * Host tags are the tags of the Agent that sent a metric (`datadog_tags`
 * from the inventory: env, service, team, criticality, rollout_batch, and
 * whatever else the host has). A metric WITHOUT host tags (APM latency
 * distributions, log-based metrics) carries only the tags listed here, so
 * `{rollout_batch:2}` on it matches nothing: Datadog answers with no data,
 * never with an error. Pure.
 */

/** Datadog metric types (https://docs.datadoghq.com/metrics/types/). */
export type MetricType = 'count' | 'gauge' | 'distribution';

/** What the catalog knows about one metric (or one family: `<span>`, `<stage>`). */
export interface MetricInfo {
  /** Name, with `<span>` for an APM span (operation) name such as http.request and `<stage>` for a stage name. */
  readonly name: string;
  readonly type: MetricType;
  /** It carries the host tags of the Agent that reported it (any host tag, `host` included). */
  readonly hostTags: boolean;
  /** Tag keys it carries besides host tags. */
  readonly tags: readonly string[];
  /** It also carries the organization's APM second primary tag, when one is set (APM settings). */
  readonly apmSecondPrimaryTag?: boolean;
  /** Unit of its values. */
  readonly unit: string;
  /** Where the type and tags are documented. */
  readonly sources: readonly string[];
  /** What to know before querying it. */
  readonly note?: string;
}

/** Documentation pages the catalog cites. */
export const METRIC_SOURCES = {
  traceMetrics: 'https://docs.datadoghq.com/tracing/metrics/metrics_namespace/',
  ddsketch: 'https://docs.datadoghq.com/tracing/guide/ddsketch_trace_metrics/',
  primaryTags: 'https://docs.datadoghq.com/tracing/guide/setting_primary_tags_to_scope/',
  processMetadata: 'https://github.com/DataDog/integrations-core/blob/master/process/metadata.csv',
  processCheck: 'https://github.com/DataDog/integrations-core/blob/master/process/datadog_checks/process/process.py',
  processConfig: 'https://github.com/DataDog/integrations-core/blob/master/process/datadog_checks/process/data/conf.yaml.example',
  agentRunning: 'https://github.com/DataDog/datadog-agent/blob/main/pkg/aggregator/aggregator.go',
  logsToMetrics: 'https://docs.datadoghq.com/logs/log_configuration/logs_to_metrics/',
} as const;

const APM_HIT_TAGS = ['env', 'service', 'version', 'resource', 'resource_name', 'http.status_code'] as const;
const APM_DISTRIBUTION_TAGS = ['env', 'service', 'version', 'resource', 'resource_name', 'synthetics'] as const;
const PROCESS_TAGS = ['process_name'] as const;

const traceCount = (suffix: string, extra: readonly string[] = []): MetricInfo => ({
  name: `trace.<span>.${suffix}`,
  type: 'count',
  hostTags: true,
  tags: [...APM_HIT_TAGS, ...extra],
  apmSecondPrimaryTag: true,
  unit: suffix.startsWith('errors') ? 'errors' : 'hits',
  sources: [METRIC_SOURCES.traceMetrics],
});

const traceDuration = (suffix: string, extra: readonly string[] = []): MetricInfo => ({
  name: `trace.<span>.${suffix}`,
  type: 'gauge',
  hostTags: true,
  tags: ['env', 'service', 'resource', 'http.status_code', ...extra],
  apmSecondPrimaryTag: true,
  unit: 'seconds (total time of the spans in each interval)',
  sources: [METRIC_SOURCES.traceMetrics],
  note:
    'Legacy ("[LEGACY] ... This method of using trace metrics is outdated"), no percentiles; the documented average with host tag filters is ' +
    'sum:trace.<span>.duration{...}.rollup(sum) / sum:trace.<span>.hits{...}.',
});

const processGauge = (name: string, unit: string): MetricInfo => ({
  name,
  type: 'gauge',
  hostTags: true,
  tags: PROCESS_TAGS,
  unit,
  sources: [METRIC_SOURCES.processMetadata, METRIC_SOURCES.processCheck],
  note: 'Sent by the process check (conf.d/process.d/conf.yaml) for each instance, tagged process_name:<instance name>, summed over the matched PIDs.',
});

/**
 * The catalog. Order matters: the first entry whose name matches wins, so
 * the suffixed trace metrics come before the bare `trace.<span>` latency
 * distribution.
 */
export const METRIC_CATALOG: readonly MetricInfo[] = [
  traceCount('hits.by_http_status', ['http.status_class']),
  traceCount('hits'),
  traceCount('errors.by_http_status', ['http.status_class']),
  traceCount('errors'),
  traceDuration('duration.by_http_status', ['http.status_class']),
  traceDuration('duration'),
  {
    name: 'trace.<span>.apdex',
    type: 'gauge',
    hostTags: false,
    tags: APM_DISTRIBUTION_TAGS,
    apmSecondPrimaryTag: true,
    unit: 'score (0-1)',
    sources: [METRIC_SOURCES.traceMetrics],
  },
  {
    name: 'trace.<span>',
    type: 'distribution',
    hostTags: false,
    tags: APM_DISTRIBUTION_TAGS,
    apmSecondPrimaryTag: true,
    unit: 'seconds',
    sources: [METRIC_SOURCES.traceMetrics, METRIC_SOURCES.ddsketch, METRIC_SOURCES.primaryTags],
    note:
      'No host tags: a filter on rollout_batch (a host tag) matches nothing unless an organization administrator made rollout_batch the APM second ' +
      'primary tag (APM > Settings; one per organization, at most 30 values, the previous one goes to No Data).',
  },
  {
    name: 'datadog.agent.running',
    type: 'gauge',
    hostTags: true,
    tags: ['version'],
    unit: '1 per Agent',
    sources: [METRIC_SOURCES.agentRunning],
    note: 'Sent by every Agent at each flush, value 1, tagged version:<Agent version>.',
  },
  processGauge('system.processes.cpu.pct', 'percent of one core'),
  processGauge('system.processes.cpu.normalized_pct', 'percent of all cores'),
  processGauge('system.processes.mem.rss', 'bytes'),
  processGauge('system.processes.mem.pct', 'percent'),
  processGauge('system.processes.threads', 'threads'),
  processGauge('system.processes.open_file_descriptors', 'file descriptors'),
  processGauge('system.processes.number', 'processes'),
  {
    name: 'rollout.security.failed_logins.<stage>',
    type: 'count',
    hostTags: false,
    tags: ['env', 'rollout_batch'],
    unit: 'failed logins',
    sources: [METRIC_SOURCES.logsToMetrics],
    note: 'The log-based metric each stage creates (plan/monitoring/rollout-monitors.ts): a log-based metric carries only the tags it groups by (env, rollout_batch).',
  },
];

/** The catalog entry's name as a regular expression (`<span>` and `<stage>` are placeholders). */
function namePattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('<span>', '[A-Za-z0-9_.-]+?').replace('<stage>', '[a-z0-9-]+')}$`);
}

const PATTERNS = METRIC_CATALOG.map((m) => ({ info: m, re: namePattern(m.name) }));

/** The catalog entry of a metric name (`trace.http.request.hits` -> `trace.<span>.hits`), if the catalog knows it. */
export function findMetric(name: string): MetricInfo | undefined {
  return PATTERNS.find((p) => p.re.test(name))?.info;
}

/** What the organization set up in Datadog that changes the tags a metric carries. */
export interface OrgTagSettings {
  /** The APM second primary tag (APM > Settings), if any. */
  readonly apmSecondPrimaryTag?: string;
}

/** The tag keys a catalogued metric carries for sure (besides host tags when it has them). */
export function metricTagKeys(info: MetricInfo, org: OrgTagSettings = {}): string[] {
  const tags = [...info.tags, ...(info.apmSecondPrimaryTag && org.apmSecondPrimaryTag !== undefined ? [org.apmSecondPrimaryTag] : [])];
  return [...new Set(tags)].sort();
}

/**
 * Whether `info` can carry tag key `key`: a tag of its own, or any tag when
 * it has host tags (the catalog cannot know every host tag, so those pass).
 */
export function carriesTag(info: MetricInfo, key: string, org: OrgTagSettings = {}): boolean {
  return info.hostTags || metricTagKeys(info, org).includes(key);
}

/** Metric names the rollout queries, built from the catalog's names. */
export const METRICS = {
  agentRunning: 'datadog.agent.running',
  traceHits: (span: string): string => `trace.${span}.hits`,
  traceErrors: (span: string): string => `trace.${span}.errors`,
  traceDuration: (span: string): string => `trace.${span}.duration`,
  traceLatency: (span: string): string => `trace.${span}`,
  processCpu: 'system.processes.cpu.pct',
  processRss: 'system.processes.mem.rss',
  failedLogins: (stage: string): string => `rollout.security.failed_logins.${stage}`,
} as const;
