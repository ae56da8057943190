/**
 * `rollout coverage`: the stage coverage matrix of the monitoring definitions
 * (review/stage-coverage/). Exit 0, or 1 when a paging monitor routes nowhere in a
 * configured stage.
 */
import { loadConfig } from '../../model/load-config';
import { coverageMatrix, newStageProblem } from '../../review/stage-coverage/coverage';
import { renderCoverageJson, renderCoverageMarkdown } from '../../review/stage-coverage/render';
import { parseOptions, UsageError } from '../args';
import { Command, configDirOf } from '../command';

export const coverageCommand: Command = {
  name: 'coverage',
  usage: `coverage [--config DIR] [--format markdown|json] [--new-stage NAME]
      stage coverage matrix: every monitor, SLO and dashboard against every stage (present, overridden, disabled),
      the gaps a new stage would have, and paging monitors that route nowhere (exit 1 when one does in a stage)`,
  run(argv, io) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(`usage: rollout ${coverageCommand.usage}`);
      return 0;
    }
    const o = parseOptions('coverage', argv, { config: { type: 'string' }, format: { type: 'string' }, 'new-stage': { type: 'string' } });
    const format = (o.format as string | undefined) ?? 'markdown';
    if (format !== 'markdown' && format !== 'json')
      throw new UsageError(`rollout coverage: --format: got ${JSON.stringify(format)}, expected markdown or json`);
    const config = loadConfig(configDirOf(o.config));
    const stages = config.stages.map((s) => s.name);
    const newStage = (o['new-stage'] as string | undefined) ?? 'new-stage';
    const problem = newStageProblem(newStage, stages);
    if (problem !== undefined) throw new UsageError(`rollout coverage: --new-stage: got ${JSON.stringify(newStage)}, expected ${problem}`);
    const report = coverageMatrix(config.monitoring, stages, newStage);
    io.out(format === 'json' ? renderCoverageJson(report) : renderCoverageMarkdown(report));
    return report.findings.length > 0 ? 1 : 0;
  },
};
