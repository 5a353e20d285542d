/**
 * The suppression policy on a real state database, on both engines (SQLite and PostgreSQL):
 * hard and complaint at once, soft after soft bounces in 3 sends in a row with no delivery in
 * between, each report counted once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { type BouncePolicy, bounceCounts, readerByLatestSend, readerByMessageId, recordBounce, softRun } from '../../src/state/bounces.js';
import { openStore, type StateChoice, type Store } from '../../src/state/index.js';
import { backends } from '../helpers/backends.js';

const POLICY: BouncePolicy = { hard: 'suppress', complaint: 'suppress', softLimit: 3 };

describe.each(backends())('bounce policy on $name', (backend) => {
  let where: StateChoice;
  let db: Store;
  beforeEach(async () => {
    where = await backend.fresh();
    db = await openStore({ stateDir: '.roundup' }, where);
  });
  afterEach(async () => {
    await db.close();
    await backend.cleanup(where);
  });

  /** Send issue `n` to the reader (recorded as sent, one minute apart); returns the matched reader. */
  async function sent(n: number, email = 'reader@example.net') {
    const send = await db.ensureSend(`issue-${n}`, 'members', `Issue ${n}`);
    await db.syncRecipients(send, parseList(`email\n${email}\n`, 'l.csv').recipients, (r) => `<${n}.${r.key}@x>`);
    await db.sql.run("UPDATE recipients SET status = 'sent', sent_at = $1 WHERE send_id = $2", [
      new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
      send.id,
    ]);
    return { ...(await readerByMessageId(db, `<${n}.${email}@x>`))!, matchedBy: 'message-id' as const };
  }

  const event = (
    reader: Awaited<ReturnType<typeof sent>>,
    kind: 'hard' | 'soft' | 'complaint' | 'delivered',
    key = `${kind}-${reader.sendId}`,
    reason = kind === 'soft' ? 'mailboxfull' : 'userunknown',
  ) =>
    recordBounce(
      db,
      {
        messageKey: key,
        reader,
        kind,
        reason,
        status: '',
        diagnostic: '',
        reputation: false,
      },
      POLICY,
    );

  it('suppresses a hard bounce and a complaint at once, and counts a report once', async () => {
    const r = await sent(1);
    expect(await event(r, 'hard')).toEqual({ recorded: true, suppressed: 'hard-bounce' });
    expect(await event(r, 'hard')).toEqual({ recorded: false, suppressed: null });
    expect((await db.getSuppression('reader@example.net'))?.reason).toBe('hard-bounce');
    const c = await sent(2, 'other@example.net');
    expect((await event(c, 'complaint')).suppressed).toBe('complaint');
    expect(await bounceCounts(db, r.sendId)).toMatchObject({ hard: 1, complaints: 0 });
  });

  it('suppresses after soft bounces in 3 sends in a row, not before', async () => {
    const [a, b, c] = [await sent(1), await sent(2), await sent(3)];
    expect((await event(a, 'soft')).suppressed).toBeNull();
    expect((await event(b, 'soft')).suppressed).toBeNull();
    // The same send bouncing twice is still one send.
    expect((await event(b, 'soft', 'another-report')).suppressed).toBeNull();
    expect(await softRun(db, 'reader@example.net')).toBe(2);
    expect((await event(c, 'soft')).suppressed).toBe('soft-bounce');
  });

  it('a send in between that did not bounce, or a delivery report, breaks the run', async () => {
    const a = await sent(1);
    await sent(2);
    const c = await sent(3);
    const d = await sent(4);
    await event(a, 'soft');
    await event(c, 'soft');
    expect((await event(d, 'soft')).suppressed).toBeNull();
    expect(await softRun(db, 'reader@example.net')).toBe(2);
    const e = await sent(5);
    await event(e, 'delivered');
    const f = await sent(6);
    expect((await event(f, 'soft')).suppressed).toBeNull();
    expect(await softRun(db, 'reader@example.net')).toBe(1);
  });

  it('delay notices do not count towards the soft-bounce limit', async () => {
    for (let n = 1; n <= 3; n++) expect((await event(await sent(n), 'soft', `delay-${n}`, 'delayed')).suppressed).toBeNull();
    expect(await softRun(db, 'reader@example.net')).toBe(0);
  });

  it('matches by the most recent send to an address', async () => {
    await sent(1);
    const latest = await sent(2);
    expect((await readerByLatestSend(db, 'Reader@Example.net'))?.sendId).toBe(latest.sendId);
    expect(await readerByLatestSend(db, 'nobody@example.net')).toBeNull();
  });
});
