/**
 * `rollout coverage`: the stage coverage matrix of the monitoring definitions
 * (review/stage-coverage/). Exit 0, or 1 when a paging monitor routes nowhere in a
 * configured stage.
 */
import { loadConfig } from '../../model/load-config';
import { coverageMatrix, newStageProblem } from '../../review/stage-coverage/coverage';
import { renderCoverageJson, renderCoverageMarkdown } from '../../review/stage-coverage/render';
import { CONFIG_OPTION, UsageError } from '../args';
import { defineCommand } from '../command';

export const coverageCommand = defineCommand({
  name: 'coverage',
  summary: 'the stage coverage matrix of the monitoring definitions',
  description:
    'Stage coverage matrix: every monitor, SLO and dashboard against every stage (present, overridden, disabled), ' +
    'the gaps a new stage would have, and paging monitors that route nowhere (docs/drift-and-coverage.md).',
  options: {
    config: CONFIG_OPTION,
    format: { flags: '--format <F>', description: 'markdown or json', default: 'markdown', choices: ['markdown', 'json'] },
    newStage: { flags: '--new-stage <NAME>', description: 'name of the stage the gaps are shown for', default: 'new-stage' },
  },
  epilog: 'Exit status: 0, or 1 when a paging monitor routes nowhere in a configured stage; 2 bad command line.',
  action(o, _args, io) {
    const format = o.format;
    const config = loadConfig(o.config);
    const stages = config.stages.map((s) => s.name);
    const newStage = o.newStage;
    const problem = newStageProblem(newStage, stages);
    if (problem !== undefined) throw new UsageError(`rollout coverage: --new-stage: got ${JSON.stringify(newStage)}, expected ${problem}`);
    const report = coverageMatrix(config.monitoring, stages, newStage);
    io.out(format === 'json' ? renderCoverageJson(report) : renderCoverageMarkdown(report));
    return report.findings.length > 0 ? 1 : 0;
  },
});
