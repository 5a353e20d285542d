/**
 * One sender per (issue × list). The lock is a row, not a lock file or an open transaction,
 * so it survives kill -9 as data: the next sender finds it, sees that its pid is gone (or its
 * heartbeat stale) and takes over. Checks and takeover run inside BEGIN IMMEDIATE, so two
 * senders starting at once cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCodes, RoundupError } from '../errors.js';
import { nowIso, type StateDb } from './db.js';

/** A live sender refreshes its heartbeat this often… */
export const HEARTBEAT_MS = 5_000;
/** …so one silent this long is dead even if its pid was reused by another process. */
export const STALE_MS = 60_000;

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: number;
}

export interface SendLock {
  owner: string;
  /** Set when the previous holder died without releasing (worth telling the user). */
  tookOverFrom?: { pid: number; startedAt: string };
  release(): void;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else: still alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isLockLive(row: Pick<LockRow, 'pid' | 'host' | 'heartbeat_at'>, now = Date.now(), host = hostname()): boolean {
  if (now - row.heartbeat_at > STALE_MS) return false;
  // Another machine sharing the state directory: only the heartbeat can tell.
  if (row.host !== host) return true;
  return pidAlive(row.pid);
}

/** Take the lock or throw ESTATE naming the running sender. Starts the heartbeat. */
export function acquireSendLock(db: StateDb, sendId: number, label: string): SendLock {
  const owner = randomBytes(12).toString('hex');
  const host = hostname();
  let tookOverFrom: SendLock['tookOverFrom'];
  db.transaction(() => {
    const row = db.prepare('SELECT owner, pid, host, started_at, heartbeat_at FROM send_locks WHERE send_id = ?').get(sendId) as
      | LockRow
      | undefined;
    if (row && isLockLive(row, Date.now(), host)) {
      throw new RoundupError(
        ErrorCodes.STATE,
        `${label} is already being sent by process ${row.pid}${row.host !== host ? ` on ${row.host}` : ''} (started ${row.started_at}); ` +
          'wait for it to finish or stop it, then run this again',
      );
    }
    if (row) tookOverFrom = { pid: row.pid, startedAt: row.started_at };
    db.prepare(
      `INSERT INTO send_locks (send_id, owner, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (send_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(sendId, owner, process.pid, host, nowIso(), Date.now());
  }).immediate();

  const beat = db.prepare('UPDATE send_locks SET heartbeat_at = ? WHERE send_id = ? AND owner = ?');
  const timer = setInterval(() => {
    try {
      beat.run(Date.now(), sendId, owner);
    } catch {
      // A busy database for longer than busy_timeout: the next beat will do.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    owner,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      db.prepare('DELETE FROM send_locks WHERE send_id = ? AND owner = ?').run(sendId, owner);
    },
  };
}
