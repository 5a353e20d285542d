/**
 * Misbehaving SMTP servers: every fault must end with each reader in a correct final state,
 * retried when the failure was transient, never mailed twice except with the same Message-ID.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RoundupError } from '../../src/errors.js';
import { runSend } from '../../src/send/run.js';
import { openStore } from '../../src/state/index.js';
import {
  captureIO,
  copiesByReader,
  makeSendProject,
  readersCsv,
  startSmtp,
  type SendProject,
  type SmtpHooks,
  type TestSmtp,
} from './helpers.js';

let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function sendTo(hooks: SmtpHooks, p: SendProject, concurrency = 2) {
  smtp ??= await startSmtp(hooks);
  const c = captureIO();
  const summary = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true, concurrency }, c.io, p);
  return { summary, ...c };
}

async function rows(p: SendProject) {
  const store = await openStore(loadConfig(p.root), p);
  const send = (await store.findSend('bulletin', 'readers'))!;
  const r = await store.sql.all<{ email: string; status: string; attempts: number; response: string }>(
    'SELECT email, status, attempts, last_response AS response FROM recipients WHERE send_id = $1 ORDER BY id',
    [send.id],
  );
  const supp = (e: string) => store.getSuppression(e);
  return { r, by: new Map(r.map((x) => [x.email, x])), supp, close: () => store.close() };
}

const onlyOnce = (s: TestSmtp) => [...copiesByReader(s.messages).values()].every((ids) => ids.length === 1);

describe('SMTP faults', () => {
  it('connection dropped mid-DATA: the reader is retried on a new connection and delivered once', async () => {
    const p = makeSendProject({ csv: readersCsv(6) });
    const { summary } = await sendTo({ dropMidData: (to, attempt) => to === 'reader3@example.net' && attempt === 1 }, p);
    expect(summary.counts).toMatchObject({ sent: 6, failed: 0 });
    expect(summary.thisRun?.retried).toBe(1);
    expect(smtp!.tries.get('reader3@example.net')).toBe(2);
    expect(onlyOnce(smtp!)).toBe(true);
    const s = await rows(p);
    expect(s.by.get('reader3@example.net')).toMatchObject({ status: 'sent', attempts: 2 });
    await s.close();
  });

  it('connection dropped after the message but before the reply: retried, never recorded as sent unseen', async () => {
    const p = makeSendProject({ csv: readersCsv(4) });
    const { summary } = await sendTo({ onData: (to, attempt) => (to === 'reader2@example.net' && attempt === 1 ? 'drop' : 'accept') }, p);
    expect(summary.counts).toMatchObject({ sent: 4, failed: 0 });
    const s = await rows(p);
    expect(s.by.get('reader2@example.net')).toMatchObject({ status: 'sent', attempts: 2 });
    await s.close();
    expect(smtp!.tries.get('reader2@example.net')).toBe(2);
  });

  it('421 at greeting: connections are retried with backoff until the server takes them', async () => {
    const p = makeSendProject({ csv: readersCsv(5) });
    const { summary } = await sendTo({ onConnect: (n) => (n <= 3 ? { code: 421, message: '4.7.0 Too busy, try later' } : undefined) }, p);
    expect(summary.counts).toMatchObject({ sent: 5, failed: 0 });
    expect(smtp!.connections).toBeGreaterThan(3);
    expect(smtp!.messages).toHaveLength(5);
    // Refused greetings cost no reader an attempt: nothing was sent on those connections.
    const s = await rows(p);
    expect(s.r.every((x) => x.attempts === 1)).toBe(true);
    await s.close();
  });

  it('451 on some messages: those are retried and delivered; the reply is recorded while pending', async () => {
    const p = makeSendProject({ csv: readersCsv(9) });
    const { summary } = await sendTo(
      {
        onData: (to, attempt) =>
          /reader[369]@/.test(to) && attempt === 1 ? { code: 451, message: '4.3.0 Temporary local problem' } : 'accept',
      },
      p,
    );
    expect(summary.counts).toMatchObject({ sent: 9, failed: 0 });
    expect(summary.thisRun?.retried).toBe(3);
    const s = await rows(p);
    for (const n of [3, 6, 9]) expect(s.by.get(`reader${n}@example.net`)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(s.by.get('reader1@example.net')).toMatchObject({ status: 'sent', attempts: 1, response: expect.stringMatching(/^250 /) });
    await s.close();
    expect(onlyOnce(smtp!)).toBe(true);
  });

  it('550 5.1.1 user unknown: failed at once, not retried, and suppressed as a hard bounce', async () => {
    const p = makeSendProject({ csv: readersCsv(4) });
    const { summary } = await sendTo(
      {
        onRcpt: (to) =>
          to === 'reader2@example.net'
            ? { code: 550, message: '5.1.1 <reader2@example.net>: Recipient address rejected: User unknown' }
            : undefined,
      },
      p,
    );
    expect(summary.counts).toMatchObject({ sent: 3, failed: 1 });
    expect(summary.thisRun?.bounced).toBe(1);
    const s = await rows(p);
    expect(s.by.get('reader2@example.net')).toMatchObject({ status: 'failed', attempts: 1, response: expect.stringContaining('5.1.1') });
    expect(await s.supp('reader2@example.net')).toMatchObject({ reason: 'hard-bounce' });
    await s.close();

    // Even --retry-failed does not mail a suppressed address again.
    smtp!.messages.length = 0;
    const again = await runSend('bulletin', { list: 'readers', smtp: smtp!.url, yes: true, retryFailed: true }, captureIO().io, p);
    expect(smtp!.messages).toHaveLength(0);
    expect(again.counts).toMatchObject({ sent: 3, suppressed: 1, failed: 0 });
  });

  it('552 message too large: failed permanently without retry and without suppression', async () => {
    const p = makeSendProject({ csv: readersCsv(3) });
    await sendTo(
      { onData: (to) => (to === 'reader1@example.net' ? { code: 552, message: '5.3.4 Message size exceeds fixed maximum' } : 'accept') },
      p,
    );
    const s = await rows(p);
    expect(s.by.get('reader1@example.net')).toMatchObject({ status: 'failed', attempts: 1, response: expect.stringContaining('552') });
    expect(await s.supp('reader1@example.net')).toBeNull();
    expect(s.r.filter((x) => x.status === 'sent')).toHaveLength(2);
    await s.close();
  });

  it('a reader that keeps failing transiently is failed after maxAttempts, and --retry-failed tries again', async () => {
    const p = makeSendProject({ csv: readersCsv(3), send: { maxAttempts: 3 } });
    let fixed = false;
    const { summary, out } = await sendTo(
      { onData: (to) => (to === 'reader2@example.net' && !fixed ? { code: 450, message: '4.2.1 Mailbox busy' } : 'accept') },
      p,
    );
    expect(summary.counts).toMatchObject({ sent: 2, failed: 1 });
    expect(smtp!.tries.get('reader2@example.net')).toBe(3);
    expect(out.join('\n')).toContain('failures: roundup status bulletin --list readers');
    const s = await rows(p);
    expect(s.by.get('reader2@example.net')).toMatchObject({
      status: 'failed',
      attempts: 3,
      response: expect.stringMatching(/450 4\.2\.1 .*gave up after 3 attempts/),
    });
    await s.close();

    fixed = true;
    const again = await runSend('bulletin', { list: 'readers', smtp: smtp!.url, yes: true, retryFailed: true }, captureIO().io, p);
    expect(again.counts).toMatchObject({ sent: 3, failed: 0 });
    expect(copiesByReader(smtp!.messages).get('reader2@example.net')).toHaveLength(1);
  });

  it('a slow server: sends overlap across connections, and a stalled DATA times out and is retried with the same Message-ID', async () => {
    const p = makeSendProject({ csv: readersCsv(8), send: { timeout: 600 } });
    let active = 0;
    let peak = 0;
    const { summary } = await sendTo(
      {
        onData: async (to, attempt) => {
          if (to === 'reader5@example.net' && attempt === 1) return { delay: 1_500 };
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 150));
          active--;
          return 'accept';
        },
      },
      p,
      4,
    );
    expect(summary.counts).toMatchObject({ sent: 8, failed: 0 });
    expect(summary.thisRun?.retried).toBe(1);
    // The server held several messages at once: the connections really work in parallel.
    expect(peak).toBeGreaterThanOrEqual(2);
    // The stalled copy may still have been accepted after we gave up: if so it is the same message.
    const ids = copiesByReader(smtp!.messages).get('reader5@example.net')!;
    expect(ids.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ids).size).toBe(1);
  });

  it('a reader unsubscribed while the send runs (as roundup serve records it) is not mailed', async () => {
    const p = makeSendProject({ csv: readersCsv(10) });
    const { summary } = await sendTo(
      {
        onData: (to) => {
          if (to === 'reader1@example.net') {
            // Another process's connection, as `roundup serve` would write it.
            // A separate connection writing the table `roundup serve` writes.
            const db = new Database(path.join(p.stateDir, 'roundup.db'));
            db.prepare(
              "INSERT INTO suppressions (email_key, email, reason, detail, created_at) VALUES ('reader8@example.net', 'Reader8@example.net', 'unsubscribe', 'list readers', 'now')",
            ).run();
            db.close();
          }
          return 'accept';
        },
      },
      p,
      1,
    );
    expect(smtp!.messages.map((m) => m.to)).not.toContain('reader8@example.net');
    expect(summary.counts).toMatchObject({ sent: 9, suppressed: 1, queued: 0 });
    const s = await rows(p);
    expect(s.by.get('reader8@example.net')).toMatchObject({ status: 'suppressed', attempts: 0 });
    await s.close();
  });

  it('auto-pauses after N consecutive failures with a non-zero exit; re-running resumes and finishes', async () => {
    const p = makeSendProject({ csv: readersCsv(12), send: { pauseAfterFailures: 4, maxAttempts: 10 } });
    let down = true;
    const err = await sendTo({ onData: () => (down ? { code: 451, message: '4.7.1 Service unavailable, try later' } : 'accept') }, p).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(RoundupError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(
      /^paused after 4 consecutive failures \(last: 451 4\.7\.1 Service unavailable, try later\); .*run the same command to resume/,
    );
    let s = await rows(p);
    expect(s.r.filter((x) => x.status === 'sending')).toHaveLength(0); // in-flight attempts were recorded
    expect(s.r.filter((x) => x.status === 'sent')).toHaveLength(0);
    expect(s.r.filter((x) => x.status === 'queued')).toHaveLength(12);
    await s.close();

    down = false;
    const again = await runSend('bulletin', { list: 'readers', smtp: smtp!.url, yes: true }, captureIO().io, p);
    expect(again.counts).toMatchObject({ sent: 12, queued: 0, failed: 0 });
    expect(onlyOnce(smtp!)).toBe(true);
    s = await rows(p);
    expect(s.r.every((x) => x.status === 'sent')).toBe(true);
    await s.close();
  });

  it('bad credentials stop the send at once (no reader touched) and the password is never printed', async () => {
    const p = makeSendProject({ csv: readersCsv(3) });
    smtp = await startSmtp({ auth: (u, pw) => u === 'bob' && pw === 'right-password' });
    const url = `smtp://bob:hunter2secret@127.0.0.1:${smtp.port}`;
    const c = captureIO();
    const err = await runSend('bulletin', { list: 'readers', smtp: url, yes: true }, c.io, p).catch((e) => e);
    expect(err).toBeInstanceOf(RoundupError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(
      /^cannot send through SMTP smtp:\/\/bob:\*\*\*\*@127\.0\.0\.1:\d+: 535 5\.7\.8 Authentication credentials invalid/,
    );
    const everything = [err.message, ...c.out, ...c.err].join('\n');
    expect(everything).not.toContain('hunter2secret');
    expect(c.out.join('\n')).toMatch(/transport: SMTP smtp:\/\/bob:\*\*\*\*@127\.0\.0\.1/);
    const s = await rows(p);
    expect(s.r.map((x) => [x.status, x.attempts])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['queued', 0],
    ]);
    await s.close();

    // With the right password the same command delivers.
    const ok = await runSend(
      'bulletin',
      { list: 'readers', smtp: url.replace('hunter2secret', 'right-password'), yes: true },
      captureIO().io,
      p,
    );
    expect(ok.counts.sent).toBe(3);
  });

  it('an unreachable server pauses the send instead of failing readers', async () => {
    const p = makeSendProject({ csv: readersCsv(3), send: { pauseAfterFailures: 3 } });
    // A port nobody listens on.
    const dead = await startSmtp();
    const url = dead.url;
    await dead.close();
    const err = await runSend('bulletin', { list: 'readers', smtp: url, yes: true }, captureIO().io, p).catch((e) => e);
    expect(err).toBeInstanceOf(RoundupError);
    expect(err.message).toMatch(/paused after 3 consecutive failures \(last: ECONNECTION|paused after 3 consecutive failures \(last: E/);
    const s = await rows(p);
    expect(s.r.map((x) => [x.status, x.attempts])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['queued', 0],
    ]);
    await s.close();
  });
});
