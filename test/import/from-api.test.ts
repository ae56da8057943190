/**
 * import/from-api.ts without HTTP: an in-memory source serving the recorded
 * answers (test/fixtures/datadog/, SOURCES.md) or answers built to break
 * the paging. The command against the fake API: test/cli/import-from-api.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiAnswerError, MAX_PAGES, ObjectSource, readFromApi } from '../../import/from-api';
import { REPO } from '../support/fixtures';

const rec = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(REPO, 'test/fixtures/datadog', name), 'utf8'));
const MONITOR_PAGES = [rec('v1-monitor-list-page0.json'), rec('v1-monitor-list-page1.json')] as unknown[][];
const SLO_PAGE0 = rec('v1-slo-list-page0.json') as { data: unknown[] };
const DASHBOARD = rec('v1-dashboard-get-448-ktj-ezs.json') as Record<string, unknown>;

/** A source answering from these lists, paging them as the API does; every call recorded. */
function source(over: Partial<ObjectSource> = {}): ObjectSource & { calls: string[] } {
  const calls: string[] = [];
  const monitors = MONITOR_PAGES.flat();
  return {
    calls,
    monitorPage: async (page, size) => (calls.push(`monitors ${page}`), monitors.slice(page * size, page * size + size)),
    sloPage: async (offset, limit) => (calls.push(`slos ${offset}`), { data: SLO_PAGE0.data.slice(offset, offset + limit), error: null }),
    dashboardPage: async (start) => (calls.push(`dashboards ${start}`), { dashboards: start === 0 ? [{ id: DASHBOARD.id, title: DASHBOARD.title }] : [] }),
    dashboard: async (id) => (calls.push(`dashboard ${id}`), id === DASHBOARD.id ? DASHBOARD : undefined),
    ...over,
  };
}

const quiet = { progress: () => undefined };

describe('readFromApi', () => {
  test('reads each kind until a short or empty page, in the order monitors, SLOs, dashboards', async () => {
    const src = source();
    const r = await readFromApi(src, { ...quiet, pageSizes: { monitors: 2, slos: 1, dashboards: 5 } });
    expect(src.calls).toEqual(['monitors 0', 'monitors 1', 'slos 0', 'slos 1', 'slos 2', 'dashboards 0', 'dashboard 448-ktj-ezs']);
    expect(r.counts).toEqual({ monitors: 3, slos: 2, dashboards: 1 });
    expect(r.inputs.map((i) => i.file)).toEqual([
      'GET /api/v1/monitor?page=0&page_size=2',
      'GET /api/v1/monitor?page=1&page_size=2',
      'GET /api/v1/slo?limit=1&offset=0',
      'GET /api/v1/slo?limit=1&offset=1',
      'GET /api/v1/dashboard/448-ktj-ezs',
    ]);
    expect(JSON.parse(r.inputs[4].text)).toEqual(DASHBOARD);
  });

  test('--kinds and --tags: only the kinds asked; monitors and SLOs without every tag are left out', async () => {
    const src = source();
    const r = await readFromApi(src, { ...quiet, kinds: ['slos'], tags: ['foo:bar'] });
    expect(src.calls).toEqual(['slos 0']);
    expect(r.counts.slos).toBe(1);
    expect((JSON.parse(r.inputs[0].text) as { data: Array<{ id: string }> }).data.map((s) => s.id)).toEqual(['955ab6301fa656e7b061de4a05ad4774']);
  });

  test('progress: pages read, and dashboards N of M (every tenth and the last)', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `abc-def-${String(i).padStart(3, '0')}`);
    const lines: string[] = [];
    await readFromApi(
      source({
        dashboardPage: async (start) => ({ dashboards: ids.slice(start, start + 100).map((id) => ({ id })) }),
        dashboard: async (id) => ({ ...DASHBOARD, id }),
      }),
      { progress: (l) => lines.push(l), pageSizes: { monitors: 2 } },
    );
    expect(lines).toEqual([
      'monitors: 2 read (page 1)',
      'monitors: 3 read (page 2)',
      'SLOs: 2 read (page 1)',
      'dashboards: 12 listed',
      'dashboards: 10 of 12 read',
      'dashboards: 12 of 12 read',
    ]);
  });

  test('fails when the server ignores the paging (a page repeats the earlier ones) instead of reading forever', async () => {
    const src = source({ monitorPage: async () => MONITOR_PAGES[0] });
    await expect(readFromApi(src, { ...quiet, pageSizes: { monitors: 2 } })).rejects.toThrow(
      new ApiAnswerError(
        'GET /api/v1/monitor?page=1&page_size=2: bad response: the page repeats objects of earlier pages (the paging is not honored); not all could be read',
      ),
    );
  });

  test(`fails when a kind has more than ${MAX_PAGES} pages: nothing is imported from a half-read stage`, async () => {
    let n = 0;
    const src = source({ sloPage: async () => ({ data: [{ id: `slo-${n++}`, tags: [] }] }) });
    await expect(readFromApi(src, { ...quiet, kinds: ['slos'], pageSizes: { slos: 1 } })).rejects.toThrow(
      `GET /api/v1/slo?limit=1&offset=${MAX_PAGES}: more than ${MAX_PAGES} pages`,
    );
    expect(n).toBe(MAX_PAGES);
  });

  test.each([
    [
      'the SLO list has no data list',
      { kinds: ['slos'] as const, over: { sloPage: async () => ({ errors: ['x'] }) } },
      'GET /api/v1/slo?limit=1000&offset=0: bad response: expected {"data": [SLOs]} (ListSLOs), got an object',
    ],
    [
      'the dashboard list is a bare list',
      { kinds: ['dashboards'] as const, over: { dashboardPage: async () => [] } },
      'GET /api/v1/dashboard?count=100&start=0: bad response: expected {"dashboards": [summaries]} (ListDashboards), got a list',
    ],
    [
      'a dashboard summary has no usable id',
      { kinds: ['dashboards'] as const, over: { dashboardPage: async () => ({ dashboards: [{ id: '../../etc' }] }) } },
      'GET /api/v1/dashboard?count=100&start=0: bad response: dashboards[0].id: expected a dashboard id such as abc-def-ghi, got a string of 9 characters',
    ],
    [
      'a dashboard read answers another dashboard',
      { kinds: ['dashboards'] as const, over: { dashboard: async () => ({ ...DASHBOARD, id: 'zzz-zzz-zzz' }) } },
      'GET /api/v1/dashboard/448-ktj-ezs: bad response: expected the dashboard 448-ktj-ezs (GetDashboard), got another id (a string of 11 characters)',
    ],
  ])('fails when %s', async (_what, { kinds, over }, message) => {
    await expect(readFromApi(source(over as Partial<ObjectSource>), { ...quiet, kinds })).rejects.toThrow(new ApiAnswerError(message));
  });

  test('a dashboard listed, then gone (404) when read, is noted and not handed on', async () => {
    const r = await readFromApi(source({ dashboard: async () => undefined }), { ...quiet, kinds: ['dashboards'] });
    expect(r.inputs).toEqual([]);
    expect(r.notes).toEqual(['GET /api/v1/dashboard/448-ktj-ezs: listed, then gone (404) when read; not imported']);
  });
});
