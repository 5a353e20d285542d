/**
 * Image processing with real images (generated here) through real sharp and a real cache
 * folder: sizes, formats, metadata stripping, and the cache that keeps rebuilds cheap.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROCESS_OPTIONS } from '../../src/images/index.js';
import { planImage } from '../../src/images/plan.js';
import { CorruptImage, encodeImage, UnsupportedImage } from '../../src/images/process.js';
import { createImageProcessor } from '../../src/images/processor.js';
import type { PlannedImage, ProcessResult } from '../../src/images/types.js';
import { animatedGif, exifHasGps, jpegHasApp1, largePng, phoneJpeg, webp } from './helpers.js';

const opts = DEFAULT_PROCESS_OPTIONS;

describe('encodeImage (sharp)', () => {
  let phone: Buffer;
  beforeAll(async () => {
    phone = await phoneJpeg(3000, 2000);
  });

  it('turns a sideways phone JPEG upright, scales it to 2× the column and drops EXIF with GPS', async () => {
    const src = await sharp(phone).metadata();
    expect(src.orientation).toBe(6);
    expect(exifHasGps(src.exif)).toBe(true);
    expect(jpegHasApp1(phone)).toBe(true);

    const out = await encodeImage(phone, opts);
    expect(out.format).toBe('jpeg');
    // Stored 3000×2000 but displayed upright: 2000×3000, scaled to 1072 wide.
    expect(out.source).toEqual({ format: 'jpeg', width: 2000, height: 3000 });
    expect([out.width, out.height]).toEqual([1072, 1608]);
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1072, 1608]);
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(jpegHasApp1(out.data)).toBe(false);
    expect(out.data.length).toBeLessThan(phone.length / 3);
  });

  it('keeps a large PNG a PNG, with its transparency, 1072 px wide and much lighter', async () => {
    const png = await largePng(2400, 1600);
    const out = await encodeImage(png, opts);
    expect(out.format).toBe('png');
    expect([out.width, out.height]).toEqual([1072, 715]);
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', 1072, 715, true]);
    expect(out.data.length).toBeLessThan(png.length / 4);
  });

  it('keeps an animated GIF animated (every frame), scaled down', async () => {
    const gif = await animatedGif(1500, 1000);
    const out = await encodeImage(gif, opts);
    expect(out).toMatchObject({ format: 'gif', animated: true, width: 1072, height: 715 });
    const meta = await sharp(out.data).metadata();
    expect([meta.format, meta.pages, meta.width]).toEqual(['gif', 3, 1072]);
  });

  it('never scales a small image up; a one-frame GIF becomes PNG', async () => {
    const small = await sharp({ create: { width: 300, height: 120, channels: 3, background: '#123456' } })
      .gif()
      .toBuffer();
    const out = await encodeImage(small, opts);
    expect(out).toMatchObject({ format: 'png', animated: false, width: 300, height: 120 });
  });

  it('converts WebP (which Outlook cannot show) to JPEG, or to PNG when it has transparency', async () => {
    expect((await encodeImage(await webp(1600, 900, false), opts)).format).toBe('jpeg');
    const withAlpha = await encodeImage(await webp(1600, 900, true), opts);
    expect(withAlpha.format).toBe('png');
    expect(withAlpha.width).toBe(1072);
  });

  it('refuses files that are not images, and formats email clients do not show', async () => {
    await expect(encodeImage(Buffer.from('this is not a photo'), opts)).rejects.toBeInstanceOf(CorruptImage);
    await expect(encodeImage(phone.subarray(0, 200), opts)).rejects.toBeInstanceOf(CorruptImage);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expect(encodeImage(svg, opts)).rejects.toEqual(new UnsupportedImage('svg'));
  });
});

describe('createImageProcessor (cache)', () => {
  let dir: string;
  let cacheDir: string;
  const plan = (rel: string): PlannedImage => {
    const p = planImage({ src: rel, pos: { file: path.join(dir, 'issues/x.md'), line: 1 } }, { cwd: dir, root: dir });
    if (!('path' in p)) throw new Error(p.message);
    return p;
  };
  const ok = (r: ProcessResult | undefined) => {
    if (!r?.ok) throw new Error(`expected a processed image, got ${JSON.stringify(r)}`);
    return r.image;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roundup-images-'));
    cacheDir = path.join(dir, '.roundup/cache/images');
    mkdirSync(path.join(dir, 'issues/images'), { recursive: true });
    writeFileSync(path.join(dir, 'issues/images/team.jpg'), await phoneJpeg(2400, 1600));
    writeFileSync(path.join(dir, 'issues/images/broken.jpg'), Buffer.from('GIF89a…not really'));
  });

  it('processes once, then serves the cache: in process by file identity, across processes by content', async () => {
    const team = plan('images/team.jpg');
    const first = ok((await createImageProcessor({ root: dir, cacheDir }).process([team], opts)).get(team.path));
    expect(first.cached).toBe(false);
    expect(first.name).toMatch(/^team-[0-9a-f]{12}\.jpg$/);
    expect(readFileSync(first.file).length).toBe(first.bytes);
    const cacheMtime = statSync(first.file).mtimeMs;

    // Same file, same process: a memo hit.
    const again = ok((await createImageProcessor({ root: dir, cacheDir }).process([team], opts)).get(team.path));
    expect(again).toEqual({ ...first, cached: true });

    // Touched (as a fresh process would see it: the memo cannot vouch for it): read, hashed, found on disk.
    const later = new Date(Date.now() + 5000);
    utimesSync(team.path, later, later);
    const touched = ok((await createImageProcessor({ root: dir, cacheDir }).process([team], opts)).get(team.path));
    expect(touched).toEqual({ ...first, cached: true });
    expect(statSync(first.file).mtimeMs).toBe(cacheMtime);
    // One description and one image (plus a record per file identity seen), and no temporary files left behind.
    const files = readdirSync(cacheDir);
    expect(files.filter((f) => !f.startsWith('seen-')).sort()).toEqual([expect.stringMatching(/^[0-9a-f]{40}\.json$/), first.name].sort());
    expect(files.filter((f) => f.startsWith('seen-'))).toHaveLength(2);
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('gives a changed photo a new name (so no cache anywhere shows the old one)', async () => {
    const team = plan('images/team.jpg');
    const before = ok((await createImageProcessor({ root: dir, cacheDir }).process([team], opts)).get(team.path));
    writeFileSync(team.path, await phoneJpeg(2400, 1600));
    const after = ok((await createImageProcessor({ root: dir, cacheDir }).process([team], opts)).get(team.path));
    expect(after.cached).toBe(false);
    expect(after.name).not.toBe(before.name);
  });

  it('lets concurrent builds fill the same cache without clashing', async () => {
    const sharedCache = path.join(dir, 'shared-cache');
    writeFileSync(path.join(dir, 'issues/images/concurrent.png'), await largePng(1800, 1200));
    const img = plan('images/concurrent.png');
    const results = await Promise.all(
      [1, 2, 3].map(() => createImageProcessor({ root: dir, cacheDir: sharedCache }).process([img], { ...opts, pngQuality: 89 })),
    );
    const names = results.map((r) => ok(r.get(img.path)).name);
    expect(new Set(names).size).toBe(1);
    expect(readdirSync(sharedCache).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect((await sharp(path.join(sharedCache, names[0])).metadata()).width).toBe(1072);
  });

  it('refuses a decompression bomb (a header claiming 30000×30000) without decoding it', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    png.writeUInt32BE(30000, 16); // IHDR width
    png.writeUInt32BE(30000, 20); // IHDR height
    png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29); // IHDR CRC, so the file is valid
    writeFileSync(path.join(dir, 'issues/images/bomb.png'), png);
    const bomb = plan('images/bomb.png');
    const r = (await createImageProcessor({ root: dir, cacheDir }).process([bomb], opts)).get(bomb.path);
    expect(r).toEqual({
      ok: false,
      problem: {
        kind: 'unsupported',
        message: 'is over 268 megapixels, too large to process: resize it first (an email needs at most 1072 px wide)',
      },
    });
  });

  it('reports a missing file, a folder, a corrupt file and an unsupported format as problems', async () => {
    mkdirSync(path.join(dir, 'issues/images/folder.jpg'), { recursive: true });
    writeFileSync(path.join(dir, 'issues/images/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    const refs = ['images/nope.jpg', 'images/folder.jpg', 'images/broken.jpg', 'images/logo.svg'].map(plan);
    const results = await createImageProcessor({ root: dir, cacheDir }).process(refs, opts);
    const problems = refs.map((r) => {
      const res = results.get(r.path);
      return res && !res.ok ? res.problem.kind : 'ok';
    });
    expect(problems).toEqual(['missing', 'unreadable', 'corrupt', 'unsupported']);
    const missing = results.get(refs[0].path);
    expect(missing && !missing.ok && missing.problem.message).toMatch(/not found \(looked for .*issues\/images\/nope\.jpg\)/);
    const svg = results.get(refs[3].path);
    expect(svg && !svg.ok && svg.problem.message).toMatch(/SVG.*export it as PNG/);
    expect(existsSync(path.join(cacheDir, 'nope.jpg'))).toBe(false);
  });
});
