#!/usr/bin/env node
// Thin launcher. `npm ci` (the prepare script) compiles src/ and bundles the CLI into
// lib/bundle/ (see scripts/bundle.mjs); the bundle starts much faster than loose modules.
import('../lib/bundle/cli.js').then((m) => m.main(process.argv.slice(2)));
