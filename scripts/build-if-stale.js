'use strict';
/**
 * Compile the TypeScript (`tsc -p tsconfig.json`) when any source is newer
 * than the last build, so what runs is always what the tree says: used by the
 * cdktf app command (scripts/app.js) and the `rollout` binary (bin/rollout.js).
 * Without it, `rollout diff` could compare a stale build of the working tree
 * and report "No changes" for a committed change (an IAM action added in
 * constructs/ came out that way until `npm run build`).
 *
 * The list of source folders is read from tsconfig.json's `include`, so a new
 * folder is covered the day it is added there.
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

/** Newest mtime (ms) of .ts/.json files under `p` (0 when absent). */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.(ts|json)$/.test(p) ? st.mtimeMs : 0;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

/** The files and folders the build reads: tsconfig.json's include patterns (their first path segment), the configs and the lockfile. */
function sources(root = ROOT) {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  const roots = (tsconfig.include || []).map((pattern) => pattern.split('/')[0]);
  return [...new Set(['tsconfig.json', 'package-lock.json', ...roots])];
}

/** Build `root` when stale; returns true when it compiled. `log` receives one line when it does. */
function buildIfStale(log = (line) => process.stderr.write(`${line}\n`), root = ROOT) {
  const stamp = path.join(root, 'dist', '.build-stamp');
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  const changed = sources(root).reduce((m, s) => Math.max(m, newest(path.join(root, s))), 0);
  if (changed < built && fs.existsSync(path.join(root, 'dist', 'main.js'))) return false;
  log('rollout: sources changed since the last build; compiling (tsc)...');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.writeFileSync(stamp, '');
  return true;
}

module.exports = { buildIfStale, sources };
