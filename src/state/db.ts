/**
 * Where the send state lives, and opening it: SQLite in the state directory (the embedded
 * default), or PostgreSQL when `ROUNDUP_DATABASE_URL` (environment or .env) or config
 * `database:` names one. Either way the schema is created and migrated on first use by a
 * command that records (`openStore`); a command that only looks (`lookAtState`) creates and
 * migrates nothing.
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
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE, type Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { parseYaml } from '../yaml-source.js';
import { stateDirOf } from './dir.js';
import { ensureStateIntact } from './intact.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { PgDriver, SqliteDriver, type SqlDriver, stateError, type Sql, type UrlSource, urlName } from './sql.js';
import { schemaVersion, Store } from './store.js';

export type { UrlSource };

export const DB_FILE = 'roundup.db';

export type StateLocation =
  | { kind: 'sqlite'; dir: string; file: string; shown: string }
  | { kind: 'postgres'; url: string; shown: string; from: UrlSource };

export const ENV_URL: UrlSource = { name: 'ROUNDUP_DATABASE_URL' };
export const TO_URL: UrlSource = { name: '--to' };

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
export function checkDatabaseUrl(raw: string, from: UrlSource): string {
  const url = raw.trim();
  const fail = (why: string) => new RoundupError(ErrorCodes.USAGE, why, { file: from.file, line: from.line });
  const name = from.file ? `"${from.name}"` : from.name;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw fail(`${name} is not a URL: write postgres://user:password@host:5432/dbname`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw fail(
      `${name} must be a postgres:// or postgresql:// URL (got ${u.protocol}//…)${from === TO_URL ? '' : '; leave it unset to keep the state in SQLite'}`,
    );
  }
  try {
    decodeURIComponent(u.password);
  } catch {
    throw fail(`${name}: the password is not valid URL encoding (write % as %25)`);
  }
  return url;
}

/** Config `database:` as a URL source: roundup.config.yaml and the key's line (when the file reads). */
function configUrlSource(root: string | undefined): UrlSource {
  const file = path.join(root ?? process.cwd(), CONFIG_FILE);
  const shown = path.relative(process.cwd(), file) || CONFIG_FILE;
  try {
    return { name: 'database', file: shown, line: parseYaml(readFileSync(file, 'utf8'), shown, ErrorCodes.CONFIG).lineOf(['database']) };
  } catch {
    // Config given as an object (tests, library callers), or a file gone since it was loaded.
    return { name: 'database', file: shown };
  }
}

/** Which database this project's state is in: env ROUNDUP_DATABASE_URL, config `database:`, else SQLite. */
export function stateLocation(config: StateConfig, where: StateChoice = {}): StateLocation {
  if (where.databaseUrl) {
    const url = checkDatabaseUrl(where.databaseUrl, ENV_URL);
    return { kind: 'postgres', url, shown: maskDatabaseUrl(url), from: ENV_URL };
  }
  if (config.database) {
    const from = configUrlSource(where.root);
    const url = checkDatabaseUrl(config.database, from);
    return { kind: 'postgres', url, shown: maskDatabaseUrl(url), from };
  }
  const dir = stateDirOf(config, where);
  const file = path.join(dir, DB_FILE);
  return { kind: 'sqlite', dir, file, shown: path.relative(process.cwd(), file) || file };
}

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

/** Open (creating and migrating on first use) the state database this project uses, or `location`. */
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

async function pgDriver(loc: Extract<StateLocation, { kind: 'postgres' }>, readOnly = false): Promise<PgDriver> {
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
    // A look (lookAtState) is read-only on the server too: a write would fail, never happen.
    ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    types,
  });
  // An idle connection dropped by the server must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  return new PgDriver(pool, loc.shown, loc.from);
}

async function openPostgres(loc: Extract<StateLocation, { kind: 'postgres' }>): Promise<Store> {
  const driver = await pgDriver(loc);
  try {
    await migratePostgres(driver);
  } catch (e) {
    await driver.close();
    throw stateError(e, loc.shown, loc.from);
  }
  return new Store(driver, loc.shown, driver);
}

/**
 * What a look at the send state found: where it is, its schema version (0: roundup has never
 * used it), and the store to read it through, as it is (absent at version 0: nothing to read).
 */
export interface StateLook {
  location: StateLocation;
  version: number;
  store?: Store;
}

/**
 * The send state for commands that only look (`db status`, `status`, `bounces scan --dry-run`):
 * nothing is created, nothing is migrated, and the connection cannot write (SQLite
 * `query_only`, PostgreSQL `default_transaction_read_only`), so a look never changes the
 * database, not even by accident. A missing SQLite file or a PostgreSQL database roundup has
 * never used is version 0 with no store; an older schema is read as it is (`version` says
 * which: the caller decides whether its queries can read it); a newer one is refused unless
 * `newer` (only counting rows is safe there). A lost SQLite database is refused as
 * `openRecordedStore` refuses it, and a PostgreSQL database with another program's tables in
 * roundup's names as `openStore` refuses it.
 *
 * SQLite is opened read-write with `query_only` rather than read-only: a read-only connection
 * to a WAL database leaves `-wal` and `-shm` files behind (it may not remove them on close),
 * and those files are evidence of use to intact.ts. The database file is never written.
 */
export async function lookAtState(
  config: StateConfig,
  where: StateChoice,
  command: string,
  opts: { /** Read a newer schema too (db status reports it rather than refusing). */ newer?: boolean } = {},
): Promise<StateLook> {
  const location = stateLocation(config, where);
  let driver: SqlDriver;
  if (location.kind === 'sqlite') {
    ensureStateIntact(location.dir, { command });
    if (!existsSync(location.file)) return { location, version: 0 };
    let db: Database.Database | undefined;
    try {
      db = new Database(location.file, { fileMustExist: true });
      db.pragma('query_only = ON');
      db.pragma('busy_timeout = 5000');
    } catch (e) {
      db?.close();
      throw stateError(e, location.shown);
    }
    driver = new SqliteDriver(db, location.shown);
  } else {
    driver = await pgDriver(location, true);
  }
  try {
    const version = await schemaVersion(driver);
    if (version > SCHEMA_VERSION && !opts.newer) throw tooNew(version, driver.where);
    if (version === 0 && driver instanceof PgDriver) await refuseForeignTables(driver, driver);
    if (version === 0) {
      await driver.close();
      return { location, version };
    }
    return { location, version, store: new Store(driver, location.shown, driver) };
  } catch (e) {
    await driver.close();
    throw stateError(e, location.shown, location.kind === 'postgres' ? location.from : undefined);
  }
}

/** Does the state database have this table (an older schema may not)? */
export async function hasTable(sql: Sql, table: string): Promise<boolean> {
  const row =
    sql.dialect === 'sqlite'
      ? await sql.get<{ t: string }>("SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name = $1", [table])
      : await sql.get<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  return Boolean(row?.t);
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

/** Every table a migration creates (PostgreSQL's dialect), for telling another program's tables apart. */
const ROUNDUP_TABLES = [...new Set(MIGRATIONS.flatMap((m) => [...m.postgres.matchAll(/CREATE TABLE (\w+)/g)].map((x) => x[1])))];

/**
 * A PostgreSQL database roundup has not used (no `roundup_schema`) that already has tables by
 * the names roundup would create is another program's: refuse it with one line, as SQLite
 * refuses a file with tables of its own, rather than fail halfway with "relation already
 * exists" (or, worse, read another program's `sends` as roundup's). Other tables are fine: a
 * database shared with an application is a normal place for roundup's.
 */
async function refuseForeignTables(sql: Sql, driver: Pick<PgDriver, 'where' | 'source'>): Promise<void> {
  const found = await sql.all<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY 1`,
    [ROUNDUP_TABLES],
  );
  if (!found.length) return;
  const names = found.map((r) => r.t).join(', ');
  throw new RoundupError(
    ErrorCodes.STATE,
    `is not a roundup send state database: it already has tables named as roundup's (${names}) but no roundup schema version; ` +
      `another program's tables are never touched: point ${urlName(driver.source)} at a database of roundup's own (createdb)`,
    { file: driver.where },
  );
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
        if (v === 0) await refuseForeignTables(t, driver);
        for (const m of MIGRATIONS) if (m.version > v) await t.exec(m.postgres);
        await t.exec('DELETE FROM roundup_schema');
        await t.run('INSERT INTO roundup_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
      });
    } finally {
      await s.exec(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => {});
    }
  });
}
