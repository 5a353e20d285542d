/**
 * Before a real send, roundup asks the site for the issue's web version and each image, over
 * real HTTP on loopback: a site answering 404 refuses the send; once the archive is served
 * there, the same send goes out; an unreachable site only warns; --no-publish-check skips it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStatic } from '../../src/publish/static-files.js';
import type { RenderedIssue } from '../../src/render/types.js';
import { judgePublished, planPublishCheck } from '../../src/send/published.js';
import { makeProject, runCli, runCliAsync } from '../helpers/project.js';
import { phoneJpeg } from './helpers.js';

const issue = (extra = '') => `---
title: Images roundup
subject: Pictures this month
date: 2026-12-01
preheader: With photos.
${extra}---

## Event

![The team on stage](images/team.jpg)
`;

/** One loopback server whose behaviour a test switches: 404 for everything, or the built archive. */
let mode: 'missing' | 'archive' = 'missing';
let server: http.Server;
let port: number;
let dir: string;
const requests: string[] = [];

beforeAll(async () => {
  dir = makeProject({ issues: { '2026-12.md': issue() } });
  mkdirSync(path.join(dir, 'issues/images'));
  writeFileSync(path.join(dir, 'issues/images/team.jpg'), await phoneJpeg(1600, 1200));
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const found =
      mode === 'archive' ? resolveStatic(path.join(dir, 'dist/archive'), new URL(req.url ?? '/', 'http://x').pathname) : undefined;
    if (found?.kind !== 'file') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': found.type, 'content-length': found.size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(found.file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  setSiteUrl(`http://127.0.0.1:${port}`);
}, 60_000);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function setSiteUrl(url: string): void {
  const file = path.join(dir, 'roundup.config.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^siteUrl: .*$/m, `siteUrl: ${url}`));
}
const outbox = () => (existsSync(path.join(dir, 'outbox/2026-12')) ? readdirSync(path.join(dir, 'outbox/2026-12')).length : 0);
/** Async: the site is served by this process, which must keep answering while the CLI runs. */
const send = (...extra: string[]) => runCliAsync(['send', '2026-12', '--list', 'example', '--yes', ...extra], dir, { SMTP_URL: '' });

describe('send checks the issue is published', () => {
  it('refuses while the site answers 404, naming what is missing; sends once the archive is served', async () => {
    const refused = await send();
    expect(refused.code).toBe(1);
    const line = refused.stderr.split('\n').find((l) => l.startsWith('roundup: '));
    expect(line).toMatch(
      new RegExp(
        `^roundup: issues/2026-12\\.md: refusing to send: not published yet: 404 for the web version \\(http://127\\.0\\.0\\.1:${port}/2026-12/\\) and 1 image \\(http://127\\.0\\.0\\.1:${port}/2026-12/images/team-[0-9a-f]{12}\\.jpg\\): publish the archive first \\(\`roundup archive\`, then deploy\\), or send with --no-publish-check\\.$`,
      ),
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(outbox()).toBe(0);
    expect(requests).toContainEqual('HEAD /2026-12/');
    expect(requests.some((r) => /^HEAD \/2026-12\/images\/team-[0-9a-f]{12}\.jpg$/.test(r))).toBe(true);

    // Publish: build the archive, and the site serves it.
    const archive = runCli(['archive'], dir);
    expect(archive.code, archive.stderr).toBe(0);
    mode = 'archive';
    const sent = await send();
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).not.toMatch(/refusing|not published/);
    expect(outbox()).toBe(12);
    // The email each reader got links the image at the URL the site just answered 200 for.
    const eml = readFileSync(path.join(dir, 'outbox/2026-12', readdirSync(path.join(dir, 'outbox/2026-12'))[0]), 'utf8');
    const url = /http:\/\/127\.0\.0\.1:\d+\/2026-12\/images\/team-[0-9a-f]{12}\.jpg/.exec(eml.replace(/=\r?\n/g, ''))?.[0];
    expect(url).toBeDefined();
    expect(existsSync(path.join(dir, 'dist/archive', new URL(url ?? '').pathname))).toBe(true);
  });

  it('only warns when the site cannot be reached, and --no-publish-check asks nothing', async () => {
    // A port nobody listens on: connection refused, as for a site that is down or offline.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    setSiteUrl(`http://127.0.0.1:${deadPort}`);
    // (Already sent to everyone, so nothing goes out: the check runs before that is known.)
    const r = await send();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: could not reach 127.0.0.1:${deadPort} to check the issue is published (ECONNREFUSED): sending anyway; make sure \`roundup archive\` is deployed there`,
    );

    setSiteUrl(`http://127.0.0.1:${port}`);
    mode = 'missing';
    requests.length = 0;
    writeFileSync(path.join(dir, 'issues/weekly.md'), issue());
    const skipped = await runCliAsync(['send', 'weekly', '--list', 'example', '--yes', '--no-publish-check'], dir, { SMTP_URL: '' });
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(requests).toEqual([]);
  });

  it('lets --test copies go with a warning while the site answers 404 (editors test before publishing)', async () => {
    mode = 'missing';
    setSiteUrl(`http://127.0.0.1:${port}`);
    const r = await runCliAsync(['send', '2026-12', '--list', 'example', '--test', 'editor@example.net'], dir, { SMTP_URL: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: test copies only: not published yet: 404 for the web version/);
  });

  it('warns when sending a draft, whose web version the archive leaves out', async () => {
    mode = 'missing';
    writeFileSync(path.join(dir, 'issues/draft.md'), issue('draft: true\n'));
    const r = await runCliAsync(['send', 'draft', '--list', 'example', '--yes'], dir, { SMTP_URL: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'warning: issues/draft.md is marked draft: true: roundup archive leaves it out, so its "view in browser" link leads nowhere',
    );
    expect(r.stderr).toMatch(
      /refusing to send: not published yet: 404 for the web version .* The issue is marked draft: true, which roundup archive leaves out: remove it first\.\n/,
    );
  });
});

describe('planPublishCheck and judgePublished (pure)', () => {
  const rendered = (webUrl: string, draft = false) =>
    ({
      webUrl,
      meta: { draft },
      images: [
        { ok: true, src: 'images/a.jpg', url: `${webUrl}images/a-0123456789ab.jpg` },
        { ok: true, src: 'images/a.jpg', url: `${webUrl}images/a-0123456789ab.jpg` },
        { ok: false, src: 'images/gone.jpg' },
      ],
    }) as unknown as RenderedIssue;

  it('asks for the page and each image once, and never a reserved example domain', () => {
    expect(planPublishCheck(rendered('https://news.firm.co.uk/2026-12/')).urls.map((u) => u.url)).toEqual([
      'https://news.firm.co.uk/2026-12/',
      'https://news.firm.co.uk/2026-12/images/a-0123456789ab.jpg',
    ]);
    expect(planPublishCheck(rendered('https://news.hartwellfinch.example/2026-12/'))).toEqual({
      urls: [],
      skipped: 'news.hartwellfinch.example is a reserved example domain',
    });
  });

  it('refuses on 404 or 410 only; other failures are warnings', () => {
    const issue = rendered('https://news.firm.co.uk/2026-12/');
    const { urls } = planPublishCheck(issue);
    const [page, image] = urls.map((u) => u.url);
    expect(
      judgePublished(issue, urls, [
        { url: page, status: 200 },
        { url: image, status: 403 },
      ]),
    ).toEqual({
      warnings: [`image "images/a.jpg" answers 403 (${image}): readers may not see it`],
    });
    const gone = judgePublished(issue, urls, [
      { url: page, status: 200 },
      { url: image, status: 410 },
    ]);
    expect(gone.refuse).toMatch(
      /^refusing to send: not published yet: 404 for 1 image \(https:\/\/news\.firm\.co\.uk\/2026-12\/images\/a-0123456789ab\.jpg\)/,
    );
    const offline = judgePublished(issue, urls, [
      { url: page, unreachable: 'ENOTFOUND' },
      { url: image, unreachable: 'ENOTFOUND' },
    ]);
    expect(offline).toEqual({
      warnings: [
        'could not reach news.firm.co.uk to check the issue is published (ENOTFOUND): sending anyway; make sure `roundup archive` is deployed there',
      ],
    });
  });
});
