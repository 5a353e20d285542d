/**
 * `roundup serve` answered over real HTTP: the server listens on an ephemeral port and every
 * assertion about state reads the same SQLite file `send` reads, through src/state.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { load } from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { readList } from '../../src/lists/index.js';
import { signResubscribe } from '../../src/publish/resubscribe.js';
import { startServe, type RunningServer } from '../../src/publish/serve.js';
import { openStore, type Store } from '../../src/state/index.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { signToken, signTokenV1 } from '../../src/unsubscribe/token.js';
import { BIN, makeProject, runCli } from '../helpers/project.js';

let dir: string;
let server: RunningServer;
let db: Store;
let secret: Buffer;
let config: Config;

const tokenFor = (email: string, list = 'example') => signToken({ email, list }, secret);
const url = (p: string) => `${server.url}${p}`;
const oneClick = (token: string, init: RequestInit = {}) =>
  fetch(url(`/u/${token}`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
    redirect: 'manual',
    ...init,
  });

/** Send raw bytes, return the raw reply (fetch would normalise the path or the request). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => {
      s.destroy();
      resolve(out);
    });
  });
}

beforeAll(async () => {
  dir = makeProject({ withSampleIssues: true });
  // The state directory runCli gives the CLI.
  const where = { root: dir, stateDir: path.join(dir, '.roundup') };
  expect(runCli(['archive'], dir).code).toBe(0);
  config = loadConfig(dir);
  secret = loadSecret(config, where);
  server = await startServe({ port: 0, archive: 'dist/archive' }, where);
  // A second connection, as `send` would have: it sees what the server commits.
  db = await openStore(config, where);
});

afterAll(async () => {
  await db?.close();
  await server?.close();
});

describe('roundup serve: one-click unsubscribe', () => {
  it('GET /u/<token> shows a confirm page with a POST button and unsubscribes nobody', async () => {
    const email = 'priya.shah@example.net';
    const res = await fetch(url(`/u/${tokenFor(email)}`), { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const $ = load(await res.text());
    const form = $('form');
    expect(form.attr('method')).toBe('post');
    expect(form.find('input[name="List-Unsubscribe"]').attr('value')).toBe('One-Click');
    expect(form.find('button').text()).toBe('Unsubscribe');
    expect($('strong').text()).toBe(email);
    const head = await fetch(url(`/u/${tokenFor(email)}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await db.isSuppressed(email)).toBe(false);
  });

  it('POST with List-Unsubscribe=One-Click (RFC 8058) suppresses the reader: 200, no redirect', async () => {
    const email = 'tom.okafor@example.net';
    const res = await oneClick(tokenFor(email));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('You have been unsubscribed');
    expect(await db.isSuppressed(email)).toBe(true);
    expect(await db.getSuppression(email)).toMatchObject({ reason: 'unsubscribe', detail: 'list example' });
    // A repeat (providers retry) is answered the same way.
    expect((await oneClick(tokenFor(email))).status).toBe(200);
  });

  it('accepts the multipart/form-data body RFC 8058 recommends, and the confirm form post', async () => {
    const multi = 'helen.marsh@example.net';
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    const res = await fetch(url(`/u/${tokenFor(multi)}`), { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(await db.isSuppressed(multi)).toBe(true);

    // What a browser sends from the GET page's form: its hidden field, urlencoded.
    const viaPage = 'david.chen@example.net';
    const page = load(await (await fetch(url(`/u/${tokenFor(viaPage)}`))).text());
    const body = new URLSearchParams(
      page('form input')
        .map((_i, el) => [[page(el).attr('name')!, page(el).attr('value')!]])
        .get() as [string, string][],
    );
    const target = new URL(page('form').attr('action') ?? '', url(`/u/${tokenFor(viaPage)}`));
    expect((await fetch(target, { method: 'POST', body, redirect: 'manual' })).status).toBe(200);
    expect(await db.isSuppressed(viaPage)).toBe(true);
  });

  it('a POST without the one-click field changes nothing (400)', async () => {
    const email = 'aisha.begum@example.net';
    for (const body of ['', 'List-Unsubscribe=Yes', 'foo=bar']) {
      const res = await fetch(url(`/u/${tokenFor(email)}`), {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status).toBe(400);
    }
    expect(await db.isSuppressed(email)).toBe(false);
  });

  it('refuses forged, altered and truncated tokens with the same 400, whether or not the address is known', async () => {
    const known = 'james.wright@example.net';
    const good = signTokenV1({ email: known, list: 'example' }, secret); // a link sent before tokens were opaque
    const opaque = tokenFor(known);
    const [payload, mac] = good.split('.');
    const otherPayload = Buffer.from(`v1\nexample\nlucy.fernandes@example.net`).toString('base64url');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const bad = [
      signToken({ email: known, list: 'example' }, randomBytes(32)), // forged: wrong secret
      signToken({ email: 'nobody@nowhere.example', list: 'example' }, randomBytes(32)), // forged, unknown address
      `${otherPayload}.${mac}`, // payload swapped for another reader
      `${flip(payload, 3)}.${mac}`, // payload altered
      `${payload}.${flip(mac, 10)}`, // MAC altered
      good.slice(0, -6), // truncated (a mail client wrapped the link)
      good.slice(0, good.indexOf('.') + 1), // MAC missing
      payload, // no dot at all
      'not-a-token',
      flip(opaque, 20), // opaque token altered
      opaque.slice(0, -4), // opaque token truncated
      opaque + 'A', // opaque token lengthened
    ];
    const bodies = new Set<string>();
    for (const t of bad) {
      const get = await fetch(url(`/u/${t}`));
      expect(get.status, t).toBe(400);
      bodies.add(await get.text());
      const post = await oneClick(t);
      expect(post.status, t).toBe(400);
      bodies.add(await post.text());
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).not.toMatch(/james|lucy|nobody/i);
    expect(await db.isSuppressed(known)).toBe(false);
    expect(await db.isSuppressed('lucy.fernandes@example.net')).toBe(false);
  });

  it('limits request bodies (413) and keeps serving', async () => {
    const email = 'mark.oduya@example.net';
    const big = await oneClick(tokenFor(email), { body: `List-Unsubscribe=One-Click&pad=${'x'.repeat(5000)}` });
    expect(big.status).toBe(413);
    // Chunked, with no Content-Length to refuse up front: cut off while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        url(`/u/${tokenFor(email)}`),
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('List-Unsubscribe=One-Click&pad=');
      for (let i = 0; i < 10; i++) req.write('y'.repeat(1000));
      req.end();
    });
    expect(chunked).toBe(413);
    expect(await db.isSuppressed(email)).toBe(false);
    expect((await fetch(url(`/u/${tokenFor(email)}`))).status).toBe(200);
  });

  it('survives malformed requests and answers other methods with 405', async () => {
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('GET /u/x HTTP/1.1\r\nHost: a\r\nContent-Length: nope\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET /%E0%A4%A HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 404/);
    const put = await fetch(url(`/u/${tokenFor('x@example.net')}`), { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await fetch(url('/'))).status).toBe(200);
  });

  it('offers resubscribing on the confirmation page, through its own signed token', async () => {
    const email = 'ellen.walsh@example.net';
    const token = tokenFor(email);
    const done = await oneClick(token);
    const $ = load(await done.text());
    const action = $('form').attr('action')!;
    expect(action).toMatch(/^\.\.\/r\/[A-Za-z0-9_-]+$/);
    const resub = new URL(action, url(`/u/${token}`));
    // The unsubscribe token does not work as a resubscribe token, nor the other way round.
    expect((await fetch(url(`/r/${token}`), { method: 'POST' })).status).toBe(400);
    expect((await oneClick(resub.pathname.slice(3))).status).toBe(400);
    // GET only asks.
    expect((await fetch(resub)).status).toBe(200);
    expect(await db.isSuppressed(email)).toBe(true);
    const res = await fetch(resub, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Welcome back');
    expect(await db.isSuppressed(email)).toBe(false);
  });

  it('a resubscribe link undoes its own unsubscribe once, never a later one', async () => {
    const email = 'owen.price@example.net';
    const token = tokenFor(email);
    const resubOf = async (res: Response) => new URL(load(await res.text())('form').attr('action')!, url(`/u/${token}`));
    const first = await resubOf(await oneClick(token));
    expect((await fetch(first, { method: 'POST' })).status).toBe(200);
    expect(await db.isSuppressed(email)).toBe(false);
    // The reader unsubscribes again later; the old page's button must not undo that.
    await new Promise((r) => setTimeout(r, 5));
    const second = await resubOf(await oneClick(token));
    expect(second.pathname).not.toBe(first.pathname);
    const replay = await fetch(first, { method: 'POST' });
    expect(replay.status).toBe(410);
    expect(await replay.text()).toContain('expired');
    expect(await db.isSuppressed(email)).toBe(true);
    // The new page's button still works.
    expect((await fetch(second, { method: 'POST' })).status).toBe(200);
    expect(await db.isSuppressed(email)).toBe(false);
  });

  it('links sent before tokens were opaque still unsubscribe', async () => {
    const email = 'peter.quinn@example.net';
    const old = signTokenV1({ email, list: 'example' }, secret);
    expect(old).toContain('.');
    expect((await oneClick(old)).status).toBe(200);
    expect((await db.getSuppression(email))?.reason).toBe('unsubscribe');
  });

  it('never lifts a suppression that was not an unsubscribe (a hard bounce)', async () => {
    const email = 'rhys.evans@example.net';
    await db.suppress(email, 'hard-bounce', '550 no such user');
    const suppressedAt = (await db.getSuppression(email))!.createdAt;
    const res = await fetch(url(`/r/${signResubscribe({ email, list: 'example', suppressedAt }, secret)}`), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('could not resubscribe you here');
    expect((await db.getSuppression(email))?.reason).toBe('hard-bounce');
  });

  it('the next send skips the unsubscribed reader', async () => {
    // The state the send orchestrator reads: sync the list into a send, then claim rows.
    const email = 'nora.kim@example.net';
    expect((await oneClick(tokenFor(email))).status).toBe(200);
    const list = readList('example', dir);
    const send = await db.ensureSend('2026-11', 'example', 'subject');
    const sync = await db.syncRecipients(send, list.recipients, (r) => `<${r.key}@test>`);
    expect(sync.suppressed).toBeGreaterThanOrEqual(1);
    const worker = await db.startWorker(send.id, '2026-11 to example');
    const claimed = (await db.ledger(send.id, worker.id).step([], 1000)).map((r) => r.email);
    await worker.release();
    expect(claimed).toContain('sam.reader@example.net');
    expect(claimed).not.toContain(email);
  });
});

describe('roundup serve: archive site', () => {
  it('serves the archive, feeds with their types, and redirects a folder to its slash', async () => {
    const index = await fetch(url('/'));
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('newsletters');
    const page = await fetch(url('/2026-11/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(url('/feed.xml'))).headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect((await fetch(url('/atom.xml'))).headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const bare = await fetch(url('/2026-11'), { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/2026-11/');
    // Never protocol-relative (`//2026-11/` is another host to a browser), whatever the spelling.
    for (const p of ['/.//2026-11', '//2026-11', '/./2026-11', '///2026-11']) {
      const r = await raw(`GET ${p} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      expect(r, p).toMatch(/^HTTP\/1\.1 301/);
      expect(r, p).toMatch(/\r\nLocation: \/2026-11\/\r\n/i);
    }
    expect((await fetch(url('/u/'))).status).toBe(200);
    expect((await fetch(url('/nope/'))).status).toBe(404);
  });

  it('never serves a file outside the archive folder, or its dot-files', async () => {
    for (const p of [
      '/../roundup.config.yaml',
      '/%2e%2e/roundup.config.yaml',
      '/..%2froundup.config.yaml',
      '/2026-11/..%2f..%2f..%2froundup.config.yaml',
      '/.roundup-archive',
      '/..\\roundup.config.yaml',
      '/%00',
    ]) {
      const reply = await raw(`GET ${p} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      expect(reply, p).toMatch(/^HTTP\/1\.1 (400|404)/);
      expect(reply, p).not.toContain('organisation:');
    }
  });
});

describe('roundup serve (CLI)', () => {
  it('starts, records an unsubscribe through the same state file, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      cwd: dir,
      env: { ...process.env, ROUNDUP_STATE_DIR: path.join(dir, '.roundup'), NO_COLOR: '1' },
    });
    let stdout = '';
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d.toString();
        const m = /listening on (http:\/\/\S+?);/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stdout}`)));
    });
    const email = 'sam.reader@example.net';
    const res = await fetch(`${base}/u/${tokenFor(email)}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(await db.isSuppressed(email)).toBe(true);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/unsubscribed s\*\*\*@example\.net \(list example\)/);
    expect(stdout).not.toContain(email);
  });

  it('reports a bad port and a port in use as one line', () => {
    const bad = runCli(['serve', '--port', 'eighty'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('roundup: --port "eighty" is not a port number (0–65535)');
    const taken = runCli(['serve', '--port', String(server.port)], dir);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe(
      `roundup: port ${server.port} is already in use on 127.0.0.1: stop the other server or choose another with --port`,
    );
  });
});
