/**
 * Dashboard drift: the recorded API answers parsed (test/fixtures/datadog/
 * v1-dashboard-*.json, SOURCES.md), and the example prod stage's dashboards
 * as the fake API serves them after an apply (server-set fields, widget ids,
 * nulls), then edited, deleted, cloned and copied in the UI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BadResponseError } from '../../gate/datadog-responses';
import { compareDashboards, LiveDashboard, managedDashboard, MAX_DASHBOARD_DIFFERENCES, parseDashboardList, parseLiveDashboard } from '../../drift/dashboard';
import { readState } from '../../drift/state';
import { planStage } from '../../plan/monitoring/stage-plan';
import { exampleConfig, mustReplace, REPO } from '../support/fixtures';
import { FakeDatadog, FakeDashboard, startFakeDatadog } from '../support/fake-datadog';
import { appliedDashboards, dashboardIdOf, showJson } from './datadog-holds';

const fixture = (name: string): string => fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'datadog', name), 'utf8');

const config = exampleConfig();
const prod = config.stages.find((s) => s.name === 'prod')!;
const plan = planStage(prod, config.monitoring);
const state = readState(showJson(plan), 'prod.show.json');
const index = (key: string): number => plan.dashboards.findIndex((d) => d.key === key);

// The fake API's GET answers (server-set fields, widget ids, nulls): what drift reads live.
let fake: FakeDatadog;
beforeAll(async () => {
  fake = await startFakeDatadog({ apiKey: 'k', appKey: 'a' });
});
afterAll(() => fake.close());
async function served(ds: FakeDashboard[]): Promise<LiveDashboard[]> {
  fake.reset();
  fake.dashboards = ds;
  return Promise.all(
    ds.map(async (d) => {
      const res = await fetch(`${fake.url}api/v1/dashboard/${d.id}`, { headers: { 'DD-API-KEY': 'k', 'DD-APPLICATION-KEY': 'a' } });
      return parseLiveDashboard(await res.json());
    }),
  );
}

describe('drift: dashboards as Datadog answers them', () => {
  test('reads the recorded list pages (summaries: no tags, no widgets) and a dashboard read by id, normalized as the plan normalizes', () => {
    const page0 = parseDashboardList(JSON.parse(fixture('v1-dashboard-list-page0.json')));
    const page1 = parseDashboardList(JSON.parse(fixture('v1-dashboard-list-page1.json')));
    expect([...page0, ...page1].map((d) => d.id)).toEqual(['5vp-fxm-s4j', 'ubf-m9i-gms', 'ja7-nhx-7zs']);
    expect(page0[0]).toEqual({ id: '5vp-fxm-s4j', title: 'PCF Testing', description: '' });
    const d = parseLiveDashboard(JSON.parse(fixture('v1-dashboard-get-448-ktj-ezs.json')));
    expect(d.id).toBe('448-ktj-ezs');
    // Server-set fields and widget ids gone; keys sorted.
    expect(Object.keys(d.json)).toEqual(['description', 'layout_type', 'notify_list', 'restricted_roles', 'template_variables', 'title', 'widgets']);
    expect(JSON.stringify(d.json)).not.toContain('7381515167611300');
  });

  test('fails when an answer is not a dashboard: one error naming the field', () => {
    expect(() => parseLiveDashboard(JSON.parse(mustReplace(fixture('v1-dashboard-get-448-ktj-ezs.json'), '"widgets":[', '"widgetz":[')))).toThrow(
      BadResponseError,
    );
    expect(() => parseLiveDashboard(JSON.parse(mustReplace(fixture('v1-dashboard-get-448-ktj-ezs.json'), '"widgets":[', '"widgetz":[')))).toThrow(
      'the body.widgets: got nothing, expected a list of widgets',
    );
    expect(() => parseDashboardList(JSON.parse(mustReplace(fixture('v1-dashboard-list-page1.json'), '"id":"ja7-nhx-7zs"', '"id":7')))).toThrow(
      /^dashboards\[0\]\.id: got /,
    );
  });

  test('every planned dashboard carries the managed-by note drift recognises; a hand-made one does not', () => {
    expect(plan.dashboards.length).toBeGreaterThan(1);
    for (const d of plan.dashboards) expect(managedDashboard(String((JSON.parse(d.json) as { description: unknown }).description))).toBe(true);
    expect(managedDashboard('Preset dashboard for the OpenStack Controller integration.')).toBe(false);
  });
});

describe('drift: compare dashboards', () => {
  test('right after an apply: every dashboard in sync, whatever the server adds (ids, url, author, nulls), with and without the state', async () => {
    const live = await served(appliedDashboards(plan.dashboards));
    for (const withState of [true, false]) {
      const r = compareDashboards({ stage: 'prod', planned: plan.dashboards, live, ...(withState ? { state: state.dashboards } : {}) });
      expect(r.findings).toEqual([]);
      expect(r.inSync).toBe(plan.dashboards.length);
    }
  });

  test('fails when a widget query, the layout and a template variable were edited in the UI: each path named with both values', async () => {
    const ds = appliedDashboards(plan.dashboards);
    const i = index('dashboard-payments-checkout');
    const text = JSON.stringify(ds[i]);
    const q = /"query":"([^"]+)"/.exec(text)![1];
    ds[i] = JSON.parse(mustReplace(text, `"query":"${q}"`, `"query":"${q.replace('$env', 'env:staging')}"`)) as FakeDashboard;
    ds[i] = { ...ds[i], reflow_type: 'fixed', template_variables: [] };
    const r = compareDashboards({ stage: 'prod', planned: plan.dashboards, live: await served(ds), state: state.dashboards });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f).toMatchObject({ object: 'dashboard', kind: 'changed', key: 'dashboard-payments-checkout', id: dashboardIdOf(i) });
    if (f.kind !== 'changed') return;
    const query = f.fields.find((d) => d.field.endsWith('.query'));
    expect(query?.field).toMatch(/^widgets\[\d+\]\.definition\..*\.query$/);
    expect(query?.live).toContain('env:staging');
    expect(f.fields.find((d) => d.field === 'reflow_type')).toEqual({ field: 'reflow_type', declared: 'absent', live: 'fixed' });
    expect(f.fields.find((d) => d.field === 'template_variables')).toMatchObject({ live: 'absent' });
  });

  test(`fails when a dashboard was rebuilt in the UI: at most ${MAX_DASHBOARD_DIFFERENCES} paths, the rest counted`, async () => {
    const ds = appliedDashboards(plan.dashboards);
    const i = index('rollout-dashboard');
    ds[i] = JSON.parse(mustReplace(JSON.stringify(ds[i]), '"title":"', '"title":"(old) ', { all: true })) as FakeDashboard;
    const [f] = compareDashboards({ stage: 'prod', planned: plan.dashboards, live: await served(ds), state: state.dashboards }).findings;
    if (f.kind !== 'changed') throw new Error(`expected changed, got ${f.kind}`);
    expect(f.fields).toHaveLength(MAX_DASHBOARD_DIFFERENCES + 1);
    expect(f.fields[0]).toEqual({ field: 'title', declared: plan.dashboards[i].title, live: `(old) ${plan.dashboards[i].title}` });
    expect(f.fields[1].field).toMatch(/^widgets\[\d+\]\.definition\.title$/);
    expect(f.fields[MAX_DASHBOARD_DIFFERENCES].field).toMatch(/^\(\d+ more\)$/);
  });

  test('fails when a dashboard was deleted (with the state), renamed (without), cloned, or copied by hand: deleted, missing, orphaned, lookalikes', async () => {
    const ds = appliedDashboards(plan.dashboards);
    const i = index('dashboard-storefront-overview');
    const gone = ds.splice(i, 1)[0];
    expect(compareDashboards({ stage: 'prod', planned: plan.dashboards, live: await served(ds), state: state.dashboards, gone: [gone.id] }).findings).toEqual([
      { object: 'dashboard', kind: 'deleted', key: 'dashboard-storefront-overview', id: gone.id, name: gone.title },
    ]);
    const es = appliedDashboards(plan.dashboards);
    es[i] = { ...es[i], title: `${es[i].title} (old)` };
    es.push({ ...es[0], id: 'zz1-clo-ned', title: `${es[0].title} (cloned)` });
    es.push({ id: 'zz2-han-dmd', title: '[prod] made by hand', layout_type: 'ordered', widgets: [] });
    es.push({ id: 'zz3-oth-ers', title: 'Team board', layout_type: 'ordered', widgets: [] });
    const r = compareDashboards({ stage: 'prod', planned: plan.dashboards, live: await served(es) });
    expect(r.findings).toEqual([
      { object: 'dashboard', kind: 'missing', key: 'dashboard-storefront-overview', name: plan.dashboards[i].title },
      { object: 'dashboard', kind: 'orphaned', id: dashboardIdOf(i), name: `${plan.dashboards[i].title} (old)`, inState: false },
      { object: 'dashboard', kind: 'orphaned', id: 'zz1-clo-ned', name: `${plan.dashboards[0].title} (cloned)`, inState: false },
      { object: 'dashboard', kind: 'lookalike', id: 'zz2-han-dmd', name: '[prod] made by hand', why: 'named with the stage prefix "[prod]"' },
    ]);
  });
});
