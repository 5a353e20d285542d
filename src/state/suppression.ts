/**
 * The suppression list, shared by every list: unsubscribes and hard bounces. A suppressed
 * address is never mailed again by any send. This is the API `roundup serve` writes through.
 */
import { emailKey } from '../lists/email.js';
import { nowIso, type StateDb } from './db.js';

export type SuppressionReason = 'unsubscribe' | 'hard-bounce' | 'manual' | (string & {});

export interface Suppression {
  email: string;
  reason: SuppressionReason;
  detail: string | null;
  createdAt: string;
}

/** Add an address (idempotent: the first reason and date are kept). Returns true if newly added. */
export function suppress(db: StateDb, email: string, reason: SuppressionReason, detail?: string): boolean {
  const res = db
    .prepare('INSERT OR IGNORE INTO suppressions (email_key, email, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(emailKey(email), email.trim(), reason, detail ?? null, nowIso());
  return res.changes === 1;
}

export function isSuppressed(db: StateDb, email: string): boolean {
  return db.prepare('SELECT 1 FROM suppressions WHERE email_key = ?').get(emailKey(email)) !== undefined;
}

export function getSuppression(db: StateDb, email: string): Suppression | null {
  const row = db
    .prepare('SELECT email, reason, detail, created_at AS createdAt FROM suppressions WHERE email_key = ?')
    .get(emailKey(email)) as Suppression | undefined;
  return row ?? null;
}

/** Remove an address (a reader resubscribing). Returns true if it was suppressed. */
export function unsuppress(db: StateDb, email: string): boolean {
  return db.prepare('DELETE FROM suppressions WHERE email_key = ?').run(emailKey(email)).changes === 1;
}

export function countSuppressions(db: StateDb): number {
  return (db.prepare('SELECT count(*) AS n FROM suppressions').get() as { n: number }).n;
}
