/**
 * `rollout event`: post a batch's deployment start or end event to Datadog
 * (stage, batch, agent version, commit), for dashboards, DORA metrics, and
 * the gate's soak clock. Called by the deploy playbook's event hook, which
 * passes ROLLOUT_STAGE, ROLLOUT_BATCH and ROLLOUT_EVENT_PHASE in the
 * environment; options win over them.
 * Exit status: 0 posted, 1 Datadog did not take it (after retries), 2 bad usage.
 * Nothing the server sends is printed as sent: the event id is printed only
 * when it is digits (gate/datadog-responses.ts checks the answer), and error
 * texts are cleaned of keys, key-shaped tokens and terminal escapes
 * (gate/redact.ts) in the client and once more here.
 */
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { datadogApi, Deadline, redact } from '../../gate/datadog-client';
import { deploymentEvent } from '../../gate/events';
import { serverText } from '../../gate/redact';
import { ROLLOUT_PHASES, RolloutPhase } from '../../model/signals';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand } from '../command';
import { batchHostCount, batchOf, deadlineOf, defaultDeps, GateDeps, requireKey, resolveApiUrl, stageOf } from './gate';

export const DEFAULT_EVENT_DEADLINE_SECONDS = 30;

export function makeEventCommand(overrides: Partial<GateDeps> = {}): Command {
  return defineCommand({
    name: 'event',
    summary: "post a batch's deployment start or end event to Datadog (the gate's soak clock)",
    description:
      'Post a deployment event of batch N of stage S to Datadog (tags env, rollout_batch, rollout_phase, agent_version, ' +
      "git.commit.sha); the gate's soak time starts at the latest start event. The deploy playbook's event hook sets " +
      'ROLLOUT_EVENT_PHASE, ROLLOUT_STAGE and ROLLOUT_BATCH; options win over them. The API key comes from DD_API_KEY.',
    options: {
      phase: { flags: '--phase <PHASE>', description: `${ROLLOUT_PHASES.join(' or ')} (default: $ROLLOUT_EVENT_PHASE)` },
      stage: { flags: '--stage <S>', description: 'the stage (default: $ROLLOUT_STAGE)' },
      batch: { flags: '--batch <N>', description: 'the batch number (default: $ROLLOUT_BATCH)' },
      commit: { flags: '--commit <SHA>', description: 'the commit deployed (default: $ROLLOUT_COMMIT, else $GITHUB_SHA)' },
      version: { flags: '--version <V>', description: "the agent version (default: the stage's)" },
      config: CONFIG_OPTION,
      apiUrl: { flags: '--api-url <URL>', description: "Datadog API URL (default: https://api.$DD_SITE/, else the stage's datadog.apiUrl)" },
      deadline: { flags: '--deadline <SECONDS>', description: `bound on the whole run (default ${DEFAULT_EVENT_DEADLINE_SECONDS})` },
    },
    epilog: 'Exit status: 0 posted, 1 not posted (after retries), 2 bad command line.',
    async action(o, _args, io) {
      const deps: GateDeps = { ...defaultDeps(), ...overrides };
      const env = deps.env;
      const pick = (flag: string, opt: unknown, envName: string): { value: string | undefined; from: string } =>
        typeof opt === 'string' ? { value: opt, from: flag } : { value: env[envName], from: env[envName] !== undefined ? envName : flag };

      const phaseIn = pick('--phase', o.phase, 'ROLLOUT_EVENT_PHASE');
      if (!ROLLOUT_PHASES.includes(phaseIn.value as RolloutPhase)) {
        throw new UsageError(`rollout event: ${phaseIn.from}: got ${JSON.stringify(phaseIn.value ?? null)}, expected one of ${ROLLOUT_PHASES.join(', ')}`);
      }
      const phase = phaseIn.value as RolloutPhase;
      const commitIn =
        typeof o.commit === 'string'
          ? { value: o.commit, from: '--commit' }
          : env.ROLLOUT_COMMIT !== undefined
            ? { value: env.ROLLOUT_COMMIT, from: 'ROLLOUT_COMMIT' }
            : { value: env.GITHUB_SHA, from: env.GITHUB_SHA !== undefined ? 'GITHUB_SHA' : '--commit' };
      if (commitIn.value === undefined || !/^[0-9a-f]{7,40}$/.test(commitIn.value)) {
        throw new UsageError(
          `rollout event: ${commitIn.from}: got ${JSON.stringify(commitIn.value ?? null)}, expected a git commit id (7 to 40 lowercase hex digits), from --commit, ROLLOUT_COMMIT or GITHUB_SHA`,
        );
      }
      let stages;
      try {
        stages = loadConfig(o.config).stages;
      } catch (e) {
        if (e instanceof ConfigError) {
          io.err(e.message);
          return 2;
        }
        throw e;
      }
      const stageIn = pick('--stage', o.stage, 'ROLLOUT_STAGE');
      const stage = stageOf('event', stages, stageIn.value, stageIn.from);
      const batchIn = pick('--batch', o.batch, 'ROLLOUT_BATCH');
      const batch = batchOf('event', stage, batchIn.value, batchIn.from);
      const version = typeof o.version === 'string' ? o.version : stage.agent.version;
      if (!/^\d+\.\d+\.\d+$/.test(version))
        throw new UsageError(`rollout event: --version: got ${JSON.stringify(version)}, expected an agent version such as 7.72.0`);
      const deadlineSeconds = deadlineOf('event', o.deadline, DEFAULT_EVENT_DEADLINE_SECONDS);
      const api = resolveApiUrl('event', o.apiUrl, env, stage);
      const apiKey = requireKey('event', env, 'DD_API_KEY');
      const err = (line: string): void => io.err(redact(line, [apiKey, env.DD_APP_KEY]));

      const event = deploymentEvent({
        stage: stage.name,
        batch,
        batchCount: stage.rollout.batchPercentages.length,
        hostCount: batchHostCount(stage, batch),
        phase,
        version,
        commit: commitIn.value,
        nowMs: deps.now(),
      });
      const deadline = new Deadline(deadlineSeconds * 1000);
      try {
        err(`event: posting the ${phase} event of stage ${stage.name}, batch ${batch} to ${api.url} (from ${api.source})`);
        const client = datadogApi(
          { apiUrl: api.url, apiKey },
          { requestTimeoutMs: deps.requestTimeoutMs, deadline, retry: deps.retry, random: deps.random, now: deps.now, progress: (l) => err(`event: ${l}`) },
        );
        const posted = await client.postEvent(event);
        const id = /^\d{1,20}$/.test(posted.id) ? posted.id : '(id not shown)';
        io.out(`posted ${phase} event ${id}: ${event.title} (commit ${commitIn.value})`);
        return 0;
      } catch (e) {
        const message = serverText((e as Error).message, [apiKey, env.DD_APP_KEY], 600);
        const maybe = message.includes(': bad response: ') ? ' (Datadog answered, but not as its API documents: the event may have been recorded anyway)' : '';
        err(`rollout event: the ${phase} event was not posted: ${message}${maybe}`);
        return 1;
      } finally {
        deadline.dispose();
      }
    },
  });
}

export const eventCommand: Command = makeEventCommand();
