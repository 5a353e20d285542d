/**
 * The preview server in real headless Chromium: index, issue view (both widths, text tab,
 * inbox row, reader and dark mode), live update without reload, broken input shown and
 * recovered, and only its own routes served.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/preview/browser.js';
import { startPreviewServer, type PreviewServer } from '../../src/preview/server.js';
import { makeProject } from '../helpers/project.js';

let dir: string;
let server: PreviewServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = makeProject({ withSampleIssues: true });
  server = await startPreviewServer({ root: dir, port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const issueFile = () => path.join(dir, 'issues/2026-11.md');
const edit = (file: string, f: (s: string) => string) => writeFileSync(file, f(readFileSync(file, 'utf8')));
/**
 * Wait for a condition. vitest's default poll gives up after 1 s; a loaded 2-core CI can take
 * longer than that to render, load and lay out a page. Where speed is the requirement (live
 * reload within a second) the test measures it explicitly.
 */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });
/** Status of one raw request (fetch() would normalise "/../" and fix up bad requests). */
const raw = (request: string, host = '127.0.0.1') =>
  new Promise<number>((resolve, reject) => {
    const s = net.connect(server.port, host, () => s.end(request.replace(/\r\n\r\n$/, '\r\nConnection: close\r\n\r\n')));
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    s.on('error', reject);
  });
const frameText = (id: string) => page.frameLocator(`#${id}`).locator('body');

describe('preview server', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(200);
    // Another loopback address reaches a server bound to all interfaces (0.0.0.0), not this one.
    await expect(raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '127.0.0.2')).rejects.toThrow();
  });

  it('index lists every issue with subject, date, template, size and check status', async () => {
    await page.goto(server.url + '/');
    const rows = page.locator('tbody tr');
    await poll(() => rows.count()).toBe(2);
    const first = await rows.nth(0).innerText();
    expect(first).toContain('Integrated care roundup, November 2026');
    expect(first).toContain('2026-11-03');
    expect(first).toContain('roundup');
    expect(first).toMatch(/\d+\.\d KB/);
    expect(first).toMatch(/warning|ready to send/);
    expect(await rows.nth(1).innerText()).toContain('digest');
  });

  it('issue view shows the email at desktop and phone width, the inbox row and the text tab', async () => {
    await page.goto(server.url + '/issue/2026-11');
    await poll(() => frameText('desktop').innerText()).toContain('Joint committees to take on delegated commissioning');
    await poll(() => frameText('phone').innerText()).toContain('Joint committees');
    expect((await page.locator('#desktop').boundingBox())!.width).toBeGreaterThanOrEqual(600);
    expect((await page.locator('#phone').boundingBox())!.width).toBe(375);
    expect(await page.locator('#from').innerText()).toBe('Hartwell & Finch Health Team');
    expect(await page.locator('#subject').innerText()).toContain('Integrated care roundup');
    expect(await page.locator('#preheader').innerText()).toContain('Joint committees get new powers');
    // The sample recipient fills {{recipient.name}}.
    expect(await frameText('desktop').innerText()).toContain('Dear Sam Reader');

    await page.click('#tab-text');
    expect(await page.locator('#pane-html').isHidden()).toBe(true);
    const text = await page.locator('#text').innerText();
    expect(text).toContain('1. Joint committees to take on delegated commissioning');
    expect(text).toContain('https://www.hartwellfinch.example/insights/joint-committees');
    await page.click('#tab-html');
    expect(await page.locator('#pane-html').isVisible()).toBe(true);
  });

  it('switches the sample reader from the example list and toggles dark mode', async () => {
    await page.goto(server.url + '/issue/2026-11');
    await page.selectOption('#recipient', { label: 'Priya Shah <priya.shah@example.net>' });
    await poll(() => frameText('desktop').innerText()).toContain('Dear Priya Shah');
    // A reader with an empty name gets the fallback.
    await page.selectOption('#recipient', { label: '(no name) <nora.kim@example.net>' });
    await poll(() => frameText('desktop').innerText()).toContain('Dear colleague');

    const bg = () =>
      page
        .frameLocator('#phone')
        .locator('body')
        .evaluate((b) => getComputedStyle(b).backgroundColor);
    await poll(bg).toBe('rgb(242, 239, 233)');
    await page.check('#dark');
    await poll(bg).toBe('rgb(21, 23, 26)');
    expect(page.url()).toContain('dark=1');
    // The gutter beside the 600 px email in the 640 px desktop frame is dark too, not a light stripe.
    const gutter = () =>
      page
        .frameLocator('#desktop')
        .locator('body')
        .evaluate(() => {
          for (let e = document.elementFromPoint(4, 200); e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c !== 'rgba(0, 0, 0, 0)') return c;
          }
          return 'transparent';
        });
    await poll(gutter).toBe('rgb(21, 23, 26)');
    await page.uncheck('#dark');
    await poll(bg).toBe('rgb(242, 239, 233)');
  });

  it('fits the frames to the email (also when it gets shorter), opens its links in a new tab, follows the example list', async () => {
    await page.goto(server.url + '/issue/2026-11');
    const height = () => page.locator('#desktop').evaluate((f) => f.getBoundingClientRect().height);
    const full = await poll(height).toBeGreaterThan(2000).then(height);
    const good = readFileSync(issueFile(), 'utf8');
    // Keep the front-matter, the intro and the first section only.
    writeFileSync(
      issueFile(),
      good
        .split(/\n(?=## )/)
        .slice(0, 2)
        .join('\n'),
    );
    await poll(height).toBeLessThan(full * 0.6);
    writeFileSync(issueFile(), good);
    await poll(height).toBe(full);
    expect(await page.frameLocator('#desktop').locator('base').getAttribute('target')).toBe('_blank');

    const list = path.join(dir, 'lists/example.csv');
    const options = () => page.locator('#recipient option').count();
    const before = await options();
    edit(list, (s) => s.trimEnd() + '\nzed.new@example.net,Zed New,New Org\n');
    await poll(options).toBe(before + 1);
    await page.selectOption('#recipient', { label: 'Zed New <zed.new@example.net>' });
    await poll(() => frameText('desktop').innerText()).toContain('Dear Zed New');
  });

  it('updates the open page within a second of saving the issue, without reloading it', async () => {
    await page.goto(server.url + '/issue/2026-11');
    await poll(() => frameText('desktop').innerText()).toContain('Joint committees');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const started = Date.now();
    edit(issueFile(), (s) =>
      s.replace('## Joint committees to take on delegated commissioning', '## Joint committees get delegated commissioning powers'),
    );
    await poll(() => frameText('desktop').innerText()).toContain('Joint committees get delegated commissioning powers');
    const elapsed = Date.now() - started;
    await poll(() => frameText('phone').innerText()).toContain('get delegated commissioning powers');
    expect(await page.locator('#text').innerText()).toContain('1. Joint committees get delegated commissioning powers');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(elapsed).toBeLessThan(1000);
  });

  it('shows broken front-matter with file:line and the fix, then recovers when fixed', async () => {
    await page.goto(server.url + '/issue/2026-11');
    await poll(() => page.locator('body').getAttribute('data-state')).toBe('ok');
    const good = readFileSync(issueFile(), 'utf8');
    const line = good.split('\n').findIndex((l) => l.startsWith('date:')) + 1;
    writeFileSync(issueFile(), good.replace('date: 2026-11-03', 'date: 3 November'));
    const problem = page.locator('#problem');
    await poll(() => problem.isVisible()).toBe(true);
    expect(await problem.innerText()).toContain(`2026-11.md:${line}: front-matter "date" must be YYYY-MM-DD`);
    // The index shows it too, and the server is still serving.
    const index = await (await fetch(server.url + '/')).text();
    expect(index).toContain(`2026-11.md:${line}: front-matter`);

    writeFileSync(issueFile(), good);
    await poll(() => problem.isHidden()).toBe(true);
    expect(await page.locator('body').getAttribute('data-state')).toBe('ok');
  });

  it('shows a broken template with its file:line on every issue, and recovers', async () => {
    await page.goto(server.url + '/issue/weekly-2026-47');
    await poll(() => page.locator('body').getAttribute('data-state')).toBe('ok');
    const footer = path.join(dir, 'templates/components/footer.mjml');
    const good = readFileSync(footer, 'utf8');
    writeFileSync(footer, good.replace('{{organisation}}', '{{#if organisation}}{{organisation}}'));
    const problem = page.locator('#problem');
    await poll(() => problem.isVisible()).toBe(true);
    expect(await problem.innerText()).toMatch(/templates\/components\/footer\.mjml(:\d+)?: template error/);
    writeFileSync(footer, good);
    await poll(() => problem.isHidden()).toBe(true);
    await poll(() => frameText('desktop').innerText()).toContain('Hartwell & Finch LLP');
  });

  it('re-renders only the issues a change affects', async () => {
    const versions = () => Object.fromEntries([...server.store.issues.values()].map((e) => [e.slug, e.version]));
    const before = versions();
    edit(path.join(dir, 'templates/partials/resource-centre.md'), (s) => s + '\nOne more line.\n');
    await poll(() => versions()['2026-11']).toBeGreaterThan(before['2026-11']);
    // The digest does not include the partial.
    expect(versions()['weekly-2026-47']).toBe(before['weekly-2026-47']);

    // Through a nested partial, and with the spaces the renderer forgives: `{{ > name }}`.
    await page.goto(server.url + '/issue/2026-11');
    edit(issueFile(), (s) => s.replace('{{> resource-centre}}', '{{ > resource-centre }}'));
    writeFileSync(path.join(dir, 'templates/partials/contact.md'), 'Call the health team.\n');
    edit(path.join(dir, 'templates/partials/resource-centre.md'), (s) => s + '\n{{> contact}}\n');
    await poll(() => frameText('desktop').innerText()).toContain('Call the health team.');
    const nested = versions();
    edit(path.join(dir, 'templates/partials/contact.md'), () => 'Call the health team on 0113 496 0000.\n');
    await poll(() => versions()['2026-11']).toBeGreaterThan(nested['2026-11']);
    expect(versions()['weekly-2026-47']).toBe(nested['weekly-2026-47']);

    const mid = versions();
    edit(path.join(dir, 'roundup.config.yaml'), (s) => s.replace('name: Hartwell & Finch Health Team', 'name: Hartwell & Finch Health'));
    await poll(() => versions()['weekly-2026-47']).toBeGreaterThan(mid['weekly-2026-47']);
    expect(versions()['2026-11']).toBeGreaterThan(mid['2026-11']);
  });

  it('keeps watching when the config is deleted and issues/ renamed away and back; picks up new issues', async () => {
    const version = (slug: string) => server.store.issues.get(slug)?.version ?? -1;
    const config = path.join(dir, 'roundup.config.yaml');
    const good = readFileSync(config, 'utf8');
    rmSync(config);
    await poll(() => server.store.globalProblem?.file ?? '').toMatch(/roundup\.config\.yaml$/);
    writeFileSync(config, good);
    await poll(() => server.store.globalProblem).toBeUndefined();
    // The recreated file is still watched (a watch on the file itself would have ended).
    const before = version('2026-11');
    edit(config, (s) => s.replace('name: Hartwell & Finch Health Team', 'name: Hartwell & Finch Health'));
    await poll(() => version('2026-11')).toBeGreaterThan(before);

    renameSync(path.join(dir, 'issues'), path.join(dir, 'issues.bak'));
    await poll(() => server.store.issues.size).toBe(0);
    renameSync(path.join(dir, 'issues.bak'), path.join(dir, 'issues'));
    await poll(() => server.store.issues.size).toBe(2);

    await page.goto(server.url + '/');
    await poll(() => page.locator('tbody tr').count()).toBe(2);
    // A file name that is not URL-safe still gets a working link.
    const added = path.join(dir, 'issues/Notes für März.md');
    writeFileSync(added, readFileSync(path.join(dir, 'issues/weekly-2026-47.md'), 'utf8'));
    await poll(() => page.locator('tbody tr').count()).toBe(3);
    expect(await page.locator('#count').innerText()).toBe('3 issue(s)');
    await page.click('tbody tr[data-slug="Notes für März"] a');
    await poll(() => frameText('desktop').innerText()).toContain('The Week in Health Law');
    rmSync(added);
    await poll(() => page.locator('#problem').innerText()).toContain('no longer in issues/');
    await page.goto(server.url + '/');
    await poll(() => page.locator('tbody tr').count()).toBe(2);
  });

  it('serves only its own routes: traversal and unknown paths get 404', async () => {
    const paths = [
      '/../roundup.config.yaml',
      '/issue/../roundup.config.yaml',
      '/issue/%2e%2e/roundup.config.yaml',
      '/issue/..%2froundup.config.yaml',
      '/issue/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/issue/2026-11/../../roundup.config.yaml',
      '/issue/2026-11/%2e%2e/%2e%2e/issues/2026-11.md',
      '/issues/2026-11.md',
      '/templates/roundup.mjml',
      '/issue/..',
      '/issue/2026-11/email.mjml',
      '/%5c..%5croundup.config.yaml',
      // Double-encoded: a server that decodes twice would see "../".
      '/issue/%252e%252e%252froundup.config.yaml',
      '/issue/2026-11/%252e%252e%252f%252e%252e%252froundup.config.yaml',
      '/issue/%2e%2e%5c%2e%2e%5croundup.config.yaml',
    ];
    const status = (p: string) => raw(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    for (const p of paths) expect([p, await status(p)]).toEqual([p, 404]);
    expect(await status('/issue/2026-11/email.html')).toBe(200);
  });

  it('answers other Host headers 403 (DNS rebinding) and survives malformed requests', async () => {
    expect(await raw('GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n')).toBe(403);
    expect(await raw(`GET / HTTP/1.1\r\nHost: LocalHost:${server.port}\r\n\r\n`)).toBe(200);
    for (const junk of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
      'GET /\u0000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      'GET /issue/2026-11/state.json?r=%zz&r=1e999 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    ]) {
      expect(await raw(junk)).toBeGreaterThanOrEqual(200);
    }
    expect(await raw('GET /issue/2026-11/email.html?r=-3&dark=%ff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(200);
    expect(await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toBe(200);
  });
});
