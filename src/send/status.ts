/** `roundup status`: where each send of an issue stands, from the state database alone. */
import { isLockLive } from '../state/lock.js';
import type { StateDb } from '../state/db.js';
import { countByStatus, listFailures, sendsForIssue, type FailureRow, type StatusCounts } from '../state/sends.js';

export interface SendStatus {
  issue: string;
  list: string;
  subject: string | null;
  counts: StatusCounts;
  running: { pid: number; startedAt: string } | null;
  finishedAt: string | null;
  failures: FailureRow[];
}

export function readStatus(db: StateDb, issue: string, list?: string): SendStatus[] {
  const lockStmt = db.prepare('SELECT pid, host, started_at AS startedAt, heartbeat_at FROM send_locks WHERE send_id = ?');
  return sendsForIssue(db, issue)
    .filter((s) => list === undefined || s.list === list)
    .map((s) => {
      const lock = lockStmt.get(s.id) as { pid: number; host: string; startedAt: string; heartbeat_at: number } | undefined;
      return {
        issue: s.issue,
        list: s.list,
        subject: s.subject,
        counts: countByStatus(db, s.id),
        running: lock && isLockLive(lock) ? { pid: lock.pid, startedAt: lock.startedAt } : null,
        finishedAt: s.finishedAt,
        failures: listFailures(db, s.id),
      };
    });
}

export function formatStatus(statuses: readonly SendStatus[], limit = 50): string[] {
  const out: string[] = [];
  for (const s of statuses) {
    const c = s.counts;
    const state = s.running
      ? `sending now (process ${s.running.pid}, since ${s.running.startedAt})`
      : c.queued + c.sending === 0 && c.total > 0
        ? `finished${s.finishedAt ? ` ${s.finishedAt}` : ''}`
        : c.sent + c.failed + c.sending === 0
          ? `not started: ${c.queued} queued`
          : 'stopped before the end: run the same send command to resume';
    out.push(`${s.issue} → ${s.list}: ${state}`);
    out.push(
      `  ${c.sent} sent, ${c.failed} failed, ${c.suppressed} suppressed, ${c.queued} queued, ${c.sending} sending` +
        ` (of ${c.total})${c.possibleDuplicates ? `; ${c.possibleDuplicates} possible duplicates re-sent after interruptions` : ''}`,
    );
    for (const f of s.failures.slice(0, limit)) {
      out.push(
        `  failed ${f.email}${f.line ? ` (list line ${f.line})` : ''} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.lastResponse ?? '?'}`,
      );
    }
    if (s.failures.length > limit) out.push(`  … and ${s.failures.length - limit} more failures (--json lists them all)`);
  }
  return out;
}
