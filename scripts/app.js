#!/usr/bin/env node
'use strict';
/**
 * The cdktf app command (cdktf.json) and `npm run synth`: rebuild the
 * TypeScript only when a source is newer than the last build
 * (scripts/build-if-stale.js), then run the compiled app. Saves the ~3 s of
 * an up-to-date `tsc` on every synth.
 */
const path = require('path');
const { buildIfStale } = require('./build-if-stale');

buildIfStale(() => undefined);
require(path.join(__dirname, '..', 'dist', 'main.js'));
