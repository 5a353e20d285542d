/**
 * Bounce, complaint and unsubscribe events from `roundup bounces scan`, and the policy that
 * turns them into suppressions (config `bounces`):
 *   hard       suppress at once ('hard-bounce')
 *   complaint  suppress at once ('complaint')
 *   soft       suppress once the reader's last `softLimit` sends in a row all soft-bounced
 *              ('soft-bounce'); a send in between that did not bounce, or a delivery report,
 *              breaks the run
 *   unsubscribe  suppress ('unsubscribe', from the signed List-Unsubscribe mailto:)
 * Each event is keyed by (report, reader): processing the same report again changes nothing.
 * Written once for both engines (SQLite and PostgreSQL) through the store's SQL (see store.ts).
 */
import { emailKey } from '../lists/email.js';
import { nowIso, type Store } from './store.js';

export type EventKind = 'hard' | 'soft' | 'complaint' | 'auto-reply' | 'delivered' | 'unsubscribe';
export type MatchedBy = 'verp' | 'message-id' | 'recipient';

/** The send record a report was matched to. */
export interface MatchedReader {
  recipientId: number;
  sendId: number;
  issue: string;
  list: string;
  email: string;
  matchedBy: MatchedBy;
}

export interface BounceEvent {
  messageKey: string;
  reader: MatchedReader;
  kind: EventKind;
  reason: string;
  status: string;
  diagnostic: string;
  reputation: boolean;
}

export interface BouncePolicy {
  hard: 'suppress' | 'record';
  complaint: 'suppress' | 'record';
  softLimit: number;
}

const READER_COLS = `r.id AS "recipientId", s.id AS "sendId", s.issue, s.list, r.email`;

/** A send record by id (the VERP reference). */
export async function readerById(store: Store, recipientId: number): Promise<Omit<MatchedReader, 'matchedBy'> | null> {
  return (
    (await store.sql.get<Omit<MatchedReader, 'matchedBy'>>(
      `SELECT ${READER_COLS} FROM recipients r JOIN sends s ON s.id = r.send_id WHERE r.id = $1`,
      [recipientId],
    )) ?? null
  );
}

/** The send record whose message had this Message-ID (ids are unique per issue × list × reader). */
export async function readerByMessageId(store: Store, messageId: string): Promise<Omit<MatchedReader, 'matchedBy'> | null> {
  return (
    (await store.sql.get<Omit<MatchedReader, 'matchedBy'>>(
      `SELECT ${READER_COLS} FROM recipients r JOIN sends s ON s.id = r.send_id WHERE r.message_id = $1 ORDER BY r.id DESC LIMIT 1`,
      [messageId],
    )) ?? null
  );
}

/** The most recent send actually handed to a server for this address. */
export async function readerByLatestSend(store: Store, email: string): Promise<Omit<MatchedReader, 'matchedBy'> | null> {
  return (
    (await store.sql.get<Omit<MatchedReader, 'matchedBy'>>(
      `SELECT ${READER_COLS} FROM recipients r JOIN sends s ON s.id = r.send_id
       WHERE r.email_key = $1 AND r.sent_at IS NOT NULL ORDER BY r.sent_at DESC, r.id DESC LIMIT 1`,
      [emailKey(email)],
    )) ?? null
  );
}

export interface RecordResult {
  /** False when this report was already recorded for this reader. */
  recorded: boolean;
  /** The suppression reason applied now, if any. */
  suppressed: string | null;
}

/** Record one event and apply the policy, in one transaction. */
export function recordBounce(store: Store, e: BounceEvent, policy: BouncePolicy): Promise<RecordResult> {
  return store.transaction(async (t): Promise<RecordResult> => {
    const key = emailKey(e.reader.email);
    const n = await t.sql.run(
      `INSERT INTO bounce_events
         (message_key, send_id, recipient_id, email_key, email, kind, reason, status, diagnostic, reputation, matched_by, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (message_key, email_key) DO NOTHING`,
      [
        e.messageKey,
        e.reader.sendId,
        e.reader.recipientId,
        key,
        e.reader.email,
        e.kind,
        e.reason,
        e.status,
        e.diagnostic.slice(0, 1000),
        e.reputation ? 1 : 0,
        e.reader.matchedBy,
        nowIso(),
      ],
    );
    if (n === 0) return { recorded: false, suppressed: null };
    const detail = `${e.reader.issue} → ${e.reader.list}: ${[e.status, e.diagnostic].filter(Boolean).join(' ').slice(0, 300) || e.reason}`;
    let reason: string | null = null;
    if (e.kind === 'hard' && policy.hard === 'suppress') reason = 'hard-bounce';
    else if (e.kind === 'complaint' && policy.complaint === 'suppress') reason = 'complaint';
    else if (e.kind === 'unsubscribe') reason = 'unsubscribe';
    else if (e.kind === 'soft' && policy.softLimit > 0 && (await softRun(t, key)) >= policy.softLimit) reason = 'soft-bounce';
    if (reason && (await t.suppress(e.reader.email, reason, reason === 'unsubscribe' ? `mailto: ${e.reader.list}` : detail)))
      return { recorded: true, suppressed: reason };
    return { recorded: true, suppressed: null };
  });
}

/**
 * How many of the reader's sends in a row, ending with the newest soft-bounced one, soft-bounced.
 * Sends after the newest soft bounce do not count either way (their bounces may be on the way);
 * a delay notice is not a bounce (the message may still arrive).
 */
export async function softRun(store: Store, key: string): Promise<number> {
  const sends = await store.sql.all<{ sendId: number; soft: number | boolean; delivered: number | boolean }>(
    `SELECT r.send_id AS "sendId",
            EXISTS (SELECT 1 FROM bounce_events b WHERE b.send_id = r.send_id AND b.email_key = r.email_key AND b.kind = 'soft' AND b.reason <> 'delayed') AS soft,
            EXISTS (SELECT 1 FROM bounce_events b WHERE b.send_id = r.send_id AND b.email_key = r.email_key AND b.kind IN ('delivered', 'auto-reply')) AS delivered
     FROM recipients r WHERE r.email_key = $1 AND r.sent_at IS NOT NULL ORDER BY r.sent_at DESC, r.id DESC`,
    [key],
  );
  const start = sends.findIndex((s) => s.soft);
  if (start < 0) return 0;
  let n = 0;
  for (const s of sends.slice(start)) {
    if (!s.soft || s.delivered) break;
    n++;
  }
  return n;
}

export interface BounceCounts {
  hard: number;
  soft: number;
  complaints: number;
  unsubscribes: number;
  autoReplies: number;
  /** Soft bounces that blame the sender's reputation or authentication. */
  reputation: number;
  /** Reason → count of those reputation bounces (blocked, spam, authfailure, …). */
  reputationReasons: Record<string, number>;
}

/** Per-send counts of distinct readers by event kind. */
export async function bounceCounts(store: Store, sendId: number): Promise<BounceCounts> {
  const rows = await store.sql.all<{ kind: EventKind; n: number }>(
    'SELECT kind, count(DISTINCT email_key) AS n FROM bounce_events WHERE send_id = $1 GROUP BY kind',
    [sendId],
  );
  const by = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)])) as Partial<Record<EventKind, number>>;
  const rep = await store.sql.all<{ reason: string; n: number }>(
    `SELECT reason, count(DISTINCT email_key) AS n FROM bounce_events WHERE send_id = $1 AND kind = 'soft' AND reputation = 1 GROUP BY reason ORDER BY n DESC`,
    [sendId],
  );
  return {
    hard: by.hard ?? 0,
    soft: by.soft ?? 0,
    complaints: by.complaint ?? 0,
    unsubscribes: by.unsubscribe ?? 0,
    autoReplies: by['auto-reply'] ?? 0,
    reputation: rep.reduce((a, r) => a + Number(r.n), 0),
    reputationReasons: Object.fromEntries(rep.map((r) => [r.reason, Number(r.n)])),
  };
}
