/** `roundup preview` through the compiled CLI: usage errors, a missing browser, real screenshots. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/project.js';

describe('roundup preview (CLI)', () => {
  it('rejects a bad --port in one line', () => {
    const r = runCli(['preview', '--port', 'eighty'], makeProject());
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('roundup: --port must be a number from 0 to 65535, not "eighty"');
  });

  it('says clearly when Chromium is missing', () => {
    const r = runCli(['preview', '--shots'], makeProject({ withSampleIssues: true }), { ROUNDUP_CHROMIUM: '/nonexistent/chromium' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^roundup: no Chromium at \/nonexistent\/chromium: install it .*apt-get install chromium/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('--shots writes PNGs at 375 and 600 px, light and dark, into shots/<slug>/', () => {
    const dir = makeProject({ withSampleIssues: true });
    const r = runCli(['preview', '--shots', 'issues/weekly-2026-47.md'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['375-light', '375-dark', '600-light', '600-dark']) {
      const file = path.join(dir, 'shots/weekly-2026-47', `${name}.png`);
      expect(existsSync(file)).toBe(true);
      const png = readFileSync(file);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // IHDR width: the viewport width the shot was taken at.
      expect(png.readUInt32BE(16)).toBe(Number(name.slice(0, 3)));
    }
    // Dark and light differ (the dark media rules applied).
    expect(
      readFileSync(path.join(dir, 'shots/weekly-2026-47/375-dark.png')).equals(
        readFileSync(path.join(dir, 'shots/weekly-2026-47/375-light.png')),
      ),
    ).toBe(false);
    expect(existsSync(path.join(dir, 'shots/2026-11'))).toBe(false);
  });

  it('--shots shows local images (not published yet) instead of a broken image', async () => {
    const dir = makeProject({
      issues: {
        'photo.md': [
          '---',
          'title: Photo roundup',
          'subject: Photo roundup',
          'date: 2026-12-01',
          'preheader: A photo from the conference.',
          '---',
          '',
          'Intro.',
          '',
          '## The conference',
          '',
          '![Our team on stage](images/red.png)',
          '',
        ].join('\n'),
      },
    });
    mkdirSync(path.join(dir, 'issues/images'));
    await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .png()
      .toFile(path.join(dir, 'issues/images/red.png'));
    const r = runCli(['preview', '--shots', 'issues/photo.md'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { data, info } = await sharp(path.join(dir, 'shots/photo/600-light.png'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    let red = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i] > 240 && data[i + 1] < 20 && data[i + 2] < 20) red++;
    // The photo is shown 536 px wide (the column), 268 px high: well over 100,000 red pixels.
    expect(red).toBeGreaterThan(100_000);
  }, 60_000);
});
