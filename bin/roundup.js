#!/usr/bin/env node
/**
 * Launcher. `npm ci` (the prepare script) compiles src/ and bundles the CLI into one file,
 * lib/bundle/cli.cjs (scripts/bundle.mjs). This loads it the way Node loads any CommonJS file,
 * plus a V8 code cache kept beside it: parsing and compiling ~5 MB of mjml and friends on every
 * start was most of a cold `roundup build`. The cache is an optimisation only: if it is
 * missing, stale (another Node version) or cannot be written, V8 simply compiles as usual.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';

// A small young generation. V8 lets its "new space" grow to 32 MB (two 16 MB halves) on any
// machine, and every command here allocates fast enough to grow it fully: a fifth of a send's
// peak RSS, for garbage that dies young anyway. Growth factor 1 keeps it at its starting size
// (2 MB, where V8 itself starts). It is a scratch area, never a limit on what the
// program may hold (the old generation is untouched), so it cannot cause an out-of-memory
// crash; the price is more, shorter scavenges (a cold build is no slower; a send spends 3-5 %
// more CPU in GC). A --max-semi-space-size or --min-semi-space-size given to node (on its
// command line or in NODE_OPTIONS) is the user's choice and wins. Set before the bundle is
// compiled, so the code cache is made and used under the same flags.
const nodeFlags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (!/--(max|min)[-_]semi[-_]space[-_]size/.test(nodeFlags)) setFlagsFromString('--semi-space-growth-factor=1');

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
// it was made for, and a cache made elsewhere (a copied or moved install) is rebuilt here. The
// header is padded to a multiple of 8 bytes: V8 copies cache data that is not pointer-aligned
// (another 4.5 MB at start-up).
const named = Buffer.from(`roundup-v8cache\n${file}\n`, 'utf8');
const header = Buffer.concat([named, Buffer.alloc((8 - (named.length % 8)) % 8, ' ')]);
let cachedData;
try {
  if (useCache) {
    const bytes = readFileSync(cacheFile);
    if (bytes.subarray(0, header.length).equals(header)) cachedData = bytes.subarray(header.length);
  }
} catch {
  // first run: no cache yet
}
// The bundle file is already wrapped as a CommonJS function (scripts/bundle.mjs), so it is
// compiled as read: V8 keeps this one copy of the text for compiling functions lazily, and the
// cache buffer is dropped as soon as V8 has read it.
const script = new vm.Script(source, { filename: file, cachedData });
const hadCache = cachedData !== undefined;
source = undefined;
cachedData = undefined;
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));

const done = module.exports.main(process.argv.slice(2));
if (useCache && (!hadCache || script.cachedDataRejected)) {
  // After the run, so the cache also holds the functions this command compiled lazily.
  // Written aside and renamed: two roundups starting at once never read half a file.
  Promise.resolve(done).finally(() => {
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      const fd = openSync(tmp, 'w');
      try {
        for (const bytes of [header, script.createCachedData()]) {
          for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
        }
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, cacheFile);
    } catch {
      // read-only install: run without a cache
    }
  });
}
