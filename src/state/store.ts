/**
 * The send state, one interface for both engines: sends (issue × list), their recipient rows,
 * the suppression list, and the workers sending them. SQL is shared between SQLite and
 * PostgreSQL (see sql.ts); the few places where the dialects differ branch on `pg`.
 *
 * Status moves forward only through these methods:
 *   queued → sending (committed before the message goes to SMTP; attempts + 1; names its worker)
 *   sending → sent | failed | queued (transient failure: retry_at says when it may go again)
 *   queued → suppressed (unsubscribed or bounced, at import or at claim time)
 * A row 'sending' whose worker is dead belonged to a process that stopped mid-message: it may
 * or may not have been accepted, so it is queued again (same Message-ID) and counted as a
 * possible duplicate.
 *
 * Adding a method: write it once here with `$1…` placeholders; run it against both engines in
 * test/state/store.test.ts. Adding a table or column: a migration in schema.ts.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, RoundupError } from '../errors.js';
import { emailKey } from '../lists/email.js';
import type { Duplicate, Recipient } from '../lists/parse.js';
import { DEFAULT_LEASE_MS, isWorkerLive, ownProcStart } from './lease.js';
import { SCHEMA_VERSION } from './schema.js';
import { nowMsExpr, SqliteDriver, type Sql, type SqlDriver } from './sql.js';

export const STATUSES = ['queued', 'sending', 'sent', 'failed', 'suppressed'] as const;
export type RecipientStatus = (typeof STATUSES)[number];
export type StatusCounts = Record<RecipientStatus, number> & { total: number; possibleDuplicates: number };

export const nowIso = () => new Date().toISOString();

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

export interface SyncResult {
  added: number;
  /** Queued rows whose reader is no longer in the list file (never sent, so simply dropped). */
  removed: number;
  /** Queued rows now on the suppression list. */
  suppressed: number;
}

export interface FailureRow {
  email: string;
  line: number | null;
  attempts: number;
  lastResponse: string | null;
  failedAt: string | null;
}

export type SuppressionReason = 'unsubscribe' | 'hard-bounce' | 'manual' | (string & {});

export interface Suppression {
  email: string;
  reason: SuppressionReason;
  detail: string | null;
  createdAt: string;
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

export type Outcome =
  | { id: number; kind: 'sent'; response: string }
  /** Transient failure with attempts left: back to the queue, not before `delayMs` from now. */
  | { id: number; kind: 'retry'; response: string; delayMs?: number }
  | { id: number; kind: 'failed'; response: string; suppress?: { email: string; reason: string } }
  /** Claimed but never handed to SMTP (the send stopped first): back to the queue, not an attempt. */
  | { id: number; kind: 'release'; response: string };

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  live: boolean;
  stoppedAt: string | null;
  sent: number;
  failed: number;
}

/** What is left for a worker that found nothing to claim. */
export interface Remaining {
  /** Rows claimable right now (another worker may have taken them meanwhile). */
  queuedNow: number;
  /** ms until the earliest queued retry may go, or null. */
  nextRetryInMs: number | null;
  /** Rows being sent by other live workers (they may still fail and need a retry), or an import in progress. */
  busyElsewhere: number;
  /** Rows of dead workers put back in the queue by this call. */
  reclaimed: number;
}

/**
 * The ledger a send loop writes through: claims and outcomes, batched. `step` records finished
 * attempts and claims up to `want` rows; a claimed row's 'sending' mark is committed before the
 * promise resolves, so a message never goes to SMTP unrecorded.
 */
export interface SendLedger {
  readonly sendId: number;
  step(outcomes: readonly Outcome[], want: number): Promise<QueueRow[]>;
  remaining(): Promise<Remaining>;
  counts(): Promise<StatusCounts>;
}

export interface Worker {
  id: string;
  /** Set when earlier workers died without finishing (worth telling the user). */
  tookOverFrom?: { pid: number; host: string; startedAt: string }[];
  /** Live workers this one joined (--join). */
  joined: { pid: number; host: string }[];
  /** Stop the heartbeat and mark the worker stopped. Never throws (a full disk must not hide the real message). */
  release(): Promise<void>;
}

const SEND_COLS = `id, issue, list, subject, list_gen AS "listGen", created_at AS "createdAt", updated_at AS "updatedAt", finished_at AS "finishedAt"`;
const QUEUE_COLS = (t = '') =>
  `${t}id AS id, ${t}email AS email, ${t}email_key AS "emailKey", ${t}name AS name, ${t}fields AS fields, ${t}message_id AS "messageId", ${t}attempts AS attempts, ${t}possible_duplicates AS "possibleDuplicates"`;
const WORKER_COLS = `id, host, pid, proc_start AS "procStart", started_at AS "startedAt", heartbeat_at AS "heartbeatAt", lease_ms AS "leaseMs", stopped_at AS "stoppedAt", sent, failed`;

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  procStart: string | null;
  startedAt: string;
  heartbeatAt: number;
  leaseMs: number;
  stoppedAt: string | null;
  sent: number;
  failed: number;
}

const IMPORT_BATCH = 1000;

export class Store {
  constructor(
    readonly sql: Sql,
    /** What to show: the SQLite file, or the PostgreSQL URL with its password masked. */
    readonly where: string,
    private readonly driver?: SqlDriver,
  ) {}

  get backend(): 'sqlite' | 'postgres' {
    return this.sql.dialect;
  }
  private get pg() {
    return this.sql.dialect === 'postgres';
  }
  private get nowMs() {
    return nowMsExpr(this.sql.dialect);
  }

  async close(): Promise<void> {
    await this.driver?.close();
  }

  /** Run `fn` against this store inside one transaction. */
  transaction<T>(fn: (s: Store) => Promise<T>): Promise<T> {
    return this.sql.tx((t) => fn(new Store(t, this.where)));
  }

  // ------------------------------------------------------------------ settings

  /** A setting shared by every machine using this database. */
  async setting(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value;
  }

  /**
   * The setting, created with `initial()` if it has none. Race-free: when two machines start
   * at once, one insert wins and both read the winner's value.
   */
  async settingOrInit(key: string, initial: () => string): Promise<string> {
    const found = await this.setting(key);
    if (found !== undefined) return found;
    await this.sql.run('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, initial()]);
    return (await this.setting(key))!;
  }

  // ------------------------------------------------------------------ sends

  async findSend(issue: string, list: string): Promise<SendRow | null> {
    return (await this.sql.get<SendRow>(`SELECT ${SEND_COLS} FROM sends WHERE issue = $1 AND list = $2`, [issue, list])) ?? null;
  }

  sendsForIssue(issue: string): Promise<SendRow[]> {
    return this.sql.all<SendRow>(`SELECT ${SEND_COLS} FROM sends WHERE issue = $1 ORDER BY list`, [issue]);
  }

  async ensureSend(issue: string, list: string, subject: string): Promise<SendRow> {
    const now = nowIso();
    await this.sql.run(
      `INSERT INTO sends (issue, list, subject, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (issue, list) DO UPDATE SET subject = excluded.subject, updated_at = excluded.updated_at`,
      [issue, list, subject, now],
    );
    return (await this.findSend(issue, list))!;
  }

  async markFinished(sendId: number): Promise<void> {
    const now = nowIso();
    await this.sql.run('UPDATE sends SET finished_at = $1, updated_at = $1 WHERE id = $2', [now, sendId]);
  }

  // ------------------------------------------------------------------ importing the list

  /**
   * Bring a send's rows in line with the list file, streamed in batches: new readers are
   * queued; readers still queued get their current fields; when the import finishes, queued
   * readers no longer in the file are dropped. Rows already sending/sent/failed are history.
   * While it runs, the send's `importing` mark keeps joined workers from claiming (they would
   * otherwise see readers about to be dropped).
   */
  async beginImport(send: SendRow, messageIdFor: (r: Recipient) => string, workerId: string | null = null): Promise<ListImport> {
    await this.sql.run('UPDATE sends SET importing = $1 WHERE id = $2', [workerId ?? 'import', send.id]);
    const before = await this.countRows(send.id);
    // A generation no row has yet: an import that stopped half-way left rows with the one after
    // the send's, and those must not look like this import's (they would count as duplicates).
    const top = await this.sql.get<{ g: number | null }>('SELECT max(list_gen) AS g FROM recipients WHERE send_id = $1', [send.id]);
    return new ListImport(this, send, Math.max(send.listGen, Number(top?.g ?? 0)) + 1, messageIdFor, before);
  }

  /** The whole import in one call, for a list already in memory (tests, small lists). */
  async syncRecipients(send: SendRow, recipients: readonly Recipient[], messageIdFor: (r: Recipient) => string): Promise<SyncResult> {
    const imp = await this.beginImport(send, messageIdFor);
    for (let i = 0; i < recipients.length; i += IMPORT_BATCH) await imp.add(recipients.slice(i, i + IMPORT_BATCH));
    return imp.finish();
  }

  /** @internal used by ListImport */
  async countRows(sendId: number): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM recipients WHERE send_id = $1', [sendId]))!.n;
  }

  /** Queued rows whose address is on the suppression list become 'suppressed'. */
  suppressQueued(sendId: number): Promise<number> {
    return this.sql.run(
      `UPDATE recipients SET status = 'suppressed', updated_at = $1
       WHERE send_id = $2 AND status = 'queued' AND email_key IN (SELECT email_key FROM suppressions)`,
      [nowIso(), sendId],
    );
  }

  /**
   * `--retry-failed`: failed rows get a fresh set of attempts, only for readers still in the
   * list file (call after the import) and not suppressed. Returns how many were requeued.
   */
  requeueFailed(sendId: number): Promise<number> {
    return this.sql.tx(async (t) => {
      const n = await t.run(
        `UPDATE recipients SET status = 'queued', attempts = 0, retry_at = NULL, updated_at = $1
         WHERE send_id = $2 AND status = 'failed' AND list_gen = (SELECT list_gen FROM sends WHERE id = $2)`,
        [nowIso(), sendId],
      );
      return Math.max(0, n - (await new Store(t, this.where).suppressQueued(sendId)));
    });
  }

  // ------------------------------------------------------------------ workers and leases

  /**
   * Register this process as a worker of the send. Without `join`, refuses while another live
   * worker holds the send (as the single-sender lock always did). Dead workers' rows are not
   * touched here: `recoverInterrupted` puts them back in the queue.
   */
  async startWorker(sendId: number, label: string, opts: { join?: boolean; leaseMs?: number } = {}): Promise<Worker> {
    const id = randomBytes(12).toString('hex');
    const host = hostname();
    const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    const { joined, dead } = await this.sql.tx(async (t) => {
      // Serialise workers starting at once (SQLite: BEGIN IMMEDIATE already has the write lock).
      if (this.pg) await t.get('SELECT id FROM sends WHERE id = $1 FOR UPDATE', [sendId]);
      const { rows, dbNow } = await this.workerRows(t, sendId);
      const live = rows.filter((w) => isWorkerLive(w, dbNow, host));
      if (live.length && !opts.join) {
        const w = live[0];
        throw new RoundupError(
          ErrorCodes.STATE,
          `${label} is already being sent by process ${w.pid}${w.host !== host ? ` on ${w.host}` : ''} (started ${w.startedAt}); ` +
            'wait for it to finish or stop it, then run this again (or add --join to send alongside it)',
        );
      }
      await t.run(
        `INSERT INTO workers (id, send_id, host, pid, proc_start, started_at, heartbeat_at, lease_ms)
         VALUES ($1, $2, $3, $4, $5, $6, ${this.nowMs}, $7)`,
        [id, sendId, host, process.pid, ownProcStart(), nowIso(), leaseMs],
      );
      return { joined: live, dead: rows.filter((w) => !w.stoppedAt && !isWorkerLive(w, dbNow, host)) };
    });

    let lost = false;
    const beat = async () => {
      try {
        const n = await this.sql.run(`UPDATE workers SET heartbeat_at = ${this.nowMs} WHERE id = $1 AND stopped_at IS NULL`, [id]);
        if (n === 0) lost = true;
      } catch {
        // A busy or unreachable database: the next beat will do (the lease allows for a few misses).
      }
    };
    const timer = setInterval(() => void beat(), Math.max(200, Math.floor(leaseMs / 3)));
    timer.unref();
    this.leaseLost = () => lost;
    let released = false;
    return {
      id,
      joined: joined.map((w) => ({ pid: w.pid, host: w.host })),
      tookOverFrom: dead.length ? dead.map((w) => ({ pid: w.pid, host: w.host, startedAt: w.startedAt })) : undefined,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        try {
          await this.sql.run('UPDATE workers SET stopped_at = $1 WHERE id = $2 AND stopped_at IS NULL', [nowIso(), id]);
          await this.sql.run(`UPDATE sends SET importing = NULL WHERE importing = $1`, [id]);
        } catch {
          // Releasing is a courtesy: a worker that cannot say it stopped is found dead by its
          // lease (or its pid) instead. It must never hide why the send stopped.
        }
      },
    };
  }

  private leaseLost: () => boolean = () => false;

  private async workerRows(t: Sql, sendId: number): Promise<{ rows: WorkerRow[]; dbNow: number }> {
    const rows = await t.all<WorkerRow>(`SELECT ${WORKER_COLS} FROM workers WHERE send_id = $1 ORDER BY started_at, id`, [sendId]);
    const dbNow = (await t.get<{ now: number }>(`SELECT ${this.nowMs} AS now`))!.now;
    return { rows: rows.map((r) => ({ ...r, heartbeatAt: Number(r.heartbeatAt) })), dbNow: Number(dbNow) };
  }

  /** Every worker that has sent this send, with what it sent, for the summary and `status`. */
  async workers(sendId: number): Promise<WorkerInfo[]> {
    const { rows, dbNow } = await this.workerRows(this.sql, sendId);
    return rows.map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      startedAt: w.startedAt,
      stoppedAt: w.stoppedAt,
      live: isWorkerLive(w, dbNow),
      sent: w.sent,
      failed: w.failed,
    }));
  }

  /**
   * Rows left 'sending' by dead workers (or by a roundup from before workers existed) go back
   * to the queue, flagged as possible duplicates. A reader removed from the list file meanwhile
   * is dropped, like any queued reader no longer in the file (whoever took them off the list
   * meant it), and one suppressed meanwhile becomes 'suppressed'. Returns how many will be re-sent.
   */
  recoverInterrupted(sendId: number, self?: string): Promise<number> {
    return this.sql.tx(async (t) => {
      if (this.pg) await t.get('SELECT id FROM sends WHERE id = $1 FOR UPDATE', [sendId]);
      const { rows, dbNow } = await this.workerRows(t, sendId);
      const live = rows.filter((w) => w.id === self || isWorkerLive(w, dbNow)).map((w) => w.id);
      const now = nowIso();
      for (const w of rows) {
        if (!live.includes(w.id) && !w.stoppedAt) await t.run('UPDATE workers SET stopped_at = $1 WHERE id = $2', [`lapsed ${now}`, w.id]);
      }
      // "Not one of the live workers", as placeholders numbered from `from`.
      const notLive = (from: number) =>
        live.length ? `AND (worker_id IS NULL OR worker_id NOT IN (${live.map((_, i) => `$${i + from}`).join(', ')}))` : '';
      await t.run(
        `DELETE FROM recipients WHERE send_id = $1 AND status = 'sending' AND list_gen <> (SELECT list_gen FROM sends WHERE id = $1) ${notLive(2)}`,
        [sendId, ...live],
      );
      const n = await t.run(
        `UPDATE recipients SET status = 'queued', worker_id = NULL, retry_at = NULL, possible_duplicates = possible_duplicates + 1, updated_at = $2
         WHERE send_id = $1 AND status = 'sending' ${notLive(3)}`,
        [sendId, now, ...live],
      );
      return Math.max(0, n - (n ? await new Store(t, this.where).suppressQueued(sendId) : 0));
    });
  }

  // ------------------------------------------------------------------ the hot loop

  /**
   * Rows claimed ahead of the workers asking: four per connection (at most 64) on SQLite,
   * eight (at most 128) on PostgreSQL, where a step is a round trip the rows in hand must
   * outlast. The dispatcher refills at half, so one step (one transaction) claims half of them
   * and records the outcomes that came in meanwhile, instead of a write per message: a quarter
   * of the CPU of an unthrottled send on SQLite went to one-row transactions.
   * Rows claimed ahead are 'sending' too, so after a crash they count among the possible
   * duplicates (re-sent with the same Message-ID) although most never left. So a throttled
   * send (`rate` per second) claims no more than a quarter of a second's worth: it gains
   * nothing from more, and its readers would wait in 'sending' for seconds.
   */
  claimAhead(concurrency: number, rate = 0): number {
    const c = Math.max(1, concurrency);
    const ahead = this.pg ? Math.min(128, 8 * c) : Math.min(64, 4 * c);
    return rate > 0 ? Math.min(ahead, Math.max(2, Math.ceil(rate / 4))) : ahead;
  }

  /**
   * The ledger a worker sends through. `importing`: the generation of the import this worker
   * is running meanwhile (ListImport.gen); its rows are claimable before the import finishes,
   * since each of them is a reader of the list file as it is now (see CLAIM).
   */
  ledger(sendId: number, workerId: string, opts: { importing?: number } = {}): SendLedger {
    const gen = opts.importing ?? -1;
    return this.sql instanceof SqliteDriver
      ? new SqliteLedger(this.sql, sendId, workerId, this, () => this.leaseLost(), gen)
      : new PgLedger(this.sql, sendId, workerId, this, () => this.leaseLost(), gen);
  }

  /** @internal shared by both ledgers */
  async remaining(sendId: number, workerId: string): Promise<Remaining> {
    const r = (await this.sql.get<{ queued_now: number; next_retry: number | null; importing: string | null; db_now: number }>(
      `SELECT
         (SELECT count(*) FROM recipients WHERE send_id = $1 AND status = 'queued' AND (retry_at IS NULL OR retry_at <= ${this.nowMs})) AS queued_now,
         (SELECT min(retry_at) FROM recipients WHERE send_id = $1 AND status = 'queued' AND retry_at IS NOT NULL) AS next_retry,
         (SELECT importing FROM sends WHERE id = $1) AS importing,
         ${this.nowMs} AS db_now`,
      [sendId],
    ))!;
    const { rows, dbNow } = await this.workerRows(this.sql, sendId);
    const others = rows.filter((w) => w.id !== workerId && !w.stoppedAt);
    const dead = others.filter((w) => !isWorkerLive(w, dbNow));
    // While this worker imports the list, a dead one's rows wait for the import to finish:
    // the send recovers them then (and says how many), as it does without an overlap.
    const ownImport = r.importing !== null && r.importing === workerId;
    const reclaimed = dead.length && !ownImport ? await this.recoverInterrupted(sendId, workerId) : 0;
    const liveOthers = others.filter((w) => !dead.includes(w)).map((w) => w.id);
    let busy = 0;
    if (liveOthers.length) {
      busy = (await this.sql.get<{ n: number }>(
        `SELECT count(*) AS n FROM recipients WHERE send_id = $1 AND status = 'sending' AND worker_id IN (${liveOthers.map((_, i) => `$${i + 2}`).join(', ')})`,
        [sendId, ...liveOthers],
      ))!.n;
    }
    const importing = r.importing !== null && r.importing !== workerId;
    // This worker's own import, still running: what it has written is claimed already; the
    // rest comes with its next batch (which wakes the dispatcher), so: busy, nothing claimable.
    if (importing && !liveOthers.includes(r.importing!)) {
      // The sender importing the list stopped half-way: the rows are not yet the list's, and
      // claiming them could mail a reader just taken off it. Its own re-run (or a send without
      // --join) imports the list again.
      throw new RoundupError(
        ErrorCodes.SEND,
        'the sender that was reading the list into the send state stopped before it finished: run the send again without --join (it reads the list and carries on where the send stopped)',
      );
    }
    return {
      // While the list is being imported nothing is claimable yet (see beginImport).
      queuedNow: importing || ownImport ? 0 : Number(r.queued_now),
      nextRetryInMs: r.next_retry === null ? null : Math.max(0, Number(r.next_retry) - Number(r.db_now)),
      busyElsewhere: Number(busy) + (importing || ownImport ? 1 : 0),
      reclaimed,
    };
  }

  // ------------------------------------------------------------------ reading

  async countByStatus(sendId: number): Promise<StatusCounts> {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as StatusCounts;
    counts.total = 0;
    counts.possibleDuplicates = 0;
    const rows = await this.sql.all<{ status: RecipientStatus; n: number; d: number }>(
      'SELECT status, count(*) AS n, coalesce(sum(possible_duplicates), 0) AS d FROM recipients WHERE send_id = $1 GROUP BY status',
      [sendId],
    );
    for (const row of rows) {
      counts[row.status] = Number(row.n);
      counts.total += Number(row.n);
      counts.possibleDuplicates += Number(row.d);
    }
    return counts;
  }

  listFailures(sendId: number, limit = 1000): Promise<FailureRow[]> {
    return this.sql.all<FailureRow>(
      `SELECT email, line, attempts, last_response AS "lastResponse", failed_at AS "failedAt"
       FROM recipients WHERE send_id = $1 AND status = 'failed' ORDER BY id LIMIT $2`,
      [sendId, limit],
    );
  }

  /** Queued readers' keys (the dry run composes only for them). */
  async queuedKeys(sendId: number): Promise<Set<string>> {
    const rows = await this.sql.all<{ k: string }>(`SELECT email_key AS k FROM recipients WHERE send_id = $1 AND status = 'queued'`, [
      sendId,
    ]);
    return new Set(rows.map((r) => r.k));
  }

  /**
   * Messages started per minute since `sinceMs`, across every send: seeds the hourly/daily caps
   * so a restarted sender counts what the last run already sent.
   */
  async recentSendMinutes(sinceMs: number): Promise<[number, number][]> {
    const rows = await this.sql.all<{ minute: string; n: number }>(
      `SELECT substr(sending_at, 1, 16) AS minute, count(*) AS n FROM recipients
       WHERE sending_at >= $1 GROUP BY substr(sending_at, 1, 16)`,
      [new Date(sinceMs).toISOString()],
    );
    return rows.map((r) => [Date.parse(r.minute + ':00.000Z'), Number(r.n)]);
  }

  // ------------------------------------------------------------------ suppression list

  /** Add an address (idempotent: the first reason and date are kept). Returns true if newly added. */
  async suppress(email: string, reason: SuppressionReason, detail?: string): Promise<boolean> {
    const n = await this.sql.run(
      'INSERT INTO suppressions (email_key, email, reason, detail, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email_key) DO NOTHING',
      [emailKey(email), email.trim(), reason, detail ?? null, nowIso()],
    );
    return n === 1;
  }

  async isSuppressed(email: string): Promise<boolean> {
    return (await this.sql.get('SELECT 1 AS x FROM suppressions WHERE email_key = $1', [emailKey(email)])) !== undefined;
  }

  async getSuppression(email: string): Promise<Suppression | null> {
    return (
      (await this.sql.get<Suppression>('SELECT email, reason, detail, created_at AS "createdAt" FROM suppressions WHERE email_key = $1', [
        emailKey(email),
      ])) ?? null
    );
  }

  /** Remove an address (a reader resubscribing). Returns true if it was suppressed. */
  async unsuppress(email: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM suppressions WHERE email_key = $1', [emailKey(email)])) === 1;
  }

  /**
   * A resubscribe: lift the suppression only if it is the unsubscribe recorded at `suppressedAt`
   * (never a bounce, a manual one, or a later unsubscribe).
   */
  async liftUnsubscribe(email: string, suppressedAt: string): Promise<'lifted' | 'refused' | 'stale' | 'none'> {
    const key = emailKey(email);
    const n = await this.sql.run(`DELETE FROM suppressions WHERE email_key = $1 AND reason = 'unsubscribe' AND created_at = $2`, [
      key,
      suppressedAt,
    ]);
    if (n === 1) return 'lifted';
    const s = await this.getSuppression(email);
    return !s ? 'none' : s.reason !== 'unsubscribe' ? 'refused' : 'stale';
  }

  async countSuppressions(): Promise<number> {
    return Number((await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM suppressions'))!.n);
  }

  // ------------------------------------------------------------------ db status

  async info(): Promise<{ backend: string; where: string; version: number; latest: number; counts: Record<string, number> }> {
    const version = await schemaVersion(this.sql);
    const count = async (table: string) => Number((await this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n);
    return {
      backend: this.pg ? 'PostgreSQL' : 'SQLite',
      where: this.where,
      version,
      latest: SCHEMA_VERSION,
      counts: {
        sends: await count('sends'),
        recipients: await count('recipients'),
        suppressions: await count('suppressions'),
        workers: await count('workers'),
      },
    };
  }
}

export async function schemaVersion(sql: Sql): Promise<number> {
  if (sql.dialect === 'sqlite') return Number((await sql.get<{ user_version: number }>('PRAGMA user_version'))!.user_version);
  const exists = await sql.get<{ t: string | null }>(`SELECT to_regclass('roundup_schema')::text AS t`);
  if (!exists?.t) return 0;
  return Number((await sql.get<{ version: number }>('SELECT version FROM roundup_schema'))?.version ?? 0);
}

// ------------------------------------------------------------------ list import

export class ListImport {
  constructor(
    private readonly store: Store,
    private readonly send: SendRow,
    /** This import's generation: every row it writes carries it (see Store.ledger). */
    readonly gen: number,
    private readonly messageIdFor: (r: Recipient) => string,
    private readonly before: number,
  ) {}

  /**
   * Upsert one batch. A row whose key was already written by this import is a duplicate in
   * the file (the first copy is kept): returned with the line of the copy kept.
   */
  async add(batch: readonly Recipient[]): Promise<Duplicate[]> {
    if (!batch.length) return [];
    const sql = this.store.sql;
    const now = nowIso();
    const dups: Duplicate[] = [];
    // Within a batch, keep the first copy (one statement cannot upsert a row twice).
    const firstInBatch = new Map<string, Recipient>();
    const rows: Recipient[] = [];
    for (const r of batch) {
      const f = firstInBatch.get(r.key);
      if (f) dups.push({ line: r.line, email: r.email, firstLine: f.line });
      else {
        firstInBatch.set(r.key, r);
        rows.push(r);
      }
    }
    const upsertTail = `ON CONFLICT (send_id, email_key) DO UPDATE SET
           list_gen = excluded.list_gen,
           line = excluded.line,
           email = CASE WHEN recipients.status = 'queued' THEN excluded.email ELSE recipients.email END,
           name = CASE WHEN recipients.status = 'queued' THEN excluded.name ELSE recipients.name END,
           fields = CASE WHEN recipients.status = 'queued' THEN excluded.fields ELSE recipients.fields END
         WHERE recipients.list_gen <> excluded.list_gen
         RETURNING email_key AS k`;
    let written: Set<string>;
    if (sql instanceof SqliteDriver) {
      written = new Set();
      sql.txSync(() => {
        for (const r of rows) {
          const got = sql.getSync<{ k: string }>(
            `INSERT INTO recipients (send_id, email, email_key, name, fields, line, list_gen, message_id, queued_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ${upsertTail}`,
            [this.send.id, r.email, r.key, r.name, JSON.stringify(r.fields), r.line, this.gen, this.messageIdFor(r), now],
          );
          if (got) written.add(got.k);
        }
      });
    } else {
      const got = await sql.all<{ k: string }>(
        `INSERT INTO recipients (send_id, email, email_key, name, fields, line, list_gen, message_id, queued_at, updated_at)
         SELECT $1, u.email, u.k, u.name, u.fields, u.line, $2, u.mid, $3, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[]) AS u(email, k, name, fields, line, mid)
         ${upsertTail}`,
        [
          this.send.id,
          this.gen,
          now,
          rows.map((r) => r.email),
          rows.map((r) => r.key),
          rows.map((r) => r.name),
          rows.map((r) => JSON.stringify(r.fields)),
          rows.map((r) => r.line),
          rows.map((r) => this.messageIdFor(r)),
        ],
      );
      written = new Set(got.map((g) => g.k));
    }
    // Not written: already carried this import's generation, i.e. an earlier copy in the file.
    const repeated = rows.filter((r) => !written.has(r.key));
    if (repeated.length) {
      const keys = repeated.map((r) => r.key);
      const firsts = await sql.all<{ k: string; line: number }>(
        `SELECT email_key AS k, line FROM recipients WHERE send_id = $1 AND email_key IN (${keys.map((_, i) => `$${i + 2}`).join(', ')})`,
        [this.send.id, ...keys],
      );
      const lineOf = new Map(firsts.map((f) => [f.k, Number(f.line)]));
      for (const r of repeated) dups.push({ line: r.line, email: r.email, firstLine: lineOf.get(r.key) ?? 0 });
    }
    return dups.sort((a, b) => a.line - b.line);
  }

  /** Drop queued readers no longer in the file, suppress the suppressed, record the generation. */
  async finish(): Promise<SyncResult> {
    return this.store.transaction(async (s) => {
      const added = (await s.countRows(this.send.id)) - this.before;
      const removed = await s.sql.run(`DELETE FROM recipients WHERE send_id = $1 AND status = 'queued' AND list_gen <> $2`, [
        this.send.id,
        this.gen,
      ]);
      const suppressed = await s.suppressQueued(this.send.id);
      await s.sql.run('UPDATE sends SET list_gen = $1, updated_at = $2, finished_at = NULL, importing = NULL WHERE id = $3', [
        this.gen,
        nowIso(),
        this.send.id,
      ]);
      this.send.listGen = this.gen;
      return { added, removed, suppressed };
    });
  }
}

// ------------------------------------------------------------------ ledgers

/**
 * SQLite's claim (PgLedger's step embeds the same two parts). Rows claimable by a worker:
 * queued, due, and not while the list is being imported, except rows the import has already
 * written (`gen`, the generation of the import this worker runs, -1 if none): those are readers
 * of the list file as it is now, so a send need not wait for the whole list before its first
 * message. Rows of earlier generations wait, as the file may no longer hold them.
 */
const CLAIM = (nowMs: string) => `
  WITH c AS (${claimPick(nowMs, { send: '$1', want: '$3', gen: '$5' })})
  ${claimMark({ worker: '$2', now: '$4' })}`;

/**
 * The claim, one text for both ledgers (their statements number the parameters differently):
 * `claimPick` chooses the rows (the CTE `c`, with whether each is suppressed; PostgreSQL adds
 * `FOR UPDATE OF r SKIP LOCKED`), `claimMark` marks them 'sending' (or 'suppressed') and
 * returns them.
 */
function claimPick(nowMs: string, p: { send: string; want: string; gen: string }, lock = ''): string {
  return `SELECT r.id AS cid, EXISTS (SELECT 1 FROM suppressions s WHERE s.email_key = r.email_key) AS sup
    FROM recipients r
    WHERE r.send_id = ${p.send} AND r.status = 'queued' AND (r.retry_at IS NULL OR r.retry_at <= ${nowMs})
      AND (r.list_gen = ${p.gen} OR NOT EXISTS (SELECT 1 FROM sends WHERE id = ${p.send} AND importing IS NOT NULL))
    ORDER BY r.id LIMIT ${p.want} ${lock}`;
}

function claimMark(p: { worker: string; now: string }): string {
  return `UPDATE recipients SET
    status = CASE WHEN c.sup THEN 'suppressed' ELSE 'sending' END,
    attempts = attempts + CASE WHEN c.sup THEN 0 ELSE 1 END,
    sending_at = CASE WHEN c.sup THEN sending_at ELSE ${p.now} END,
    worker_id = CASE WHEN c.sup THEN NULL ELSE ${p.worker} END,
    retry_at = NULL,
    updated_at = ${p.now}
  FROM c WHERE recipients.id = c.cid
  RETURNING ${QUEUE_COLS('recipients.')}, recipients.status AS status`;
}

type Claimed = QueueRow & { status: string };

function claimedRows(rows: Claimed[]): QueueRow[] {
  const out: QueueRow[] = [];
  for (const r of rows) {
    if (r.status !== 'sending') continue;
    const { status: _s, ...row } = r;
    out.push({ ...row, id: Number(row.id), attempts: Number(row.attempts), possibleDuplicates: Number(row.possibleDuplicates) });
  }
  return out.sort((a, b) => a.id - b.id);
}

function leaseLostError(): RoundupError {
  return new RoundupError(
    ErrorCodes.SEND,
    "this sender's lease lapsed (no heartbeat reached the database in time) and its readers went back to the queue; nothing was lost: " +
      'run the same command to carry on (add --join if other senders are still at work)',
  );
}

/**
 * SQLite: outcomes and claims of one step in one synchronous transaction, so a busy send
 * commits once per batch rather than twice per message.
 */
class SqliteLedger implements SendLedger {
  constructor(
    private readonly sql: SqliteDriver,
    readonly sendId: number,
    private readonly workerId: string,
    private readonly store: Store,
    private readonly lost: () => boolean,
    private readonly importGen: number,
  ) {}

  async step(outcomes: readonly Outcome[], want: number): Promise<QueueRow[]> {
    if (this.lost()) throw leaseLostError();
    const sql = this.sql;
    const now = nowIso();
    const nowMs = nowMsExpr('sqlite');
    return sql.txSync(() => {
      let sent = 0;
      let failed = 0;
      for (const o of outcomes) {
        if (o.kind === 'sent') {
          sent += sql.runSync(
            `UPDATE recipients SET status = 'sent', last_response = $1, sent_at = $2, updated_at = $2 WHERE id = $3 AND status = 'sending' AND worker_id = $4`,
            [o.response, now, o.id, this.workerId],
          );
        } else if (o.kind === 'release') {
          sql.runSync(
            `UPDATE recipients SET status = 'queued', attempts = attempts - 1, worker_id = NULL, updated_at = $1
             WHERE id = $2 AND status = 'sending' AND worker_id = $3`,
            [now, o.id, this.workerId],
          );
        } else if (o.kind === 'retry') {
          sql.runSync(
            `UPDATE recipients SET status = 'queued', last_response = $1, updated_at = $2, worker_id = NULL,
               retry_at = CASE WHEN $5 > 0 THEN ${nowMs} + $5 ELSE NULL END
             WHERE id = $3 AND status = 'sending' AND worker_id = $4`,
            [o.response, now, o.id, this.workerId, o.delayMs ?? 0],
          );
        } else {
          failed += sql.runSync(
            `UPDATE recipients SET status = 'failed', last_response = $1, failed_at = $2, updated_at = $2 WHERE id = $3 AND status = 'sending' AND worker_id = $4`,
            [o.response, now, o.id, this.workerId],
          );
          if (o.suppress) {
            sql.runSync(
              'INSERT INTO suppressions (email_key, email, reason, detail, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email_key) DO NOTHING',
              [emailKey(o.suppress.email), o.suppress.email, o.suppress.reason, o.response, now],
            );
          }
        }
      }
      if (outcomes.length) {
        sql.runSync(`UPDATE workers SET sent = sent + $1, failed = failed + $2, heartbeat_at = ${nowMs} WHERE id = $3`, [
          sent,
          failed,
          this.workerId,
        ]);
      }
      return want > 0 ? claimedRows(sql.allSync<Claimed>(CLAIM(nowMs), [this.sendId, this.workerId, want, now, this.importGen])) : [];
    });
  }

  remaining(): Promise<Remaining> {
    return this.store.remaining(this.sendId, this.workerId);
  }
  counts(): Promise<StatusCounts> {
    return this.store.countByStatus(this.sendId);
  }
}

/**
 * PostgreSQL: a step is one statement, one round trip: the outcomes (arrays unnested) and the
 * next claim (`FOR UPDATE SKIP LOCKED`: two workers never claim the same reader) as
 * data-modifying CTEs of one UPDATE, committed together. They never touch the same row: the
 * outcomes are this worker's 'sending' rows, the claim takes 'queued' ones as the statement's
 * snapshot sees them (a retry recorded here is claimable from the next step on).
 */
class PgLedger implements SendLedger {
  constructor(
    private readonly sql: Sql,
    readonly sendId: number,
    private readonly workerId: string,
    private readonly store: Store,
    private readonly lost: () => boolean,
    private readonly importGen: number,
  ) {}

  async step(outcomes: readonly Outcome[], want: number): Promise<QueueRow[]> {
    if (this.lost()) throw leaseLostError();
    if (!outcomes.length && want <= 0) return [];
    const now = nowIso();
    const nowMs = nowMsExpr('postgres');
    const sup = outcomes.filter((o) => o.kind === 'failed' && o.suppress) as Extract<Outcome, { kind: 'failed' }>[];
    const rows = await this.sql.all<Claimed>(
      `WITH o AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS o(id, kind, response, delay)
       ), upd AS (
         UPDATE recipients r SET
           status = CASE o.kind WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'queued' END,
           attempts = CASE WHEN o.kind = 'release' THEN r.attempts - 1 ELSE r.attempts END,
           last_response = CASE WHEN o.kind = 'release' THEN r.last_response ELSE o.response END,
           sent_at = CASE WHEN o.kind = 'sent' THEN $5 ELSE r.sent_at END,
           failed_at = CASE WHEN o.kind = 'failed' THEN $5 ELSE r.failed_at END,
           worker_id = CASE WHEN o.kind IN ('retry', 'release') THEN NULL ELSE r.worker_id END,
           retry_at = CASE WHEN o.kind = 'retry' AND o.delay > 0 THEN ${nowMs} + o.delay ELSE NULL END,
           updated_at = $5
         FROM o WHERE r.id = o.id AND r.status = 'sending' AND r.worker_id = $6
         RETURNING o.kind
       ), sup AS (
         INSERT INTO suppressions (email_key, email, reason, detail, created_at)
         SELECT s.k, s.email, s.reason, s.detail, $5 FROM unnest($7::text[], $8::text[], $9::text[], $10::text[]) AS s(k, email, reason, detail)
         ON CONFLICT (email_key) DO NOTHING
       ), w AS (
         UPDATE workers SET sent = sent + (SELECT count(*) FROM upd WHERE kind = 'sent'),
           failed = failed + (SELECT count(*) FROM upd WHERE kind = 'failed'), heartbeat_at = ${nowMs}
         WHERE id = $6 AND $13
       ), c AS (${claimPick(nowMs, { send: '$11', want: '$12', gen: '$14' }, 'FOR UPDATE OF r SKIP LOCKED')})
       ${claimMark({ worker: '$6', now: '$5' })}`,
      [
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.kind),
        outcomes.map((o) => o.response),
        outcomes.map((o) => (o.kind === 'retry' ? Math.round(o.delayMs ?? 0) : 0)),
        now,
        this.workerId,
        sup.map((o) => emailKey(o.suppress!.email)),
        sup.map((o) => o.suppress!.email),
        sup.map((o) => o.suppress!.reason),
        sup.map((o) => o.response),
        this.sendId,
        Math.max(0, want),
        outcomes.length > 0,
        this.importGen,
      ],
    );
    return claimedRows(rows);
  }

  remaining(): Promise<Remaining> {
    return this.store.remaining(this.sendId, this.workerId);
  }
  counts(): Promise<StatusCounts> {
    return this.store.countByStatus(this.sendId);
  }
}
