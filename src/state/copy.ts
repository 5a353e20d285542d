/**
 * `roundup db copy --to <url>`: the whole send state (sends, every reader's row with its
 * status and Message-ID, the senders (workers) that sent them with what each sent, bounce
 * events, the suppression list) from this project's database into another, typically SQLite
 * into a shared PostgreSQL when the project outgrows one machine.
 *
 * Idempotent: a send is matched by (issue, list), a reader's row by its send and address, a
 * sender by its id (random per process), a suppression by address, and rows already in the
 * target are left as they are (the target may have moved on since the first copy). Running it
 * twice changes nothing. Rows are read a page at a time, so memory does not grow with the lists.
 *
 * A send that is running here is refused before anything is copied: rows are copied once and
 * never updated, so the readers it sends after the copy would still be queued (or 'sending')
 * in the target, and a send from there would mail them again.
 */
import { ErrorCodes, RoundupError } from '../errors.js';
import type { Sql } from './sql.js';
import type { Store } from './store.js';

export interface CopyResult {
  sends: { copied: number; existing: number };
  recipients: { copied: number; existing: number };
  suppressions: { copied: number; existing: number };
  bounceEvents: { copied: number; existing: number };
  workers: { copied: number; existing: number };
}

const PAGE = 500;

const SEND_COLS = ['issue', 'list', 'subject', 'list_gen', 'created_at', 'updated_at', 'finished_at'] as const;
const RECIPIENT_COLS = [
  'email',
  'email_key',
  'name',
  'fields',
  'line',
  'list_gen',
  'status',
  'attempts',
  'message_id',
  'last_response',
  'possible_duplicates',
  'queued_at',
  'sending_at',
  'sent_at',
  'failed_at',
  'updated_at',
  'retry_at',
  'worker_id',
] as const;
/** A sender's row: who (host, pid), when, its lease, and how many it sent and failed (`status` shows them). */
const WORKER_COLS = ['id', 'host', 'pid', 'proc_start', 'started_at', 'heartbeat_at', 'lease_ms', 'stopped_at', 'sent', 'failed'] as const;
const SUPPRESSION_COLS = ['email_key', 'email', 'reason', 'detail', 'created_at'] as const;
const BOUNCE_COLS = [
  'message_key',
  'email_key',
  'email',
  'kind',
  'reason',
  'status',
  'diagnostic',
  'reputation',
  'matched_by',
  'received_at',
] as const;

/** `INSERT … VALUES ($1…), ($n…) ON CONFLICT DO NOTHING` for a page of rows. */
async function insertPage(
  t: Sql,
  table: string,
  cols: readonly string[],
  rows: readonly Record<string, unknown>[],
  conflict: string,
): Promise<number> {
  if (!rows.length) return 0;
  const params: unknown[] = [];
  const values = rows.map((r) => `(${cols.map((c) => `$${params.push(r[c] ?? null)}`).join(', ')})`);
  return t.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')} ON CONFLICT ${conflict} DO NOTHING`, params);
}

/**
 * A reader's row keeps its id in the target: mail already sent names it in its VERP return path
 * and `mailto:` unsubscribe (`bounces+<id>-<mac>@…`), so a bounce or an unsubscribe arriving
 * after the move must find the same reader. If the target already uses one of these ids for
 * another reader (it holds another project's or machine's sends), keeping it is impossible and
 * a new id would make those addresses name someone else: refuse instead.
 */
async function refuseTakenIds(
  t: Sql,
  page: readonly (Record<string, unknown> & { id: number })[],
  targetSend: number,
  where: string,
): Promise<void> {
  const taken = await t.all<{ id: number; send_id: number; email_key: string }>(
    `SELECT id, send_id, email_key FROM recipients WHERE id IN (${page.map((_, i) => `$${i + 1}`).join(', ')})`,
    page.map((r) => r.id),
  );
  const mine = new Map(page.map((r) => [Number(r.id), r]));
  for (const row of taken) {
    const own = mine.get(Number(row.id));
    if (own && Number(row.send_id) === Number(targetSend) && row.email_key === own.email_key) continue;
    throw new RoundupError(
      ErrorCodes.STATE,
      `${where} already holds other readers under the ids this state uses (reader ${row.id}); mail already sent names its reader by id in its bounce and unsubscribe addresses, so copying would credit them to someone else: copy into an empty database (sends copied so far are complete; nothing else was changed)`,
    );
  }
}

export async function copyState(from: Store, to: Store): Promise<CopyResult> {
  if (from.where === to.where) throw new RoundupError(ErrorCodes.USAGE, `--to names the database roundup already uses (${to.where})`);
  const result: CopyResult = {
    sends: { copied: 0, existing: 0 },
    recipients: { copied: 0, existing: 0 },
    suppressions: { copied: 0, existing: 0 },
    bounceEvents: { copied: 0, existing: 0 },
    workers: { copied: 0, existing: 0 },
  };
  const src = from.sql;

  const sends = await src.all<Record<string, unknown> & { id: number }>(`SELECT id, ${SEND_COLS.join(', ')} FROM sends ORDER BY id`);
  for (const send of sends) {
    const live = (await from.workers(send.id)).find((w) => w.live);
    if (live) {
      throw new RoundupError(
        ErrorCodes.STATE,
        `${send.issue} to list ${send.list} is being sent right now by process ${live.pid} on ${live.host} (started ${live.startedAt}): ` +
          'wait for it to finish (or stop it), then copy; a copy taken now would miss what it sends next, and a send from the copy would mail those readers again (nothing was copied)',
        { file: from.where },
      );
    }
  }
  for (const send of sends) {
    await to.transaction(async (t) => {
      const n = await insertPage(t.sql, 'sends', SEND_COLS, [send], '(issue, list)');
      result.sends[n ? 'copied' : 'existing']++;
      const target = (await t.sql.get<{ id: number }>('SELECT id FROM sends WHERE issue = $1 AND list = $2', [send.issue, send.list]))!;
      // The senders first: a reader's row being sent names its sender (worker_id).
      let afterWorker = '';
      for (;;) {
        const page = await src.all<Record<string, unknown> & { id: string }>(
          `SELECT ${WORKER_COLS.join(', ')} FROM workers WHERE send_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
          [send.id, afterWorker, PAGE],
        );
        if (!page.length) break;
        afterWorker = page[page.length - 1].id;
        const copied = await insertPage(
          t.sql,
          'workers',
          ['send_id', ...WORKER_COLS],
          page.map((w) => ({ ...w, send_id: target.id })),
          '(id)',
        );
        result.workers.copied += copied;
        result.workers.existing += page.length - copied;
      }
      let after = 0;
      for (;;) {
        const page = await src.all<Record<string, unknown> & { id: number }>(
          `SELECT id, ${RECIPIENT_COLS.join(', ')} FROM recipients WHERE send_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
          [send.id, after, PAGE],
        );
        if (!page.length) break;
        after = Number(page[page.length - 1].id);
        await refuseTakenIds(t.sql, page, target.id, to.where);
        const copied = await insertPage(
          t.sql,
          'recipients',
          ['id', 'send_id', ...RECIPIENT_COLS],
          page.map((r) => ({ ...r, send_id: target.id })),
          '(send_id, email_key)',
        );
        result.recipients.copied += copied;
        result.recipients.existing += page.length - copied;
      }
      // Bounce events, pointing at the target's ids for the same send and reader.
      let afterEvent = 0;
      for (;;) {
        const page = await src.all<Record<string, unknown> & { id: number; recipient_key: string | null }>(
          `SELECT b.id, ${BOUNCE_COLS.map((c) => `b.${c}`).join(', ')}, r.email_key AS recipient_key
           FROM bounce_events b LEFT JOIN recipients r ON r.id = b.recipient_id
           WHERE b.send_id = $1 AND b.id > $2 ORDER BY b.id LIMIT $3`,
          [send.id, afterEvent, PAGE],
        );
        if (!page.length) break;
        afterEvent = Number(page[page.length - 1].id);
        const rows: Record<string, unknown>[] = [];
        for (const e of page) {
          const rid = e.recipient_key
            ? ((
                await t.sql.get<{ id: number }>('SELECT id FROM recipients WHERE send_id = $1 AND email_key = $2', [
                  target.id,
                  e.recipient_key,
                ])
              )?.id ?? null)
            : null;
          rows.push({ ...e, send_id: target.id, recipient_id: rid });
        }
        const copied = await insertPage(
          t.sql,
          'bounce_events',
          ['send_id', 'recipient_id', ...BOUNCE_COLS],
          rows,
          '(message_key, email_key)',
        );
        result.bounceEvents.copied += copied;
        result.bounceEvents.existing += page.length - copied;
      }
    });
  }

  // Rows were written with their own ids: move the target's id sequence past them, so the next
  // send's readers get new ids instead of colliding.
  if (to.backend === 'postgres') {
    await to.sql.get(`SELECT setval(pg_get_serial_sequence('recipients', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM recipients), false)`);
  }

  let after = '';
  for (;;) {
    const page = await src.all<Record<string, unknown> & { email_key: string }>(
      `SELECT ${SUPPRESSION_COLS.join(', ')} FROM suppressions WHERE email_key > $1 ORDER BY email_key LIMIT $2`,
      [after, PAGE],
    );
    if (!page.length) break;
    after = page[page.length - 1].email_key;
    const copied = await insertPage(to.sql, 'suppressions', SUPPRESSION_COLS, page, '(email_key)');
    result.suppressions.copied += copied;
    result.suppressions.existing += page.length - copied;
  }
  return result;
}
