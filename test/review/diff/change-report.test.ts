import { diffTrees } from '../../../review/diff/diff';
import { ganttChart, timeline } from '../../../review/diff/gantt';
import { renderJson, renderMarkdown } from '../../../review/diff/change-report';
import { mustReplace } from '../../support/fixtures';
import { asTree, clone, exampleTree, hostBatches, inventory } from './trees';

const labels = { base: 'main (1a2b3c4)', head: 'working tree' };

function busy(): ReturnType<typeof diffTrees> {
  const a = exampleTree();
  const b = clone(a);
  b.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.73.0';
  b.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].monitor_thresholds.critical = 0.8;
  delete b.stacks.state.resource.aws_s3_bucket.storage_bucket_1A2B3C4D.lifecycle;
  b.stacks['dev-infra'].resource.aws_instance['fleet_dev-web-01_ABCDEF01'].subnet_id = 'subnet-0a11de5e0002d001';
  return diffTrees(asTree(a), asTree(b));
}

/** Monitors and dashboards naming the agent version, then the version bumped (prod), and a dev-only threshold change. */
function versioned(): ReturnType<typeof diffTrees> {
  const a = exampleTree();
  const m = a.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
  m.message = `${m.message} Rolling out Agent 7.72.0.`;
  const b = clone(a);
  b.inventories.prod.all.children.prod.vars.datadog_agent_version = '7.73.0';
  const mb = b.stacks['prod-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
  mb.message = mustReplace(mb.message, 'Agent 7.72.0', 'Agent 7.73.0');
  const dash = b.stacks['prod-observability'].resource.datadog_dashboard_json.dashboards_rollout_0D0D0D0D;
  dash.dashboard = JSON.stringify({ ...JSON.parse(dash.dashboard), title: 'prod rollout of 7.73.0' });
  a.stacks['prod-observability'].resource.datadog_dashboard_json.dashboards_rollout_0D0D0D0D.dashboard = JSON.stringify({
    ...JSON.parse(dash.dashboard),
    title: 'prod rollout of 7.72.0',
  });
  const dm = b.stacks['dev-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'];
  dm.monitor_thresholds.warning = 0.2;
  return diffTrees(asTree(a), asTree(b));
}

describe('renderMarkdown', () => {
  test('headline and summary table first, then one "needs attention" list ordered by risk across stages, then the timeline and the legend', () => {
    const md = renderMarkdown(busy(), labels);
    expect(
      md.startsWith(
        '## Change review\n\nBase `main (1a2b3c4)`, head `working tree`.\n\n**Highest risk: critical.** 4 changes in 3 stages: 0 added, 3 changed, 0 removed, 1 replaced.\n',
      ),
    ).toBe(true);
    expect(md).toContain(
      [
        '| stage | stack | added | changed | removed | replaced | risk |',
        '| --- | --- | ---: | ---: | ---: | ---: | --- |',
        '| shared | state | 0 | 1 | 0 | 0 | **critical** |',
        '| dev | dev-infra | 0 | 0 | 0 | 1 | **critical** |',
        '| prod | prod-observability | 0 | 1 | 0 | 0 | **high** |',
        '| prod | inventory | 0 | 1 | 0 | 0 | **high** |',
      ].join('\n'),
    );
    expect(md).toContain(
      [
        '### Needs attention',
        '',
        'Every change above low risk, highest risk first across stages; a change that only follows from another is listed under it, with the reason.',
        '',
        '- **critical** shared: state bucket `acme-tfstate`: prevent_destroy removed _(turns off state protection (prevent_destroy))_',
        '- **critical** dev: host dev-web-01 is replaced (destroyed and re-created) because subnet changes _(replaces a host)_',
        '  - subnet subnet-0a11de5e0001d001 -> subnet-0a11de5e0002d001 (medium)',
        '- **high** prod: agent version 7.72.0 -> 7.73.0 on 30 hosts _(agent version)_',
        '- **high** prod: monitor `api latency` (api-latency) critical threshold 0.5 -> 0.8 (loosened) _(loosens a paging monitor in prod)_',
      ].join('\n'),
    );
    const order = ['| stage |', '### Needs attention', '### Rollout timeline', '```mermaid', '<details><summary>Risk classes</summary>'].map((s) =>
      md.indexOf(s),
    );
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
    expect(md).not.toContain('### Low risk');
  });

  test('changes that follow from another are grouped under it with the reason; low-risk ones are folded away', () => {
    const md = renderMarkdown(versioned(), labels);
    expect(md).toContain(
      [
        '- **high** prod: agent version 7.72.0 -> 7.73.0 on 30 hosts _(agent version)_',
        '  - and 2 low-risk changes that follow from it (1 dashboard, 1 monitor), under "Low risk" below',
      ].join('\n'),
    );
    expect(md).toContain('<details><summary>3 low-risk changes (dashboards, message text, tightens a paging monitor outside prod)</summary>');
    expect(md).toMatch(/\n- low prod: monitor `api latency` \(api-latency\) notification message .* _\(follows from agent version 7\.72\.0 -> 7\.73\.0\)_\n/);
    expect(md).toMatch(/\n- low prod: dashboard `prod rollout of 7\.72\.0` .* _\(follows from agent version 7\.72\.0 -> 7\.73\.0\)_\n/);
    expect(md).toMatch(/- low dev: monitor `api latency` \(api-latency\) warning threshold 0\.3 -> 0\.2 \(tightened\)\n/);
    // The monitor whose message only restates the version is not listed beside the version change.
    expect(md.slice(md.indexOf('### Needs attention'), md.indexOf('### Low risk'))).not.toContain('notification message');
  });

  test('deterministic: same input, same bytes', () => {
    expect(renderMarkdown(busy(), labels)).toBe(renderMarkdown(busy(), labels));
    expect(renderJson(versioned(), labels)).toBe(renderJson(versioned(), labels));
  });

  test('no changes', () => {
    const none = diffTrees(asTree(exampleTree()), asTree(exampleTree()));
    expect(renderMarkdown(none, labels)).toBe(
      '## Change review\n\nBase `main (1a2b3c4)`, head `working tree`.\n\n**No changes**: every stack and inventory means the same on both sides.\n',
    );
    expect(JSON.parse(renderJson(none, labels))).toMatchObject({
      highestRisk: null,
      totals: { added: 0, changed: 0, removed: 0, replaced: 0 },
      changes: [],
      summary: [],
      attention: [],
    });
  });
});

describe('renderJson', () => {
  test('the same changes with values; absent values are left out; derived changes name their cause', () => {
    const doc = JSON.parse(renderJson(busy(), labels)) as { highestRisk: string; totals: object; changes: Array<Record<string, any>>; attention: string[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.highestRisk).toBe('critical');
    expect(doc.totals).toEqual({ added: 0, changed: 3, removed: 0, replaced: 1 });
    const bucket = doc.changes.find((c) => c.stack === 'state');
    expect(bucket).toMatchObject({
      subject: 'resource.aws_s3_bucket.storage_bucket_1A2B3C4D',
      kind: 'changed',
      risk: 'critical',
      label: 'state bucket `acme-tfstate`',
    });
    expect(bucket?.attributes).toEqual([
      {
        path: 'lifecycle.prevent_destroy',
        before: true,
        text: 'prevent_destroy removed',
        risk: 'critical',
        why: 'turns off state protection (prevent_destroy)',
      },
    ]);
    expect(doc.changes.find((c) => c.kind === 'replaced')?.forcedBy).toEqual(['subnet_id']);
    expect(doc.attention[0]).toBe('shared/state/resource.aws_s3_bucket.storage_bucket_1A2B3C4D');
    const derived = (JSON.parse(renderJson(versioned(), labels)) as { changes: Array<Record<string, any>> }).changes.filter((c) => c.derivedFrom); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(derived.map((c) => c.derivedFrom)).toEqual([
      { stage: 'prod', stack: 'inventory', subject: 'var datadog_agent_version', reason: 'agent version 7.72.0 -> 7.73.0' },
      { stage: 'prod', stack: 'inventory', subject: 'var datadog_agent_version', reason: 'agent version 7.72.0 -> 7.73.0' },
    ]);
    expect(JSON.parse(renderJson(busy(), labels)).stateStorage).toEqual({ buckets: ['acme-tfstate'], tables: ['acme-tflock'] });
  });
});

describe('rollout timeline', () => {
  const schedule = (stage: string, sizes: number[], soak = [48, 48, 72]): ReturnType<typeof timeline>['before'][number] => ({
    stage,
    startHour: 0,
    batches: sizes.map((hosts, i) => ({ number: i + 1, hosts, soakHours: soak[i] })),
  });

  test('one timeline across stages: each stage starts after the soaks of those before it (dev, test, then prod)', () => {
    const t = timeline(
      [schedule('prod', [12, 13, 13]), schedule('dev', [1, 1, 1]), schedule('test', [2, 2, 2], [24, 24, 24])],
      [schedule('prod', [13, 13, 13]), schedule('dev', [1, 1, 1]), schedule('test', [2, 2, 2], [24, 24, 24])],
      ['prod'],
    );
    expect(t.after.map((s) => [s.stage, s.startHour])).toEqual([
      ['dev', 0],
      ['test', 168],
      ['prod', 240],
    ]);
    expect(t.changed).toEqual(['prod']);
  });

  test('the chart draws only the stages whose rollout changed, before and after, at their real offsets', () => {
    const r = busy();
    expect(r.timeline.changed).toEqual(['prod']);
    expect(ganttChart(r.timeline)).toBe(
      [
        'gantt',
        '    title Rollout across stages (dev, then prod), before and after',
        '    dateFormat YYYY-MM-DD HH:mm',
        '    axisFormat day %e',
        '    tickInterval 1day',
        '    todayMarker off',
        '    section prod before (agent 7.72.0)',
        '    batch 1 (10 hosts) soak 48 h :prod_b1, 2000-01-08 00:00, 48h',
        '    gate 1 :milestone, prod_bg1, 2000-01-10 00:00, 0h',
        '    batch 2 (10 hosts) soak 48 h :prod_b2, 2000-01-10 00:00, 48h',
        '    gate 2 :milestone, prod_bg2, 2000-01-12 00:00, 0h',
        '    batch 3 (10 hosts) soak 72 h :prod_b3, 2000-01-12 00:00, 72h',
        '    gate 3 :milestone, prod_bg3, 2000-01-15 00:00, 0h',
        '    section prod after (agent 7.73.0)',
        '    batch 1 (10 hosts) soak 48 h :active, prod_a1, 2000-01-08 00:00, 48h',
        '    gate 1 :milestone, prod_ag1, 2000-01-10 00:00, 0h',
        '    batch 2 (10 hosts) soak 48 h :active, prod_a2, 2000-01-10 00:00, 48h',
        '    gate 2 :milestone, prod_ag2, 2000-01-12 00:00, 0h',
        '    batch 3 (10 hosts) soak 72 h :active, prod_a3, 2000-01-12 00:00, 72h',
        '    gate 3 :milestone, prod_ag3, 2000-01-15 00:00, 0h',
      ].join('\n'),
    );
    expect(renderMarkdown(r, labels)).toContain(
      '| stage | starts at hour | hosts | batch sizes | soak (h) | agent |\n| --- | --- | --- | --- | --- | --- |\n| prod | 168 (after dev 168 h) | 30 | 10/10/10 | 48/48/72 | 7.72.0 -> 7.73.0 |',
    );
  });

  test("a change to an earlier stage's soak moves the later stages: both offsets are shown", () => {
    const a = exampleTree();
    const b = clone(a);
    b.inventories.dev = inventory('dev', hostBatches('dev', [1, 1, 1]), { soak: [24, 24, 24] });
    b.inventories.prod = inventory('prod', hostBatches('prod', [10, 10, 11]));
    const md = renderMarkdown(diffTrees(asTree(a), asTree(b)), labels);
    expect(md).toContain('| dev | 0 | 3 | 1/1/1 | 48/48/72 -> 24/24/24 | 7.72.0 |');
    expect(md).toContain('| prod | 168 (after dev 168 h) -> 72 (after dev 72 h) | 30 -> 31 | 10/10/10 -> 10/10/11 | 48/48/72 | 7.72.0 |');
  });

  test("fails when no stage's rollout changes: no timeline at all", () => {
    const a = exampleTree();
    const b = clone(a);
    b.stacks['dev-observability'].resource.datadog_monitor['monitors_api-latency_0F0F0F0F'].monitor_thresholds.critical = 0.8;
    const r = diffTrees(asTree(a), asTree(b));
    expect(r.timeline.changed).toEqual([]);
    expect(renderMarkdown(r, labels)).not.toContain('### Rollout timeline');
  });
});
