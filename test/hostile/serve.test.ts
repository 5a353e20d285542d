/**
 * `roundup serve` under hostile requests: seeded random paths (dots, slashes, encodings, token
 * look-alikes, mutated real tokens), methods and bodies, sent as raw bytes. Every answer must be
 * one of the designed statuses, a redirect must stay on this host, a mutated token must never
 * unsubscribe anyone, and the server must keep answering.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServe, type RunningServer } from '../../src/publish/serve.js';
import { openStore } from '../../src/state/index.js';
import type { Store } from '../../src/state/store.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { signToken, signTokenV1 } from '../../src/unsubscribe/token.js';
import { makeProject, runCli } from '../helpers/project.js';
import { rng } from './fuzz.js';

let server: RunningServer;
let store: Store;
let secret: Buffer;

function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', () => resolve(out));
    s.setTimeout(5000, () => {
      s.destroy();
      resolve(out);
    });
  });
}

beforeAll(async () => {
  const dir = makeProject({ withSampleIssues: true });
  const where = { root: dir, stateDir: path.join(dir, '.roundup') };
  expect(runCli(['archive'], dir).code).toBe(0);
  const config = loadConfig(dir);
  secret = loadSecret(config, where);
  server = await startServe({ port: 0, archive: 'dist/archive' }, where);
  store = await openStore(config, where);
});

afterAll(async () => {
  await store?.close();
  await server?.close();
});

const PIECES = [
  '/',
  '//',
  '.',
  '..',
  '%2e',
  '%2E%2e',
  '%2f',
  '%5c',
  '\\',
  '%00',
  '%',
  '%zz',
  '2026-11',
  'u',
  'r',
  'feed.xml',
  'index.html',
  '?',
  '#',
  '@evil.example',
  'http:',
  '~',
  ';',
  '%C0%AE',
  '\u00e9',
  'A'.repeat(300),
];

describe('hostile requests to serve', () => {
  it('300 seeded requests: designed statuses only, redirects on this host, no unsubscribe from a mutated token', async () => {
    const r = rng(8058);
    const victim = 'victim.reader@example.net';
    const good = [signToken({ email: victim, list: 'example' }, secret), signTokenV1({ email: victim, list: 'example' }, secret)];
    const mutate = (t: string) => {
      const i = Math.floor(r() * t.length);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=';
      const c = alphabet[Math.floor(r() * alphabet.length)];
      return r() < 0.5 ? t.slice(0, i) + c + t.slice(i + 1) : t.slice(0, i);
    };
    const allowed = new Set([200, 301, 400, 404, 405, 410, 413]);
    const problems: string[] = [];
    for (let n = 0; n < 300; n++) {
      let p = '';
      const parts = 1 + Math.floor(r() * 5);
      for (let k = 0; k < parts; k++) p += PIECES[Math.floor(r() * PIECES.length)];
      if (r() < 0.35) {
        const t = mutate(good[Math.floor(r() * good.length)]);
        if (t === good[0] || t === good[1]) continue;
        p = `/${r() < 0.5 ? 'u' : 'r'}/${t}`;
      }
      if (!p.startsWith('/')) p = `/${p}`;
      const method = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'][Math.floor(r() * 5)];
      const body = method === 'POST' ? 'List-Unsubscribe=One-Click' : '';
      const reply = await raw(
        server.port,
        `${method} ${p.replace(/[\s]/g, '%20')} HTTP/1.1\r\nHost: news.example\r\nConnection: close\r\n` +
          `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      const location = /\r\nLocation: ([^\r]*)/i.exec(reply)?.[1];
      if (!allowed.has(status)) problems.push(`${method} ${p}: ${reply.slice(0, 60)}`);
      if (location !== undefined && !/^\/(?!\/)/.test(location)) problems.push(`${method} ${p}: redirect to ${location}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(await store.isSuppressed(victim)).toBe(false);
    // Still serving, and the real token still works.
    const ok = await raw(server.port, `GET /u/${good[0]} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1\.1 200/);
  });
});
