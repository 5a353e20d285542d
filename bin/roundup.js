#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into lib/ by `npm ci` (the prepare script).
import('../lib/cli.js').then((m) => m.main(process.argv.slice(2)));
