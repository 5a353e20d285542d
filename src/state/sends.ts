/**
 * Sends (issue × list) and their recipient rows: the durable half of the send orchestrator.
 *
 * Status moves forward only through these functions:
 *   queued → sending (committed before the message goes to SMTP; attempts + 1)
 *   sending → sent | failed | queued (transient failure, to be retried)
 *   queued → suppressed (unsubscribed or bounced, at sync or at claim time)
 * A row found 'sending' when a send starts belonged to a sender that died: its message may
 * or may not have been accepted, so it is queued again and counted as a possible duplicate.
 */
import { emailKey } from '../lists/email.js';
import type { Recipient } from '../lists/parse.js';
import { nowIso, type StateDb } from './db.js';

export const STATUSES = ['queued', 'sending', 'sent', 'failed', 'suppressed'] as const;
export type RecipientStatus = (typeof STATUSES)[number];

export interface SendRow {
  id: number;
  issue: string;
  list: string;
  subject: string | null;
  listGen: number;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

const SEND_COLS = `id, issue, list, subject, list_gen AS listGen, created_at AS createdAt, updated_at AS updatedAt, finished_at AS finishedAt`;

export function findSend(db: StateDb, issue: string, list: string): SendRow | null {
  return (db.prepare(`SELECT ${SEND_COLS} FROM sends WHERE issue = ? AND list = ?`).get(issue, list) as SendRow | undefined) ?? null;
}

export function sendsForIssue(db: StateDb, issue: string): SendRow[] {
  return db.prepare(`SELECT ${SEND_COLS} FROM sends WHERE issue = ? ORDER BY list`).all(issue) as SendRow[];
}

export function ensureSend(db: StateDb, issue: string, list: string, subject: string): SendRow {
  const now = nowIso();
  db.prepare(
    `INSERT INTO sends (issue, list, subject, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (issue, list) DO UPDATE SET subject = excluded.subject, updated_at = excluded.updated_at`,
  ).run(issue, list, subject, now, now);
  return findSend(db, issue, list)!;
}

export interface SyncResult {
  added: number;
  /** Queued rows whose reader is no longer in the list file (never sent, so simply dropped). */
  removed: number;
  /** Queued rows now on the suppression list. */
  suppressed: number;
}

/**
 * Bring a send's rows in line with the list file, in one transaction: new readers are queued;
 * readers still queued get their current fields; queued readers no longer in the file are
 * dropped. Rows already sending/sent/failed are history and are never touched here.
 */
export function syncRecipients(
  db: StateDb,
  send: SendRow,
  recipients: readonly Recipient[],
  messageIdFor: (r: Recipient) => string,
): SyncResult {
  return db
    .transaction((): SyncResult => {
      const gen = send.listGen + 1;
      const now = nowIso();
      const before = (db.prepare('SELECT count(*) AS n FROM recipients WHERE send_id = ?').get(send.id) as { n: number }).n;
      const upsert = db.prepare(
        `INSERT INTO recipients (send_id, email, email_key, name, fields, line, list_gen, message_id, queued_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (send_id, email_key) DO UPDATE SET
           list_gen = excluded.list_gen,
           line = excluded.line,
           email = CASE WHEN status = 'queued' THEN excluded.email ELSE email END,
           name = CASE WHEN status = 'queued' THEN excluded.name ELSE name END,
           fields = CASE WHEN status = 'queued' THEN excluded.fields ELSE fields END`,
      );
      for (const r of recipients) {
        upsert.run(send.id, r.email, r.key, r.name, JSON.stringify(r.fields), r.line, gen, messageIdFor(r), now, now);
      }
      const added = (db.prepare('SELECT count(*) AS n FROM recipients WHERE send_id = ?').get(send.id) as { n: number }).n - before;
      const removed = db
        .prepare(`DELETE FROM recipients WHERE send_id = ? AND status = 'queued' AND list_gen <> ?`)
        .run(send.id, gen).changes;
      const suppressed = suppressQueued(db, send.id);
      db.prepare('UPDATE sends SET list_gen = ?, updated_at = ?, finished_at = NULL WHERE id = ?').run(gen, now, send.id);
      send.listGen = gen;
      return { added, removed, suppressed };
    })
    .immediate();
}

/** Queued rows whose address is on the suppression list become 'suppressed'. */
export function suppressQueued(db: StateDb, sendId: number): number {
  return db
    .prepare(
      `UPDATE recipients SET status = 'suppressed', updated_at = ?
       WHERE send_id = ? AND status = 'queued' AND email_key IN (SELECT email_key FROM suppressions)`,
    )
    .run(nowIso(), sendId).changes;
}

/** The list generation of the last sync: rows with another generation are no longer in the list file. */
const CURRENT_GEN = '(SELECT list_gen FROM sends WHERE id = recipients.send_id)';

/**
 * Rows a dead sender left 'sending' go back to the queue, flagged as possible duplicates.
 * Call after syncRecipients: a reader removed from the list file meanwhile is dropped, like
 * any queued reader no longer in the file (whoever took them off the list meant it), and one
 * suppressed meanwhile becomes 'suppressed'. Returns how many will be re-sent.
 */
export function recoverInterrupted(db: StateDb, sendId: number): number {
  return db.transaction(() => {
    db.prepare(`DELETE FROM recipients WHERE send_id = ? AND status = 'sending' AND list_gen <> ${CURRENT_GEN}`).run(sendId);
    const n = db
      .prepare(
        `UPDATE recipients SET status = 'queued', possible_duplicates = possible_duplicates + 1, updated_at = ?
         WHERE send_id = ? AND status = 'sending'`,
      )
      .run(nowIso(), sendId).changes;
    return Math.max(0, n - suppressQueued(db, sendId));
  })();
}

/**
 * `--retry-failed`: failed rows get a fresh set of attempts, only for readers still in the
 * list file (call after syncRecipients) and not suppressed. Returns how many were requeued.
 */
export function requeueFailed(db: StateDb, sendId: number): number {
  return db.transaction(() => {
    const n = db
      .prepare(
        `UPDATE recipients SET status = 'queued', attempts = 0, updated_at = ?
         WHERE send_id = ? AND status = 'failed' AND list_gen = ${CURRENT_GEN}`,
      )
      .run(nowIso(), sendId).changes;
    return Math.max(0, n - suppressQueued(db, sendId));
  })();
}

export type StatusCounts = Record<RecipientStatus, number> & { total: number; possibleDuplicates: number };

export function countByStatus(db: StateDb, sendId: number): StatusCounts {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as StatusCounts;
  counts.total = 0;
  for (const row of db.prepare('SELECT status, count(*) AS n FROM recipients WHERE send_id = ? GROUP BY status').all(sendId) as {
    status: RecipientStatus;
    n: number;
  }[]) {
    counts[row.status] = row.n;
    counts.total += row.n;
  }
  counts.possibleDuplicates = (
    db.prepare('SELECT coalesce(sum(possible_duplicates), 0) AS n FROM recipients WHERE send_id = ?').get(sendId) as { n: number }
  ).n;
  return counts;
}

export interface FailureRow {
  email: string;
  line: number | null;
  attempts: number;
  lastResponse: string | null;
  failedAt: string | null;
}

export function listFailures(db: StateDb, sendId: number, limit = 1000): FailureRow[] {
  return db
    .prepare(
      `SELECT email, line, attempts, last_response AS lastResponse, failed_at AS failedAt
       FROM recipients WHERE send_id = ? AND status = 'failed' ORDER BY id LIMIT ?`,
    )
    .all(sendId, limit) as FailureRow[];
}

export function markFinished(db: StateDb, sendId: number): void {
  db.prepare('UPDATE sends SET finished_at = ?, updated_at = ? WHERE id = ?').run(nowIso(), nowIso(), sendId);
}

/** A row as the sender needs it: everything to compose and address one message. */
export interface QueueRow {
  id: number;
  email: string;
  emailKey: string;
  name: string;
  /** JSON of the list row; parsed only when the message is composed. */
  fields: string;
  messageId: string;
  attempts: number;
  possibleDuplicates: number;
}

const QUEUE_COLS = `id, email, email_key AS emailKey, name, fields, message_id AS messageId, attempts, possible_duplicates AS possibleDuplicates`;

export type Outcome =
  | { id: number; kind: 'sent'; response: string }
  /** Transient failure with attempts left: back to the queue. */
  | { id: number; kind: 'retry'; response: string }
  | { id: number; kind: 'failed'; response: string; suppress?: { email: string; reason: string } };

/**
 * Prepared statements for the hot loop. `step` records finished attempts and claims the next
 * rows in one transaction, so a busy send commits once per batch rather than twice per message,
 * yet a message is never handed to SMTP before its 'sending' row is committed.
 */
export class SendLedger {
  private readonly page;
  private readonly one;
  private readonly claimStmt;
  private readonly suppressedStmt;
  private readonly markSuppressed;
  private readonly sent;
  private readonly retry;
  private readonly failed;
  private readonly addSuppression;
  readonly step: (outcomes: readonly Outcome[], claims: readonly QueueRow[]) => QueueRow[];

  constructor(
    private readonly db: StateDb,
    readonly sendId: number,
  ) {
    this.page = db.prepare(`SELECT ${QUEUE_COLS} FROM recipients WHERE send_id = ? AND status = 'queued' AND id > ? ORDER BY id LIMIT ?`);
    this.one = db.prepare(`SELECT ${QUEUE_COLS} FROM recipients WHERE id = ? AND status = 'queued'`);
    this.claimStmt = db.prepare(
      `UPDATE recipients SET status = 'sending', attempts = attempts + 1, sending_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'`,
    );
    this.suppressedStmt = db.prepare('SELECT 1 FROM suppressions WHERE email_key = ?');
    this.markSuppressed = db.prepare(`UPDATE recipients SET status = 'suppressed', updated_at = ? WHERE id = ? AND status = 'queued'`);
    this.sent = db.prepare(
      `UPDATE recipients SET status = 'sent', last_response = ?, sent_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'`,
    );
    this.retry = db.prepare(
      `UPDATE recipients SET status = 'queued', last_response = ?, updated_at = ? WHERE id = ? AND status = 'sending'`,
    );
    this.failed = db.prepare(
      `UPDATE recipients SET status = 'failed', last_response = ?, failed_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'`,
    );
    this.addSuppression = db.prepare(
      'INSERT OR IGNORE INTO suppressions (email_key, email, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.step = db.transaction((outcomes: readonly Outcome[], claims: readonly QueueRow[]): QueueRow[] => {
      const now = nowIso();
      for (const o of outcomes) {
        if (o.kind === 'sent') this.sent.run(o.response, now, now, o.id);
        else if (o.kind === 'retry') this.retry.run(o.response, now, o.id);
        else {
          this.failed.run(o.response, now, now, o.id);
          if (o.suppress) this.addSuppression.run(emailKey(o.suppress.email), o.suppress.email, o.suppress.reason, o.response, now);
        }
      }
      const claimed: QueueRow[] = [];
      for (const row of claims) {
        // Checked at claim time too: a reader may unsubscribe (roundup serve) mid-send.
        if (this.suppressedStmt.get(row.emailKey)) {
          this.markSuppressed.run(now, row.id);
          continue;
        }
        if (this.claimStmt.run(now, now, row.id).changes === 1) claimed.push({ ...row, attempts: row.attempts + 1 });
      }
      return claimed;
    });
  }

  /** Next page of queued rows after `afterId`, in id order (the list's order). */
  nextPage(afterId: number, limit: number): QueueRow[] {
    return this.page.all(this.sendId, afterId, limit) as QueueRow[];
  }

  /** Re-read a queued row (a retry), or null if it is no longer queued. */
  get(id: number): QueueRow | null {
    return (this.one.get(id) as QueueRow | undefined) ?? null;
  }

  counts(): StatusCounts {
    return countByStatus(this.db, this.sendId);
  }
}

/**
 * Messages started per minute since `sinceMs`, across every send: seeds the hourly/daily caps
 * so a restarted sender counts what the last run already sent.
 */
export function recentSendMinutes(db: StateDb, sinceMs: number): [number, number][] {
  const rows = db
    .prepare(
      `SELECT substr(sending_at, 1, 16) AS minute, count(*) AS n FROM recipients
       WHERE sending_at >= ? GROUP BY minute`,
    )
    .all(new Date(sinceMs).toISOString()) as { minute: string; n: number }[];
  return rows.map((r) => [Date.parse(r.minute + ':00.000Z'), r.n]);
}
