#!/usr/bin/env node
'use strict';
// The `rollout` binary: runs the compiled CLI (npm run build).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('rollout: not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(entry)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
