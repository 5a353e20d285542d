/**
 * Delivery through a real SMTP server (in-process smtp-server), parsed with mailparser:
 * headers, both parts, personalisation, escaping, header injection, Message-ID stability.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RoundupError } from '../../src/errors.js';
import { personalise, renderIssueFile } from '../../src/render/index.js';
import { messageIdFor } from '../../src/send/message-id.js';
import { runSend } from '../../src/send/run.js';
import { openStore } from '../../src/state/index.js';
import { unsubscribeUrl } from '../../src/naming.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { signToken, verifyToken } from '../../src/unsubscribe/token.js';
import { captureIO, headerOf, makeSendProject, parse, startSmtp, type TestSmtp } from './helpers.js';

const CSV = [
  'email,name,organisation',
  'ann@example.net,Ann Lee,Northgate Trust',
  'script@example.net,<script>alert(1)</script>,"Fish & Chips <Ltd>"',
  '"eve@example.net","Eve\r\nBcc: victim@evil.example",Evil Corp',
  'zoe@example.net,Zoë Ångström,Café Ltd',
  'noname@example.net,,',
].join('\r\n');

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());
afterEach(() => {
  smtp.messages.length = 0;
});

async function send(p: { root: string; stateDir: string }, opts: Partial<Parameters<typeof runSend>[1]> = {}) {
  const c = captureIO();
  const summary = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true, ...opts }, c.io, p);
  return { summary, ...c };
}

describe('send over SMTP', () => {
  it('delivers one multipart/alternative message per reader with the right headers and personalisation', async () => {
    const p = makeSendProject({ csv: CSV });
    const { summary, out } = await send(p);
    expect(summary.stop).toBe('done');
    expect(summary.counts).toMatchObject({ sent: 5, failed: 0, queued: 0, sending: 0 });
    expect(out.join('\n')).toMatch(/readers: +5 to send, 0 already sent/);

    const config = loadConfig(p.root);
    const secret = loadSecret(config, p);
    const byTo = new Map(smtp.messages.map((m) => [m.to, m]));
    expect([...byTo.keys()].sort()).toEqual([
      'ann@example.net',
      'eve@example.net',
      'noname@example.net',
      'script@example.net',
      'zoe@example.net',
    ]);

    const ann = byTo.get('ann@example.net')!;
    expect(ann.from).toBe('roundup@hartwellfinch.example'); // envelope sender: bounces come back to us
    const m = await parse(ann);
    expect(m.from?.value).toEqual([{ name: 'Hartwell & Finch Health Team', address: 'roundup@hartwellfinch.example' }]);
    expect(m.replyTo?.value[0].address).toBe('health@hartwellfinch.example');
    expect(m.to && !Array.isArray(m.to) && m.to.value).toEqual([{ name: 'Ann Lee', address: 'ann@example.net' }]);
    expect(m.subject).toBe('Bulletin for Ann Lee');
    expect(m.messageId).toBe(messageIdFor('bulletin', 'readers', 'ann@example.net', 'roundup@hartwellfinch.example'));
    expect(m.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    // Neutral by default: never the CSV file name (test/send/reader-view.test.ts covers config lists).
    expect(headerOf(ann.raw, 'list-id')).toBe('"Hartwell & Finch LLP" <newsletter.hartwellfinch.example>');
    expect(headerOf(ann.raw, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    // List-Unsubscribe: an https one-click URL with a token for this reader and list, and a mailto.
    const lu = headerOf(ann.raw, 'list-unsubscribe');
    const [, https, mailto] = /^<(https:[^>]+)>,\s*<(mailto:[^>]+)>$/.exec(lu)!;
    expect(mailto).toBe('mailto:roundup@hartwellfinch.example?subject=unsubscribe');
    const token = https.split('/u/')[1];
    expect(verifyToken(token, secret)).toEqual({ email: 'ann@example.net', list: 'readers' });
    expect(https).toBe(unsubscribeUrl(config, token));

    // Both parts, personalised; the footer carries the same unsubscribe URL.
    expect(m.text).toContain('Hello Ann Lee of Northgate Trust.');
    expect(m.text).toContain('Café crème, naïve façade');
    expect(m.html).toContain('Hello Ann Lee of Northgate Trust.');
    expect(m.html).toContain(`href="${https}"`);

    // The QP-spliced body decodes to exactly what the render contract's personalise() returns.
    const issue = await renderIssueFile('issues/bulletin.md', { root: p.root, config });
    const expected = personalise(issue, {
      recipient: { email: 'ann@example.net', name: 'Ann Lee', organisation: 'Northgate Trust' },
      unsubscribeUrl: unsubscribeUrl(config, signToken({ email: 'ann@example.net', list: 'readers' }, secret)),
    });
    expect(m.html).toBe(expected.html);
    expect(m.text!.replace(/\r\n/g, '\n').trimEnd()).toBe(expected.text.trimEnd());

    // Every encoded line stays within RFC 5322's limit.
    expect(
      Math.max(
        ...ann.raw
          .toString('latin1')
          .split('\r\n')
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(998);
  });

  it('escapes a reader named <script> in the HTML part and neutralises CR/LF header injection', async () => {
    const p = makeSendProject({ csv: CSV });
    await send(p);
    const byTo = new Map(smtp.messages.map((m) => [m.to, m]));

    const s = await parse(byTo.get('script@example.net')!);
    expect(s.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt; of Fish &amp; Chips &lt;Ltd&gt;.');
    expect(s.html).not.toMatch(/<script>alert/);
    expect(s.text).toContain('Hello <script>alert(1)</script> of Fish & Chips <Ltd>.'); // plain text stays plain
    expect(s.subject).toBe('Bulletin for <script>alert(1)</script>');

    const eveRaw = byTo.get('eve@example.net')!;
    const e = await parse(eveRaw);
    // One To header, no Bcc header: the CR/LF became a space inside the display name.
    expect(e.headers.has('bcc')).toBe(false);
    expect(e.to && !Array.isArray(e.to) && e.to.value).toEqual([{ name: 'Eve Bcc: victim@evil.example', address: 'eve@example.net' }]);
    expect(e.subject).toBe('Bulletin for Eve Bcc: victim@evil.example');
    const head = eveRaw.raw.subarray(0, eveRaw.raw.indexOf('\r\n\r\n')).toString();
    expect(head).not.toMatch(/^Bcc:/im);
    // …and nobody but the reader was a recipient.
    expect(smtp.messages.filter((m) => m.raw === eveRaw.raw).map((m) => m.to)).toEqual(['eve@example.net']);
    expect(smtp.messages.some((m) => m.to.includes('evil'))).toBe(false);

    const z = await parse(byTo.get('zoe@example.net')!);
    expect(z.to && !Array.isArray(z.to) && z.to.value[0].name).toBe('Zoë Ångström');
    expect(z.subject).toBe('Bulletin for Zoë Ångström');

    const n = await parse(byTo.get('noname@example.net')!);
    expect(n.subject).toBe('Bulletin for you'); // fallback for an empty name
    expect(n.text).toContain('Hello reader of your organisation.');
  });

  it('gives each reader the same Message-ID on every run, even from fresh state', async () => {
    const p1 = makeSendProject({ csv: CSV });
    await send(p1);
    const first = new Map(smtp.messages.map((m) => [m.to, m.messageId]));
    smtp.messages.length = 0;
    const p2 = makeSendProject({ csv: CSV });
    await send(p2);
    const second = new Map(smtp.messages.map((m) => [m.to, m.messageId]));
    expect(second).toEqual(first);
    expect(new Set(first.values()).size).toBe(5);
    for (const id of first.values()) expect(id).toMatch(/^<[0-9a-f]{32}\.bulletin@hartwellfinch\.example>$/);
  });

  it('sends nothing on a re-run of a finished send, and says so', async () => {
    const p = makeSendProject({ csv: CSV });
    await send(p);
    smtp.messages.length = 0;
    const again = await send(p);
    expect(again.summary.stop).toBe('nothing-to-send');
    expect(again.out.join('\n')).toContain('nothing to send: all 5 readers on readers already have bulletin');
    expect(smtp.messages).toHaveLength(0);
  });

  it('never mails a suppressed address, and picks up readers added to the list later', async () => {
    const p = makeSendProject({ csv: CSV });
    const db = await openStore(loadConfig(p.root), p);
    await db.suppress('ZOE@example.net', 'unsubscribe');
    await db.close();
    const r = await send(p);
    expect(smtp.messages.map((m) => m.to)).not.toContain('zoe@example.net');
    expect(r.summary.counts).toMatchObject({ sent: 4, suppressed: 1 });

    smtp.messages.length = 0;
    writeFileSync(p.listFile, CSV + '\r\nnew@example.net,New Reader,\r\n');
    await send(p);
    expect(smtp.messages.map((m) => m.to)).toEqual(['new@example.net']);
  });

  it('--dry-run composes everything, delivers nothing and leaves the state unchanged', async () => {
    const p = makeSendProject({ csv: CSV });
    const r = await send(p, { dryRun: true });
    expect(r.summary.stop).toBe('dry-run');
    expect(r.summary.counts.queued).toBe(5);
    expect(r.out.join('\n')).toMatch(/dry run: composed 5 messages .*nothing sent, state unchanged/);
    expect(smtp.messages).toHaveLength(0);
    // A first dry run leaves no trace: no database, no secret (its state folder stays empty).
    expect(readdirSync(p.stateDir)).toEqual([]);
    const db = await openStore(loadConfig(p.root), p);
    expect(await db.findSend('bulletin', 'readers')).toBeNull();
    await db.close();

    // After a real send and one new reader, while another sender holds the lock: only the new
    // reader would go, and the dry run says a send is running rather than "resuming".
    await send(p);
    writeFileSync(p.listFile, CSV + '\r\nnew@example.net,New Reader,\r\n');
    smtp.messages.length = 0;
    const other = await openStore(loadConfig(p.root), p);
    const lock = await other.startWorker((await other.findSend('bulletin', 'readers'))!.id, 'bulletin to list readers');
    try {
      const again = await send(p, { dryRun: true });
      const text = again.out.join('\n');
      expect(text).toMatch(/readers: +1 to send, 5 already sent/);
      expect(text).toMatch(new RegExp(`note: +process ${process.pid} on \\S+ is sending this issue to this list right now`));
      expect(text).toMatch(/dry run: composed 1 message /);
      expect(text).not.toMatch(/resuming/);
    } finally {
      await lock.release();
      await other.close();
    }
    expect(smtp.messages).toHaveLength(0);
  });

  it('--test sends [TEST] copies to the given addresses only, without touching the list state', async () => {
    const p = makeSendProject({ csv: CSV });
    const r = await send(p, { test: 'ann@example.net, editor@firm.example' });
    expect(r.summary.counts.sent).toBe(2);
    expect(smtp.messages.map((m) => m.to).sort()).toEqual(['ann@example.net', 'editor@firm.example']);
    const ann = await parse(smtp.messages.find((m) => m.to === 'ann@example.net')!);
    expect(ann.subject).toBe('[TEST] Bulletin for Ann Lee'); // personalised as the list would
    const ed = await parse(smtp.messages.find((m) => m.to === 'editor@firm.example')!);
    expect(ed.subject).toBe('[TEST] Bulletin for Sam Reader'); // not on the list: the sample recipient
    const db = await openStore(loadConfig(p.root), p);
    expect(await db.findSend('bulletin', 'readers')).toBeNull();
    await db.close();
    // A real send afterwards still goes to everyone.
    smtp.messages.length = 0;
    await send(p);
    expect(smtp.messages).toHaveLength(5);
  });

  it('without SMTP configured, writes .eml files to outbox/<slug>/', async () => {
    const p = makeSendProject({ csv: CSV });
    const c = captureIO();
    const s = await runSend('bulletin', { list: 'readers', yes: true }, c.io, p);
    expect(s.transport).toMatch(/^outbox/);
    const dir = path.join(p.root, 'outbox/bulletin');
    expect(readdirSync(dir).sort()).toEqual([
      'ann@example.net.eml',
      'eve@example.net.eml',
      'noname@example.net.eml',
      'script@example.net.eml',
      'zoe@example.net.eml',
    ]);
    const m = await parse({ raw: readFileSync(path.join(dir, 'ann@example.net.eml')) } as never);
    expect(m.subject).toBe('Bulletin for Ann Lee');
    expect(existsSync(path.join(dir, 'ann@example.net.eml.tmp'))).toBe(false);
  });

  it('refuses to send without --yes when stdin is not a terminal, before sending anything', async () => {
    const p = makeSendProject({ csv: CSV });
    await expect(send(p, { yes: false })).rejects.toThrow(/add --yes/);
    expect(smtp.messages).toHaveLength(0);
    // A first dry run leaves no trace: no database, no secret (its state folder stays empty).
    expect(readdirSync(p.stateDir)).toEqual([]);
    const db = await openStore(loadConfig(p.root), p);
    expect(await db.findSend('bulletin', 'readers')).toBeNull(); // no state left behind
    await db.close();
  });

  it('refuses to send an issue that uses a field the list does not have', async () => {
    const p = makeSendProject({ csv: 'email,name\nann@example.net,Ann\n' });
    writeFileSync(
      path.join(p.root, 'issues/bulletin.md'),
      readFileSync(path.join(p.root, 'issues/bulletin.md'), 'utf8').replace(
        '{{recipient.organisation | "your organisation"}}',
        '{{recipient.department}}',
      ),
    );
    const err = await send(p).catch((e) => e);
    expect(err).toBeInstanceOf(RoundupError);
    expect(err.message).toMatch(/refusing to send: preflight found 1 error/);
    expect(err.message).toMatch(/recipient\.department/);
    expect(smtp.messages).toHaveLength(0);
  });
});
