/**
 * Where the send state lives, and opening it: SQLite in the state directory (the embedded
 * default), or PostgreSQL when `ROUNDUP_DATABASE_URL` (environment or .env) or config
 * `database:` names one. Either way the schema is created and migrated on first use.
 *
 * SQLite: WAL with synchronous=NORMAL makes every committed transaction survive a killed
 * process (kill -9); only a power cut can lose the last few commits, and because each status
 * change moves a row forward (queued → sending → sent), losing one only makes a row look
 * earlier: it is re-sent (same Message-ID), never skipped.
 *
 * PostgreSQL: every statement the send loop depends on is committed before the next step
 * (a 'sending' row before DATA), so the same reasoning holds on the server's own durability.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { stateDirOf } from './dir.js';
import { ensureStateIntact } from './intact.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { PgDriver, SqliteDriver, stateError, type Sql } from './sql.js';
import { schemaVersion, Store } from './store.js';

export const DB_FILE = 'roundup.db';

export type StateLocation = { kind: 'sqlite'; dir: string; file: string; shown: string } | { kind: 'postgres'; url: string; shown: string };

type StateConfig = Pick<Config, 'stateDir'> & { database?: string };

/**
 * Which state: the environment's (ROUNDUP_DATABASE_URL, ROUNDUP_STATE_DIR, resolved by
 * src/env.ts), else config `database:` / `stateDir`; paths relative to the project root.
 */
export interface StateChoice {
  root?: string;
  stateDir?: string;
  databaseUrl?: string;
}

/** `postgres://user:****@host/db`: how a database URL is shown in messages, the password masked. */
export function maskDatabaseUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '****';
  return u.href;
}

/** A PostgreSQL URL as roundup accepts it, or a one-line error naming where it came from. */
export function checkDatabaseUrl(raw: string, from: string): string {
  const url = raw.trim();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RoundupError(ErrorCodes.USAGE, `${from} is not a URL: write postgres://user:password@host:5432/dbname`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new RoundupError(
      ErrorCodes.USAGE,
      `${from} must be a postgres:// or postgresql:// URL (got ${u.protocol}//…); leave it unset to keep the state in SQLite`,
    );
  }
  try {
    decodeURIComponent(u.password);
  } catch {
    throw new RoundupError(ErrorCodes.USAGE, `${from}: the password is not valid URL encoding (write % as %25)`);
  }
  return url;
}

/** Which database this project's state is in: env ROUNDUP_DATABASE_URL, config `database:`, else SQLite. */
export function stateLocation(config: StateConfig, where: StateChoice = {}): StateLocation {
  const url = where.databaseUrl
    ? checkDatabaseUrl(where.databaseUrl, 'ROUNDUP_DATABASE_URL')
    : config.database
      ? checkDatabaseUrl(config.database, 'config "database"')
      : undefined;
  if (url) return { kind: 'postgres', url, shown: maskDatabaseUrl(url) };
  const dir = stateDirOf(config, where);
  const file = path.join(dir, DB_FILE);
  return { kind: 'sqlite', dir, file, shown: path.relative(process.cwd(), file) || file };
}

/** Open (creating and migrating on first use) the state database this project uses, or `location`. */
/**
 * `openStore` for commands that read or record send state but never start a send (status,
 * unsubscribe, bounces scan): a lost SQLite database is refused as send refuses it, instead of
 * silently creating an empty one ("has not been sent yet").
 */
export async function openRecordedStore(config: StateConfig, where: StateChoice, command: string): Promise<Store> {
  const loc = stateLocation(config, where);
  if (loc.kind === 'sqlite') ensureStateIntact(loc.dir, { command });
  return openStore(config, where, loc);
}

export async function openStore(config: StateConfig, where: StateChoice = {}, location?: StateLocation): Promise<Store> {
  const loc = location ?? stateLocation(config, where);
  return loc.kind === 'sqlite' ? openSqlite(loc) : openPostgres(loc);
}

function openSqlite(loc: Extract<StateLocation, { kind: 'sqlite' }>): Store {
  let db: Database.Database | undefined;
  try {
    mkdirSync(loc.dir, { recursive: true });
    db = new Database(loc.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Another roundup process (serve recording an unsubscribe, a status query) may hold the
    // write lock for a moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    const driver = new SqliteDriver(db, loc.shown);
    migrateSqlite(driver);
    return new Store(driver, loc.shown, driver);
  } catch (e) {
    db?.close();
    const err = stateError(e, loc.shown);
    if (err instanceof RoundupError) throw err;
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new RoundupError(ErrorCodes.STATE, 'the disk is full: free some space and run the same command again', { file: loc.shown });
    }
    throw new RoundupError(ErrorCodes.STATE, `cannot open the send state database: ${(e as Error).message}`, { file: loc.shown });
  }
}

function tooNew(version: number, where: string): RoundupError {
  return new RoundupError(
    ErrorCodes.STATE,
    `made by a newer roundup (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade roundup`,
    { file: where },
  );
}

/** SQLite: the version check and the migrations run inside one BEGIN IMMEDIATE, so two processes cannot both migrate. */
export function migrateSqlite(driver: SqliteDriver): void {
  const version = () => Number(driver.db.pragma('user_version', { simple: true }));
  const v0 = version();
  if (v0 > SCHEMA_VERSION) throw tooNew(v0, driver.where);
  if (v0 === SCHEMA_VERSION) return;
  driver.txSync(() => {
    // Re-read inside the write transaction: another process may have migrated meanwhile.
    const v = version();
    // A new database has no tables; one with tables but no schema version is another
    // program's: never add roundup's tables to it.
    if (v === 0) {
      const tables = (driver.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      );
      if (tables.length) {
        throw new RoundupError(
          ErrorCodes.STATE,
          `is not a roundup send state database (it has tables ${tables.slice(0, 4).join(', ')}): point stateDir or ROUNDUP_STATE_DIR elsewhere`,
          { file: driver.where },
        );
      }
    }
    for (const m of MIGRATIONS) if (m.version > v) driver.db.exec(m.sqlite);
    driver.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
}

/** A lock id of roundup's own for pg_advisory_lock (any fixed 64-bit number). */
const MIGRATION_LOCK = 726_863_001;

async function openPostgres(loc: Extract<StateLocation, { kind: 'postgres' }>): Promise<Store> {
  const { default: pg } = await import('pg');
  // Counts and ids are bigint: read them as numbers (exact below 2^53).
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: libpqSsl(loc.url),
    max: 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 10_000,
    application_name: 'roundup',
    types,
  });
  // An idle connection dropped by the server must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  const driver = new PgDriver(pool, loc.shown);
  try {
    await migratePostgres(driver);
  } catch (e) {
    await driver.close();
    throw stateError(e, loc.shown);
  }
  return new Store(driver, loc.shown, driver);
}

/**
 * `sslmode=require` means what it means to psql and every managed PostgreSQL service
 * (encrypt, do not verify the certificate), not node-postgres's stricter reading.
 */
export function libpqSsl(url: string): string {
  const u = new URL(url);
  if (u.searchParams.has('sslmode') && !u.searchParams.has('uselibpqcompat')) u.searchParams.set('uselibpqcompat', 'true');
  return u.href;
}

/** PostgreSQL: migrations under a session advisory lock, so two first runs at once migrate once. */
export async function migratePostgres(driver: PgDriver): Promise<void> {
  const v0 = await schemaVersion(driver);
  if (v0 > SCHEMA_VERSION) throw tooNew(v0, driver.where);
  if (v0 === SCHEMA_VERSION) return;
  await driver.session(async (s) => {
    await s.exec(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await s.tx(async (t: Sql) => {
        await t.exec('CREATE TABLE IF NOT EXISTS roundup_schema (version integer NOT NULL)');
        const v = await schemaVersion(t);
        if (v > SCHEMA_VERSION) throw tooNew(v, driver.where);
        for (const m of MIGRATIONS) if (m.version > v) await t.exec(m.postgres);
        await t.exec('DELETE FROM roundup_schema');
        await t.run('INSERT INTO roundup_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
      });
    } finally {
      await s.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => {});
    }
  });
}
