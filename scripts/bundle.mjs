#!/usr/bin/env node
/**
 * Bundles the CLI into one CommonJS file, lib/bundle/cli.cjs, so a cold `roundup build` does
 * not resolve and read the ~640 files that mjml and its dependencies are spread across (that
 * alone cost more than the render). esbuild's CommonJS wrappers initialise a module only when
 * first required, so `build` still runs no SMTP, SQLite or browser code; and one file lets
 * bin/roundup.js keep a V8 code cache for it (Node 20 has no compile cache for ES modules).
 * tsc still compiles src/ to lib/ for the benchmark and type-check.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * cheerio (inside mjml's juice) requires undici only for `cheerio.fromURL`, which mjml never
 * calls; two copies of undici are 1.5 MB of startup parsing. A stub that throws if ever used.
 */
const stubUndici = {
  name: 'stub-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'roundup-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'roundup-stub' }, () => ({
      contents:
        "module.exports = new Proxy({}, { get(_, k) { if (k === '__esModule' || k === 'default' || typeof k === 'symbol') return undefined; throw new Error('undici is not bundled (cheerio.fromURL is unused)'); } });",
      loader: 'js',
    }));
  },
};

/**
 * V8 keeps the bundle's source in the heap for as long as the CLI runs (it compiles functions
 * lazily from it): one byte per character, but two for all 7.6 MB if a single character is above
 * U+00FF. esbuild escapes strings and identifiers, not regular expression literals ('—', bounce
 * keywords in Japanese), so those are escaped here. `\uXXXX` is the same character in a regex
 * (with or without the `u` flag; a surrogate pair for astral ones), a string, an identifier or a
 * comment. A character already escaped (`\é`, an identity escape) loses that backslash, or the
 * result would read as a backslash followed by "u00e9".
 */
function asciiOnly(code) {
  const out = code.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, c) => {
    const kept = slashes.length % 2 ? slashes.slice(1) : slashes;
    return `${kept}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (/[^\x00-\x7f]/.test(out)) throw new Error('bundle: non-ASCII left after escaping');
  return out;
}

/**
 * The file holds the CommonJS wrapper itself, on the first line as Node's Module.wrap puts it
 * (so line numbers match): bin/roundup.js compiles the text as it is read. Wrapping at load
 * time made a second 7.6 MB copy of the source that lived as long as the first.
 */
function wrapped(code) {
  return `(function (exports, require, module, __filename, __dirname) { ${code}\n})`;
}

/**
 * gray-matter loads js-yaml 3 (roundup parses front-matter with `yaml` instead, src/yaml-source.ts),
 * whose `!!js/function` type asks for esprima with a require esbuild cannot see. So every command
 * that renders read, compiled and kept 540 KB of esprima from node_modules, for a type only
 * js-yaml's unsafe loader (never used here) accepts. Without it the type simply never matches.
 */
const noEsprima = {
  name: 'no-esprima',
  setup(b) {
    b.onLoad({ filter: /[\\/]js-yaml[\\/]lib[\\/]js-yaml[\\/]type[\\/]js[\\/]function\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const out = text.replace("esprima = _require('esprima');", "throw new Error('esprima is not bundled');");
      if (out === text) throw new Error(`bundle: ${args.path} no longer requires esprima as expected`);
      return { contents: out, loader: 'js' };
    });
  },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'lib/bundle');
// Build beside the live bundle and swap it in, so a CLI started meanwhile never sees a
// half-written or missing bundle.
const outdir = `${target}.tmp-${process.pid}`;
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  write: false,
  entryPoints: ['src/cli.ts'],
  outfile: path.join(outdir, 'cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // import() of a built-in would stay a real dynamic import, which a vm.Script (the code-cache
  // loader in bin/roundup.js) cannot run on Node 20; as require() it is the same module.
  supported: { 'dynamic-import': false },
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Native addons (SQLite, sharp's libvips) and the browser driver stay in node_modules. `typescript` is only reached by
  // cosmiconfig (via cssnano) for *.ts config files, which roundup never has: bundling it would
  // add 7 MB that every cold start parses.
  external: ['better-sqlite3', 'sharp', 'playwright-core', 'axe-core', 'fsevents', 'uglify-js', 'typescript'],
  plugins: [stubUndici, noEsprima],
  // src/ is ESM; nothing in it reads import.meta, but keep it meaningful if something does.
  define: { 'import.meta.url': '__roundupModuleUrl' },
  banner: { js: "const __roundupModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
mkdirSync(outdir, { recursive: true });
writeFileSync(path.join(outdir, 'cli.cjs'), wrapped(asciiOnly(result.outputFiles[0].text)));
const old = `${target}.old-${process.pid}`;
try {
  renameSync(target, old);
} catch {
  // first build: nothing to move aside
}
renameSync(outdir, target);
rmSync(old, { recursive: true, force: true });

// Warm bin/roundup.js's V8 code cache with a real build of the sample issues, so the cache
// holds the render path rather than whatever command happens to run first. Best effort.
if (existsSync(path.join(root, 'roundup.config.yaml'))) {
  const out = mkdtempSync(path.join(tmpdir(), 'roundup-warm-'));
  spawnSync(process.execPath, [path.join(root, 'bin/roundup.js'), 'build', '--out', out], { cwd: root, stdio: 'ignore' });
  rmSync(out, { recursive: true, force: true });
}
