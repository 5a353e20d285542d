/**
 * Sending while the list is still being read (`--yes`): the first message goes out while the
 * import is running, and every guarantee holds as with a list read first: nobody twice,
 * nobody skipped, a list unreadable half-way stops the send with its located error and loses
 * nothing, and the plan printed is the same.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RoundupError } from '../../src/errors.js';
import { runSend } from '../../src/send/run.js';
import { captureIO, copiesByReader, makeSendProject, readersCsv, startSmtp, type TestSmtp } from './helpers.js';

let smtp: TestSmtp;
let onFirst: (() => void) | undefined;
beforeAll(async () => {
  smtp = await startSmtp({
    onData: () => {
      const f = onFirst;
      onFirst = undefined;
      f?.();
      return 'accept';
    },
  });
});
afterAll(() => smtp.close());
afterEach(() => {
  smtp.messages.length = 0;
  onFirst = undefined;
});

/** Whether the send state says a list import is under way (read as another process would). */
function importing(stateDir: string): boolean {
  const db = new Database(path.join(stateDir, 'roundup.db'), { readonly: true });
  try {
    return (db.prepare('SELECT importing FROM sends').get() as { importing: string | null }).importing !== null;
  } finally {
    db.close();
  }
}

describe('sending while the list is read', () => {
  it('the first message goes out before the list is fully read; interrupted there, every message sent is recorded and the rest queued', async () => {
    // Long enough that reading it outlasts opening the first SMTP connection.
    const N = 20_000;
    const p = makeSendProject({ csv: readersCsv(N) });
    const stop = new AbortController();
    let importingAtFirst: boolean | undefined;
    onFirst = () => {
      importingAtFirst = importing(p.stateDir);
      stop.abort();
    };
    const c = captureIO({ signal: stop.signal });
    const first = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, c.io, p).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RoundupError);
    expect((first as RoundupError).message).toMatch(/^interrupted: \d+ readers still to send/);
    expect(importingAtFirst).toBe(true);
    // The plan is the one a list read first would have printed.
    expect(c.out.join('\n')).toMatch(new RegExp(`readers: +${N} to send, 0 already sent, 0 suppressed, 0 failed`));
    const sent = smtp.messages.length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(N);
    expect(new Set(smtp.messages.map((m) => m.to)).size).toBe(sent);
    // The import finished although sending stopped: everyone else is queued, nobody in limbo.
    const db = new Database(path.join(p.stateDir, 'roundup.db'), { readonly: true });
    const counts = Object.fromEntries(
      (db.prepare('SELECT status, count(*) AS n FROM recipients GROUP BY status').all() as { status: string; n: number }[]).map((r) => [
        r.status,
        r.n,
      ]),
    );
    db.close();
    expect(counts).toEqual({ sent, queued: N - sent });
    expect(importing(p.stateDir)).toBe(false);
  }, 60_000);

  it('a list that cannot be read to the end stops the send with its located error; fixed, the next run sends only the rest', async () => {
    const N = 2_500; // three import batches of 1,000
    const good = readersCsv(N);
    const lines = good.split('\n');
    // Line 2002 (reader 2001) is not UTF-8: found only after 2 batches have been queued.
    const bad = Buffer.concat([
      Buffer.from(lines.slice(0, 2001).join('\n') + '\n'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x40, 0x78, 0x2c, 0x2c, 0x0a]),
      Buffer.from(lines.slice(2001).join('\n')),
    ]);
    const p = makeSendProject({ csv: '' });
    writeFileSync(p.listFile, bad);
    const c = captureIO();
    const err = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, c.io, p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoundupError);
    const e = err as RoundupError;
    expect(e.format()).toMatch(/lists\/readers\.csv:2002: not UTF-8 text/);
    const sent = smtp.messages.length;
    if (sent > 0)
      expect(e.message).toMatch(
        new RegExp(`; ${sent} readers? (was|were) sent before this \\(recorded\\): fix the file and run the same command`),
      );
    else expect(e.message).not.toMatch(/sent before this/);

    writeFileSync(p.listFile, good);
    const again = captureIO();
    const second = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, again.io, p);
    expect(second.counts).toMatchObject({ sent: N, queued: 0, sending: 0, failed: 0 });
    const copies = copiesByReader(smtp.messages);
    expect(copies.size).toBe(N);
    expect([...copies.values()].every((ids) => ids.length === 1)).toBe(true);
  }, 120_000);
});
