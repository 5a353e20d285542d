#!/usr/bin/env node
/**
 * Bundles the CLI into lib/bundle/ so a cold `roundup build` does not resolve and read the
 * ~640 files that mjml and its dependencies are spread across (that alone cost more than the
 * render itself). Commands loaded lazily become separate chunks, so `build` loads no SMTP,
 * SQLite or browser code. tsc still compiles src/ to lib/ for the benchmark and type-check.
 */
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
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
      contents: "module.exports = new Proxy({}, { get(_, k) { if (k === '__esModule' || k === 'default' || typeof k === 'symbol') return undefined; throw new Error('undici is not bundled (cheerio.fromURL is unused)'); } });",
      loader: 'js',
    }));
  },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'lib/bundle');
// Build beside the live bundle and swap it in, so a CLI started meanwhile never sees a
// half-written or missing bundle.
const outdir = `${target}.tmp-${process.pid}`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Native addons and the browser driver stay in node_modules. `typescript` is only reached by
  // cosmiconfig (via cssnano) for *.ts config files, which roundup never has: bundling it would
  // add 7 MB that every cold start parses.
  external: ['better-sqlite3', 'playwright-core', 'axe-core', 'fsevents', 'uglify-js', 'typescript'],
  // CommonJS dependencies (mjml, nodemailer…) call require(); give the ESM bundle one.
  plugins: [stubUndici],
  banner: { js: "import { createRequire as __roundupRequire } from 'node:module'; const require = __roundupRequire(import.meta.url);" },
  logLevel: 'warning',
});
const old = `${target}.old-${process.pid}`;
try {
  renameSync(target, old);
} catch {
  // first build: nothing to move aside
}
renameSync(outdir, target);
rmSync(old, { recursive: true, force: true });
