import * as fs from 'fs';
import * as path from 'path';
import { Deadline, datadogApi, DatadogRequestError, redact } from '../../gate/datadog-client';
import { API_KINDS, ApiAnswerError, ApiKind, FromApiResult, PAGE_SIZES, readFromApi } from '../../import/from-api';
import { importDatadog, ImportInput } from '../../import/import-datadog';
import { renderImportReport } from '../../import/report';
import { ConfigError, Problem } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { checkMonitoring } from '../../policy/rule-pack';
import { CONFIG_OPTION, UsageError } from '../args';
import { Command, defineCommand } from '../command';
import { deadlineOf, defaultDeps, GateDeps, requireKey, resolveApiUrl } from './gate';

const DEFAULT_API_DEADLINE_SECONDS = 900;

/** What `--from-api` depends on besides its arguments (tests inject them): the gate's, and the page sizes. */
export interface ImportDeps extends GateDeps {
  readonly pageSizes?: Partial<Record<ApiKind, number>>;
}

export function makeImportCommand(overrides: Partial<ImportDeps> = {}): Command {
  return defineCommand({
    name: 'import',
    summary: "write team files from Datadog's JSON of monitors, SLOs and dashboards",
    description:
      "Write team files (monitors/<team>.yaml, monitors/dashboards/*.json) from Datadog's JSON of monitors, SLOs and " +
      'dashboards exported from STAGE, or read from its Datadog API (--from-api; keys from DD_API_KEY / DD_APP_KEY); ' +
      'their first apply in STAGE adopts them (docs/import.md). Only new files are written.',
    options: {
      stage: { flags: '--stage <STAGE>', description: 'the stage the objects were exported from (required)' },
      from: { flags: '--from <FILE|DIR>', description: "Datadog's JSON: a file, or a directory of .json files (this or --from-api)" },
      fromApi: { flags: '--from-api', description: "read the stage's monitors, SLOs and dashboards from the Datadog API instead, every page" },
      kinds: { flags: '--kinds <LIST>', description: `with --from-api: what to read, of ${API_KINDS.join(',')} (default all)` },
      tags: { flags: '--tags <TAGS>', description: 'with --from-api: only monitors and SLOs carrying every key:value tag, e.g. env:prod,team:web' },
      apiUrl: { flags: '--api-url <URL>', description: "with --from-api: Datadog API URL (as for the gate: default https://api.$DD_SITE/, else the stage's)" },
      deadline: { flags: '--deadline <SECONDS>', description: `with --from-api: bound on the reading (default ${DEFAULT_API_DEADLINE_SECONDS})` },
      team: { flags: '--team <TEAM>', description: "owning team (default: each object's team tag)" },
      config: CONFIG_OPTION,
    },
    epilog:
      'Exit status: 0 written and valid, 1 written with problems left to fix (listed), 2 bad command line, missing key, ' +
      'or Datadog could not be read (nothing written).',
    action: async (o, _args, io) => {
      const fromApi = o.fromApi === true;
      if (typeof o.stage !== 'string' || (typeof o.from === 'string') === fromApi)
        throw new UsageError('rollout import: --stage STAGE and one of --from FILE|DIR or --from-api are required');
      if (!fromApi && [o.kinds, o.tags, o.apiUrl, o.deadline].some((v) => v !== undefined))
        throw new UsageError('rollout import: --kinds, --tags, --api-url and --deadline go with --from-api');
      const dir = o.config;
      const config = loadConfig(dir);
      const stages = config.stages.map((s) => s.name);
      if (!stages.includes(o.stage))
        throw new UsageError(`rollout import: --stage ${JSON.stringify(o.stage)}: expected a stage of ${dir}/stacks/stages (${stages.join(', ')})`);
      if (o.team !== undefined && !/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/.test(String(o.team)))
        throw new UsageError(`rollout import: --team ${JSON.stringify(o.team)}: expected a team slug such as payments`);
      let inputs: ImportInput[];
      let read: FromApiResult | undefined;
      if (fromApi) {
        read = await readApi(
          o,
          config.stages.find((s) => s.name === o.stage)!,
          { ...defaultDeps(), ...overrides },
          io.err,
        );
        if (read === undefined) return 2;
        inputs = read.inputs;
      } else inputs = readInputs(o.from as string);
      const m = config.monitoring;
      const taken = new Set([...m.monitors, ...m.slos, ...m.dashboards].flatMap((d) => [d.id, ...(d.previousIds ?? [])]));
      const result = importDatadog(inputs, { stage: o.stage, ...(typeof o.team === 'string' ? { team: o.team } : {}), takenIds: taken });
      const written = writeNew(dir, result.files);
      const problems = validate(dir);
      io.out(renderImportReport(result, { stage: o.stage, written, problems, ...(read ? { readNotes: read.notes } : {}) }));
      // Written either way (they are the starting point); like `rollout validate`, exit 1 while something is left to fix.
      return problems.length === 0 ? 0 : 1;
    },
  });
}

export const importCommand = makeImportCommand();

/**
 * `--from-api`: the gate's rules (cli/commands/gate.ts): keys from DD_API_KEY /
 * DD_APP_KEY only (the application key reads), sent to a published site's API
 * host or loopback, never printed; requests through the gate's transport.
 * Undefined (after one line on stderr) when Datadog could not be read.
 */
async function readApi(
  o: Record<string, unknown>,
  stage: Parameters<typeof resolveApiUrl>[3],
  deps: ImportDeps,
  stderr: (line: string) => void,
): Promise<FromApiResult | undefined> {
  const kinds = typeof o.kinds === 'string' ? kindsOf(o.kinds) : [...API_KINDS];
  const tags = typeof o.tags === 'string' ? tagsOf(o.tags) : [];
  const deadlineSeconds = deadlineOf('import', o.deadline as string | undefined, DEFAULT_API_DEADLINE_SECONDS);
  const api = resolveApiUrl('import', o.apiUrl as string | undefined, deps.env, stage);
  const apiKey = requireKey('import', deps.env, 'DD_API_KEY');
  const appKey = requireKey('import', deps.env, 'DD_APP_KEY');
  const err = (line: string): void => stderr(redact(line, [apiKey, appKey]));
  const deadline = new Deadline(deadlineSeconds * 1000);
  try {
    const client = datadogApi(
      { apiUrl: api.url, apiKey, appKey },
      { requestTimeoutMs: deps.requestTimeoutMs, deadline, retry: deps.retry, random: deps.random, now: deps.now, progress: (l) => err(`import: ${l}`) },
    );
    err(`import: reading ${kinds.join(', ')} of stage ${stage.name} from ${api.url} (${api.source})`);
    return await readFromApi(client, {
      kinds,
      tags,
      pageSizes: { ...PAGE_SIZES, ...deps.pageSizes },
      progress: (l) => err(`import: ${l}`),
    });
  } catch (e) {
    if (!(e instanceof DatadogRequestError || e instanceof ApiAnswerError)) throw e;
    err(`rollout import: Datadog could not be read, so nothing was imported or written: ${e.message}`);
    return undefined;
  } finally {
    deadline.dispose();
  }
}

function kindsOf(text: string): ApiKind[] {
  const list = text.split(',').map((k) => k.trim());
  const bad = list.find((k) => !(API_KINDS as readonly string[]).includes(k));
  if (bad !== undefined || list.length === 0)
    throw new UsageError(`rollout import: --kinds: got ${JSON.stringify(text)}, expected some of ${API_KINDS.join(',')} separated by commas`);
  return API_KINDS.filter((k) => list.includes(k));
}

function tagsOf(text: string): string[] {
  const tags = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const bad = tags.find((t) => !/^[A-Za-z][\w./-]*:\S+$/.test(t));
  if (tags.length === 0 || bad !== undefined)
    throw new UsageError(`rollout import: --tags: got ${JSON.stringify(bad ?? text)}, expected key:value tags separated by commas, e.g. env:prod,team:web`);
  return tags;
}

/** The JSON files of a file or a directory (recursively, in name order). */
function readInputs(from: string): ImportInput[] {
  if (!fs.existsSync(from)) throw new UsageError(`rollout import: --from ${JSON.stringify(from)}: no such file or directory`);
  const files: string[] = [];
  const walk = (p: string): void => {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    else if (p.endsWith('.json') || p === from) files.push(p);
  };
  walk(from);
  if (files.length === 0) throw new UsageError(`rollout import: --from ${JSON.stringify(from)}: no .json files`);
  return files.map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }));
}

/**
 * Write new files only (an existing team file gets a `-imported` sibling):
 * all are staged beside their targets first, then renamed in; on a failure
 * the ones already in place are removed again, so nothing is half-written.
 */
function writeNew(dir: string, files: Readonly<Record<string, string>>): string[] {
  const targets = Object.keys(files).map((rel) => {
    let target = rel;
    if (fs.existsSync(path.join(dir, target))) target = rel.replace(/(\.[a-z]+)$/, '-imported$1');
    if (fs.existsSync(path.join(dir, target))) throw new UsageError(`rollout import: ${rel} and ${target} exist; move them aside first (nothing written)`);
    return { rel, target };
  });
  // Dashboard entries point at their JSON file by name; a renamed JSON file is renamed in the YAML too.
  const renamed = targets.filter((t) => t.target !== t.rel && t.rel.endsWith('.json'));
  const text = (rel: string): string =>
    renamed.reduce((s, t) => s.split(`file: ${t.rel.replace(/^monitors\//, '')}`).join(`file: ${t.target.replace(/^monitors\//, '')}`), files[rel]);
  const staged: Array<{ tmp: string; final: string }> = [];
  const done: string[] = [];
  try {
    for (const t of targets) {
      const final = path.join(dir, t.target);
      fs.mkdirSync(path.dirname(final), { recursive: true });
      const tmp = `${final}.tmp-import-${process.pid}`;
      fs.writeFileSync(tmp, text(t.rel));
      staged.push({ tmp, final });
    }
    for (const s of staged) {
      fs.renameSync(s.tmp, s.final);
      done.push(s.final);
    }
  } catch (e) {
    for (const f of [...done, ...staged.map((s) => s.tmp)]) fs.rmSync(f, { force: true });
    throw e;
  }
  return targets.map((t) => t.target).sort();
}

/** What `rollout validate` would say now: configuration problems, else the rule pack's. */
function validate(dir: string): Problem[] {
  try {
    return [...checkMonitoring(loadConfig(dir)).problems];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}
