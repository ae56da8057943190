import { assertMonitoringRules, RULES } from '../../policy/rule-pack';
import { loadConfig } from '../../model/load-config';
import { stageStackNames } from '../../model/names';
import { checkTag } from '../../model/signals';
import { ConfigError, Problem } from '../../model/errors';
import { CONFIG_OPTION } from '../args';
import { defineCommand, Io } from '../command';

/** What `validate --format json` prints: every problem (model/errors.ts `Problem`) and a summary; on success too. */
export interface ValidateJson {
  readonly ok: boolean;
  /** The same words as the text output's last line. */
  readonly summary: string;
  readonly stages: readonly string[];
  readonly problems: readonly Problem[];
}

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'validate the configuration and the monitor rule pack; print a summary of each stage',
  description:
    'Validate the stage files, the team files and the monitor rule pack, reporting every problem in one pass as ' +
    '`file:line path: got X, expected Y`. With --format json, print {ok, summary, stages, problems} (problems: ' +
    'file, line, path, got, expected) for editors and CI annotations, on success too.',
  options: {
    config: CONFIG_OPTION,
    format: { flags: '--format <FORMAT>', description: 'output format', default: 'text', choices: ['text', 'json'] },
  },
  epilog: 'Exit status: 0 valid, 1 invalid configuration, 2 bad command line.',
  action(o, _args, io) {
    if (o.format === 'json') return validateJson(o.config, io);
    return validateText(o.config, io);
  },
});

function validateJson(configDir: string, io: Io): number {
  let report: ValidateJson;
  try {
    const config = loadConfig(configDir);
    assertMonitoringRules(config);
    report = { ok: true, summary: `ok: ${config.stages.length} stages valid`, stages: config.stages.map((s) => s.name), problems: [] };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    report = { ok: false, summary: e.message.split('\n')[0], stages: [], problems: e.problems };
  }
  io.out(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
}

function validateText(configDir: string, io: Io): number {
  const config = loadConfig(configDir);
  const { plans, results } = assertMonitoringRules(config);
  for (const s of config.stages) {
    const managed = s.hosts.filter((h) => h.managed).length;
    io.out(
      `${s.name}: ${s.hosts.length} hosts (${managed} managed), agent ${s.agent.version}, site ${s.datadog.site}, ` +
        `batches ${s.rollout.batchPercentages.join('/')}%, stacks ${stageStackNames(s.name).join(' ')}`,
    );
  }
  const m = config.monitoring;
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  io.out(
    `monitoring: ${plural(m.monitors.length, 'monitor')}, ${plural(m.slos.length, 'SLO')}, ${plural(m.dashboards.length, 'dashboard')} ` +
      `from ${m.files.length === 0 ? 'no files' : m.files.join(', ')}`,
  );
  for (const p of plans) {
    const count = (origin: string): number => p.monitors.filter((x) => x.origin === origin).length;
    const gate = p.monitors.filter((x) => x.tags.includes(checkTag('app-errors'))).length;
    io.out(
      `  ${p.stage}: ${plural(p.monitors.length, 'monitor')} (${count('team')} team, ${count('burn-rate')} burn-rate, ${count('rollout')} rollout), ` +
        `${plural(p.slos.length, 'SLO')}, ${plural(p.dashboards.length, 'dashboard')}` +
        (gate === 0 ? '; no app-errors monitor: the gate cannot decide for this stage' : ''),
    );
  }
  const suppressed = new Map<string, { text: string; stages: string[] }>();
  for (const r of results) {
    for (const s of r.suppressed) {
      const src = s.monitor.source;
      const key = `${src.file}:${src.line} ${s.rule} ${s.monitor.key}`;
      const entry = suppressed.get(key) ?? { text: `${key}: ${JSON.stringify(s.reason)}`, stages: [] };
      entry.stages.push(r.stage);
      suppressed.set(key, entry);
    }
  }
  io.out(
    `rules: ${RULES.length} rules (${RULES[0].id} to ${RULES[RULES.length - 1].id}) pass in ${plural(plans.length, 'stage')}, ${plural(suppressed.size, 'suppression')}`,
  );
  for (const s of [...suppressed.values()].sort((a, b) => (a.text < b.text ? -1 : 1))) io.out(`  suppressed ${s.text} (${s.stages.join(', ')})`);
  io.out(`ok: ${config.stages.length} stages valid`);
  return 0;
}
