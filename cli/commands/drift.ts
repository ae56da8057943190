/**
 * `rollout drift --stage S`: what synth declares for the stage's monitors,
 * SLOs and dashboards against what Datadog holds (and the Terraform state, with --state):
 * changed or deleted in the UI, tagged as ours but not declared, unmanaged
 * lookalikes (drift/). The gate's rules: keys from DD_API_KEY / DD_APP_KEY
 * only, to a published site's API host or loopback, never printed; requests
 * through the gate's transport (timeouts, retries, no redirects); answers
 * checked. Exit 0 no drift, 1 drift, 2 drift unknown (Datadog could not be
 * read, a bad state file) or bad usage. With --report FILE, an earlier
 * FILE.{json,md} is removed first and a new one written only once the run
 * decided. --state-location prints where the stage's observability state
 * lives (`<region> s3://<bucket>/<key>`, the stage's backend,
 * constructs/state-backend/s3-backend.ts) and reads nothing: the daily
 * workflow copies that one object (its drift role may read no other) for
 * --state.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { datadogApi, Deadline, redact } from '../../gate/datadog-client';
import { configCommit, toolVersion } from '../../gate/provenance';
import { planStage } from '../../plan/monitoring/stage-plan';
import { stateKey } from '../../model/stage';
import { readState, StateFileError } from '../../drift/state';
import { driftHeadline, renderDriftJson, renderDriftMarkdown } from '../../drift/render';
import { runDrift } from '../../drift/run';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand } from '../command';
import { writeFilesAtomically } from '../synthesize';
import { deadlineOf, defaultDeps, GateDeps, removeEarlierReport, reportPaths, requireKey, resolveApiUrl, stageOf } from './gate';

const DEFAULT_DEADLINE_SECONDS = 300;

export function makeDriftCommand(overrides: Partial<GateDeps> = {}): Command {
  return defineCommand({
    name: 'drift',
    summary: "compare a stage's declared monitors, SLOs and dashboards with Datadog",
    description:
      "Compare the stage's declared monitors, SLOs and dashboards with Datadog: changed or deleted outside the code, tagged as ours but not declared, " +
      'unmanaged lookalikes; --state (terraform show -json, or terraform state pull) matches by id. Keys from DD_API_KEY / DD_APP_KEY ' +
      '(docs/drift-and-coverage.md).',
    options: {
      stage: { flags: '--stage <S>', description: 'the stage (required)' },
      config: CONFIG_OPTION,
      state: { flags: '--state <FILE>', description: 'Terraform state of the stage (terraform show -json, or terraform state pull)' },
      stateLocation: {
        flags: '--state-location',
        description: "print `<region> s3://<bucket>/<key>` of the stage's observability state and exit (reads neither Datadog nor the state)",
      },
      format: { flags: '--format <F>', description: 'markdown or json', default: 'markdown', choices: ['markdown', 'json'] },
      report: { flags: '--report <FILE>', description: 'also write FILE.json and FILE.md' },
      apiUrl: { flags: '--api-url <URL>', description: 'Datadog API URL (as for the gate)' },
      deadline: { flags: '--deadline <SECONDS>', description: `bound on the whole run (default ${DEFAULT_DEADLINE_SECONDS})` },
    },
    epilog: 'Exit status: 0 no drift, 1 drift, 2 unknown (Datadog unreadable, bad state file) or bad command line.',
    action: async (o, _args, io) => {
      const deps: GateDeps = { ...defaultDeps(), ...overrides };
      const format = o.format;
      if (o.stateLocation === true && (o.state !== undefined || o.report !== undefined))
        throw new UsageError('rollout drift: --state-location: got it with --state or --report, expected it alone (it prints where the state lives and exits)');
      if (o.report === '') throw new UsageError('rollout drift: --report: got "", expected a file path (the report goes to FILE.json and FILE.md)');
      const report = typeof o.report === 'string' ? reportPaths(o.report) : undefined;
      if (report) {
        try {
          removeEarlierReport(report);
        } catch (e) {
          io.err(`rollout drift: UNKNOWN: could not remove the earlier report ${report.base}.{json,md}: ${(e as Error).message}`);
          return 2;
        }
      }
      const configDir = o.config;
      let config;
      try {
        config = loadConfig(configDir);
      } catch (e) {
        if (e instanceof ConfigError) {
          io.err(e.message);
          io.err('rollout drift: UNKNOWN: the configuration is invalid');
          return 2;
        }
        throw e;
      }
      const stage = stageOf('drift', config.stages, o.stage as string | undefined);
      if (o.stateLocation === true) {
        io.out(`${stage.region} s3://${stage.state.bucket}/${stateKey(stage, 'observability')}`);
        return 0;
      }
      const deadlineSeconds = deadlineOf('drift', o.deadline as string | undefined, DEFAULT_DEADLINE_SECONDS);
      let state;
      if (typeof o.state === 'string') {
        let text: string;
        try {
          text = fs.readFileSync(o.state, 'utf8');
        } catch (e) {
          throw new UsageError(`rollout drift: --state: got ${JSON.stringify(o.state)}, expected a readable file (${(e as Error).message})`);
        }
        try {
          state = { file: o.state, ...readState(text, o.state) };
        } catch (e) {
          if (!(e instanceof StateFileError)) throw e;
          io.err(`rollout drift: UNKNOWN: ${e.message}`);
          return 2;
        }
      }
      const api = resolveApiUrl('drift', o.apiUrl, deps.env, stage);
      const apiKey = requireKey('drift', deps.env, 'DD_API_KEY');
      const appKey = requireKey('drift', deps.env, 'DD_APP_KEY');
      const secrets = [apiKey, appKey];
      const err = (line: string): void => io.err(redact(line, secrets));
      const plan = planStage(stage, config.monitoring);
      const commit = configCommit(configDir, deps.env);
      const deadline = new Deadline(deadlineSeconds * 1000);
      let result;
      try {
        const client = datadogApi(
          { apiUrl: api.url, apiKey, appKey },
          { requestTimeoutMs: deps.requestTimeoutMs, deadline, retry: deps.retry, random: deps.random, now: deps.now, progress: (l) => err(`drift: ${l}`) },
        );
        result = await runDrift({
          api: client,
          stage: stage.name,
          plan,
          ...(state ? { state } : {}),
          nowMs: deps.now(),
          apiUrl: api.url,
          toolVersion: toolVersion(),
          configCommit: commit?.sha ?? null,
          progress: err,
        });
      } catch (e) {
        err(`rollout drift: UNKNOWN: Datadog could not be read, so drift is not known: ${(e as Error).message}`);
        return 2;
      } finally {
        deadline.dispose();
      }
      const md = redact(renderDriftMarkdown(result), secrets);
      const json = redact(renderDriftJson(result), secrets);
      if (report) {
        try {
          const dir = path.dirname(path.resolve(report.base));
          fs.mkdirSync(dir, { recursive: true });
          writeFilesAtomically(dir, [
            { rel: path.basename(report.json), text: json },
            { rel: path.basename(report.md), text: md },
          ]);
          err(`drift: wrote ${report.json} and ${report.md}`);
        } catch (e) {
          err(`rollout drift: UNKNOWN: could not write the report ${report.base}.{json,md}: ${(e as Error).message}`);
          return 2;
        }
      }
      io.out(format === 'json' ? json : md);
      err(`drift: ${redact(driftHeadline(result), secrets)}`);
      return result.drift ? 1 : 0;
    },
  });
}

export const driftCommand: Command = makeDriftCommand();
