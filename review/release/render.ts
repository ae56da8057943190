/**
 * The release plan as text (pure): Markdown for the pull request and the run
 * summary, JSON for tools, and `key=value` lines for a workflow's
 * $GITHUB_OUTPUT. Same plan, same bytes.
 */
import type { ReleasePlan, StageDecision } from './types';

/** The most steps a release has (a stage has at most five batches; the deploy workflows have one job per step). */
export const MAX_STEPS = 5;

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function pathBadge(d: StageDecision): string {
  return d.path === 'release' || d.path === 'rollback' ? `**${d.path}**` : d.path;
}

/** Table cell: | and newlines would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The batches column: order and soaks. */
function batchesCell(d: StageDecision): string {
  if (d.release) {
    const soaks = d.release.steps.map((s) => d.batches.find((b) => b.number === s.batch)?.soakHours ?? 0);
    return `${d.release.steps.map((s) => s.batch).join(' → ')}, soak ${soaks.join('/')} h, gate after each`;
  }
  if (d.rollback) return `${d.rollback.order.join(' → ')}, no soak`;
  return '—';
}

function hostsOf(d: StageDecision, batch: number): number {
  return d.batches.find((b) => b.number === batch)?.hosts ?? 0;
}

function soakOf(d: StageDecision, batch: number): number {
  return d.batches.find((b) => b.number === batch)?.soakHours ?? 0;
}

/** The section of one stage that takes a path. */
function stageSection(d: StageDecision): string[] {
  const out = ['', `### ${d.stage}: ${d.path}`, '', `${d.reason}.`, ''];
  if (d.stacks.length > 0) {
    out.push(
      `- Stacks, applied from the plans reviewed in the pull request (GitHub environment ${code(d.environment)}): ${d.stacks
        .map((s) => `${code(s.stack)} (${plural(s.changes, 'change')}, ${s.risk})`)
        .join(', ')}.`,
    );
  }
  if (d.release) {
    out.push('- Batches, each after the soak and go/no-go gate of the one before:');
    d.release.steps.forEach((s, i) => {
      const batch = `batch ${s.batch} (${plural(hostsOf(d, s.batch), 'host')})`;
      out.push(
        i === 0
          ? `  ${i + 1}. ${batch}, environment ${code(s.environment)}`
          : `  ${i + 1}. after ${soakOf(d, s.gate)} h of soak: gate of batch ${s.gate}, then ${batch}, environment ${code(s.environment)}`,
      );
    });
    const f = d.release.finalGate;
    out.push(`  ${d.release.steps.length + 1}. after ${soakOf(d, f.batch)} h of soak: gate of batch ${f.batch}, environment ${code(f.environment)}`);
  }
  if (d.rollback) {
    out.push(
      `- Rollback in environment ${code(d.environment)}, no soak: ${d.rollback.order
        .map((b) => `batch ${b} (${plural(hostsOf(d, b), 'host')})`)
        .join(', then ')}; ansible/playbooks/rollback-datadog.yml with rollback_mode=previous and rollback_to_version=${d.rollback.to}.`,
    );
  }
  for (const n of d.notes) out.push(`- ${n}.`);
  return out;
}

/** The Markdown plan: admin warning first, then one row per stage, then a section per stage that moves. */
export function renderPlanMarkdown(plan: ReleasePlan): string {
  const out = ['## Release plan', '', `Base ${code(plan.base)}, head ${code(plan.head)}${plan.passed ? `, last completed release ${code(plan.passed)}` : ''}.`];
  if (plan.adminStacks.length > 0) {
    const names = plan.adminStacks.map((s) => code(s.stack)).join(', ');
    out.push(
      '',
      '> [!WARNING]',
      `> **An administrator must apply ${names}.** CI plans ${plan.adminStacks.length === 1 ? 'this stack' : 'these stacks'} but never applies ${plan.adminStacks.length === 1 ? 'it' : 'them'}: the state stack holds the CI roles and the OIDC provider, the github stack the deployment environments, and no CI role may change either. Apply before deploying this change (docs/infrastructure.md, "Bootstrapping state", and docs/ci.md, "CI set-up").`,
    );
    for (const s of plan.adminStacks) {
      out.push(`> - ${code(s.stack)}: ${plural(s.changes, 'change')}, highest risk **${s.risk}**`);
      for (const t of s.texts) out.push(`>   - ${t}`);
      if (s.changes > s.texts.length) out.push(`>   - … and ${s.changes - s.texts.length} more (see the change review)`);
    }
  }
  out.push('', '| stage | path | why | batches |', '| --- | --- | --- | --- |');
  for (const d of plan.stages) out.push(`| ${d.stage} | ${pathBadge(d)} | ${cell(d.reason)} | ${cell(batchesCell(d))} |`);
  for (const d of plan.stages) if (d.path !== 'none' || d.notes.length > 0) out.push(...stageSection(d));
  out.push(
    '',
    '<details><summary>Paths</summary>',
    '',
    '| path | what runs after merge |',
    '| --- | --- |',
    "| infra-only | the stage's stacks from their reviewed plans; no batch, no soak; then the next stage |",
    '| release | the stacks, then the changed batches in order, each after the soak and go/no-go gate of the one before; the next stage once the last gate passed |',
    '| rollback | at once, every batch newest first with the rollback playbook, no soak; a release in flight on the stage stops at its next batch boundary |',
    '| none | nothing |',
    '',
    '</details>',
  );
  return `${out.join('\n')}\n`;
}

/** The JSON plan. */
export function renderPlanJson(plan: ReleasePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** One line: GitHub output values are read up to the end of the line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Workflow outputs: `plan` (the JSON, one line), `stages`, `admin_stacks`;
 * with `stage`, that stage's decision as flat keys a workflow can test
 * without parsing JSON (steps 1..MAX_STEPS always present, empty when unused).
 */
export function githubOutputs(plan: ReleasePlan, stage?: string): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['plan', JSON.stringify(plan)],
    ['stages', JSON.stringify(plan.stages.map((s) => s.stage))],
    ['admin_stacks', JSON.stringify(plan.adminStacks.map((s) => s.stack))],
  ];
  if (stage === undefined) return out;
  const d = plan.stages.find((s) => s.stage === stage);
  if (!d) throw new Error(`stage ${JSON.stringify(stage)} is not in the plan (stages: ${plan.stages.map((s) => s.stage).join(', ')})`);
  const steps = d.release?.steps ?? [];
  if (steps.length > MAX_STEPS) throw new Error(`stage ${d.stage}: ${steps.length} release steps, the deploy workflows run at most ${MAX_STEPS}`);
  out.push(
    ['stage', d.stage],
    ['path', d.path],
    ['reason', oneLine(d.reason)],
    ['environment', d.environment],
    ['apply', String(d.stacks.length > 0)],
    ['stacks', JSON.stringify(d.stacks.map((s) => s.stack))],
    ['agent_version', d.agentVersion.to ?? ''],
    ['agent_version_from', d.agentVersion.from ?? ''],
    ['advance_passed', String(d.advancePassed)],
    ['step_count', String(steps.length)],
  );
  for (let i = 0; i < MAX_STEPS; i++) {
    const s = steps[i];
    out.push(
      [`step_${i + 1}_batch`, s ? String(s.batch) : '0'],
      [`step_${i + 1}_gate`, s ? String(s.gate) : '0'],
      [`step_${i + 1}_environment`, s?.environment ?? ''],
    );
  }
  out.push(
    ['final_gate_batch', String(d.release?.finalGate.batch ?? 0)],
    ['final_gate_environment', d.release?.finalGate.environment ?? ''],
    ['rollback_from', d.rollback?.from ?? ''],
    ['rollback_to', d.rollback?.to ?? ''],
    ['rollback_batches', d.rollback?.order.join(' ') ?? ''],
  );
  return out;
}

/** `key=value` lines for $GITHUB_OUTPUT. */
export function renderGithubOutputs(outputs: ReadonlyArray<[string, string]>): string {
  return outputs.map(([k, v]) => `${k}=${oneLine(v)}\n`).join('');
}
