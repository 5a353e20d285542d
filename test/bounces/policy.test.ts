/**
 * The suppression policy on a real state database: hard and complaint at once, soft after
 * soft bounces in 3 sends in a row with no delivery in between, each report counted once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { type BouncePolicy, bounceCounts, readerByLatestSend, readerByMessageId, recordBounce, softRun } from '../../src/state/bounces.js';
import { ensureSend, getSuppression, openState, type StateDb, syncRecipients } from '../../src/state/index.js';

const POLICY: BouncePolicy = { hard: 'suppress', complaint: 'suppress', softLimit: 3 };
let db: StateDb;
beforeEach(() => {
  db = openState({ stateDir: '.roundup' }, { stateDir: mkdtempSync(path.join(tmpdir(), 'roundup-policy-')) });
});
afterEach(() => db.close());

/** Send issue `n` to the reader (recorded as sent, one minute apart); returns the matched reader. */
function sent(n: number, email = 'reader@example.net') {
  const send = ensureSend(db, `issue-${n}`, 'members', `Issue ${n}`);
  syncRecipients(db, send, parseList(`email\n${email}\n`, 'l.csv').recipients, (r) => `<${n}.${r.key}@x>`);
  db.prepare("UPDATE recipients SET status = 'sent', sent_at = ? WHERE send_id = ?").run(
    new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    send.id,
  );
  return { ...readerByMessageId(db, `<${n}.${email}@x>`)!, matchedBy: 'message-id' as const };
}

const event = (reader: ReturnType<typeof sent>, kind: 'hard' | 'soft' | 'complaint' | 'delivered', key = `${kind}-${reader.sendId}`) =>
  recordBounce(
    db,
    {
      messageKey: key,
      reader,
      kind,
      reason: kind === 'soft' ? 'mailboxfull' : 'userunknown',
      status: '',
      diagnostic: '',
      reputation: false,
    },
    POLICY,
  );

describe('bounce policy', () => {
  it('suppresses a hard bounce and a complaint at once, and counts a report once', () => {
    const r = sent(1);
    expect(event(r, 'hard')).toEqual({ recorded: true, suppressed: 'hard-bounce' });
    expect(event(r, 'hard')).toEqual({ recorded: false, suppressed: null });
    expect(getSuppression(db, 'reader@example.net')?.reason).toBe('hard-bounce');
    const c = sent(2, 'other@example.net');
    expect(event(c, 'complaint').suppressed).toBe('complaint');
    expect(bounceCounts(db, r.sendId)).toMatchObject({ hard: 1, complaints: 0 });
  });

  it('suppresses after soft bounces in 3 sends in a row, not before', () => {
    const [a, b, c] = [sent(1), sent(2), sent(3)];
    expect(event(a, 'soft').suppressed).toBeNull();
    expect(event(b, 'soft').suppressed).toBeNull();
    // The same send bouncing twice is still one send.
    expect(event(b, 'soft', 'another-report').suppressed).toBeNull();
    expect(softRun(db, 'reader@example.net')).toBe(2);
    expect(event(c, 'soft').suppressed).toBe('soft-bounce');
  });

  it('a send in between that did not bounce, or a delivery report, breaks the run', () => {
    const [a, , c, d] = [sent(1), sent(2), sent(3), sent(4)];
    event(a, 'soft');
    event(c, 'soft');
    expect(event(d, 'soft').suppressed).toBeNull();
    expect(softRun(db, 'reader@example.net')).toBe(2);
    const e = sent(5);
    event(e, 'delivered');
    const f = sent(6);
    expect(event(f, 'soft').suppressed).toBeNull();
    expect(softRun(db, 'reader@example.net')).toBe(1);
  });

  it('matches by the most recent send to an address', () => {
    sent(1);
    const latest = sent(2);
    expect(readerByLatestSend(db, 'Reader@Example.net')?.sendId).toBe(latest.sendId);
    expect(readerByLatestSend(db, 'nobody@example.net')).toBeNull();
  });
});
