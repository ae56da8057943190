/**
 * The only I/O of the monitoring model: read `monitors/**` of a
 * configuration directory into relative path -> text. Everything after this
 * (validation, conversion) is pure and works on that record.
 */
import * as fs from 'fs';
import * as path from 'path';
import { listConfigDir, readConfigFile } from '../config-files';
import type { Problem } from '../errors';

/** Folder of the monitoring definitions inside a configuration directory. */
export const MONITORS_DIR = 'monitors';

/**
 * Every YAML and JSON file under `configDir/monitors/`, by path relative to
 * `configDir` (POSIX separators), in name order. A name that cannot be read
 * as a file (a dangling symbolic link, a symbolic link to a directory, no
 * permission) is left out and reported in `problems`, when given.
 */
export function readMonitoringFiles(configDir: string, problems: Problem[] = []): Record<string, string> {
  const root = path.join(configDir, MONITORS_DIR);
  const files: Record<string, string> = {};
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return files;
  const walk = (dir: string): void => {
    const listed = listConfigDir(dir, path.relative(configDir, dir).split(path.sep).join('/'), 'a folder of team files');
    if ('problem' in listed) {
      problems.push(listed.problem);
      return;
    }
    for (const name of listed.names.sort()) {
      const full = path.join(dir, name);
      // Like readdir's entry types: a symbolic link is not followed into a folder (it is read as a file, or reported).
      if (fs.lstatSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(name)) {
        const rel = path.relative(configDir, full).split(path.sep).join('/');
        const read = readConfigFile(full, rel, name.endsWith('.json') ? 'a dashboard JSON file' : 'a team file (YAML)');
        if ('text' in read) files[rel] = read.text;
        else problems.push(read.problem);
      }
    }
  };
  walk(root);
  return files;
}
