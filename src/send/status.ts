/** `roundup status`: where each send of an issue stands, from the state database alone. */
import { visible } from '../visible.js';
import { type BounceCounts, bounceCounts } from '../state/bounces.js';
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
  /** From `roundup bounces scan`: distinct readers per kind, and complaints per message sent. */
  bounces: BounceCounts & { complaintRate: number; complaintRateHigh: boolean };
}

/** Gmail's and Yahoo's bulk-sender limit: keep complaints under 0.3% of messages delivered. */
export const COMPLAINT_RATE_LIMIT = 0.003;

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
        bounces: withRate(bounceCounts(db, s.id), countByStatus(db, s.id).sent),
      };
    });
}

function withRate(b: BounceCounts, sent: number): SendStatus['bounces'] {
  const complaintRate = sent ? b.complaints / sent : 0;
  return { ...b, complaintRate, complaintRateHigh: complaintRate > COMPLAINT_RATE_LIMIT };
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
    out.push(`${visible(s.issue)} → ${visible(s.list)}: ${state}`);
    out.push(
      `  ${c.sent} sent, ${c.failed} failed, ${c.suppressed} suppressed, ${c.queued} queued, ${c.sending} sending` +
        ` (of ${c.total})${c.possibleDuplicates ? `; ${c.possibleDuplicates} possible duplicates re-sent after interruptions` : ''}`,
    );
    const b = s.bounces;
    if (b.hard + b.soft + b.complaints + b.unsubscribes > 0) {
      const rep = Object.entries(b.reputationReasons)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ');
      out.push(
        `  bounces: ${b.hard} hard, ${b.soft} soft${b.reputation ? ` (${b.reputation} about the sender's reputation or authentication: ${rep})` : ''}; ` +
          `${b.complaints} complaint${b.complaints === 1 ? '' : 's'} (${(b.complaintRate * 100).toFixed(2)}% of sent)` +
          `${b.unsubscribes ? `; ${b.unsubscribes} unsubscribed by mail` : ''}`,
      );
      if (b.complaintRateHigh) {
        out.push(
          `  warning: complaint rate ${(b.complaintRate * 100).toFixed(2)}% is above 0.3%: Gmail and Yahoo start filtering or rejecting bulk mail above it`,
        );
      }
      if (b.reputation)
        out.push(
          "  note: reputation bounces say more about the sender than the readers: check DKIM/SPF/DMARC and the sending IP's blocklist status",
        );
    }
    for (const f of s.failures.slice(0, limit)) {
      out.push(
        `  failed ${visible(f.email)}${f.line ? ` (list line ${f.line})` : ''} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${visible(f.lastResponse ?? '?')}`,
      );
    }
    if (s.failures.length > limit) out.push(`  … and ${s.failures.length - limit} more failures (--json lists them all)`);
  }
  return out;
}
