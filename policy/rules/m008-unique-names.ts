/**
 * ROLLOUT-M008: monitor names are unique within a stage. Two monitors with
 * one name make every page ambiguous ("which one fired?") and every search
 * and the gate's report misleading.
 */
import type { Rule } from '../rule';

export const M008: Rule = {
  id: 'ROLLOUT-M008',
  title: 'monitor names are unique per stage',
  check(m, ctx) {
    const first = ctx.monitors.find((o) => o.name === m.name);
    if (!first || first === m) return [];
    const where = first.source.file + (first.origin === 'rollout' ? ' (generated rollout monitor)' : `:${first.source.fieldLines.name ?? first.source.line}`);
    return [{ field: 'name', got: `${JSON.stringify(m.name)}, also the name of ${where}`, expected: 'a name no other monitor of the stage has' }];
  },
};
