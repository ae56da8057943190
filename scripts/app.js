#!/usr/bin/env node
'use strict';
/**
 * The cdktf app command (cdktf.json) and `npm run synth`: rebuild the
 * TypeScript only when a source is newer than the last build, then run the
 * compiled app. Saves the ~3 s of an up-to-date `tsc` on every synth.
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = [
  'main.ts',
  'tsconfig.json',
  'package-lock.json',
  'cli',
  'model',
  'plan',
  'policy',
  'constructs',
  'stacks',
  'inventory',
  'gate',
  'review',
  'scripts',
];

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

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const changed = sources.reduce((m, s) => Math.max(m, newest(path.join(root, s))), 0);
if (changed >= built || !fs.existsSync(path.join(root, 'dist', 'main.js'))) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  fs.writeFileSync(stamp, '');
}
require(path.join(root, 'dist', 'main.js'));
