/**
 * The rollout timeline (pure): every stage in promotion order (dev, test,
 * then prod), each starting when the one before it has finished its soaks,
 * before and after the change, as one Mermaid Gantt chart of the stages whose
 * rollout changes. Times are relative: the chart starts on a fixed day 1 (no
 * clock is read) and the axis counts days.
 */
import { isProductionStage } from './risk';
import type { Schedule, TimedSchedule, Timeline } from './types';

/** A fixed start, so the chart is the same every time it is rendered. */
const DAY_ONE = Date.UTC(2000, 0, 1);

/** Mermaid forbids `:` `;` `#` in task names and titles. */
function safe(text: string): string {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Promotion rank: dev first, then test/QA/staging, then anything else, prod last (the deploy workflows' order). */
function rank(stage: string): number {
  if (/^dev/.test(stage)) return 0;
  if (/^(test|qa|stag|uat|pre)/.test(stage)) return 1;
  if (isProductionStage(stage)) return 3;
  return 2;
}

/** Stages in promotion order (ties by name). */
export function promotionOrder(stages: Iterable<string>): string[] {
  return [...new Set(stages)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Total soak of a schedule, in hours. */
export function soakHours(s: Schedule): number {
  return s.batches.reduce((total, b) => total + b.soakHours, 0);
}

/** Schedules with their start: each stage starts when the previous one's last soak ends. */
export function timed(schedules: readonly Schedule[]): TimedSchedule[] {
  const byStage = new Map(schedules.map((s) => [s.stage, s]));
  let start = 0;
  const out: TimedSchedule[] = [];
  for (const stage of promotionOrder(byStage.keys())) {
    const s = byStage.get(stage) as Schedule;
    out.push({ ...s, startHour: start });
    start += soakHours(s);
  }
  return out;
}

/** The timeline: both sides timed, and the stages whose rollout changes. */
export function timeline(before: readonly Schedule[], after: readonly Schedule[], changed: Iterable<string>): Timeline {
  const stages = new Set([...before.map((s) => s.stage), ...after.map((s) => s.stage)]);
  return { changed: promotionOrder([...changed].filter((s) => stages.has(s))), before: timed(before), after: timed(after) };
}

function date(hours: number): string {
  return new Date(DAY_ONE + hours * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const sizes = (s: TimedSchedule): string => s.batches.map((b) => b.hosts).join('/');
const soaks = (s: TimedSchedule): string => s.batches.map((b) => b.soakHours).join('/');

/** `a -> b`, or `a` when both sides agree (`(none)` for a side without the stage). */
function delta(before: string | undefined, after: string | undefined): string {
  return before === after ? (before ?? '(none)') : `${before ?? '(none)'} -> ${after ?? '(none)'}`;
}

/** When a stage starts: `336 (after dev 168 h, test 168 h)`. */
function startText(side: readonly TimedSchedule[], s: TimedSchedule | undefined): string | undefined {
  if (!s) return undefined;
  // timed() lists the stages in promotion order: the ones before `s` are what it waits for.
  const prev = side.slice(0, side.indexOf(s));
  return prev.length ? `${s.startHour} (after ${prev.map((x) => `${x.stage} ${soakHours(x)} h`).join(', ')})` : `${s.startHour}`;
}

/** A table of the changed stages: when each starts and its rollout, before -> after where they differ. */
export function timelineTable(t: Timeline): string[] {
  const lines = ['| stage | starts at hour | hosts | batch sizes | soak (h) | agent |', '| --- | --- | --- | --- | --- | --- |'];
  for (const stage of t.changed) {
    const b = t.before.find((s) => s.stage === stage);
    const a = t.after.find((s) => s.stage === stage);
    const hosts = (s?: TimedSchedule): string | undefined => (s ? String(s.batches.reduce((n, x) => n + x.hosts, 0)) : undefined);
    lines.push(
      `| ${stage} | ${delta(startText(t.before, b), startText(t.after, a))} | ${delta(hosts(b), hosts(a))} | ${delta(b && sizes(b), a && sizes(a))} | ${delta(b && soaks(b), a && soaks(a))} | ${delta(b?.agentVersion, a?.agentVersion)} |`,
    );
  }
  return lines;
}

/** The Gantt chart (Mermaid source, without the code fence): the changed stages, each before and after. */
export function ganttChart(t: Timeline): string {
  const order = promotionOrder([...t.before, ...t.after].map((s) => s.stage));
  const end = Math.max(0, ...[...t.before, ...t.after].map((s) => s.startHour + soakHours(s)));
  const lines = [
    'gantt',
    `    title ${safe(`Rollout across stages (${order.join(', then ')}), before and after`)}`,
    '    dateFormat YYYY-MM-DD HH:mm',
    `    axisFormat ${end <= 30 * 24 ? 'day %e' : '%b %e'}`,
    '    tickInterval 1day',
    '    todayMarker off',
  ];
  for (const stage of t.changed) {
    for (const [word, side] of [
      ['before', t.before],
      ['after', t.after],
    ] as const) {
      const s = side.find((x) => x.stage === stage);
      if (!s) continue;
      const id = `${stage.replace(/[^A-Za-z0-9]/g, '')}_${word === 'before' ? 'b' : 'a'}`;
      lines.push(`    section ${safe(`${stage} ${word}${s.agentVersion ? ` (agent ${s.agentVersion})` : ''}`)}`);
      let at = s.startHour;
      for (const b of s.batches) {
        lines.push(
          `    ${safe(`batch ${b.number} (${plural(b.hosts, 'host')}) soak ${b.soakHours} h`)} :${word === 'after' ? 'active, ' : ''}${id}${b.number}, ${date(at)}, ${b.soakHours}h`,
        );
        at += b.soakHours;
        lines.push(`    gate ${b.number} :milestone, ${id}g${b.number}, ${date(at)}, 0h`);
      }
    }
  }
  return lines.join('\n');
}
