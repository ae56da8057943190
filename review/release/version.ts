/**
 * Agent versions compared as versions (pure): 7.9.0 < 7.10.0, and a
 * pre-release (7.73.0-rc.1) comes before its release.
 */

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Negative when `a` is lower than `b`, 0 when equal, positive when higher; non-versions compare as text. */
export function compareVersions(a: string, b: string): number {
  const x = VERSION.exec(a);
  const y = VERSION.exec(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return Math.sign(d);
  }
  const [pa, pb] = [x[4], y[4]];
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  const sa = pa.split('.');
  const sb = pb.split('.');
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    if (sa[i] === undefined) return -1;
    if (sb[i] === undefined) return 1;
    const na = /^\d+$/.test(sa[i]) ? Number(sa[i]) : NaN;
    const nb = /^\d+$/.test(sb[i]) ? Number(sb[i]) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) {
      if (na !== nb) return Math.sign(na - nb);
    } else if (sa[i] !== sb[i]) {
      if (!Number.isNaN(na)) return -1; // numeric identifiers sort before alphanumeric ones (semver)
      if (!Number.isNaN(nb)) return 1;
      return sa[i] < sb[i] ? -1 : 1;
    }
  }
  return 0;
}
