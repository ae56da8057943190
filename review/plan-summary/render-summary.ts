/**
 * The plan summary as Markdown (pure): Terraform's own headline, what an
 * incomplete plan left out, where the plan and the diff disagree, the
 * replacements, destroys and changes above low risk (highest risk first,
 * named as the diff names them), and the full plan in a collapsed <details>.
 */
import { headline, PLAN_ACTIONS, PlanAction, PlanItem, PlanSummary, attentionItems } from './summary';

const ACTION_NAMES: Record<PlanAction, string> = {
  replace: 'replace',
  delete: 'destroy',
  create: 'create',
  update: 'update in place',
  read: 'read during apply',
  move: 'move',
  import: 'import',
  forget: 'forget (remove from state, keep the object)',
};

/** Inline code that survives backticks. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

const badge = (r: string): string => (r === 'critical' || r === 'high' ? `**${r}**` : r);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `` host dev-web-01 (`aws_instance.fleet_dev-web-01_X`) ``, or the address alone when the label is it. */
function named(i: PlanItem): string {
  return i.label === i.address ? code(i.address) : `${i.label} (${code(i.address)})`;
}

/** What happens to the item, without values. */
function detail(i: PlanItem): string {
  switch (i.action) {
    case 'replace':
      return `: ${i.forcedBy.length > 0 ? `forced by ${i.forcedBy.map(code).join(', ')}` : (i.reason ?? '')} (${i.order ?? ''})`;
    case 'delete':
      return i.reason ? `: ${i.reason}` : '';
    case 'update':
      return i.attributes.length > 0 ? `: ${i.attributes.map((a) => a.replace(/^(\S+)/, (m) => code(m))).join(', ')}` : '';
    case 'move':
      return i.from ? ` from ${code(i.from)}` : '';
    default:
      return '';
  }
}

function itemLine(i: PlanItem): string {
  const why = i.risk === 'critical' || i.risk === 'high' ? ` _(${i.why})_` : '';
  return `- ${badge(i.risk)} ${i.action === 'delete' ? 'destroy' : i.action} ${named(i)}${detail(i)}${i.importing ? ' (and import it)' : ''}${why}`;
}

/** Render one plan's summary; `title` names it (`dev-infra`). */
export function renderPlanSummary(s: PlanSummary, title: string): string {
  const out: string[] = [`### Terraform plan: ${title}`, ''];
  const nothing = s.items.length === 0 && s.outputs.length === 0;
  if (nothing) out.push('**No changes.** The infrastructure matches the configuration.');
  else {
    const notes: string[] = [];
    if (s.counts.replace > 0) notes.push(`${plural(s.counts.replace, 'replacement')} (each counted once to add and once to destroy, as Terraform counts)`);
    if (s.counts.read > 0) notes.push(`${plural(s.counts.read, 'data source')} read during apply, not counted`);
    if (s.counts.move > 0) notes.push(`${s.counts.move} moved, not counted`);
    out.push(
      `**Plan: ${headline(s.terraform)}.**${notes.length > 0 ? ` ${notes.join('; ')}.` : ''}${s.highestRisk ? ` Highest risk: ${badge(s.highestRisk)}.` : ''}`,
    );
  }
  if (s.incomplete) {
    const what = s.errored
      ? 'The plan did not complete** (Terraform stopped on an error)'
      : 'The plan is partial** (it covers part of the configuration, e.g. `-target`)';
    const missing = s.missing.length > 0 ? ` Not planned: ${s.missing.map(code).join(', ')}.` : '';
    out.push('', `**${what}: ${nothing ? 'it' : 'what it shows'} is not the whole change.${missing}`);
  }
  if (s.drift.length > 0) {
    out.push('', `**Drift**: ${plural(s.drift.length, 'resource')} changed outside Terraform since the last apply: ${s.drift.map(code).join(', ')}.`);
  }
  if (nothing) return `${out.join('\n')}\n`;
  if (s.disagreements && s.disagreements.length > 0) {
    out.push('', '**The diff and the plan disagree** (what `rollout diff` predicted for this stack, and what Terraform will do):');
    for (const d of s.disagreements) out.push(`- ${d.label === d.address ? code(d.address) : `${d.label} (${code(d.address)})`}: ${d.text}`);
  }
  const attention = attentionItems(s);
  if (attention.length > 0) {
    out.push('', '**Replacements, destroys and changes above low risk** (highest risk first):');
    for (const i of attention) out.push(itemLine(i));
  }
  const rest = s.items.length + s.outputs.length;
  const counts = PLAN_ACTIONS.filter((a) => s.counts[a] > 0).map((a) => `${s.counts[a]} ${a}`);
  if (s.outputs.length > 0) counts.push(plural(s.outputs.length, 'output'));
  out.push('', `<details><summary>Full plan: ${plural(rest, 'change')} (${counts.join(', ')})</summary>`, '', '| action | resources |', '| --- | ---: |');
  for (const a of PLAN_ACTIONS) if (s.counts[a] > 0) out.push(`| ${ACTION_NAMES[a]} | ${s.counts[a]} |`);
  out.push('');
  for (const i of s.items) out.push(itemLine(i));
  for (const o of s.outputs) out.push(`- output ${code(o.name)}: ${o.action}`);
  out.push('', '</details>');
  return `${out.join('\n')}\n`;
}
