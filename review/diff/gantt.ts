/**
 * The rollout schedule of a stage as a Mermaid Gantt chart (pure): one section
 * per batch, a deploy milestone, the soak window, and the go/no-go gate.
 * Times are relative: the chart starts on a fixed day 1 (no clock is read),
 * and the axis counts days.
 */
import type { Schedule } from './types';

/** A fixed start, so the chart is the same every time it is rendered. */
const DAY_ONE = '2000-01-01 00:00';

/** Mermaid forbids `:` `;` `#` in task names and titles. */
function safe(text: string): string {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The Gantt chart (Mermaid source, without the code fence). */
export function ganttChart(s: Schedule): string {
  const hosts = s.batches.reduce((a, b) => a + b.hosts, 0);
  const totalHours = s.batches.reduce((a, b) => a + b.soakHours, 0);
  const lines = [
    'gantt',
    `    title ${safe(`${s.stage} rollout, ${hosts} hosts${s.agentVersion ? `, agent ${s.agentVersion}` : ''}, ${totalHours} h of soak`)}`,
    '    dateFormat YYYY-MM-DD HH:mm',
    '    axisFormat day %e',
    '    tickInterval 1day',
    '    todayMarker off',
  ];
  let previous = '';
  for (const b of s.batches) {
    const n = b.number;
    lines.push(`    section ${safe(`batch ${n} (${b.hosts} host${b.hosts === 1 ? '' : 's'})`)}`);
    lines.push(`    deploy batch ${n} :milestone, d${n}, ${previous ? `after ${previous}` : DAY_ONE}, 0h`);
    lines.push(`    soak ${b.soakHours} h :s${n}, after d${n}, ${b.soakHours}h`);
    lines.push(`    go/no-go gate ${n} :milestone, g${n}, after s${n}, 0h`);
    previous = `g${n}`;
  }
  return lines.join('\n');
}
