/**
 * ROLLOUT-M010: the query is scoped to the stage (`env:${env}`). Each
 * stage's stack creates its own copy of every monitor; an unscoped query
 * makes every stage alert on every other stage's data.
 */
import { envTag } from '../../model/signals';
import type { Rule } from '../rule';

export const M010: Rule = {
  id: 'ROLLOUT-M010',
  title: 'queries are scoped to the stage (env:${env})',
  check(m, ctx) {
    if (m.kind === 'composite' || m.kind === 'slo') return [];
    const env = envTag(ctx.stage);
    if (new RegExp(`${env}(?![A-Za-z0-9_.-])`).test(m.query)) return [];
    return [{ field: 'query', got: `a query without ${env}`, expected: 'a query filtered by env:${env} (replaced by the stage name)' }];
  },
};
