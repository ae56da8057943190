import { loadConfig } from '../../model/load';
import { stageStackNames } from '../../stacks/app';
import { parseOptions } from '../args';
import { Command, configDirOf } from '../command';

export const validateCommand: Command = {
  name: 'validate',
  usage: `validate [--config DIR]
      validate the configuration; print a summary of each stage`,
  run(argv, io) {
    const o = parseOptions('validate', argv, { config: { type: 'string' } });
    const config = loadConfig(configDirOf(o.config));
    for (const s of config.stages) {
      const managed = s.hosts.filter((h) => h.managed).length;
      io.out(
        `${s.name}: ${s.hosts.length} hosts (${managed} managed), agent ${s.agent.version}, site ${s.datadog.site}, ` +
          `batches ${s.rollout.batchPercentages.join('/')}%, stacks ${stageStackNames(s.name).join(' ')}`,
      );
    }
    io.out(`ok: ${config.stages.length} stages valid`);
    return 0;
  },
};
