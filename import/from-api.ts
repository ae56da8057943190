/**
 * `rollout import --from-api`: read a stage's monitors, SLOs and dashboards
 * from the Datadog API, page by page, and hand them to the same conversion
 * as exported files (import-datadog.ts), one input per page (monitors, SLOs)
 * or per dashboard, so the files written are those an import of the same
 * answers saved as files gives (test/import/from-api.test.ts checks it byte
 * for byte).
 *
 * No I/O of its own: the reads come through `ObjectSource`, which
 * cli/commands/import.ts wires to the gate's client (gate/datadog-client.ts
 * `ObjectPagesApi`: timeouts, retries honoring 429's Retry-After /
 * X-RateLimit-Reset, no redirects, keys only in headers). import/ may not use
 * gate/ (.dependency-cruiser.cjs), hence the interface here.
 *
 * Endpoints and paging (openapi.yaml of DataDog/datadog-api-client-go,
 * .generator/schemas/v1; https://docs.datadoghq.com/api/latest/):
 *   - GET /api/v1/monitor (ListMonitors): `page` (from 0) and `page_size`
 *     ("maximum: 1000"); "repeat until the response is empty"; the answer is
 *     a JSON array of Monitor objects (x-pagination pageParam / limitParam).
 *     Not /api/v1/monitor/search: its MonitorSearchResult has no message nor
 *     options, so every monitor would need a GET of its own.
 *   - GET /api/v1/slo (ListSLOs): `limit` (default 1000) and `offset`; the
 *     answer is SLOListResponse `{data: [...], errors, metadata.page}`. The
 *     recorded answer's `metadata.page` counts disagree with the data
 *     (total_count 3, total_filtered_count 2, for 2 + 1 SLOs: cassette
 *     Get-all-SLOs-returns-OK-response-with-pagination), so paging stops on a
 *     short page, not on the counts.
 *   - GET /api/v1/dashboard (ListDashboards): `count` (default 100) and
 *     `start`; DashboardSummary `{dashboards: [{id, title, ...}]}` without
 *     widgets (x-pagination resultsPath: dashboards), so each dashboard is then
 *     read whole with GET /api/v1/dashboard/{dashboard_id} (GetDashboard).
 * An answer of another shape is an error naming the request: nothing is
 * imported from a half-read stage.
 */
import { isObject } from './common';
import type { ImportInput } from './import-datadog';

/** The reads `--from-api` needs (gate/datadog-client.ts `ObjectPagesApi` provides them). */
export interface ObjectSource {
  /** GET /api/v1/monitor?page&page_size[&monitor_tags]: the JSON body. */
  monitorPage(page: number, pageSize: number, monitorTags?: string): Promise<unknown>;
  /** GET /api/v1/slo?limit&offset[&tags_query]: the JSON body. */
  sloPage(offset: number, limit: number, tagsQuery?: string): Promise<unknown>;
  /** GET /api/v1/dashboard?count&start: the JSON body. */
  dashboardPage(start: number, count: number): Promise<unknown>;
  /** GET /api/v1/dashboard/{id}: the JSON body; undefined when it is gone (404). */
  dashboard(id: string): Promise<unknown>;
}

export type ApiKind = 'monitors' | 'slos' | 'dashboards';
export const API_KINDS: readonly ApiKind[] = ['monitors', 'slos', 'dashboards'];

export interface FromApiOptions {
  /** Kinds to read (default all three). */
  readonly kinds?: readonly ApiKind[];
  /** Only monitors and SLOs carrying every one of these `key:value` tags (dashboards have none to filter on). */
  readonly tags?: readonly string[];
  /** Objects per page; @default {@link PAGE_SIZES} */
  readonly pageSizes?: Partial<Readonly<Record<ApiKind, number>>>;
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void;
}

/** ListMonitors allows up to 1000 a page; ListSLOs' default limit is 1000; ListDashboards' default count is 100. */
export const PAGE_SIZES: Readonly<Record<ApiKind, number>> = { monitors: 1000, slos: 1000, dashboards: 100 };
/** Pages read at most per kind; a stage with more fails closed rather than import part of it. */
export const MAX_PAGES = 500;

export interface FromApiResult {
  /** Inputs for importDatadog, in the order read: monitor pages, SLO pages, dashboards. */
  readonly inputs: ImportInput[];
  /** Objects read, per kind (after the tag filter). */
  readonly counts: Readonly<Record<ApiKind, number>>;
  /** What was read but not handed on (a dashboard listed, then gone), one line each. */
  readonly notes: readonly string[];
}

/** An answer that is not what the endpoint promises: the read fails, nothing is imported. */
export class ApiAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiAnswerError';
  }
}

/** Read every page of the requested kinds. Throws ApiAnswerError (or the source's own error) on the first bad answer. */
export async function readFromApi(src: ObjectSource, opts: FromApiOptions): Promise<FromApiResult> {
  const kinds = new Set(opts.kinds ?? API_KINDS);
  const tags = opts.tags ?? [];
  const size = { ...PAGE_SIZES, ...opts.pageSizes };
  const inputs: ImportInput[] = [];
  const notes: string[] = [];
  const counts: Record<ApiKind, number> = { monitors: 0, slos: 0, dashboards: 0 };
  const hasTags = (o: Record<string, unknown>): boolean => tags.every((t) => Array.isArray(o.tags) && o.tags.includes(t));

  if (kinds.has('monitors')) {
    const seen = new Set<string>();
    for (let page = 0; ; page++) {
      const what = `GET /api/v1/monitor?page=${page}&page_size=${size.monitors}`;
      guardPages(what, page);
      // monitor_tags narrows the pages; whatever its semantics (all or any of the tags), every tag is checked again here.
      const body = await src.monitorPage(page, size.monitors, tags.length > 0 ? tags.join(',') : undefined);
      if (!Array.isArray(body)) throw new ApiAnswerError(`${what}: bad response: expected a JSON list of monitors (ListMonitors), got ${kindOf(body)}`);
      if (body.length === 0) break;
      guardRepeats(what, body, seen);
      const kept = body.filter((m) => !isObject(m) || hasTags(m));
      counts.monitors += kept.length;
      inputs.push({ file: what, text: JSON.stringify(kept) });
      opts.progress(`monitors: ${counts.monitors} read (page ${page + 1})`);
      if (body.length < size.monitors) break;
    }
  }

  if (kinds.has('slos')) {
    const seen = new Set<string>();
    for (let offset = 0, page = 0; ; page++) {
      const what = `GET /api/v1/slo?limit=${size.slos}&offset=${offset}`;
      guardPages(what, page);
      // tags_query takes one tag query ("env:prod" in the spec's example); several are checked here only.
      const body = await src.sloPage(offset, size.slos, tags.length === 1 ? tags[0] : undefined);
      if (!isObject(body) || !Array.isArray(body.data)) {
        throw new ApiAnswerError(`${what}: bad response: expected {"data": [SLOs]} (ListSLOs), got ${kindOf(body)}`);
      }
      const data = body.data as unknown[];
      if (data.length === 0) break;
      guardRepeats(what, data, seen);
      const kept = data.filter((s) => !isObject(s) || hasTags(s));
      counts.slos += kept.length;
      // The page as the API answered it, its list narrowed: importDatadog reads SLOs under `data`.
      inputs.push({ file: what, text: JSON.stringify({ ...body, data: kept }) });
      opts.progress(`SLOs: ${counts.slos} read (page ${page + 1})`);
      offset += data.length;
      if (data.length < size.slos) break;
    }
  }

  if (kinds.has('dashboards')) {
    const ids: string[] = [];
    const seen = new Set<string>();
    for (let start = 0, page = 0; ; page++) {
      const what = `GET /api/v1/dashboard?count=${size.dashboards}&start=${start}`;
      guardPages(what, page);
      const body = await src.dashboardPage(start, size.dashboards);
      if (!isObject(body) || !Array.isArray(body.dashboards)) {
        throw new ApiAnswerError(`${what}: bad response: expected {"dashboards": [summaries]} (ListDashboards), got ${kindOf(body)}`);
      }
      const list = body.dashboards as unknown[];
      if (list.length === 0) break;
      guardRepeats(what, list, seen);
      list.forEach((d, i) => {
        if (!isObject(d) || typeof d.id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(d.id)) {
          throw new ApiAnswerError(
            `${what}: bad response: dashboards[${i}].id: expected a dashboard id such as abc-def-ghi, got ${kindOf(isObject(d) ? d.id : d)}`,
          );
        }
        ids.push(d.id);
      });
      start += list.length;
      if (list.length < size.dashboards) break;
    }
    opts.progress(`dashboards: ${ids.length} listed`);
    for (const [i, id] of ids.entries()) {
      const what = `GET /api/v1/dashboard/${id}`;
      const body = await src.dashboard(id);
      if (body === undefined) notes.push(`${what}: listed, then gone (404) when read; not imported`);
      else if (!isObject(body) || body.id !== id) {
        throw new ApiAnswerError(
          `${what}: bad response: expected the dashboard ${id} (GetDashboard), got ${isObject(body) ? `another id (${kindOf(body.id)})` : kindOf(body)}`,
        );
      } else {
        counts.dashboards++;
        inputs.push({ file: what, text: JSON.stringify(body) });
      }
      if ((i + 1) % 10 === 0 || i + 1 === ids.length) opts.progress(`dashboards: ${i + 1} of ${ids.length} read`);
    }
  }
  return { inputs, counts, notes };
}

function guardPages(what: string, page: number): void {
  if (page >= MAX_PAGES)
    throw new ApiAnswerError(`${what}: more than ${MAX_PAGES} pages; not all could be read, so nothing is imported (narrow with --tags or --kinds)`);
}

/** A page whose objects all came before means the server ignores the paging: stop rather than read forever. */
function guardRepeats(what: string, list: readonly unknown[], seen: Set<string>): void {
  const ids = list.map((o) => (isObject(o) && (typeof o.id === 'string' || typeof o.id === 'number') ? String(o.id) : undefined));
  if (seen.size > 0 && ids.every((id) => id !== undefined && seen.has(id))) {
    throw new ApiAnswerError(`${what}: bad response: the page repeats objects of earlier pages (the paging is not honored); not all could be read`);
  }
  for (const id of ids) if (id !== undefined) seen.add(id);
}

/** What a value is, for a message (never its content: it came from the server). */
function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  return `${typeof v === 'object' ? 'an' : 'a'} ${typeof v}`;
}
