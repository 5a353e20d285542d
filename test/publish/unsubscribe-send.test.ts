/**
 * The whole loop, with real parts: `roundup send` (outbox transport, no SMTP) delivers an
 * issue; the reader's mailbox provider POSTs the List-Unsubscribe URL from that message to
 * `roundup serve`; the next `roundup send` leaves the reader out.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxFileName } from '../../src/send/outbox.js';
import { startServe, type RunningServer } from '../../src/publish/serve.js';
import { makeProject, runCli } from '../helpers/project.js';

let dir: string;
let server: RunningServer;
// No SMTP server configured: send writes outbox/<slug>/<address>.eml.
const env = { SMTP_URL: '', ROUNDUP_SECRET: '' };

const outbox = (slug: string) => readdirSync(path.join(dir, 'outbox', slug)).filter((f) => f.endsWith('.eml'));

beforeAll(async () => {
  dir = makeProject({ withSampleIssues: true });
  // The state directory runCli gives the CLI: serve and send share the state.
  server = await startServe({ port: 0 }, { root: dir, stateDir: path.join(dir, '.roundup') });
});

afterAll(async () => {
  await server?.close();
});

describe('unsubscribe between two sends', () => {
  it('a reader who one-click unsubscribes from one issue gets no message from the next send', async () => {
    const reader = 'priya.shah@example.net';
    const first = runCli(['send', '2026-11', '--list', 'example', '--yes', '--rate', '0'], dir, env);
    expect(first.stderr).not.toMatch(/^roundup: /m);
    expect(first.code).toBe(0);
    const delivered = outbox('2026-11');
    expect(delivered).toContain(outboxFileName(reader));
    const total = delivered.length;

    // What the mailbox provider does with the message it received (RFC 8058): read the
    // (unfolded) headers, POST to the https URL of List-Unsubscribe.
    const eml = readFileSync(path.join(dir, 'outbox/2026-11', outboxFileName(reader)), 'utf8');
    const head = eml.slice(0, eml.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1];
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const https = /<(https:\/\/[^>]+)>/.exec(header('List-Unsubscribe') ?? '')?.[1];
    expect(https).toBeDefined();
    const link = new URL(https!);
    expect(link.origin).toBe('https://news.hartwellfinch.example');
    // Behind the reverse proxy that URL reaches the server; here we call it directly.
    const res = await fetch(`${server.url}${link.pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(res.status).toBe(200);

    const second = runCli(['send', 'weekly-2026-47', '--list', 'example', '--yes', '--rate', '0'], dir, env);
    expect(second.stderr).not.toMatch(/^roundup: /m);
    expect(second.code).toBe(0);
    const next = outbox('weekly-2026-47');
    expect(next).not.toContain(outboxFileName(reader));
    expect(next.length).toBe(total - 1);
    expect(existsSync(path.join(dir, 'outbox/weekly-2026-47', outboxFileName('sam.reader@example.net')))).toBe(true);
  });
});
