/**
 * Monitor messages (pure): the team's text, then a runbook and owner line,
 * then one routing block per state, so warnings reach chat and only alerts
 * (and their recoveries) reach the pager.
 */
import type { Notify } from '../../model/monitoring/types';

/** What a message is built from. */
export interface MessageParts {
  /** The team's text (may hold its own conditional blocks). */
  readonly body: string;
  readonly runbook?: string;
  readonly team?: string;
  readonly service?: string;
  readonly stage: string;
  readonly notify: Notify;
  /** Route warnings (the monitor has a warning threshold). */
  readonly warnings: boolean;
  /** Route missing data (the monitor notifies on no data). */
  readonly noData: boolean;
}

/** The full message: body, runbook/owner lines, routing blocks (empty blocks left out). */
export function buildMessage(p: MessageParts): string {
  const sections: string[] = [];
  if (p.body.trim() !== '') sections.push(p.body.trim());
  const meta: string[] = [];
  if (p.runbook) meta.push(`Runbook: ${p.runbook}`);
  const owner = [p.team ? `team ${p.team}` : undefined, p.service ? `service ${p.service}` : undefined, `stage ${p.stage}`].filter(Boolean);
  meta.push(`Owner: ${owner.join(', ')}`);
  sections.push(meta.join('\n'));
  const block = (cond: string, handles: readonly string[]): string | undefined =>
    handles.length === 0 ? undefined : `{{#${cond}}}${handles.join(' ')}{{/${cond}}}`;
  const routing = [
    block('is_alert', p.notify.alert),
    block('is_alert_recovery', p.notify.alert),
    p.warnings ? block('is_warning', p.notify.warning) : undefined,
    p.warnings ? block('is_warning_recovery', p.notify.warning) : undefined,
    p.noData ? block('is_no_data', p.notify.noData) : undefined,
    p.noData ? block('is_no_data_recovery', p.notify.noData) : undefined,
  ].filter((b): b is string => b !== undefined);
  if (routing.length > 0) sections.push(routing.join('\n'));
  return `${sections.join('\n\n')}\n`;
}
