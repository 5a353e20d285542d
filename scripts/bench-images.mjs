#!/usr/bin/env node
/**
 * Image benchmark (run by `npm run bench`; alone: `node scripts/bench-images.mjs`): the build
 * time of an issue with five 10 MB phone photos, cold (every photo decoded, resized and
 * encoded) and cached (a rebuild: photos read and hashed, nothing decoded), each a fresh
 * `roundup build` process; and the warm in-process render of the same issue, as preview does
 * on each save. The photos are generated here (noise, so they weigh what real photos weigh).
 *
 *   BENCH_IMAGE_COUNT  photos in the issue (default 5)
 *   BENCH_IMAGE_MB     approximate size of each photo in MB (default 10)
 *   BENCH_IMAGE_RUNS   runs per figure, median reported (default 3)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.env.BENCH_IMAGE_COUNT ?? 5);
const MB = Number(process.env.BENCH_IMAGE_MB ?? 10);
const RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);

const project = mkdtempSync(path.join(tmpdir(), 'roundup-bench-images-'));
cpSync(path.join(root, 'roundup.config.yaml'), path.join(project, 'roundup.config.yaml'));
cpSync(path.join(root, 'templates'), path.join(project, 'templates'), { recursive: true });
mkdirSync(path.join(project, 'issues/images'), { recursive: true });

// A 4000×3000 noise JPEG at quality 93 is about 10 MB; scale the sides for other sizes.
const scale = Math.sqrt(MB / 10);
const width = Math.round(4000 * scale);
const height = Math.round(3000 * scale);
let sourceBytes = 0;
const sections = [];
for (let i = 1; i <= COUNT; i++) {
  const file = path.join(project, `issues/images/photo-${i}.jpg`);
  await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 93 })
    .withExif({ IFD0: { Make: 'BenchPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toFile(file);
  sourceBytes += statSync(file).size;
  sections.push(`## Photo ${i}\n\nWhat happened at the event.\n\n![Photo ${i} of the event](images/photo-${i}.jpg)\n`);
}
const issue = 'issues/photos.md';
writeFileSync(
  path.join(project, issue),
  `---\ntitle: Bench roundup\nsubject: Five photos\ndate: 2026-12-01\npreheader: Photos.\n---\n\nIntro.\n\n${sections.join('\n')}`,
);

const bin = path.join(root, 'bin/roundup.js');
function build(stateDir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'build', issue, '--out', path.join(project, 'dist')], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, ROUNDUP_STATE_DIR: stateDir, NO_COLOR: '1' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`roundup build failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

console.log(
  `roundup image benchmark: ${COUNT} photos of ${width}×${height} (${(sourceBytes / COUNT / 1048576).toFixed(1)} MB each, ${(sourceBytes / 1048576).toFixed(1)} MB in all), median of ${RUNS}`,
);
const cold = [];
let stateDir;
for (let i = 0; i < RUNS; i++) {
  stateDir = mkdtempSync(path.join(project, 'state-'));
  cold.push(build(stateDir).ms);
}
const cached = [];
let last;
for (let i = 0; i < RUNS; i++) {
  last = build(stateDir);
  cached.push(last.ms);
}
const outDir = path.join(project, 'dist/photos/images');
const outBytes = readdirSync(outDir).reduce((n, f) => n + statSync(path.join(outDir, f)).size, 0);
console.log(`  cold build (every photo processed)          ${fmt(median(cold))}`);
console.log(`  cached build (rebuild, nothing re-encoded)  ${fmt(median(cached))}`);
console.log(`  images out: ${(outBytes / 1024).toFixed(0)} KB in all (${(outBytes / COUNT / 1024).toFixed(0)} KB each on average)`);
if (!/; cached\)/.test(last.stdout)) console.log('  (warning: the cached build did not report cache hits)');

// Warm render in-process with the photos cached: what preview does on each save.
const { renderIssueFile } = await import(path.join(root, 'lib/render/index.js'));
const { loadTemplates } = await import(path.join(root, 'lib/render/templates.js'));
const { loadConfig } = await import(path.join(root, 'lib/config.js'));
const config = loadConfig(project);
const templates = loadTemplates(project);
const opts = { root: project, config, templates, stateDir };
const cwd = process.cwd();
process.chdir(project);
// The same issue with remote image URLs instead (same MJML), rendered alternately: what the
// local-image stage costs on a save when the photos are unchanged.
const { renderIssue } = await import(path.join(root, 'lib/render/index.js'));
const { readFileSync } = await import('node:fs');
const withoutPhotos = readFileSync(path.join(project, issue), 'utf8').replace(/\]\(images\//g, '](https://cdn.firm.example/');
for (let i = 0; i < 10; i++) {
  await renderIssueFile(issue, opts);
  await renderIssue(withoutPhotos, issue, opts);
}
const warm = [];
const plain = [];
for (let i = 0; i < 30; i++) {
  let t0 = performance.now();
  await renderIssueFile(issue, opts);
  warm.push(performance.now() - t0);
  t0 = performance.now();
  await renderIssue(withoutPhotos, issue, opts);
  plain.push(performance.now() - t0);
}
process.chdir(cwd);
console.log(
  `  warm render with ${COUNT} cached photos (in-process, as preview on save)  ${fmt(median(warm))}; the same issue with remote images ${fmt(median(plain))}`,
);
rmSync(project, { recursive: true, force: true });
