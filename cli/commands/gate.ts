/**
 * `rollout gate`: the go/no-go decision after a batch, from Datadog.
 * Exit status: 0 GO, 1 NO-GO, 2 INCONCLUSIVE, or the gate could not run (bad
 * command line, invalid configuration, missing keys). `--soft` exits 0 on
 * any verdict. With `--report FILE`, an earlier report at FILE.json/FILE.md
 * is removed first thing, so a run that cannot decide never leaves an old
 * verdict behind; a new report is written only once the gate has decided.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { policySignals } from '../../model/monitoring/convert';
import type { SignalSettings } from '../../model/signals';
import type { Stage } from '../../model/stage';
import { splitIntoBatches } from '../../model/batches';
import { API_URL_EXPECTED, apiUrlOfSite, checkApiUrl, isPublishedSite, PUBLISHED_SITES } from '../../gate/api-url';
import { datadogApi, Deadline, redact } from '../../gate/datadog-client';
import { configCommit, toolVersion } from '../../gate/provenance';
import { renderJson, renderMarkdown, renderText } from '../../gate/gate-report';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../../gate/retry';
import { runGate } from '../../gate/run';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand, Io } from '../command';
import { writeFilesAtomically } from '../synthesize';

/** What a run depends on besides its arguments (injected by tests). */
export interface GateDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Wall clock, ms since the epoch: the gate evaluates at its value when it starts. */
  readonly now: () => number;
  /** Jitter source for backoff, in [0, 1). */
  readonly random: () => number;
  readonly retry: RetryPolicy;
  /** Timeout of each request (also bounded by what is left of the deadline). */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_GATE_DEADLINE_SECONDS = 300;
export const MAX_DEADLINE_SECONDS = 3600;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export const defaultDeps = (): GateDeps => ({
  env: process.env,
  now: () => Date.now(),
  random: Math.random,
  retry: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
});

/**
 * The API URL the keys go to: --api-url, else https://api.$DD_SITE/, else the
 * stage's `datadog.apiUrl`; whichever it is must be the API host of one of
 * Datadog's published sites (gate/api-url.ts), or loopback for tests.
 * Throws UsageError naming where the refused value came from.
 */
export function resolveApiUrl(command: string, flag: string | undefined, env: GateDeps['env'], stage: Stage): { url: string; source: string } {
  const checked = (value: string, from: string): { url: string; source: string } => {
    const c = checkApiUrl(value);
    if (!c.ok) throw new UsageError(`rollout ${command}: ${from}: got ${JSON.stringify(redactUrl(value))}, expected ${API_URL_EXPECTED}`);
    return { url: c.url, source: from };
  };
  if (flag !== undefined) return checked(flag, '--api-url');
  const site = env.DD_SITE?.trim();
  if (site !== undefined && site !== '') {
    if (!isPublishedSite(site)) {
      throw new UsageError(`rollout ${command}: DD_SITE: got ${JSON.stringify(site)}, expected one of Datadog's sites: ${PUBLISHED_SITES.join(', ')}`);
    }
    return checked(apiUrlOfSite(site), 'DD_SITE');
  }
  return checked(stage.datadog.apiUrl, `stage ${stage.name} datadog.apiUrl`);
}

/** A key from the environment; throws UsageError naming the variable (never a value). */
export function requireKey(command: string, env: GateDeps['env'], name: 'DD_API_KEY' | 'DD_APP_KEY'): string {
  const v = env[name]?.trim();
  if (v === undefined || v === '') {
    const what = name === 'DD_API_KEY' ? 'a Datadog API key' : 'a Datadog application key';
    throw new UsageError(`rollout ${command}: ${name}: got nothing, expected ${what} in the environment (keys are never taken from the command line)`);
  }
  return v;
}

/** The stage named by --stage. */
export function stageOf(command: string, stages: readonly Stage[], value: string | undefined, from = '--stage'): Stage {
  const s = stages.find((st) => st.name === value);
  if (!s) throw new UsageError(`rollout ${command}: ${from}: got ${JSON.stringify(value ?? null)}, expected one of ${stages.map((x) => x.name).join(', ')}`);
  return s;
}

/** The batch number named by --batch, within the stage's batches. */
export function batchOf(command: string, stage: Stage, value: string | undefined, from = '--batch'): number {
  const count = stage.rollout.batchPercentages.length;
  const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > count) {
    throw new UsageError(
      `rollout ${command}: ${from}: got ${JSON.stringify(value ?? null)}, expected a batch number from 1 to ${count} (stage ${stage.name} has ${count} batches)`,
    );
  }
  return n;
}

/** --deadline in seconds: a number > 0 and <= 3600. */
export function deadlineOf(command: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(n > 0 && n <= MAX_DEADLINE_SECONDS)) {
    throw new UsageError(
      `rollout ${command}: --deadline: got ${JSON.stringify(value)}, expected a number of seconds greater than 0 and at most ${MAX_DEADLINE_SECONDS}`,
    );
  }
  return n;
}

/** Load the configuration (the stages, and the APM signal settings of monitors/policy.yaml); a ConfigError is printed and becomes exit status 2 for the gate. */
function loadStages(configDir: string): { stages: readonly Stage[]; signals: SignalSettings } {
  const config = loadConfig(configDir);
  return { stages: config.stages, signals: policySignals(config.monitoring.policy) };
}

/** `--report FILE`: FILE without a .json/.md extension; the report goes to FILE.json and FILE.md. */
export function reportPaths(value: string): { base: string; json: string; md: string } {
  const base = value.replace(/\.(json|md)$/i, '');
  return { base, json: `${base}.json`, md: `${base}.md` };
}

/**
 * The value of `--report` (`--report FILE` or `--report=FILE`, the last one
 * wins, none after `--`), read before the command line is parsed, so that even
 * a run refused for its command line removes an earlier report.
 */
export function reportArgument(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a === '--report' && i + 1 < argv.length && !argv[i + 1].startsWith('-')) found = argv[++i];
    else if (a.startsWith('--report=')) found = a.slice('--report='.length);
  }
  return found === '' ? undefined : found;
}

/** Remove FILE.json and FILE.md if they exist; the names of those removed. Throws when one cannot be removed. */
export function removeEarlierReport(report: { json: string; md: string }): string[] {
  const removed: string[] = [];
  for (const f of [report.json, report.md]) {
    if (!fs.existsSync(f) && !isSymlink(f)) continue;
    fs.rmSync(f, { force: true });
    removed.push(f);
  }
  return removed;
}

function isSymlink(f: string): boolean {
  try {
    return fs.lstatSync(f).isSymbolicLink();
  } catch {
    return false;
  }
}

export function makeGateCommand(overrides: Partial<GateDeps> = {}): Command {
  const declared = defineCommand({
    name: 'gate',
    summary: 'the go/no-go decision after a batch, from Datadog',
    description:
      'Go/no-go decision after batch N of stage S, from Datadog (keys from DD_API_KEY / DD_APP_KEY, never from the command line). ' +
      'Checks soak time, coverage, rollout and security monitors, degradation against the hosts not yet upgraded, and ' +
      "application error monitors, downtimes on those monitors (docs/gate.md). API: --api-url, else https://api.$DD_SITE/, else the stage's " +
      '(https://api.us5.datadoghq.com/ by default); only the API host of a published Datadog site, or loopback; redirects are never followed.',
    options: {
      stage: { flags: '--stage <S>', description: 'the stage (required)' },
      batch: { flags: '--batch <N>', description: 'the batch just upgraded, from 1 (required)' },
      config: CONFIG_OPTION,
      apiUrl: { flags: '--api-url <URL>', description: 'Datadog API URL' },
      soft: { flags: '--soft', description: 'print the verdict and exit 0 whatever it is' },
      report: {
        flags: '--report <FILE>',
        description: 'write FILE.json and FILE.md (an earlier report there is removed first: only a run that decides leaves one)',
      },
      deadline: {
        flags: '--deadline <SECONDS>',
        description: `bound on the whole run (default ${DEFAULT_GATE_DEADLINE_SECONDS}, at most ${MAX_DEADLINE_SECONDS})`,
      },
    },
    epilog: 'Exit status: 0 GO, 1 NO-GO, 2 INCONCLUSIVE (missing data, API failure) or bad command line; with --soft, 0.',
    action: async (o, _args, io) => {
      const deps: GateDeps = { ...defaultDeps(), ...overrides };
      const configDir = o.config;
      let stages: readonly Stage[];
      let signals: SignalSettings;
      try {
        ({ stages, signals } = loadStages(configDir));
      } catch (e) {
        if (e instanceof ConfigError) {
          io.err(e.message);
          io.err('rollout gate: INCONCLUSIVE: the configuration is invalid');
          return 2;
        }
        throw e;
      }
      const stage = stageOf('gate', stages, o.stage);
      const batch = batchOf('gate', stage, o.batch);
      const deadlineSeconds = deadlineOf('gate', o.deadline, DEFAULT_GATE_DEADLINE_SECONDS);
      if (o.report === '') throw new UsageError('rollout gate: --report: got "", expected a file path (the report goes to FILE.json and FILE.md)');
      const report = typeof o.report === 'string' ? reportPaths(o.report) : undefined;
      const api = resolveApiUrl('gate', o.apiUrl, deps.env, stage);
      const apiKey = requireKey('gate', deps.env, 'DD_API_KEY');
      const appKey = requireKey('gate', deps.env, 'DD_APP_KEY');
      const secrets = [apiKey, appKey];
      const soft = o.soft;
      const err = (line: string): void => io.err(redact(line, secrets));

      if (report) {
        try {
          fs.mkdirSync(path.dirname(path.resolve(report.base)), { recursive: true });
        } catch (e) {
          throw new UsageError(
            `rollout gate: --report: got ${JSON.stringify(o.report)}, expected a path whose directory can be created (${(e as Error).message})`,
          );
        }
      }

      const commit = configCommit(configDir, deps.env);
      const provenance = { apiUrl: api.url, apiUrlSource: api.source, toolVersion: toolVersion(), configCommit: commit };
      const started = performance.now();
      const deadline = new Deadline(deadlineSeconds * 1000);
      let result;
      try {
        err(
          `gate: API ${api.url} (from ${api.source}), deadline ${deadlineSeconds} s; ${provenance.toolVersion}, ` +
            `configuration ${commit === null ? 'commit unknown' : `${commit.sha} (${commit.source})`}`,
        );
        const client = datadogApi(
          { apiUrl: api.url, apiKey, appKey },
          { requestTimeoutMs: deps.requestTimeoutMs, deadline, retry: deps.retry, random: deps.random, now: deps.now, progress: (l) => err(`gate: ${l}`) },
        );
        result = await runGate(stage, batch, { api: client, nowMs: deps.now(), progress: err, provenance, soft, signals });
      } catch (e) {
        err(`rollout gate: INCONCLUSIVE: the gate could not run: ${(e as Error).message}`);
        return 2;
      } finally {
        deadline.dispose();
      }
      err(`gate: evaluated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      if (report) {
        try {
          const dir = path.dirname(path.resolve(report.base));
          writeFilesAtomically(dir, [
            { rel: path.basename(report.json), text: redact(renderJson(result), secrets) },
            { rel: path.basename(report.md), text: redact(renderMarkdown(result), secrets) },
          ]);
          err(`gate: wrote ${report.json} and ${report.md}`);
        } catch (e) {
          // Half a report is no report: neither file stays.
          try {
            removeEarlierReport(report);
          } catch {
            // reported below either way
          }
          printVerdict(io, result, secrets);
          err(`rollout gate: INCONCLUSIVE: could not write the report ${report.base}.{json,md}: ${(e as Error).message}`);
          return 2;
        }
      }
      printVerdict(io, result, secrets);
      if (soft && result.verdict !== 'GO') {
        err(`gate: soft mode: the verdict is ${result.verdict} (exit status ${result.exitCode}), exiting 0`);
        return 0;
      }
      return soft ? 0 : result.exitCode;
    },
  });
  return {
    ...declared,
    run(argv, io) {
      // First of all: no earlier verdict survives this run unless it is replaced by a new one (even a refused command line).
      const early = reportArgument(argv);
      if (early !== undefined && !argv.includes('--help') && !argv.includes('-h')) {
        const paths = reportPaths(early);
        try {
          const removed = removeEarlierReport(paths);
          if (removed.length > 0) io.err(`gate: removed the earlier report ${removed.join(' and ')} (a report is written only when the gate decides)`);
        } catch (e) {
          io.err(`rollout gate: INCONCLUSIVE: could not remove the earlier report ${paths.base}.{json,md}: ${(e as Error).message}`);
          return 2;
        }
      }
      return declared.run(argv, io);
    },
  };
}

function printVerdict(io: Io, r: Parameters<typeof renderText>[0], secrets: readonly string[]): void {
  io.out(redact(renderText(r), secrets));
}

function redactUrl(u: string): string {
  return u.replace(/\/\/[^/@]*@/, '//[redacted]@');
}

/** Number of hosts in a batch of a stage (for messages). */
export function batchHostCount(stage: Stage, batch: number): number {
  return splitIntoBatches(stage.hosts, stage.rollout.batchPercentages)[batch - 1]?.hosts.length ?? 0;
}

export const gateCommand: Command = makeGateCommand();
