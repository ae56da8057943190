#!/usr/bin/env node
'use strict';
// The `rollout` binary: runs the compiled CLI, compiling first when any
// source is newer than the last build (scripts/build-if-stale.js), so a
// command never runs, or compares, stale code.
const path = require('path');
const { buildIfStale } = require('../scripts/build-if-stale');

try {
  buildIfStale();
} catch (e) {
  process.stderr.write(`rollout: the TypeScript does not compile, so nothing was run: ${e.message.split('\n')[0]}\n`);
  process.exit(2);
}
require(path.join(__dirname, '..', 'dist', 'cli', 'main.js'))
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
