/**
 * ROLLOUT-M002: every monitor has an owning team, and it is a team the
 * stage files know (a host's team or a stage owner): an alert nobody owns is
 * an alert nobody fixes, and a misspelt team routes to no one.
 */
import type { Rule } from '../rule';

export const M002: Rule = {
  id: 'ROLLOUT-M002',
  title: 'every monitor has an owning team known to the stage files',
  check(m, ctx) {
    const known = [...ctx.knownTeams].sort().join(', ');
    if (m.team === undefined) return [{ field: 'team', got: 'no team', expected: `a team (here or in the file): one of ${known}` }];
    if (!ctx.knownTeams.has(m.team)) return [{ field: 'team', got: `team ${JSON.stringify(m.team)}, unknown to the stage files`, expected: `one of ${known}` }];
    return [];
  },
};
