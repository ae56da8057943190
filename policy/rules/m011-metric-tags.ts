/**
 * ROLLOUT-M011: a query filters and groups each metric only by tags that
 * metric carries (model/metrics.ts, the metric catalog). Datadog accepts
 * `{rollout_batch:2}` on a metric without that tag and answers with no data:
 * the monitor never alerts, the gate never sees the batch. Host-tagged
 * metrics can carry any host tag and pass; metrics the catalog does not know
 * pass too.
 */
import { carriesTag, findMetric, metricTagKeys, MetricInfo } from '../../model/metrics';
import { metricTerms } from '../../model/monitoring/query';
import type { Rule, RuleContext } from '../rule';

/** Metric, query and anomaly monitors hold metric queries; the others do not. */
const METRIC_KINDS = new Set(['metric', 'query', 'anomaly']);

function carried(info: MetricInfo, ctx: RuleContext): string {
  const tags = metricTagKeys(info, { apmSecondPrimaryTag: ctx.apmSecondPrimaryTag });
  const secondary =
    info.apmSecondPrimaryTag && ctx.apmSecondPrimaryTag === undefined
      ? ' (and the APM second primary tag, once an organization administrator sets one and monitors/policy.yaml declares it as apm.secondPrimaryTag)'
      : '';
  return `${tags.join(', ')}${secondary}`;
}

export const M011: Rule = {
  id: 'ROLLOUT-M011',
  title: 'queries filter and group metrics only by tags they carry',
  check(m, ctx) {
    if (!METRIC_KINDS.has(m.kind)) return [];
    const org = { apmSecondPrimaryTag: ctx.apmSecondPrimaryTag };
    const findings = new Map<string, { metric: string; info: MetricInfo; filtered: Set<string>; grouped: Set<string> }>();
    for (const term of metricTerms(m.query)) {
      const info = findMetric(term.metric);
      if (info === undefined) continue;
      const filtered = term.filterTags.filter((t) => !carriesTag(info, t, org));
      const grouped = term.groupBy.filter((t) => !carriesTag(info, t, org));
      if (filtered.length === 0 && grouped.length === 0) continue;
      const f = findings.get(term.metric) ?? { metric: term.metric, info, filtered: new Set<string>(), grouped: new Set<string>() };
      filtered.forEach((t) => f.filtered.add(t));
      grouped.forEach((t) => f.grouped.add(t));
      findings.set(term.metric, f);
    }
    return [...findings.values()].map((f) => {
      const what = [
        ...(f.filtered.size > 0 ? [`filtered by ${[...f.filtered].sort().join(', ')}`] : []),
        ...(f.grouped.size > 0 ? [`grouped by ${[...f.grouped].sort().join(', ')}`] : []),
      ].join(' and ');
      return {
        field: 'query',
        got: `${f.metric} (${f.info.type}, ${f.info.hostTags ? 'host tags' : 'no host tags'}) ${what}, tags it does not carry: the query matches nothing`,
        expected: `only tags ${f.info.name} carries: ${carried(f.info, ctx)} (${f.info.sources.join(', ')})`,
      };
    });
  },
};
