/**
 * The preflight on local images, through the real `roundup check` (and `build`): each problem
 * is one finding at the file and line the image is written on, and heavy images are warned about.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/project.js';
import { phoneJpeg } from './helpers.js';

const issue = (body: string) =>
  `---\ntitle: Images roundup\nsubject: Pictures this month\ndate: 2026-12-01\npreheader: With photos.\n---\n\n${body}\n`;

interface JsonFinding {
  severity: string;
  rule: string;
  message: string;
  file: string;
  line?: number;
}

/** Noise frames: an animated GIF that stays heavy whatever the encoder does. */
async function heavyGif(width: number, height: number, frames: number): Promise<Buffer> {
  const pngs = await Promise.all(
    Array.from({ length: frames }, () =>
      sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(pngs, { join: { animated: true } })
    .gif({ delay: pngs.map(() => 100) })
    .toBuffer();
}

let dir: string;
beforeAll(async () => {
  dir = makeProject();
  const images = path.join(dir, 'issues/images');
  mkdirSync(images);
  writeFileSync(path.join(images, 'team.jpg'), await phoneJpeg(1600, 1200));
  writeFileSync(path.join(images, 'truncated.jpg'), (await phoneJpeg(800, 600)).subarray(0, 300));
  writeFileSync(path.join(images, 'notes.png'), 'these are my notes, not a picture\n');
  writeFileSync(path.join(images, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
  // A photo saved as PNG: noise, so it stays heavy after quantisation.
  writeFileSync(
    path.join(images, 'photo.png'),
    await sharp(randomBytes(1200 * 900 * 3), { raw: { width: 1200, height: 900, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer(),
  );
  writeFileSync(path.join(images, 'clip.gif'), await heavyGif(640, 480, 5));
  const outside = path.join(tmpdir(), `roundup-outside-${process.pid}.jpg`);
  writeFileSync(outside, await phoneJpeg(400, 300));
  symlinkSync(outside, path.join(images, 'linked.jpg'));
  writeFileSync(
    path.join(dir, 'issues/2026-12.md'),
    issue(
      [
        '## Photos',
        '',
        '![The team on stage](images/team.jpg)',
        '',
        'A paragraph that goes on',
        'and names ![a lost photo](images/lost.jpg) on its second line.',
        '',
        '![Cut short](images/truncated.jpg)',
        '',
        '![Not a picture](images/notes.png)',
        '',
        '![Vector logo](images/logo.svg)',
        '',
        '![Someone else’s photo](../../outside.jpg)',
        '',
        '![Linked out](images/linked.jpg)',
        '',
        '![Photo as PNG](images/photo.png)',
        '',
        '![Clip](images/clip.gif)',
        '',
        '![](images/team.jpg)',
      ].join('\n'),
    ),
  );
}, 120_000);

describe('roundup check on local images', () => {
  it('reports each problem once, at the line the image is written on; heavy images are warnings', () => {
    const r = runCli(['check', 'issues/2026-12.md', '--json'], dir);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { issues: { findings: JsonFinding[] }[] }).issues[0].findings.filter((f) =>
      f.rule.startsWith('image'),
    );
    const brief = findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`).sort();
    expect(brief).toEqual(
      [
        'error image-missing issues/2026-12.md:13',
        'error image-unreadable issues/2026-12.md:15',
        'error image-unreadable issues/2026-12.md:17',
        'error image-format issues/2026-12.md:19',
        'error image-outside issues/2026-12.md:21',
        'error image-outside issues/2026-12.md:23',
        'warning image-heavy issues/2026-12.md:25',
        'warning image-heavy issues/2026-12.md:27',
        'error image-alt issues/2026-12.md:29',
      ].sort(),
    );
    const message = (rule: string, line: number) => findings.find((f) => f.rule === rule && f.line === line)?.message;
    expect(message('image-missing', 13)).toBe(
      'image "images/lost.jpg" not found (looked for issues/images/lost.jpg): check the name and folder; the path is relative to the file it is written in',
    );
    expect(message('image-unreadable', 15)).toMatch(/^image "images\/truncated\.jpg" is not a readable image/);
    expect(message('image-format', 19)).toMatch(
      /^image "images\/logo\.svg" is SVG, which Gmail and Outlook do not show: export it as PNG$/,
    );
    expect(message('image-outside', 21)).toMatch(/^image "\.\.\/\.\.\/outside\.jpg" is outside the project folder/);
    expect(message('image-outside', 23)).toMatch(/^image "images\/linked\.jpg" leads outside the project folder/);
    expect(message('image-heavy', 25)).toMatch(
      /^image "images\/photo\.png" is still \d+ KB after processing \(over 300 KB\): if it is a photo, export it as JPEG/,
    );
    expect(message('image-heavy', 27)).toMatch(/^animated GIF "images\/clip\.gif" is [\d.]+ MB after processing \(over 1\.0 MB\)/);
    // The alt-text error names the image as written, not its published URL.
    expect(message('image-alt', 29)).toMatch(/^image "images\/team\.jpg" has no alt text/);
    // A missing local image is not also reported as a URL that is "not absolute".
    expect(findings.some((f) => f.rule === 'image-malformed')).toBe(false);
  });

  it('prints the same errors as one line each, file:line first, and build still writes the draft', () => {
    const r = runCli(['check', 'issues/2026-12.md'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/issues\/2026-12\.md:13: image "images\/lost\.jpg" not found/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
    const b = runCli(['build', 'issues/2026-12.md'], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/error issues\/2026-12\.md:13: image "images\/lost\.jpg" not found/);
    expect(b.stdout).toMatch(/image issues\/images\/team\.jpg → dist\/2026-12\/images\/team-/);
  });
});
