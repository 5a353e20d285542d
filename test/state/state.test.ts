import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { MIGRATIONS } from '../../src/state/schema.js';
import {
  SendLedger,
  acquireSendLock,
  countByStatus,
  ensureSend,
  getSuppression,
  isSuppressed,
  openState,
  recoverInterrupted,
  requeueFailed,
  suppress,
  syncRecipients,
  unsuppress,
  type StateDb,
} from '../../src/state/index.js';

const config = { stateDir: '.roundup' };
let dir: string;
/** The environment's state directory (ROUNDUP_STATE_DIR). */
let where: { stateDir: string };
let db: StateDb;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'roundup-state-'));
  where = { stateDir: dir };
  db = openState(config, where);
});
afterEach(() => {
  db.close();
});

const list = (text: string) => parseList(text, 'l.csv').recipients;
const mid = (r: { key: string }) => `<${r.key}>`;

describe('openState', () => {
  it('creates the database in ROUNDUP_STATE_DIR, in WAL mode, with the schema applied once', () => {
    expect(existsSync(path.join(dir, 'roundup.db'))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    // Re-opening an up-to-date database is a no-op (no "table exists" error).
    openState(config, where).close();
  });

  it('refuses a database from a newer roundup with a located error', () => {
    db.pragma('user_version = 99');
    expect(() => openState(config, where)).toThrow(/roundup\.db: made by a newer roundup|newer roundup/);
  });
});

describe('suppression', () => {
  it('is case-insensitive, idempotent, and reversible', () => {
    expect(suppress(db, 'Ann@Example.net', 'unsubscribe', 'list members')).toBe(true);
    expect(suppress(db, 'ann@example.NET', 'hard-bounce')).toBe(false);
    expect(isSuppressed(db, 'ANN@example.net')).toBe(true);
    expect(getSuppression(db, 'ann@example.net')).toMatchObject({ reason: 'unsubscribe', detail: 'list members' });
    expect(unsuppress(db, 'ann@example.net')).toBe(true);
    expect(isSuppressed(db, 'ann@example.net')).toBe(false);
  });
});

describe('sends and recipients', () => {
  it('syncs a list: queues new readers, updates queued ones, drops removed queued ones, keeps history', () => {
    const send = ensureSend(db, '2026-11', 'members', 'Subject');
    syncRecipients(db, send, list('email,name\na@example.net,A\nb@example.net,B\nc@example.net,C\n'), mid);
    const ledger = new SendLedger(db, send.id);
    // a is sent, b stays queued, c is suppressed later.
    const [a] = ledger.step([], ledger.nextPage(0, 1));
    ledger.step([{ id: a.id, kind: 'sent', response: '250 ok' }], []);
    suppress(db, 'c@example.net', 'unsubscribe');

    const r = syncRecipients(db, send, list('email,name\nA@example.net,Renamed\nc@example.net,C\nd@example.net,D\n'), mid);
    expect(r).toEqual({ added: 1, removed: 1, suppressed: 1 });
    const rows = db.prepare('SELECT email_key, name, status FROM recipients ORDER BY id').all();
    expect(rows).toEqual([
      { email_key: 'a@example.net', name: 'A', status: 'sent' }, // history is not rewritten
      { email_key: 'c@example.net', name: 'C', status: 'suppressed' },
      { email_key: 'd@example.net', name: 'D', status: 'queued' },
    ]);
  });

  it('commits "sending" before handing a row out, and recovers rows a dead sender left mid-send', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    syncRecipients(db, send, list('email\na@example.net\nb@example.net\nc@example.net\n'), mid);
    const ledger = new SendLedger(db, send.id);
    const claimed = ledger.step([], ledger.nextPage(0, 10));
    expect(claimed.map((r) => r.attempts)).toEqual([1, 1, 1]);
    // Visible to another connection: it is committed, not just in this process's memory.
    const other = openState(config, where);
    expect(countByStatus(other, send.id)).toMatchObject({ sending: 3, queued: 0 });
    ledger.step([{ id: claimed[0].id, kind: 'sent', response: '250' }], []);
    other.close();

    // The process "dies" here. The next run finds two rows mid-send.
    expect(recoverInterrupted(db, send.id)).toBe(2);
    const c = countByStatus(db, send.id);
    expect(c).toMatchObject({ sent: 1, queued: 2, sending: 0, possibleDuplicates: 2 });
    // The same Message-ID is kept for the re-send.
    const again = ledger.step([], ledger.nextPage(0, 10));
    expect(again.map((r) => [r.messageId, r.attempts])).toEqual([
      ['<b@example.net>', 2],
      ['<c@example.net>', 2],
    ]);
  });

  it('does not claim a row whose reader was suppressed after the page was read', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    syncRecipients(db, send, list('email\na@example.net\nb@example.net\n'), mid);
    const ledger = new SendLedger(db, send.id);
    const page = ledger.nextPage(0, 10);
    suppress(db, 'b@example.net', 'unsubscribe');
    expect(ledger.step([], page).map((r) => r.email)).toEqual(['a@example.net']);
    expect(countByStatus(db, send.id)).toMatchObject({ sending: 1, suppressed: 1 });
  });

  it('records failures, suppresses hard bounces, and --retry-failed requeues only unsuppressed ones', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    syncRecipients(db, send, list('email\na@example.net\nb@example.net\n'), mid);
    const ledger = new SendLedger(db, send.id);
    const [a, b] = ledger.step([], ledger.nextPage(0, 10));
    ledger.step(
      [
        { id: a.id, kind: 'failed', response: '552 5.3.4 too big' },
        { id: b.id, kind: 'failed', response: '550 5.1.1 no such user', suppress: { email: b.email, reason: 'hard-bounce' } },
      ],
      [],
    );
    expect(getSuppression(db, 'b@example.net')).toMatchObject({ reason: 'hard-bounce', detail: '550 5.1.1 no such user' });
    expect(requeueFailed(db, send.id)).toBe(1); // b is suppressed instead
    expect(countByStatus(db, send.id)).toMatchObject({ queued: 1, suppressed: 1, failed: 0 });
    expect(db.prepare("SELECT attempts FROM recipients WHERE status = 'queued'").get()).toEqual({ attempts: 0 });
  });

  it('never re-sends to a reader taken off the list: not after a crash, not with --retry-failed', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    syncRecipients(db, send, list('email\na@example.net\nb@example.net\nc@example.net\nd@example.net\n'), mid);
    const ledger = new SendLedger(db, send.id);
    const [a, b, c, d] = ledger.step([], ledger.nextPage(0, 10));
    ledger.step(
      [
        { id: a.id, kind: 'failed', response: '552 too big' },
        { id: b.id, kind: 'failed', response: '552 too big' },
      ],
      [],
    );
    // The sender dies with c and d mid-send; meanwhile b and d are taken off the list.
    expect([c.email, d.email]).toEqual(['c@example.net', 'd@example.net']);
    syncRecipients(db, send, list('email\na@example.net\nc@example.net\n'), mid);
    expect(recoverInterrupted(db, send.id)).toBe(1);
    expect(requeueFailed(db, send.id)).toBe(1);
    const rows = db.prepare('SELECT email, status FROM recipients ORDER BY id').all();
    expect(rows).toEqual([
      { email: 'a@example.net', status: 'queued' },
      { email: 'b@example.net', status: 'failed' }, // history kept, never retried
      { email: 'c@example.net', status: 'queued' },
    ]);
  });
});

describe('send lock', () => {
  it('refuses a second sender while the first holds the lock, and frees it on release', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    const lock = acquireSendLock(db, send.id, 'i to list l');
    const other = openState(config, where);
    expect(() => acquireSendLock(other, send.id, 'i to list l')).toThrow(/i to list l is already being sent by process \d+/);
    lock.release();
    acquireSendLock(other, send.id, 'i to list l').release();
    other.close();
  });

  it('takes over a lock whose process died without releasing it (kill -9)', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    // A real process that has exited: its pid is no longer alive.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    db.prepare("INSERT INTO send_locks (send_id, owner, pid, host, started_at, heartbeat_at) VALUES (?, 'x', ?, ?, 'then', ?)").run(
      send.id,
      pid,
      hostname(),
      Date.now(),
    );
    const lock = acquireSendLock(db, send.id, 'i to list l');
    expect(lock.tookOverFrom).toEqual({ pid, startedAt: 'then' });
    lock.release();
  });

  it('takes over a lock whose heartbeat is stale even if the pid is alive (pid reuse)', () => {
    const send = ensureSend(db, 'i', 'l', 's');
    db.prepare(
      "INSERT INTO send_locks (send_id, owner, pid, host, started_at, heartbeat_at) VALUES (?, 'x', ?, 'elsewhere', 'then', ?)",
    ).run(send.id, process.pid, Date.now() - 10 * 60_000);
    expect(acquireSendLock(db, send.id, 'l').tookOverFrom?.pid).toBe(process.pid);
  });
});
