/**
 * Where the gate and `rollout event` may send the Datadog keys: the API host
 * of one of Datadog's published sites, and nothing else (plus loopback, for
 * the tests' fake API). Sites and API hosts: docs/sources/datadog-contract.md
 * section 6 (https://docs.datadoghq.com/getting_started/site/); the list is
 * the stage schema's (`DATADOG_SITES`), so a stage file and the gate agree.
 * The API host of site S is `api.S`. Pure.
 */
import { DATADOG_SITES } from '../model/stage-schema';

/** Datadog's published sites, the values `DD_SITE` may take. */
export const PUBLISHED_SITES: readonly string[] = DATADOG_SITES;

/** Hosts a test's fake API may listen on (plain http allowed there only). */
const LOOPBACK_NAMES = new Set(['localhost', '[::1]']);

/** `https://api.<site>/` */
export function apiUrlOfSite(site: string): string {
  return `https://api.${site}/`;
}

/** An API URL in canonical form, or why it is refused. */
export type ApiUrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly expected: string };

export const API_URL_EXPECTED =
  `https://api.<site>/ for a Datadog site (${PUBLISHED_SITES.join(', ')}), e.g. https://api.us5.datadoghq.com/, ` +
  'or a loopback address (127.0.0.1, localhost, [::1]) for tests; no path, credentials, query or fragment';

/** Whether the keys may go to `text`: a published site's API host over https, or loopback. */
export function checkApiUrl(text: string): ApiUrlCheck {
  const refused = { ok: false, expected: API_URL_EXPECTED } as const;
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return refused;
  }
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '' || (u.pathname !== '/' && u.pathname !== '')) return refused;
  if (isLoopback(u.hostname)) {
    return u.protocol === 'https:' || u.protocol === 'http:' ? { ok: true, url: `${u.protocol}//${u.host}/` } : refused;
  }
  if (u.protocol !== 'https:' || u.port !== '') return refused; // URL drops the default :443, so any port left is another one
  const site = u.hostname.startsWith('api.') ? u.hostname.slice('api.'.length) : undefined;
  if (site === undefined || !PUBLISHED_SITES.includes(site)) return refused;
  return { ok: true, url: apiUrlOfSite(site) };
}

/** Whether `site` is a published Datadog site (exactly, as Datadog writes it). */
export function isPublishedSite(site: string): boolean {
  return PUBLISHED_SITES.includes(site);
}

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname)) return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}
