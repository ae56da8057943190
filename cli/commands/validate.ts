import { assertMonitoringRules, RULES } from '../../policy/rule-pack';
import { loadConfig } from '../../model/load-config';
import { stageStackNames } from '../../model/names';
import { checkTag } from '../../model/signals';
import { parseOptions } from '../args';
import { Command, configDirOf } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  usage: `validate [--config DIR]
      validate the configuration and the monitor rule pack; print a summary of each stage`,
  run(argv, io) {
    const o = parseOptions('validate', argv, { config: { type: 'string' } });
    const config = loadConfig(configDirOf(o.config));
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
  },
};
