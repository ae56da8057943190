/**
 * Matching of SLOs and dashboards (pure), as compareMonitors matches
 * monitors (compare.ts): with the state, the state's object of the declared
 * name gives the id and the live object of that id is the one (a 404 on it:
 * deleted); without it, the live object with our managed-by mark, of the
 * stage, with the declared name. Then the unclaimed live objects: managed and
 * of the stage (or in the state) are orphaned; unmanaged with a declared name,
 * the stage prefix or another likeness are lookalikes.
 */
import { printable } from '../gate/redact';
import type { FieldDrift, Finding } from './compare';
import type { StateObject } from './state';

export interface ObjectDrift {
  readonly findings: Finding[];
  readonly inSync: number;
  readonly declared: number;
  readonly liveRead: number;
  /** Live id of each declared object found (plan key -> id). */
  readonly liveIdOf: ReadonlyMap<string, string>;
}

/** An object of any kind, as the matching sees it. */
export interface Declared<P> {
  readonly key: string;
  readonly name: string;
  readonly p: P;
}
export interface Held<L> {
  readonly id: string;
  readonly name: string;
  readonly l: L;
}

/** Match declared and live objects, compare the matched ones, report the unclaimed ones. */
export function matchAndCompare<P, L>(o: {
  readonly object: 'slo' | 'dashboard';
  readonly stage: string;
  readonly planned: ReadonlyArray<Declared<P>>;
  readonly live: ReadonlyArray<Held<L>>;
  readonly state?: readonly StateObject[];
  readonly gone: readonly string[];
  /** Carries our managed-by mark. */
  readonly managed: (l: Held<L>) => boolean;
  /** Belongs to this stage (env tag, or title prefix for dashboards). */
  readonly ofStage: (l: Held<L>) => boolean;
  readonly fields: (p: Declared<P>, l: Held<L>) => FieldDrift[];
  /** Why an unmanaged object looks like ours beyond name and prefix (e.g. a declared query). */
  readonly lookalike?: (l: Held<L>) => string | undefined;
}): ObjectDrift {
  const object = o.object;
  const what = object === 'slo' ? 'SLO' : 'dashboard';
  const liveById = new Map(o.live.map((l) => [l.id, l]));
  const gone = new Set(o.gone);
  const findings: Finding[] = [];
  const matched = new Map<string, Held<L>>();
  const claimed = new Set<string>();
  for (const p of o.planned) {
    if (o.state !== undefined) {
      const s = o.state.find((x) => x.name === p.name);
      if (s === undefined) {
        findings.push({ object, kind: 'not-applied', key: p.key, name: p.name });
        continue;
      }
      claimed.add(s.id);
      const l = liveById.get(s.id);
      if (l === undefined || gone.has(s.id)) findings.push({ object, kind: 'deleted', key: p.key, id: s.id, name: p.name });
      else matched.set(p.key, l);
    } else {
      const l = o.live.find((x) => x.name === p.name && o.managed(x) && o.ofStage(x) && !claimed.has(x.id));
      if (l === undefined) {
        findings.push({ object, kind: 'missing', key: p.key, name: p.name });
        continue;
      }
      claimed.add(l.id);
      matched.set(p.key, l);
    }
  }
  let inSync = 0;
  for (const p of o.planned) {
    const l = matched.get(p.key);
    if (l === undefined) continue;
    const fields = o.fields(p, l);
    if (fields.length === 0) inSync++;
    else findings.push({ object, kind: 'changed', key: p.key, id: l.id, name: p.name, fields });
  }
  const stateIds = new Set((o.state ?? []).map((s) => s.id));
  const plannedNames = new Set(o.planned.map((p) => p.name));
  const prefix = `[${o.stage}] `;
  for (const l of [...o.live].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (claimed.has(l.id)) continue;
    if (o.managed(l)) {
      if (o.ofStage(l) || stateIds.has(l.id)) findings.push({ object, kind: 'orphaned', id: l.id, name: printable(l.name), inState: stateIds.has(l.id) });
      continue;
    }
    const why = plannedNames.has(l.name)
      ? `has the name of a declared ${what}`
      : l.name.startsWith(prefix)
        ? `named with the stage prefix "${prefix.trim()}"`
        : o.lookalike?.(l);
    if (why !== undefined) findings.push({ object, kind: 'lookalike', id: l.id, name: printable(l.name), why });
  }
  const liveIdOf = new Map([...matched].map(([key, l]) => [key, l.id]));
  return { findings, inSync, declared: o.planned.length, liveRead: o.live.length, liveIdOf };
}
