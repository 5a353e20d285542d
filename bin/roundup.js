#!/usr/bin/env node
/**
 * Launcher. `npm ci` (the prepare script) compiles src/ and bundles the CLI into one file,
 * lib/bundle/cli.cjs (scripts/bundle.mjs). This loads it the way Node loads any CommonJS file,
 * plus a V8 code cache kept beside it: parsing and compiling ~5 MB of mjml and friends on every
 * start was most of a cold `roundup build`. The cache is an optimisation only: if it is
 * missing, stale (another Node version) or cannot be written, V8 simply compiles as usual.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/bundle/cli.cjs');
const cacheFile = `${file}.v8cache`;

let source;
try {
  source = readFileSync(file, 'utf8');
} catch {
  process.stderr.write('roundup: lib/bundle/cli.cjs is missing: run `npm ci` (or `npm run compile`) first\n');
  process.exit(2);
}
// ROUNDUP_NO_CODE_CACHE=1 runs without the cache (the benchmark reports both figures).
const useCache = !process.env.ROUNDUP_NO_CODE_CACHE;
// V8 keeps the script name a cache was made under, and stack traces (DEBUG=roundup) would name
// the folder the cache was built in rather than this checkout. So the cache starts with the path
// it was made for, and a cache made elsewhere (a copied or moved install) is rebuilt here.
const header = Buffer.from(`roundup-v8cache\n${file}\n`, 'utf8');
let cachedData;
try {
  if (useCache) {
    const bytes = readFileSync(cacheFile);
    if (bytes.subarray(0, header.length).equals(header)) cachedData = bytes.subarray(header.length);
  }
} catch {
  // first run: no cache yet
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));

const done = module.exports.main(process.argv.slice(2));
if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
  // After the run, so the cache also holds the functions this command compiled lazily.
  // Written aside and renamed: two roundups starting at once never read half a file.
  Promise.resolve(done).finally(() => {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      // read-only install: run without a cache
    }
  });
}
