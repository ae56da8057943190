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
 *
 * The SSM executor (docs/ssm-executor.md, "Quiet restarts"): the hosts run the
 * playbook under State Manager and hold no Datadog key, so the deploy job
 * that applies `<stage>-infra` mutes the batches the apply runs:
 * `--terraform-plan FILE` (terraform show -json of the plan it applies)
 * instead of `--batch`, every host of each batch (plan/ssm/quiet-batches.ts).
 * `--fail-open`: a schedule Datadog refuses is reported and exits 0 (a
 * rollback must not wait on the Datadog API); a plan that turns an
 * association to rollback mode is a rollback and fails open by itself.
 */
import * as fs from 'fs';
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { splitIntoBatches } from '../../model/batches';
import type { Stage } from '../../model/stage';
import { datadogApi, DatadogRequestError, Deadline, DowntimeApi, redact } from '../../gate/datadog-client';
import { DEFAULT_QUIET_MINUTES, describeDowntime, Downtime, HOST_NAME, isQuietRestartOf, MAX_QUIET_MINUTES, quietRestartDowntimes } from '../../gate/downtimes';
import { ssmBatchesRunByPlan, ssmQuietMinutes } from '../../plan/ssm/quiet-batches';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand } from '../command';
import { batchOf, deadlineOf, defaultDeps, GateDeps, requireKey, resolveApiUrl, stageOf } from './gate';

const DEFAULT_DEADLINE_SECONDS = 60;

/** --minutes: a whole number from 1 to MAX_QUIET_MINUTES. */
export function minutesOf(value: string | undefined, dflt = DEFAULT_QUIET_MINUTES): number {
  if (value === undefined) return dflt;
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
      'or cancel the ones of that batch. SSM executor: --terraform-plan instead of --batch, every batch whose association the plan runs ' +
      '(docs/ssm-executor.md). Keys from DD_API_KEY / DD_APP_KEY (docs/drift-and-coverage.md).',
    arguments: ['<schedule|cancel>'],
    options: {
      stage: { flags: '--stage <S>', description: 'the stage (required)' },
      batch: { flags: '--batch <N>', description: 'the batch, from 1 (required, unless --terraform-plan)' },
      terraformPlan: {
        flags: '--terraform-plan <FILE>',
        description: `instead of --batch (SSM executor): every batch whose association this plan (terraform show -json) creates or updates; default --minutes ${ssmQuietMinutes()}`,
      },
      failOpen: { flags: '--fail-open', description: 'schedule only: when Datadog refuses, report it and exit 0 (a rollback goes on)' },
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
      if (action === 'cancel' && (o.hosts !== undefined || o.minutes !== undefined || o.failOpen === true)) {
        throw new UsageError(
          'rollout downtime cancel: --hosts, --minutes and --fail-open are for schedule; cancel removes every quiet-restart downtime of the batch',
        );
      }
      let batches: { batch: number; hosts: string[] }[];
      let failOpen = o.failOpen === true;
      let minutes: number;
      if (o.terraformPlan !== undefined) {
        if (o.batch !== undefined || o.hosts !== undefined) {
          throw new UsageError(`rollout ${command}: --terraform-plan names the batches (all their hosts): leave out --batch and --hosts`);
        }
        const runs = batchesOfPlan(command, stage.name, String(o.terraformPlan));
        batches = runs.map((r) => ({ batch: r.batch, hosts: hostsOf(stage, r.batch, undefined) })).filter((b) => b.hosts.length > 0);
        // Reverting a release turns its association to rollback mode: a rollback, which must not wait on Datadog.
        failOpen = failOpen || runs.some((r) => r.mode === 'rollback');
        minutes = minutesOf(o.minutes as string | undefined, ssmQuietMinutes());
        io.err(
          `downtime: the plan runs State Manager on ${runs.length === 0 ? 'no batch' : runs.map((r) => `batch ${r.batch} (${r.mode ?? 'mode unknown'})`).join(', ')} of ${stage.name}`,
        );
        if (batches.length === 0) {
          io.out(`quiet restart: the plan runs no batch with hosts of ${stage.name}; nothing to ${action}`);
          return 0;
        }
      } else {
        const batch = batchOf(command, stage, o.batch as string | undefined);
        const hosts = action === 'schedule' ? hostsOf(stage, batch, o.hosts as string | undefined) : [];
        if (action === 'schedule' && hosts.length === 0) {
          io.err(`downtime: batch ${batch} of ${stage.name} has no hosts; nothing to schedule`);
          return 0;
        }
        batches = [{ batch, hosts }];
        minutes = minutesOf(o.minutes as string | undefined);
      }
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
          ? await schedule(client, { stage: stage.name, batches, minutes, nowMs: deps.now() }, out, err)
          : await cancel(
              client,
              stage.name,
              batches.map((b) => b.batch),
              out,
              err,
            );
      } catch (e) {
        err(`rollout ${command}: ${e instanceof DatadogRequestError ? e.message : `unexpected error: ${(e as Error).message}`}`);
        if (action === 'schedule' && failOpen) {
          err(
            `QUIET RESTART NOT SCHEDULED for ${batches.map((b) => `batch ${b.batch}`).join(', ')} of ${stage.name}: going on without it (--fail-open), ` +
              'so the Agent restarts may page (agent-running, agent-overhead)',
          );
          return 0;
        }
        return 1;
      } finally {
        deadline.dispose();
      }
    },
  });
}

async function schedule(
  client: DowntimeApi,
  p: { stage: string; batches: readonly { batch: number; hosts: string[] }[]; minutes: number; nowMs: number },
  out: (l: string) => void,
  err: (l: string) => void,
): Promise<number> {
  const requests = p.batches.map((b) => quietRestartDowntimes({ stage: p.stage, batch: b.batch, hosts: b.hosts, minutes: p.minutes, nowMs: p.nowMs }));
  const endIso = new Date(requests[0][0].endMs).toISOString();
  const created: Downtime[] = [];
  try {
    for (const r of requests.flat()) {
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
        err(`downtime: could not cancel ${d.id} again (it ends by itself at ${endIso}): ${(c as Error).message}`);
      }
    }
    throw e;
  }
  let k = 0;
  for (const [i, b] of p.batches.entries()) {
    const ids = created.slice(k, (k += requests[i].length)).map((d) => d.id);
    out(`quiet restart: ${ids.length} downtimes on ${b.hosts.length} hosts of batch ${b.batch} of ${p.stage} until ${endIso}: ${ids.join(' ')}`);
  }
  return 0;
}

async function cancel(client: DowntimeApi, stage: string, batches: readonly number[], out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const listed = await client.listDowntimes();
  for (const batch of batches) {
    const ours = listed.filter((d) => isQuietRestartOf(d, stage, batch));
    let cancelled = 0;
    for (const d of ours) {
      const r = await client.cancelDowntime(d.id);
      if (r === 'cancelled') cancelled++;
      err(`downtime: ${r === 'cancelled' ? 'cancelled' : 'already gone:'} ${describeDowntime(d)}`);
    }
    out(
      `quiet restart over: ${cancelled} downtime${cancelled === 1 ? '' : 's'} of batch ${batch} of ${stage} cancelled${ours.length === 0 ? ' (none in force)' : ''}`,
    );
  }
  return 0;
}

/** The batches of `stage` the Terraform plan in `file` runs State Manager on; a bad file is a usage error naming it (exit 2). */
function batchesOfPlan(command: string, stage: string, file: string): ReturnType<typeof ssmBatchesRunByPlan> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`rollout ${command}: --terraform-plan: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return ssmBatchesRunByPlan(JSON.parse(text) as unknown, stage);
  } catch (e) {
    throw new UsageError(
      `rollout ${command}: --terraform-plan ${file}: ${(e as Error).message} (expected the output of terraform show -json PLANFILE); nothing was changed`,
    );
  }
}

export const downtimeCommand: Command = makeDowntimeCommand();
