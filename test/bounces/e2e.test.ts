/**
 * End to end, with real parts: send a list through a capture SMTP server with bounces.address
 * set; build a hard and a soft DSN and an ARF complaint from the captured messages; deliver
 * them to a Maildir; scan twice (and once more after a redelivery); the next issue skips the
 * hard-bounced and complaining readers, still reaches the soft-bounced one, and every report
 * is still on disk.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBouncesScan } from '../../src/bounces/command.js';
import { parseVerp } from '../../src/bounces/verp.js';
import { loadConfig } from '../../src/config.js';
import { runSend } from '../../src/send/run.js';
import { readStatus } from '../../src/send/status.js';
import { openStore } from '../../src/state/index.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { captureIO, headerOf, HERE, makeSendProject, startSmtp, type TestSmtp } from '../send/helpers.js';
import { arfFor, deliver, dsnFor, makeMaildir } from './reports.js';

const CSV = [
  'email,name,organisation',
  'hard@example.net,Hard,A',
  'soft@example.net,Soft,B',
  'angry@example.net,Angry,C',
  'fine@example.net,Fine,D',
].join('\n');
const BOUNCES = 'bounces@news.hartwellfinch.example';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

function setConfig(root: string, keyPath: string[], value: unknown) {
  const file = path.join(root, 'roundup.config.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  doc.setIn(keyPath, value);
  writeFileSync(file, doc.toString());
}

async function send(p: { root: string; stateDir: string }, slug: string) {
  const c = captureIO();
  return runSend(slug, { list: 'readers', smtp: smtp.url, yes: true }, c.io, p);
}

async function scan(p: { root: string; stateDir: string }, maildir: string) {
  const out: string[] = [];
  const messages = await runBouncesScan({ maildir, json: true }, { out: (s) => out.push(s), stdin: process.stdin }, p);
  return {
    messages,
    json: JSON.parse(out.join('')) as {
      messages: {
        file: string;
        kind: string;
        recipients: { address: string; status: string; kind: string }[];
        matched: { issue: string; list: string; email: string } | null;
      }[];
    },
  };
}

describe('bounces end to end (capture SMTP server → Maildir → scan → next send)', () => {
  it('suppresses hard-bounced and complaining readers once, keeps the soft one, deletes nothing', async () => {
    const p = makeSendProject({ csv: CSV });
    setConfig(p.root, ['bounces', 'address'], BOUNCES);
    cpSync(path.join(HERE, 'fixtures/issue.md'), path.join(p.root, 'issues/bulletin-2.md'));
    try {
      const first = await send(p, 'bulletin');
      expect(first.counts).toMatchObject({ sent: 4, failed: 0 });
      const config = loadConfig(p.root);
      const secret = loadSecret(config, p);
      const sent = new Map(smtp.messages.map((m) => [m.to, m]));
      smtp.messages.length = 0;

      // Each message carries its reader in the envelope sender and the mailto:, signed.
      for (const m of sent.values()) {
        expect(parseVerp(m.from, BOUNCES, secret)).toMatchObject({ kind: 'bounce' });
        const mailto = /<mailto:([^?>]+)/.exec(headerOf(m.raw, 'List-Unsubscribe'))![1];
        expect(parseVerp(mailto, BOUNCES, secret)).toMatchObject({ kind: 'unsubscribe' });
        expect(headerOf(m.raw, 'Feedback-ID')).toBe('bulletin:readers:roundup:hartwellfinch.example');
      }

      const maildir = makeMaildir(mkdtempSync(path.join(tmpdir(), 'roundup-maildir-')));
      const hard = dsnFor(sent.get('hard@example.net')!, {
        status: '5.1.1',
        diagnostic: '550 5.1.1 <hard@example.net>: Recipient address rejected: User unknown in virtual mailbox table',
      });
      const soft = dsnFor(sent.get('soft@example.net')!, { status: '5.2.2', diagnostic: '552 5.2.2 <soft@example.net>: Mailbox full' });
      const arf = arfFor(sent.get('angry@example.net')!);
      const reply =
        'From: someone@example.org\r\nTo: bounces@news.hartwellfinch.example\r\nSubject: hello\r\nMessage-ID: <human.1@example.org>\r\n\r\nIs this the right address?\r\n';
      for (const text of [hard, soft, arf, reply]) deliver(maildir, text);

      const one = await scan(p, maildir);
      const byEmail = new Map(one.json.messages.filter((m) => m.matched).map((m) => [m.matched!.email, m]));
      expect(byEmail.get('hard@example.net')).toMatchObject({ kind: 'hard', matched: { issue: 'bulletin', list: 'readers' } });
      expect(byEmail.get('hard@example.net')!.recipients).toEqual([{ address: 'hard@example.net', status: '5.1.1', kind: 'hard' }]);
      expect(byEmail.get('soft@example.net')).toMatchObject({ kind: 'soft' });
      expect(byEmail.get('angry@example.net')).toMatchObject({ kind: 'complaint' });
      // The human reply is reported unmatched, never guessed, and stays in new/.
      expect(one.json.messages.find((m) => m.kind === 'unrelated')).toMatchObject({ matched: null });
      expect(one.messages.find((m) => m.matched?.email === 'angry@example.net')?.matchedBy).toBe('message-id');
      expect(one.messages.find((m) => m.matched?.email === 'hard@example.net')?.matchedBy).toBe('verp');
      expect(readdirSync(path.join(maildir, 'new'))).toHaveLength(1);
      expect(readdirSync(path.join(maildir, 'cur'))).toHaveLength(3);

      // Second scan: nothing new. Then the same three reports delivered again: counted once.
      const two = await scan(p, maildir);
      expect(two.json.messages.map((m) => m.kind)).toEqual(['unrelated']);
      for (const text of [hard, soft, arf]) deliver(maildir, text);
      const three = await scan(p, maildir);
      expect(three.messages.filter((m) => m.matched).every((m) => m.recorded === false && m.suppressed.length === 0)).toBe(true);

      const db = await openStore(config, p);
      try {
        expect((await db.getSuppression('hard@example.net'))?.reason).toBe('hard-bounce');
        expect((await db.getSuppression('angry@example.net'))?.reason).toBe('complaint');
        expect(await db.getSuppression('soft@example.net')).toBeNull();
        expect((await db.sql.get<{ n: number }>('SELECT count(*) AS n FROM bounce_events'))?.n).toBe(3);
        const [status] = await readStatus(db, 'bulletin');
        expect(status.bounces).toMatchObject({ hard: 1, soft: 1, complaints: 1, complaintRate: 0.25, complaintRateHigh: true });
      } finally {
        await db.close();
      }

      // The next issue: hard and complaint skipped, the soft-bounced reader still mailed.
      const next = await send(p, 'bulletin-2');
      expect(next.counts).toMatchObject({ sent: 2, suppressed: 2 });
      expect(smtp.messages.map((m) => m.to).sort()).toEqual(['fine@example.net', 'soft@example.net']);

      // Nothing deleted: every report delivered is still in the Maildir.
      const files = [...readdirSync(path.join(maildir, 'new')), ...readdirSync(path.join(maildir, 'cur'))];
      expect(files).toHaveLength(7);
    } finally {
      smtp.messages.length = 0;
    }
  });
});
