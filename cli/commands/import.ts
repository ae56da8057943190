import * as fs from 'fs';
import * as path from 'path';
import { importDatadog, ImportInput } from '../../import/import-datadog';
import { renderImportReport } from '../../import/report';
import { ConfigError, Problem } from '../../model/errors';
import { loadConfig } from '../../model/load-config';
import { checkMonitoring } from '../../policy/rule-pack';
import { CONFIG_OPTION, UsageError } from '../args';
import { defineCommand } from '../command';

export const importCommand = defineCommand({
  name: 'import',
  summary: "write team files from Datadog's JSON of monitors, SLOs and dashboards",
  description:
    "Write team files (monitors/<team>.yaml, monitors/dashboards/*.json) from Datadog's JSON of monitors, SLOs and " +
    'dashboards exported from STAGE; their first apply in STAGE adopts them (docs/import.md). Only new files are written.',
  options: {
    stage: { flags: '--stage <STAGE>', description: 'the stage the objects were exported from (required)' },
    from: { flags: '--from <FILE|DIR>', description: "Datadog's JSON: a file, or a directory of .json files (required)" },
    team: { flags: '--team <TEAM>', description: "owning team (default: each object's team tag)" },
    config: CONFIG_OPTION,
  },
  epilog: 'Exit status: 0 written and valid, 1 written with problems left to fix (listed), 2 bad command line.',
  action(o, _args, io) {
    if (typeof o.stage !== 'string' || typeof o.from !== 'string') throw new UsageError('rollout import: --stage STAGE and --from FILE|DIR are required');
    const dir = o.config;
    const config = loadConfig(dir);
    const stages = config.stages.map((s) => s.name);
    if (!stages.includes(o.stage))
      throw new UsageError(`rollout import: --stage ${JSON.stringify(o.stage)}: expected a stage of ${dir}/stacks/stages (${stages.join(', ')})`);
    if (o.team !== undefined && !/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/.test(String(o.team)))
      throw new UsageError(`rollout import: --team ${JSON.stringify(o.team)}: expected a team slug such as payments`);
    const m = config.monitoring;
    const taken = new Set([...m.monitors, ...m.slos, ...m.dashboards].flatMap((d) => [d.id, ...(d.previousIds ?? [])]));
    const result = importDatadog(readInputs(o.from), { stage: o.stage, ...(typeof o.team === 'string' ? { team: o.team } : {}), takenIds: taken });
    const written = writeNew(dir, result.files);
    const problems = validate(dir);
    io.out(renderImportReport(result, { stage: o.stage, written, problems }));
    // Written either way (they are the starting point); like `rollout validate`, exit 1 while something is left to fix.
    return problems.length === 0 ? 0 : 1;
  },
});

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
