/**
 * `bounces scan --imap` against a real Dovecot (test/helpers/dovecot.ts): reports are matched
 * and moved to the processed folder, never deleted; unmatched mail stays in the INBOX; a dry
 * run moves and records nothing; a wrong password is one line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBouncesScan } from '../../src/bounces/command.js';
import { loadConfig } from '../../src/config.js';
import { RoundupError } from '../../src/errors.js';
import { runSend } from '../../src/send/run.js';
import { openStore } from '../../src/state/index.js';
import { DOVECOT, type Dovecot, startDovecot } from '../helpers/dovecot.js';
import { commandExists, part } from '../helpers/parts.js';
import { captureIO, makeSendProject, startSmtp, type TestSmtp } from '../send/helpers.js';
import { dsnFor } from './reports.js';

const hasDovecot = part('Dovecot', commandExists(DOVECOT), 'apt-get install dovecot-imapd');

describe.skipIf(!hasDovecot)('bounces scan --imap (real Dovecot)', () => {
  let dovecot: Dovecot;
  let smtp: TestSmtp;
  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtp()]);
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), smtp?.close()]);
  });

  async function imap<T>(f: (c: ImapFlow) => Promise<T>): Promise<T> {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.pass },
      logger: false,
    });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.logout();
    }
  }
  const count = (mailbox: string) =>
    imap(async (c) => {
      const s = await c.status(mailbox, { messages: true });
      return s ? (s.messages ?? 0) : 0;
    });

  it('matches, records and moves reports; leaves the rest; deletes nothing', async () => {
    const p = makeSendProject({ csv: 'email,name,organisation\ngone@example.net,Gone,A\nstays@example.net,Stays,B\n' });
    const cfg = path.join(p.root, 'roundup.config.yaml');
    const doc = parseDocument(readFileSync(cfg, 'utf8'));
    doc.setIn(['bounces', 'address'], 'bounces@news.hartwellfinch.example');
    writeFileSync(cfg, doc.toString());
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, captureIO().io, p);
    const gone = smtp.messages.find((m) => m.to === 'gone@example.net')!;
    await imap(async (c) => {
      await c.append(
        'INBOX',
        dsnFor(gone, { status: '5.1.1', diagnostic: '550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown' }),
      );
      await c.append('INBOX', 'From: reader@example.org\r\nTo: bounces@news.hartwellfinch.example\r\nSubject: question\r\n\r\nHello?\r\n');
    });

    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), stdin: process.stdin };
    // Dry run: classified and matched, nothing recorded or moved.
    const dry = await runBouncesScan({ imap: dovecot.url('INBOX'), dryRun: true }, io, p);
    expect(dry.map((m) => m.kind).sort()).toEqual(['hard', 'unrelated']);
    expect(out.pop()).toMatch(/dry run: nothing recorded or moved/);
    expect(await count('INBOX')).toBe(2);
    // Opened read-only (EXAMINE, not SELECT): the messages are still new (\Recent) to the mail client that opens them next.
    expect(
      await imap(async (c) => {
        const st = await c.status('INBOX', { recent: true });
        return st ? st.recent : undefined;
      }),
    ).toBe(2);
    const config = loadConfig(p.root);
    let db = await openStore(config, p);
    expect(await db.getSuppression('gone@example.net')).toBeNull();
    await db.close();

    await runBouncesScan({ imap: dovecot.url('INBOX'), json: true }, io, p);
    const json = JSON.parse(out.pop()!) as { messages: { file: string; kind: string; matched: unknown }[] };
    expect(json.messages).toEqual([
      {
        file: 'INBOX/1',
        kind: 'hard',
        recipients: [{ address: 'gone@example.net', status: '5.1.1', kind: 'hard' }],
        matched: { issue: 'bulletin', list: 'readers', email: 'gone@example.net' },
      },
      { file: 'INBOX/2', kind: 'unrelated', recipients: [], matched: null },
    ]);
    expect(await count('INBOX')).toBe(1);
    expect(await count('roundup-processed')).toBe(1);
    db = await openStore(config, p);
    expect((await db.getSuppression('gone@example.net'))?.reason).toBe('hard-bounce');
    await db.close();

    // Again: only the unmatched message is seen, and it is still there.
    const again = await runBouncesScan({ imap: dovecot.url('INBOX') }, io, p);
    expect(again.map((m) => m.kind)).toEqual(['unrelated']);
    expect(out.pop()).toMatch(/unmatched|1 message/);
    expect((await count('INBOX')) + (await count('roundup-processed'))).toBe(2);
  });

  it('an empty mailbox is 0 messages, not an error', async () => {
    const p = makeSendProject({ csv: 'email\na@example.net\n' });
    await imap((c) => c.mailboxCreate('Empty'));
    const out: string[] = [];
    expect(await runBouncesScan({ imap: dovecot.url('Empty') }, { out: (s) => out.push(s), stdin: process.stdin }, p)).toEqual([]);
    expect(out.join('\n')).toBe('0 messages\n0 readers suppressed');
  });

  it('a wrong password is one line naming the server, without the password', async () => {
    const p = makeSendProject({ csv: 'email\na@example.net\n' });
    const url = dovecot.url('INBOX').replace(/:[^:@/]+@/, ':wrong-password@');
    const e = await runBouncesScan({ imap: url }, { out: () => {}, stdin: process.stdin }, p).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RoundupError);
    expect((e as RoundupError).format()).toMatch(/^cannot read imap:\/\/bounces@127\.0\.0\.1:\d+\/INBOX: login refused/);
    expect((e as RoundupError).format()).not.toContain('wrong-password');
  });
});
