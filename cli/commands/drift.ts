/**
 * `rollout drift --stage S`: what synth declares for the stage's monitors
 * against what Datadog holds (and the Terraform state, with --state):
 * changed or deleted in the UI, tagged as ours but not declared, unmanaged
 * lookalikes (drift/). The gate's rules: keys from DD_API_KEY / DD_APP_KEY
 * only, to a published site's API host or loopback, never printed; requests
 * through the gate's transport (timeouts, retries, no redirects); answers
 * checked. Exit 0 no drift, 1 drift, 2 drift unknown (Datadog could not be
 * read, a bad state file) or bad usage. With --report FILE, an earlier
 * FILE.{json,md} is removed first and a new one written only once the run
 * decided.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { datadogApi, Deadline, redact } from '../../gate/datadog-client';
import { configCommit, toolVersion } from '../../gate/provenance';
import { planStage } from '../../plan/monitoring/stage-plan';
import { StateFileError, stateMonitors } from '../../drift/state';
import { driftHeadline, renderDriftJson, renderDriftMarkdown } from '../../drift/render';
import { runDrift } from '../../drift/run';
import { parseOptions, UsageError } from '../args';
import { Command, configDirOf } from '../command';
import { writeFilesAtomically } from '../synthesize';
import { deadlineOf, defaultDeps, GateDeps, removeEarlierReport, reportPaths, requireKey, resolveApiUrl, stageOf } from './gate';

const DEFAULT_DEADLINE_SECONDS = 300;

export const DRIFT_USAGE = `drift --stage S [--config DIR] [--state FILE] [--format markdown|json] [--report FILE] [--api-url URL] [--deadline SECONDS]
      compare the stage's declared monitors with Datadog: changed or deleted outside the code, tagged as ours but
      not declared, unmanaged lookalikes; --state (terraform show -json, or terraform state pull) matches by id.
      Exit 0 no drift, 1 drift, 2 unknown (Datadog unreadable, bad state file) or bad usage; keys from DD_API_KEY / DD_APP_KEY`;

export function makeDriftCommand(overrides: Partial<GateDeps> = {}): Command {
  return {
    name: 'drift',
    usage: DRIFT_USAGE,
    async run(argv, io) {
      if (argv.includes('--help') || argv.includes('-h')) {
        io.out(`usage: rollout ${DRIFT_USAGE}`);
        return 0;
      }
      const deps: GateDeps = { ...defaultDeps(), ...overrides };
      const o = parseOptions('drift', argv, {
        config: { type: 'string' },
        stage: { type: 'string' },
        state: { type: 'string' },
        format: { type: 'string' },
        report: { type: 'string' },
        'api-url': { type: 'string' },
        deadline: { type: 'string' },
      });
      const format = (o.format as string | undefined) ?? 'markdown';
      if (format !== 'markdown' && format !== 'json') throw new UsageError(`rollout drift: --format: got ${JSON.stringify(format)}, expected markdown or json`);
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
      const configDir = configDirOf(o.config);
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
          state = { file: o.state, monitors: stateMonitors(text, o.state) };
        } catch (e) {
          if (!(e instanceof StateFileError)) throw e;
          io.err(`rollout drift: UNKNOWN: ${e.message}`);
          return 2;
        }
      }
      const api = resolveApiUrl('drift', o['api-url'] as string | undefined, deps.env, stage);
      const apiKey = requireKey('drift', deps.env, 'DD_API_KEY');
      const appKey = requireKey('drift', deps.env, 'DD_APP_KEY');
      const secrets = [apiKey, appKey];
      const err = (line: string): void => io.err(redact(line, secrets));
      const planned = planStage(stage, config.monitoring).monitors;
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
          planned,
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
  };
}

export const driftCommand: Command = makeDriftCommand();
