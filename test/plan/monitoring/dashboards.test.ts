import * as fs from 'fs';
import * as path from 'path';
import { dashboardJson, normalizeDashboard, stageDashboard } from '../../../plan/monitoring/dashboards';
import type { StageDashboardDef } from '../../../model/monitoring/types';
import { REPO } from '../../support/fixtures';

const exported = {
  id: 'abc-def-ghi',
  title: 'Storefront',
  author_handle: 'jane@example.com',
  author_name: 'Jane',
  created_at: '2025-03-04T10:21:07Z',
  modified_at: '2025-09-18T16:02:44Z',
  url: '/dashboard/abc-def-ghi/storefront',
  is_read_only: true,
  layout_type: 'ordered',
  widgets: [
    { id: 12, definition: { type: 'note', content: 'hi' } },
    {
      id: 13,
      definition: { type: 'group', title: 'g', layout_type: 'ordered', widgets: [{ id: 14, definition: { type: 'query_value', title: 'q', requests: [] } }] },
    },
  ],
};

describe('dashboard JSON', () => {
  test('server-set fields go: dashboard and widget ids at any depth, author, times, url, is_read_only', () => {
    expect(normalizeDashboard(exported)).toEqual({
      layout_type: 'ordered',
      title: 'Storefront',
      widgets: [
        { definition: { content: 'hi', type: 'note' } },
        { definition: { layout_type: 'ordered', title: 'g', type: 'group', widgets: [{ definition: { requests: [], title: 'q', type: 'query_value' } }] } },
      ],
    });
  });

  test('keys are sorted at every level and list order is kept, so the text is stable', () => {
    const text = dashboardJson(exported);
    const shuffled = JSON.parse(JSON.stringify({ widgets: exported.widgets, title: exported.title, layout_type: exported.layout_type }));
    expect(dashboardJson(shuffled)).toBe(text);
    expect(dashboardJson(JSON.parse(text))).toBe(text);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['layout_type', 'title', 'widgets']);
    expect(Object.keys(parsed.widgets[1].definition)).toEqual(['layout_type', 'title', 'type', 'widgets']);
    expect(parsed.widgets.map((w: { definition: { type: string } }) => w.definition.type)).toEqual(['note', 'group']);
    expect(text).not.toMatch(/"id"|author|created_at|modified_at|"url"|is_read_only/);
  });

  test('a stage gets its title, its env default, the team tag and a managed-by note', () => {
    const def = JSON.parse(fs.readFileSync(path.join(REPO, 'monitors/dashboards/storefront-overview.json'), 'utf8')) as Record<string, unknown>;
    const d: StageDashboardDef = {
      id: 'storefront-overview',
      title: 'Storefront overview',
      team: 'storefront',
      restrictedRoles: [],
      file: 'monitors/dashboards/storefront-overview.json',
      definition: def,
      stage: 'test',
      source: { file: 'monitors/storefront.yaml', line: 1, path: 'dashboards.0', fieldLines: {} },
    };
    const planned = stageDashboard(d);
    const json = JSON.parse(planned.json);
    expect(planned.key).toBe('dashboard-storefront-overview');
    expect(json.title).toBe('[test] Storefront overview');
    expect(json.template_variables).toEqual([{ available_values: [], defaults: ['test'], name: 'env', prefix: 'env' }]);
    expect(json.tags).toEqual(['team:storefront']);
    expect(json.description).toMatch(
      /\n\nManaged by observability-rollout from monitors\/dashboards\/storefront-overview\.json; edits in the Datadog UI are overwritten\.$/,
    );
    expect(planned.json).not.toMatch(/"id"|author_|created_at|modified_at|"url"|is_read_only/);
  });

  test('fields the API echoes back are sent as it echoes them; restricted roles replace the deprecated is_read_only', () => {
    const role = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
    const d = (definition: Record<string, unknown>, restrictedRoles: string[] = []): StageDashboardDef => ({
      id: 'b',
      title: 'Board',
      restrictedRoles,
      file: 'monitors/dashboards/b.json',
      definition,
      stage: 'prod',
      source: { file: 'monitors/x.yaml', line: 1, path: 'dashboards.0', fieldLines: {} },
    });
    const bare = JSON.parse(stageDashboard(d({ title: 'Board', layout_type: 'ordered', is_read_only: false, widgets: [] })).json);
    expect(bare).toEqual({
      description: 'Managed by observability-rollout from monitors/dashboards/b.json; edits in the Datadog UI are overwritten.',
      layout_type: 'ordered',
      notify_list: [],
      template_variables: [],
      title: '[prod] Board',
      widgets: [],
    });
    const ro = JSON.parse(
      stageDashboard(d({ title: 'Board', layout_type: 'ordered', is_read_only: true, notify_list: ['z@x', 'a@x'], widgets: [] }, [role])).json,
    );
    expect([ro.restricted_roles, ro.is_read_only, ro.notify_list]).toEqual([[role], undefined, ['a@x', 'z@x']]);
  });
});
