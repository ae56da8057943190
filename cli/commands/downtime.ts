/**
 * `rollout downtime schedule|cancel`: quiet restarts. The deploy playbook
 * schedules, from the controller, a Datadog downtime on exactly the batch's
 * hosts and its agent-health monitors before the Agent upgrade restarts
 * them, and cancels it when the batch finishes or fails (gate/downtimes.ts
 * says which monitors, and why never the gate's rollback triggers).
 *
 * Same rules as the gate: keys from DD_API_KEY / DD_APP_KEY only, sent to a
 * published Datadog site's API host (or loopback), never printed; requests
 * through the gate's transport (timeouts, retries, no redirects). Exit 0 done,
 * 1 Datadog refused or could not be reached (a schedule that half succeeded
 * is cancelled: all or nothing), 2 bad command line or configuration.
 */
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { splitIntoBatches } from '../../model/batches';
import type { Stage } from '../../model/stage';
import { datadogApi, DatadogRequestError, Deadline, DowntimeApi, redact } from '../../gate/datadog-client';
import { DEFAULT_QUIET_MINUTES, describeDowntime, Downtime, HOST_NAME, isQuietRestartOf, MAX_QUIET_MINUTES, quietRestartDowntimes } from '../../gate/downtimes';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand } from '../command';
import { batchOf, deadlineOf, defaultDeps, GateDeps, requireKey, resolveApiUrl, stageOf } from './gate';

const DEFAULT_DEADLINE_SECONDS = 60;

/** --minutes: a whole number from 1 to MAX_QUIET_MINUTES. */
export function minutesOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_QUIET_MINUTES;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_QUIET_MINUTES)) {
    throw new UsageError(`rollout downtime: --minutes: got ${JSON.stringify(value)}, expected a whole number of minutes from 1 to ${MAX_QUIET_MINUTES}`);
  }
  return n;
}

/** --hosts: names of hosts of the batch (default: all of them). */
export function hostsOf(stage: Stage, batch: number, value: string | undefined): string[] {
  const inBatch = splitIntoBatches(stage.hosts, stage.rollout.batchPercentages)[batch - 1].hosts.map((h) => h.name);
  if (value === undefined) return [...inBatch].sort();
  const asked = value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const bad = asked.filter((h) => !HOST_NAME.test(h) || !inBatch.includes(h));
  if (asked.length === 0 || bad.length > 0) {
    throw new UsageError(
      `rollout downtime: --hosts: got ${JSON.stringify(value)}, expected host names of batch ${batch} of ${stage.name} (${inBatch.join(', ') || 'none'})` +
        (bad.length > 0 ? `; not in the batch: ${bad.join(', ')}` : ''),
    );
  }
  return [...new Set(asked)].sort();
}

export function makeDowntimeCommand(overrides: Partial<GateDeps> = {}): Command {
  return defineCommand({
    name: 'downtime',
    summary: "quiet restarts: schedule or cancel a Datadog downtime on a batch's hosts",
    description:
      "Quiet restarts: schedule a Datadog downtime on the batch's hosts (all of them, or --hosts, which must be in the batch) " +
      "and its agent-health monitors (agent-running, agent-overhead; never the gate's rollback triggers) for --minutes, " +
      'or cancel the ones of that batch. Keys from DD_API_KEY / DD_APP_KEY (docs/drift-and-coverage.md).',
    arguments: ['<schedule|cancel>'],
    options: {
      stage: { flags: '--stage <S>', description: 'the stage (required)' },
      batch: { flags: '--batch <N>', description: 'the batch, from 1 (required)' },
      hosts: { flags: '--hosts <H1,H2>', description: 'schedule only: hosts of the batch (default: all of them)' },
      minutes: { flags: '--minutes <M>', description: `schedule only: length (default ${DEFAULT_QUIET_MINUTES}, at most ${MAX_QUIET_MINUTES})` },
      config: CONFIG_OPTION,
      apiUrl: { flags: '--api-url <URL>', description: 'Datadog API URL (as for the gate)' },
      deadline: { flags: '--deadline <SECONDS>', description: `bound on the whole run (default ${DEFAULT_DEADLINE_SECONDS})` },
    },
    action: async (o, args, io) => {
      const deps: GateDeps = { ...defaultDeps(), ...overrides };
      const action = args[0];
      if (action !== 'schedule' && action !== 'cancel') {
        throw new UsageError(`rollout downtime: got ${JSON.stringify(action ?? null)}, expected schedule or cancel`);
      }
      let stages: readonly Stage[];
      try {
        stages = loadConfig(o.config).stages;
      } catch (e) {
        if (e instanceof ConfigError) {
          io.err(e.message);
          io.err(`rollout downtime ${action}: the configuration is invalid; nothing was changed`);
          return 2;
        }
        throw e;
      }
      const command = `downtime ${action}`;
      const stage = stageOf(command, stages, o.stage as string | undefined);
      const batch = batchOf(command, stage, o.batch as string | undefined);
      if (action === 'cancel' && (o.hosts !== undefined || o.minutes !== undefined)) {
        throw new UsageError('rollout downtime cancel: --hosts and --minutes are for schedule; cancel removes every quiet-restart downtime of the batch');
      }
      const hosts = action === 'schedule' ? hostsOf(stage, batch, o.hosts as string | undefined) : [];
      if (action === 'schedule' && hosts.length === 0) {
        io.err(`downtime: batch ${batch} of ${stage.name} has no hosts; nothing to schedule`);
        return 0;
      }
      const minutes = minutesOf(o.minutes as string | undefined);
      const deadlineSeconds = deadlineOf(command, o.deadline as string | undefined, DEFAULT_DEADLINE_SECONDS);
      const api = resolveApiUrl(command, o.apiUrl, deps.env, stage);
      const apiKey = requireKey(command, deps.env, 'DD_API_KEY');
      const appKey = requireKey(command, deps.env, 'DD_APP_KEY');
      const secrets = [apiKey, appKey];
      const err = (line: string): void => io.err(redact(line, secrets));
      const out = (line: string): void => io.out(redact(line, secrets));
      const deadline = new Deadline(deadlineSeconds * 1000);
      try {
        const client = datadogApi(
          { apiUrl: api.url, apiKey, appKey },
          {
            requestTimeoutMs: Math.min(deps.requestTimeoutMs, deadlineSeconds * 1000),
            deadline,
            retry: deps.retry,
            random: deps.random,
            now: deps.now,
            progress: (l) => err(`downtime: ${l}`),
          },
        );
        return action === 'schedule'
          ? await schedule(client, { stage: stage.name, batch, hosts, minutes, nowMs: deps.now() }, out, err)
          : await cancel(client, stage.name, batch, out, err);
      } catch (e) {
        err(`rollout ${command}: ${e instanceof DatadogRequestError ? e.message : `unexpected error: ${(e as Error).message}`}`);
        return 1;
      } finally {
        deadline.dispose();
      }
    },
  });
}

async function schedule(
  client: DowntimeApi,
  p: { stage: string; batch: number; hosts: string[]; minutes: number; nowMs: number },
  out: (l: string) => void,
  err: (l: string) => void,
): Promise<number> {
  const requests = quietRestartDowntimes(p);
  const created: Downtime[] = [];
  try {
    for (const r of requests) {
      const d = await client.createDowntime(r);
      created.push(d);
      err(`downtime: scheduled ${describeDowntime(d)}`);
    }
  } catch (e) {
    // All or nothing: a half-quiet batch is worse than a loud one (nobody knows which monitors are muted).
    for (const d of created) {
      try {
        await client.cancelDowntime(d.id);
        err(`downtime: cancelled ${d.id} again (the schedule failed)`);
      } catch (c) {
        err(`downtime: could not cancel ${d.id} again (it ends by itself at ${new Date(requests[0].endMs).toISOString()}): ${(c as Error).message}`);
      }
    }
    throw e;
  }
  out(
    `quiet restart: ${created.length} downtimes on ${p.hosts.length} hosts of batch ${p.batch} of ${p.stage} until ${new Date(requests[0].endMs).toISOString()}: ` +
      created.map((d) => d.id).join(' '),
  );
  return 0;
}

async function cancel(client: DowntimeApi, stage: string, batch: number, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const ours = (await client.listDowntimes()).filter((d) => isQuietRestartOf(d, stage, batch));
  let cancelled = 0;
  for (const d of ours) {
    const r = await client.cancelDowntime(d.id);
    if (r === 'cancelled') cancelled++;
    err(`downtime: ${r === 'cancelled' ? 'cancelled' : 'already gone:'} ${describeDowntime(d)}`);
  }
  out(
    `quiet restart over: ${cancelled} downtime${cancelled === 1 ? '' : 's'} of batch ${batch} of ${stage} cancelled${ours.length === 0 ? ' (none in force)' : ''}`,
  );
  return 0;
}

export const downtimeCommand: Command = makeDowntimeCommand();
