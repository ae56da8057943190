/**
 * Real example changes for the release decision: this repo's example
 * configuration, edited, synthesized in this process (cdktf, no worktree),
 * compared by the real diff, printed as `rollout diff --format json` prints
 * it and read back: the decision is tested on the JSON a workflow gets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { synthesizeWorkingTree } from '../../../cli/commands/diff';
import { loadConfig } from '../../../model/load-config';
import { renderJson } from '../../../review/diff/change-report';
import { diffTrees } from '../../../review/diff/diff';
import { parseSynthTree } from '../../../review/diff/tree';
import { decideRelease } from '../../../review/release/decide';
import { parseDiffReport } from '../../../review/diff/report-json';
import { stageFactsFromInventory } from '../../../review/release/facts';
import type { DiffReport, ReleasePlan, StageFacts } from '../../../review/release/types';
import { mustReplace, tempDir } from '../../support/fixtures';
import { exampleConfigFiles } from '../diff/git-repo';

/** A configuration: relative path -> text. */
export type ConfigFiles = Record<string, string>;

/** This repo's example configuration (stage files, monitors, cdktf.json). */
export function exampleFiles(): ConfigFiles {
  return exampleConfigFiles();
}

/** `files` with `rel` edited; the edit must change something. */
export function edited(files: ConfigFiles, rel: string, change: (text: string) => string): ConfigFiles {
  const before = files[rel];
  if (before === undefined) throw new Error(`no ${rel} in the configuration`);
  const after = change(before);
  if (after === before) throw new Error(`edit of ${rel} changed nothing`);
  return { ...files, [rel]: after };
}

/** Replace `target` (exactly once) in `rel`. */
export function replaced(files: ConfigFiles, rel: string, target: string | RegExp, replacement: string): ConfigFiles {
  return edited(files, rel, (t) => mustReplace(t, target, replacement));
}

/** Every stage's agent version set to `version`. */
export function withAgentVersion(files: ConfigFiles, version: string, stages = ['dev', 'test', 'prod']): ConfigFiles {
  let out = files;
  for (const s of stages) out = replaced(out, `stacks/stages/${s}.yaml`, /version: 7\.\d+\.\d+/, `version: ${version}`);
  return out;
}

/** A synthesized configuration: its files and its stages' facts. */
export interface Synthesized {
  readonly files: Record<string, string>;
  readonly facts: StageFacts[];
}

const cache = new Map<string, Synthesized>();

/** Synthesize a configuration (cached by content). */
export function synthesize(files: ConfigFiles): Synthesized {
  const key = JSON.stringify(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = tempDir('rollout-release-config-');
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const out = synthesizeWorkingTree(dir);
    const environments = new Map(loadConfig(dir).stages.map((s) => [s.name, s.ci?.environment ?? s.name]));
    const facts: StageFacts[] = [];
    for (const [rel, text] of Object.entries(out)) {
      const m = /^ansible\/inventories\/([^/]+)\/hosts\.yml$/.exec(rel);
      if (!m) continue;
      const f = stageFactsFromInventory(m[1], environments.get(m[1]) ?? m[1], parse(text));
      if (!f) throw new Error(`unreadable inventory ${rel}`);
      facts.push(f);
    }
    const result = { files: out, facts };
    cache.set(key, result);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `rollout diff --format json` of two configurations (`undefined` base: nothing deployed), read back. */
export function diffReport(base: ConfigFiles | undefined, head: ConfigFiles, labels = { base: 'base', head: 'head' }): { json: string; report: DiffReport } {
  const baseFiles = base ? synthesize(base).files : {};
  const json = renderJson(diffTrees(parseSynthTree(baseFiles, 'base'), parseSynthTree(synthesize(head).files, 'head')), labels);
  return { json, report: parseDiffReport(json) };
}

/** The release plan of a change from `base` (deployed) to `head`, with `passed` as the last completed release. */
export function planOf(base: ConfigFiles | undefined, head: ConfigFiles, passed?: ConfigFiles): ReleasePlan {
  const diff = diffReport(base, head).report;
  const sincePassed = passed ? diffReport(passed, head, { base: 'passed', head: 'head' }).report : undefined;
  return decideRelease({ diff, ...(sincePassed ? { sincePassed } : {}), stages: synthesize(head).facts });
}
