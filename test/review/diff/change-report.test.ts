import { diffTrees } from '../../../review/diff/diff';
import { ganttChart } from '../../../review/diff/gantt';
import { renderJson, renderMarkdown } from '../../../review/diff/change-report';
import { asTree, clone, exampleTree } from './trees';

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

describe('renderMarkdown', () => {
  test('headline and summary table first, then the changes in words grouped by stage and stack, then schedules and the legend', () => {
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
        '| prod | prod-observability | 0 | 1 | 0 | 0 | medium |',
        '| prod | inventory | 0 | 1 | 0 | 0 | **high** |',
      ].join('\n'),
    );
    expect(md).toContain(
      '#### shared / state\n\n- **critical** state bucket `acme-tfstate`: prevent_destroy removed _(turns off state protection (prevent_destroy))_',
    );
    expect(md).toContain(
      '#### dev / dev-infra\n\n- **critical** host dev-web-01 is replaced (destroyed and re-created) because subnet changes _(replaces a host)_\n  - subnet subnet-0a11de5e0001d001 -> subnet-0a11de5e0002d001 (medium)',
    );
    expect(md).toContain('#### prod / prod-observability\n\n- medium monitor `api latency` critical threshold 0.5 -> 0.8');
    expect(md).toContain('#### prod / inventory\n\n- **high** agent version 7.72.0 -> 7.73.0 on 30 hosts _(agent version)_');
    const order = [
      '| stage |',
      '### What changes',
      '### Rollout schedule',
      '#### dev\n\n```mermaid',
      '#### prod\n\n```mermaid',
      '<details><summary>Risk classes</summary>',
    ].map((s) => md.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
    expect(md).not.toContain('#### shared\n\n```mermaid'); // the state stack has no rollout
  });

  test('deterministic: same input, same bytes', () => {
    expect(renderMarkdown(busy(), labels)).toBe(renderMarkdown(busy(), labels));
    expect(renderJson(busy(), labels)).toBe(renderJson(busy(), labels));
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
    });
  });
});

describe('renderJson', () => {
  test('the same changes with values; absent values are left out', () => {
    const doc = JSON.parse(renderJson(busy(), labels)) as { highestRisk: string; totals: object; changes: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
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
  });
});

describe('ganttChart', () => {
  test('one section per batch: deploy, soak, gate, each batch after the previous gate', () => {
    expect(
      ganttChart({
        stage: 'prod',
        agentVersion: '7.72.0',
        batches: [
          { number: 1, hosts: 12, soakHours: 48 },
          { number: 2, hosts: 1, soakHours: 24 },
        ],
      }),
    ).toBe(
      [
        'gantt',
        '    title prod rollout, 13 hosts, agent 7.72.0, 72 h of soak',
        '    dateFormat YYYY-MM-DD HH:mm',
        '    axisFormat day %e',
        '    tickInterval 1day',
        '    todayMarker off',
        '    section batch 1 (12 hosts)',
        '    deploy batch 1 :milestone, d1, 2000-01-01 00:00, 0h',
        '    soak 48 h :s1, after d1, 48h',
        '    go/no-go gate 1 :milestone, g1, after s1, 0h',
        '    section batch 2 (1 host)',
        '    deploy batch 2 :milestone, d2, after g1, 0h',
        '    soak 24 h :s2, after d2, 24h',
        '    go/no-go gate 2 :milestone, g2, after s2, 0h',
      ].join('\n'),
    );
  });
});
