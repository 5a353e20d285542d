/**
 * Before a send: is the state database the one earlier sends wrote?
 *
 * The database is what stops a second send from mailing a reader twice. If it is deleted,
 * emptied or swapped for another file, the next send would mail the whole list again without a
 * word (a probe re-mailed 1,000 of 1,000 readers). So the state directory keeps evidence of use
 * beside the database:
 *
 * - `secret`: the unsubscribe signing key, written by the first send or serve;
 * - `roundup.db-wal` / `roundup.db-shm`: SQLite's own files, left by a process that was killed;
 * - `roundup.db.id`: written here, the database's identity (SQLite's `application_id` header
 *   field, set to a random number the first time a send or serve uses the database).
 *
 * If there is evidence but the database is missing, empty (no sends, no suppressions) or has
 * another identity, the send is refused with what happened and how to go on deliberately
 * (`--new-state`). A file that is not a SQLite database, or a database of another program, is
 * a clear error as well, never "internal error".
 *
 * Self-contained on purpose: it opens the file itself (read-only to inspect, a moment's write to
 * stamp the identity) and runs before the state is opened for the send.
 */
import Database from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { existsSync, renameSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, RoundupError } from '../errors.js';

export const ID_FILE = 'roundup.db.id';
const DB = 'roundup.db';

export interface StateCheck {
  /** What was found, for messages and tests. */
  state: 'fresh' | 'intact' | 'missing' | 'empty' | 'replaced' | 'unreadable' | 'foreign';
  detail?: string;
}

interface Inspection {
  kind: 'absent' | 'unreadable' | 'foreign' | 'unused' | 'used';
  appId: number;
  detail?: string;
}

/** Read-only look at the database file: never creates or changes it. */
function inspect(file: string): Inspection {
  if (!existsSync(file) || statSync(file).size === 0) return { kind: 'absent', appId: 0 };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (!tables.includes('sends') || !tables.includes('suppressions')) {
      if (tables.length === 0) return { kind: 'unused', appId };
      return { kind: 'foreign', appId, detail: `it has tables ${tables.slice(0, 4).join(', ')}${tables.length > 4 ? ', …' : ''}` };
    }
    const used =
      (db.prepare('SELECT EXISTS (SELECT 1 FROM sends) OR EXISTS (SELECT 1 FROM suppressions) AS used').get() as { used: number }).used ===
      1;
    return { kind: used ? 'used' : 'unused', appId };
  } catch (e) {
    return { kind: 'unreadable', appId: 0, detail: (e as Error).message };
  } finally {
    db?.close();
  }
}

function readId(dir: string): number | undefined {
  try {
    const n = Number(readFileSync(path.join(dir, ID_FILE), 'utf8').trim());
    return Number.isInteger(n) && n !== 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Give the database an identity (once) and record it beside it. */
function stamp(dir: string, file: string, current: number): void {
  let id = current;
  if (id === 0) {
    id = randomInt(1, 2 ** 31 - 1);
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma(`application_id = ${id}`);
    } finally {
      db.close();
    }
  }
  if (readId(dir) !== id) writeFileSync(path.join(dir, ID_FILE), `${id}\n`);
}

const FLAG = '--new-state';

/**
 * Refuses (RoundupError, exit 1) when the database is not the one earlier sends used, unless
 * `startAfresh`; then an unreadable file is moved aside and the send starts a new record.
 * Call before anything creates the state directory's files (the secret, the database).
 */
export function ensureStateIntact(
  dir: string,
  opts: { startAfresh?: boolean; refuse?: boolean; shownDir?: string /** the command, when it is not send */; command?: string } = {},
): StateCheck {
  const file = path.join(dir, DB);
  const shown = path.join(opts.shownDir ?? (path.relative(process.cwd(), dir) || dir), DB);
  const found = inspect(file);
  const evidence = [ID_FILE, 'secret', `${DB}-wal`, `${DB}-shm`].filter((f) => existsSync(path.join(dir, f)));
  const knownId = readId(dir);

  let check: StateCheck;
  if (found.kind === 'unreadable') check = { state: 'unreadable', detail: found.detail };
  else if (found.kind === 'foreign') check = { state: 'foreign', detail: found.detail };
  else if (found.kind === 'absent') check = { state: evidence.length ? 'missing' : 'fresh' };
  else if (knownId !== undefined) {
    // The identity decides: the same file, used or not, is intact; any other file is not.
    check = { state: found.appId === knownId ? 'intact' : found.kind === 'used' ? 'replaced' : 'empty' };
  } else if (found.kind === 'used') check = { state: 'intact' };
  // No identity yet (a state folder from before it was recorded): a signing secret means
  // sends or unsubscribes happened, so a database with nothing in it lost them.
  else check = { state: evidence.includes('secret') ? 'empty' : 'fresh' };

  if (check.state !== 'fresh' && check.state !== 'intact') {
    if (opts.refuse === false) return check;
    if (!opts.startAfresh) throw refusal(check, shown, evidence, opts.command);
    if (check.state === 'unreadable' || check.state === 'foreign') {
      // Kept, not deleted: it may still be worth recovering.
      const aside = `${file}.unusable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      for (const extra of ['-wal', '-shm']) if (existsSync(file + extra)) renameSync(file + extra, aside + extra);
    }
  }
  return check;
}

/** After the send has opened (and so created) the database: record its identity. */
export function recordStateIdentity(dir: string): void {
  const file = path.join(dir, DB);
  const found = inspect(file);
  if (found.kind === 'used' || found.kind === 'unused') stamp(dir, file, found.appId);
}

function refusal(check: StateCheck, shown: string, evidence: string[], command?: string): RoundupError {
  // Only send starts a new record on purpose; status, unsubscribe and bounces scan would
  // otherwise report on (or record into) a new, empty database as if nothing had been sent.
  const sendAnyway = command
    ? `${command} will not read or record into a new database in its place; a new send record is started on purpose only by roundup send … ${FLAG}`
    : `to start a new send record on purpose (every reader on the list counts as not yet sent, and earlier unsubscribes recorded only there are lost), run the same command with ${FLAG}`;
  const used = `the state folder has been used before (found ${evidence.join(', ')})`;
  const why: Record<Exclude<StateCheck['state'], 'fresh' | 'intact'>, string> = {
    missing: `the send state database is missing, but ${used}${command ? '' : ': sending now would mail every reader again'}. Restore ${path.basename(shown)} from a backup if you have one; ${sendAnyway}`,
    empty: `the send state database is empty, but ${used}${command ? '' : ': sending now would mail every reader again'}. Restore it from a backup if you have one; ${sendAnyway}`,
    replaced: `the send state database is not the one earlier sends recorded in (its identity differs from ${ID_FILE}): it may be another project's or an old copy. Put the right file back; ${sendAnyway}`,
    unreadable: `the send state database cannot be read (${check.detail ?? 'damaged'}): restore it from a backup; or, ${sendAnyway.replace('to start', 'to move it aside and start')}`,
    foreign: `is not a roundup send state database (${check.detail ?? 'unknown tables'}): point stateDir or ROUNDUP_STATE_DIR elsewhere; or, ${sendAnyway.replace('to start', 'to move it aside and start')}`,
  };
  return new RoundupError(ErrorCodes.STATE, why[check.state as keyof typeof why], { file: shown });
}
