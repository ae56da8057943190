/**
 * What "paging" means, defined once for the rule pack (ROLLOUT-M001/M003),
 * the message builder and the change report's risk by impact: a monitor
 * pages when it notifies a PagerDuty handle or has priority 1 or 2.
 */

/** A handle that pages someone: `@pagerduty`, `@pagerduty-payments`. */
export function isPagingHandle(handle: string): boolean {
  return /^@pagerduty(-|$)/i.test(handle);
}

/** A chat handle that warnings may go to. */
export function isSlackHandle(handle: string): boolean {
  return /^@slack-/i.test(handle);
}

/** Priorities that page (1 and 2). */
export function isPagingPriority(priority: number | undefined): boolean {
  return priority !== undefined && priority >= 1 && priority <= 2;
}
