/**
 * Local images while drafting, in the real preview server and real headless Chromium: the
 * framed email shows the processed photo from the preview itself (nothing is published yet),
 * a photo saved after the issue appears without touching the issue, and a replaced photo
 * shows its new version.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM } from '../../src/env.js';
import { launchChromium } from '../../src/preview/browser.js';
import { startPreviewServer, type PreviewServer } from '../../src/preview/server.js';
import { part } from '../helpers/parts.js';
import { makeProject } from '../helpers/project.js';
import { phoneJpeg } from './helpers.js';

const chromiumPath = process.env.ROUNDUP_CHROMIUM ?? DEFAULT_CHROMIUM;
const hasChromium = part('Chromium', existsSync(chromiumPath), 'apt-get install chromium (or set ROUNDUP_CHROMIUM)');

const issue = `---
title: Images roundup
subject: Pictures this month
date: 2026-12-01
preheader: With photos.
---

## Event

![The team on stage](images/team.jpg)

![The venue](images/venue.png)
`;

let dir: string;
let server: PreviewServer;
let browser: Browser;
let page: Page;

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

/** What Chromium loaded for an image in the framed email: its src and decoded size (0 = broken). */
const shown = (alt: string) =>
  page.evaluate((a) => {
    const img = [...document.images].find((i) => i.alt === a);
    return img ? { src: img.getAttribute('src') ?? '', width: img.naturalWidth, height: img.naturalHeight, complete: img.complete } : null;
  }, alt);

beforeAll(async () => {
  if (!hasChromium) return;
  dir = makeProject({ issues: { '2026-12.md': issue } });
  mkdirSync(path.join(dir, 'issues/images'));
  writeFileSync(path.join(dir, 'issues/images/team.jpg'), await phoneJpeg(1600, 1200));
  server = await startPreviewServer({ root: dir, port: 0 });
  browser = await launchChromium(chromiumPath);
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.skipIf(!hasChromium)('preview with local images', () => {
  it('shows the processed photo from the preview, and a photo saved later on the next save', async () => {
    const email = `${server.url}/issue/2026-12/email.html`;
    await page.goto(email);
    // Portrait after EXIF rotation: 1200×1600 → 1072×1429 file.
    await poll(() => shown('The team on stage')).toMatchObject({ width: 1072, height: 1429 });
    const team = await shown('The team on stage');
    expect(team?.src).toMatch(/^\/issue\/2026-12\/images\/team-[0-9a-f]{12}\.jpg$/);
    // The venue photo is not there yet: the preflight says so, at its line.
    const state = async () =>
      (await fetch(`${server.url}/issue/2026-12/state.json`)).json() as Promise<{ findings: { rule: string; line: number }[] }>;
    expect((await state()).findings).toContainEqual(expect.objectContaining({ rule: 'image-missing', line: 12 }));

    // The editor saves the photo (not the issue): the preview re-renders and the image appears.
    writeFileSync(
      path.join(dir, 'issues/images/venue.png'),
      await sharp({ create: { width: 800, height: 500, channels: 3, background: '#3366aa' } })
        .png()
        .toBuffer(),
    );
    await poll(async () => (await state()).findings.some((f) => f.rule === 'image-missing')).toBe(false);
    await page.goto(email);
    await poll(() => shown('The venue')).toMatchObject({ width: 800, height: 500 });
    expect((await shown('The venue'))?.src).toMatch(/^\/issue\/2026-12\/images\/venue-[0-9a-f]{12}\.png$/);

    // A replaced photo gets a new name, so the browser cannot show the old one.
    writeFileSync(
      path.join(dir, 'issues/images/venue.png'),
      await sharp({ create: { width: 640, height: 640, channels: 3, background: '#aa3366' } })
        .png()
        .toBuffer(),
    );
    await poll(async () => {
      await page.goto(email);
      return (await shown('The venue'))?.width;
    }).toBe(640);
  }, 90_000);

  it('serves only the images an issue uses, by name', async () => {
    expect((await fetch(`${server.url}/issue/2026-12/images/..%2F..%2Froundup.config.yaml`)).status).toBe(404);
    expect((await fetch(`${server.url}/issue/2026-12/images/team.jpg`)).status).toBe(404);
    const src = (await shown('The team on stage'))?.src ?? '';
    const res = await fetch(server.url + src);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).exif).toBeUndefined();
  });
});
