/**
 * ROLLOUT-M009: every monitor carries the required tags: env and service
 * (team is ROLLOUT-M002's), plus the tag keys monitors/policy.yaml lists in
 * requiredTags. Tags drive routing, search, downtimes and the gate.
 */
import type { Rule } from '../rule';

export const M009: Rule = {
  id: 'ROLLOUT-M009',
  title: "required tags present (env, service and the policy's requiredTags)",
  check(m, ctx) {
    const keys = new Set(m.tags.map((t) => t.split(':')[0]));
    const missing = ['env', 'service', ...ctx.requiredTags].filter((k) => !keys.has(k));
    if (missing.length === 0) return [];
    return [
      {
        field: missing.includes('service') ? 'service' : 'tags',
        got: `no ${missing.join(', ')} tag`,
        expected:
          `${missing.includes('service') ? 'a service (here or in the file)' : ''}${missing.includes('service') && missing.length > 1 ? ' and ' : ''}${missing
            .filter((k) => k !== 'service')
            .map((k) => `tags.${k}`)
            .join(', ')}`.trim(),
      },
    ];
  },
};
