/**
 * The plan summary as Markdown (pure): headline and counts, replacements and
 * destroys called out, everything else inside a collapsed <details>.
 */
import { PLAN_ACTIONS, PlanAction, PlanSummary } from './summary';

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

/** Terraform-style headline: `1 to add, 1 to change, 1 to replace, 1 to destroy`. */
export function headline(s: PlanSummary): string {
  const c = s.counts;
  const parts = [
    `${c.create} to add`,
    `${c.update} to change`,
    `${c.replace} to replace`,
    `${c.delete} to destroy`,
    ...(c.read ? [`${c.read} to read`] : []),
    ...(c.move ? [`${c.move} to move`] : []),
    ...(c.import ? [`${c.import} to import`] : []),
    ...(c.forget ? [`${c.forget} to forget`] : []),
  ];
  return parts.join(', ');
}

/** Render one plan's summary; `title` names it (`dev-infra`). */
export function renderPlanSummary(s: PlanSummary, title: string): string {
  const out: string[] = [`### Terraform plan: ${title}`, ''];
  const total = PLAN_ACTIONS.reduce((n, a) => n + s.counts[a], 0);
  if (s.incomplete) out.push('**The plan did not complete** (Terraform reported an error): what follows is partial.', '');
  if (s.drift.length > 0) {
    out.push(
      `**Drift**: ${s.drift.length} resource${s.drift.length === 1 ? '' : 's'} changed outside Terraform since the last apply: ${s.drift.map(code).join(', ')}.`,
      '',
    );
  }
  if (total === 0 && s.outputs.length === 0) {
    out.push('**No changes.** The infrastructure matches the configuration.');
    return `${out.join('\n')}\n`;
  }
  out.push(`**Plan: ${headline(s)}.**`, '', '| action | resources |', '| --- | ---: |');
  for (const a of PLAN_ACTIONS) if (s.counts[a] > 0) out.push(`| ${ACTION_NAMES[a]} | ${s.counts[a]} |`);
  if (s.replacements.length > 0) {
    out.push('', '**Replaced** (destroyed and re-created):');
    for (const r of s.replacements) {
      const forced = r.forcedBy.length > 0 ? `forced by ${r.forcedBy.map(code).join(', ')}` : r.reason;
      out.push(`- ${code(r.address)}: ${forced} (${r.order})`);
    }
  }
  if (s.destroys.length > 0) {
    out.push('', '**Destroyed**:');
    for (const d of s.destroys) out.push(`- ${code(d.address)}: ${d.reason}`);
  }
  const rest = s.others.length + s.outputs.length;
  if (rest > 0) {
    const counts = PLAN_ACTIONS.filter((a) => a !== 'replace' && a !== 'delete' && s.counts[a] > 0).map((a) => `${s.counts[a]} ${a}`);
    if (s.outputs.length > 0) counts.push(`${s.outputs.length} output${s.outputs.length === 1 ? '' : 's'}`);
    out.push('', `<details><summary>${rest} more: ${counts.join(', ')}</summary>`, '');
    for (const o of s.others) {
      const detail =
        o.action === 'move' && o.from
          ? ` from ${code(o.from)}`
          : o.attributes.length > 0
            ? `: ${o.attributes.map((a) => a.replace(/^(\S+)/, (m) => code(m))).join(', ')}`
            : '';
      out.push(`- ${o.action} ${code(o.address)}${detail}`);
    }
    for (const o of s.outputs) out.push(`- output ${code(o.name)}: ${o.action}`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
