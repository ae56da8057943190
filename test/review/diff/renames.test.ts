import { renderMarkdown } from '../../../review/diff/change-report';
import { diffTrees } from '../../../review/diff/diff';
import type { DiffResult } from '../../../review/diff/types';
import { asTree, clone, exampleTree, Json } from './trees';

type Tree = ReturnType<typeof exampleTree>;
const OLD = 'monitors_api-latency_0F0F0F0F';
const NEW = 'monitors_api-slow_1A1A1A1A';

function diff(mutate: (t: Tree) => void): DiffResult {
  const base = exampleTree();
  const head = clone(base);
  mutate(head);
  return diffTrees(asTree(base), asTree(head));
}

/** Rename the prod monitor's resource; `moved` adds the block that carries it. */
function rename(t: Tree, moved: boolean, edit: (r: Json) => void = () => undefined): void {
  const stack = t.stacks['prod-observability'] as Json;
  const monitors = stack.resource.datadog_monitor as Json;
  monitors[NEW] = monitors[OLD];
  delete monitors[OLD];
  edit(monitors[NEW] as Json);
  if (moved) stack.moved = [{ from: `datadog_monitor.${OLD}`, to: `datadog_monitor.${NEW}` }];
}

describe('rollout diff: renames and imports', () => {
  test('a renamed resource with a moved block is one rename, not a destroy and a create', () => {
    const res = diff((t) => rename(t, true));
    expect(res.changes).toHaveLength(1);
    expect(res.changes[0]).toMatchObject({ stage: 'prod', kind: 'renamed', risk: 'low', subject: `resource.datadog_monitor.${NEW}` });
    expect(res.changes[0].text).toContain('is renamed from api-latency: Terraform moves it');
    const md = renderMarkdown(res, { base: 'a', head: 'b' });
    expect(md).toContain('0 added, 0 changed, 0 removed, 0 replaced, 1 renamed.');
    expect(md).toContain('| prod | prod-observability | 0 | 0 (+1 renamed) | 0 | 0 | low |');
  });

  test('a rename that also changes the monitor carries the change and its risk', () => {
    const res = diff((t) =>
      rename(t, true, (r) => {
        r.monitor_thresholds = { critical: 5, warning: 0.3 };
      }),
    );
    expect(res.changes).toHaveLength(1);
    expect(res.changes[0].kind).toBe('renamed');
    expect(res.changes[0].attributes.map((a) => a.path)).toEqual(['monitor_thresholds.critical']);
    expect(res.changes[0].text).toMatch(/renamed from .*; .*critical threshold 0\.5 -> 5/);
  });

  test('a chain of moves (renamed twice) still pairs the base and head addresses', () => {
    const res = diff((t) => {
      rename(t, false);
      (t.stacks['prod-observability'] as Json).moved = [
        { from: `datadog_monitor.${OLD}`, to: 'datadog_monitor.monitors_api-mid_2B2B2B2B' },
        { from: 'datadog_monitor.monitors_api-mid_2B2B2B2B', to: `datadog_monitor.${NEW}` },
      ];
    });
    expect(res.changes.map((c) => c.kind)).toEqual(['renamed']);
  });

  test('without a moved block the same rename is a destroy and a create', () => {
    const res = diff((t) => rename(t, false));
    expect(res.changes.map((c) => c.kind).sort()).toEqual(['added', 'removed']);
  });

  test('an added resource with an import block is adopted, not created', () => {
    const res = diff((t) => {
      const stack = t.stacks['dev-observability'] as Json;
      const monitors = stack.resource.datadog_monitor as Json;
      monitors[NEW] = { ...(monitors[OLD] as Json), name: 'api slow' };
      stack.import = [{ id: '1234567', to: `datadog_monitor.${NEW}` }];
    });
    expect(res.changes).toHaveLength(1);
    expect(res.changes[0]).toMatchObject({ kind: 'imported', risk: 'medium' });
    expect(res.changes[0].text).toContain('is imported (existing object 1234567): adopted, not created');
    expect(renderMarkdown(res, { base: 'a', head: 'b' })).toContain('| dev | dev-observability | 0 (+1 imported) |');
  });
});
