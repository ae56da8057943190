/**
 * What may be printed of a text: keys never, and of what a server sent back
 * only a cleaned, bounded excerpt. Pure.
 *
 * - `redact`: every occurrence of a key (any letter case) becomes `[redacted]`.
 * - `serverText`: for any text that came from the server (an error body, a
 *   response excerpt, an id): terminal escapes and control characters
 *   removed (a server must not be able to rewrite the operator's terminal or
 *   forge log lines), then the keys redacted, then anything shaped like a
 *   Datadog key (a run of 32 or more hex digits: API keys are 32, application
 *   keys 40) redacted too, whitespace collapsed, and the length bounded.
 * - `printable`: the same for short names (monitor names, event titles, host
 *   names) shown in reports, without the key-shaped rule.
 */

const PLACEHOLDER = '[redacted]';
/** ANSI/VT escape sequences (CSI, OSC, and two-character escapes). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
/** C0/C1 controls, DEL, line and paragraph separators, bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const KEY_SHAPED = /[0-9a-f]{32,}/gi;

/** Remove every occurrence of the secrets (of at least 4 characters) from a text, in any letter case. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s === undefined || s.length < 4) continue;
    // Any letter case, unless folding changes a length (rare scripts): then exact matches only.
    const fold = out.toLowerCase().length === out.length && s.toLowerCase().length === s.length;
    const lower = fold ? out.toLowerCase() : out;
    const needle = fold ? s.toLowerCase() : s;
    let result = '';
    let from = 0;
    for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, from)) {
      result += out.slice(from, i) + PLACEHOLDER;
      from = i + needle.length;
    }
    out = result + out.slice(from);
  }
  return out;
}

/** A short name from the server, fit to print: no escapes or control characters, bounded. */
export function printable(text: string, max = 200): string {
  const t = text.replace(ESCAPES, '').replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}...` : t;
}

/** Text the server sent back, fit to print: see the module comment. */
export function serverText(text: string, secrets: readonly (string | undefined)[], max = 200): string {
  // Escapes and controls go first, without leaving a gap, so a key split by them is whole again when redacted.
  const plain = text
    .replace(ESCAPES, '')
    .replace(/[\t\n\r]/g, ' ')
    .replace(CONTROLS, '');
  const t = redact(plain, secrets).replace(KEY_SHAPED, PLACEHOLDER).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}...` : t;
}
