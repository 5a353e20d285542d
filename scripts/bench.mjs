#!/usr/bin/env node
/**
 * `npm run bench`: prints figures, asserts nothing (tests assert behaviour).
 *
 *   render  cold CLI build of one issue, warm render of one issue, per-recipient merge,
 *           and the mjml CLI's cold time on the same compiled MJML for comparison.
 *   images  scripts/bench-images.mjs: an issue with five 10 MB photos, cold and cached
 *           (skipped with BENCH_IMAGES=0).
 *   send    scripts/bench-send.mjs (skipped with BENCH_SEND=0).
 *
 * Run from the repo root after `npm ci` (the npm script compiles src/ first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ISSUE = process.env.BENCH_ISSUE ?? 'issues/2026-11.md';
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
const tmp = mkdtempSync(path.join(tmpdir(), 'roundup-bench-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, unit) => `${n.toFixed(n < 10 ? 2 : 1)} ${unit}`;

function timeCommand(cmd, args, env = {}) {
  const times = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    times.push(ms);
  }
  return median(times);
}

const slug = path.basename(ISSUE, '.md');
console.log(`roundup render benchmark: ${ISSUE} (node ${process.version}, median of ${COLD_RUNS} cold runs)`);

// 1. Cold CLI build: a fresh process each time, as an editor runs it.
const cold = timeCommand(process.execPath, ['bin/roundup.js', 'build', ISSUE, '--out', tmp]);
console.log(`  cold CLI build (roundup build, 1 issue)     ${fmt(cold, 'ms')}`);
// The same without bin/roundup.js's V8 code cache (as on the very first run after install).
const coldNoCache = timeCommand(process.execPath, ['bin/roundup.js', 'build', ISSUE, '--out', tmp], { ROUNDUP_NO_CODE_CACHE: '1' });
console.log(`  cold CLI build, no V8 code cache            ${fmt(coldNoCache, 'ms')}`);

// 2. The mjml CLI alone on the same compiled MJML (written by build as email.mjml).
const mjmlFile = path.join(tmp, slug, 'email.mjml');
const mjmlBin = path.join(root, 'node_modules/mjml/bin/mjml');
const mjmlCold = timeCommand(process.execPath, [mjmlBin, mjmlFile, '-o', path.join(tmp, 'mjml-cli.html')]);
console.log(`  cold mjml CLI (same compiled MJML)          ${fmt(mjmlCold, 'ms')}   ratio roundup/mjml = ${(cold / mjmlCold).toFixed(2)}`);

// 3. Warm render in-process: templates loaded once, as preview does on each save.
const { renderIssue, personalise } = await import(path.join(root, 'lib/render/index.js'));
const { loadTemplates } = await import(path.join(root, 'lib/render/templates.js'));
const { loadConfig } = await import(path.join(root, 'lib/config.js'));
const config = loadConfig(root);
const templates = loadTemplates(root);
const source = readFileSync(path.join(root, ISSUE), 'utf8');
for (let i = 0; i < 10; i++) await renderIssue(source, ISSUE, { config, templates });
const warm = [];
for (let i = 0; i < 40; i++) {
  const t0 = performance.now();
  await renderIssue(source, ISSUE, { config, templates });
  warm.push(performance.now() - t0);
}
console.log(`  warm render (1 issue, in-process)           ${fmt(median(warm), 'ms')}   target ≤ 20 ms`);

// 4. Per-recipient personalisation: the only per-reader work at send time.
const issue = await renderIssue(source, ISSUE, { config, templates });
const N = 20000;
const readers = Array.from({ length: N }, (_, i) => ({
  recipient: { email: `reader${i}@example.net`, name: `Reader <${i}> & Co`, organisation: `Trust ${i}` },
  unsubscribeUrl: `https://news.example.net/u/token${i}`,
}));
for (let i = 0; i < 2000; i++) personalise(issue, readers[i]);
const t0 = performance.now();
let bytes = 0;
for (const r of readers) bytes += personalise(issue, r).html.length;
const perRecipient = ((performance.now() - t0) * 1000) / N;
console.log(
  `  personalisation (HTML+text+subject)         ${fmt(perRecipient, 'µs')} per recipient   target ≤ 50 µs  (${(bytes / N / 1024).toFixed(1)} KB HTML each)`,
);

if (process.env.BENCH_IMAGES !== '0') {
  console.log('');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/bench-images.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (process.env.BENCH_SEND !== '0' && existsSync(path.join(root, 'scripts/bench-send.mjs'))) {
  console.log('');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/bench-send.mjs')], { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
