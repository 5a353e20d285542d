/**
 * Opening the state database: one SQLite file in the state directory, WAL mode.
 *
 * WAL with synchronous=NORMAL makes every committed transaction survive a killed process
 * (kill -9); only a power cut can lose the last few commits, and because each status change
 * moves a row forward (queued → sending → sent), losing one only makes a row look earlier:
 * it is re-sent (same Message-ID), never skipped.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { stateDirOf, type StateDirChoice } from './dir.js';
import { MIGRATIONS } from './schema.js';

export type StateDb = Database.Database;

export const DB_FILE = 'roundup.db';

export function openState(config: Pick<Config, 'stateDir'>, opts: StateDirChoice & { readonly?: boolean } = {}): StateDb {
  const dir = stateDirOf(config, opts);
  const file = path.join(dir, DB_FILE);
  const shown = path.relative(process.cwd(), file) || file;
  let db: StateDb;
  try {
    mkdirSync(dir, { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Another roundup process (serve recording an unsubscribe, a status query) may hold the
    // write lock for a moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    migrate(db, shown);
  } catch (e) {
    if (e instanceof RoundupError) throw e;
    throw new RoundupError(ErrorCodes.STATE, `cannot open the send state database: ${(e as Error).message}`, { file: shown });
  }
  return db;
}

export function migrate(db: StateDb, shown = DB_FILE): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new RoundupError(
      ErrorCodes.STATE,
      `made by a newer roundup (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade roundup`,
      { file: shown },
    );
  }
  if (version === MIGRATIONS.length) return;
  db.transaction(() => {
    // Re-read inside the write transaction: another process may have migrated meanwhile.
    const v = db.pragma('user_version', { simple: true }) as number;
    for (let i = v; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export const nowIso = () => new Date().toISOString();
