/**
 * One small async SQL interface over the two engines the send state can live in:
 *
 *   SQLite (better-sqlite3, synchronous underneath: a promise that is already settled costs a
 *   microtask, so the embedded default stays as fast as it was) and PostgreSQL (node-postgres,
 *   a pool of connections).
 *
 * Queries are written once, with PostgreSQL's `$1, $2…` placeholders; the SQLite driver turns
 * them into `?1, ?2…` (SQLite's numbered parameters). Both engines understand RETURNING,
 * ON CONFLICT and UPDATE … FROM, so most statements are shared; where the dialects differ
 * (`FOR UPDATE SKIP LOCKED`, arrays, the clock) the caller branches on `dialect`.
 *
 * Engine errors become RoundupError (ESTATE) here, with a message a user can act on (disk
 * full, database locked, cannot connect…): never an "internal error".
 */
import type Database from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';
import { ErrorCodes, RoundupError } from '../errors.js';

export type Dialect = 'sqlite' | 'postgres';
export type Params = readonly unknown[];

export interface Sql {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: Params): Promise<T[]>;
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: Params): Promise<number>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in one transaction (SQLite: BEGIN IMMEDIATE, so the write lock is taken up front;
   * PostgreSQL: one pooled connection). Commits if `fn` resolves, rolls back if it throws.
   */
  tx<T>(fn: (t: Sql) => Promise<T>): Promise<T>;
}

export interface SqlDriver extends Sql {
  /** What to show the user: a file path, or the URL with its password masked. */
  readonly where: string;
  close(): Promise<void>;
}

/** The current time in ms since the epoch, as the database sees it (one clock for every machine). */
export function nowMsExpr(dialect: Dialect): string {
  return dialect === 'postgres'
    ? '(extract(epoch from clock_timestamp()) * 1000)::bigint'
    : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}

// ---------------------------------------------------------------- SQLite

/** `$1` → `?1`: SQLite's numbered parameters, so one statement text serves both engines. */
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '?$1');

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, Database.Statement>();
  private txTail: Promise<unknown> = Promise.resolve();
  private inTx = false;

  constructor(
    readonly db: Database.Database,
    readonly where: string,
  ) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(toSqlite(sql));
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Synchronous forms, for the hot path and for callers that cannot await (never in a tx of another caller). */
  allSync<T>(sql: string, params: Params = []): T[] {
    return this.guard(() => this.stmt(sql).all(...bind(params)) as T[]);
  }
  getSync<T>(sql: string, params: Params = []): T | undefined {
    return this.guard(() => this.stmt(sql).get(...bind(params)) as T | undefined);
  }
  runSync(sql: string, params: Params = []): number {
    return this.guard(() => this.stmt(sql).run(...bind(params)).changes);
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.allSync<T>(sql, params);
  }
  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    return this.getSync<T>(sql, params);
  }
  async run(sql: string, params: Params = []): Promise<number> {
    return this.runSync(sql, params);
  }
  async exec(sql: string): Promise<void> {
    this.guard(() => this.db.exec(sql));
  }

  /** A synchronous transaction (better-sqlite3's): for steps that never await. */
  txSync<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn).immediate());
  }

  async tx<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    // Nested (a dry run's import inside its rolled-back transaction): part of the outer one.
    if (this.inTx) return fn(this);
    // One connection: transactions from concurrent callers in this process take turns.
    const prev = this.txTail;
    let done!: () => void;
    this.txTail = new Promise<void>((r) => {
      done = r;
    });
    await prev.catch(() => {});
    try {
      this.guard(() => this.db.exec('BEGIN IMMEDIATE'));
      this.inTx = true;
      try {
        const out = await fn(this);
        this.guard(() => this.db.exec('COMMIT'));
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      } finally {
        this.inTx = false;
      }
    } finally {
      done();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw stateError(e, this.where);
    }
  }
}

/**
 * better-sqlite3 binds numbered parameters (`?1`) by name: `{ 1: …, 2: … }`. Booleans become
 * 0/1 and undefined NULL.
 */
function bind(params: Params): [Record<number, unknown>] | [] {
  if (!params.length) return [];
  const named: Record<number, unknown> = {};
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    named[i + 1] = p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p;
  }
  return [named];
}

// ---------------------------------------------------------------- PostgreSQL

export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly pool: Pool,
    readonly where: string,
    /** Where the URL was given (environment, config, --to), for messages about it. */
    readonly source?: UrlSource,
    private readonly client?: PoolClient,
    private readonly inTx = false,
  ) {}

  private async q(sql: string, params: Params = []) {
    try {
      return await (this.client ?? this.pool).query(sql, params as unknown[]);
    } catch (e) {
      throw stateError(e, this.where, this.source);
    }
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return (await this.q(sql, params)).rows as T[];
  }
  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.q(sql, params)).rows[0] as T | undefined;
  }
  async run(sql: string, params?: Params): Promise<number> {
    return (await this.q(sql, params)).rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.q(sql);
  }

  async tx<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this); // already inside one: part of it
    let client = this.client;
    if (!client) {
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw stateError(e, this.where, this.source);
      }
    }
    const t = new PgDriver(this.pool, this.where, this.source, client, true);
    let broken = false;
    try {
      await t.exec('BEGIN');
      const out = await fn(t);
      await t.exec('COMMIT');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      if (!this.client) client.release(broken);
    }
  }

  /** A dedicated connection for session-level work (advisory locks). */
  async session<T>(fn: (t: PgDriver) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw stateError(e, this.where, this.source);
    }
    try {
      return await fn(new PgDriver(this.pool, this.where, this.source, client));
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.client) await this.pool.end().catch(() => {});
  }
}

// ---------------------------------------------------------------- errors

/**
 * Where a PostgreSQL URL was given: the environment variable (or .env), config `database:` at
 * its line, or `db copy --to`. Messages about the URL (cannot reach the server, a refused
 * password, no such database, TLS) send the user there; without one they name the URL only.
 */
export interface UrlSource {
  /** How a message names it: `ROUNDUP_DATABASE_URL`, `--to`, `database` (a config key). */
  name: string;
  /** The file it is written in, when it is one (roundup.config.yaml), and the key's line. */
  file?: string;
  line?: number;
}

/** How a message names where the URL was given: `ROUNDUP_DATABASE_URL`, `--to`, `"database" in roundup.config.yaml`. */
export function urlName(source: UrlSource | undefined): string {
  if (!source) return 'the database URL';
  return source.file !== undefined ? `"${source.name}" in ${source.file}` : source.name;
}

/**
 * An engine error as one line the user can act on. Library callers that need the engine's
 * own code (tests, the dispatcher's "nothing was lost" message) still find it in `cause`.
 * `where` is the file or the masked URL; `source`, where a PostgreSQL URL came from.
 */
export function stateError(e: unknown, where: string, source?: UrlSource): Error {
  if (e instanceof RoundupError) return e;
  const err = e as { code?: string; message?: string };
  const code = String(err.code ?? '');
  const msg = String(err.message ?? e);
  // A mistake in the URL is located where the URL was written: the config line (naming the
  // server, since the file does not show the URL's password-masked form), else the URL.
  const inConfig = source?.file !== undefined;
  // Located at the config line, the key alone says it; at the URL, say where it was given.
  const url = inConfig ? `"${source.name}"` : urlName(source);
  const at = inConfig ? ` at ${where}` : '';
  let why: string | undefined;
  let aboutUrl = false;
  if (code.startsWith('SQLITE_FULL') || /disk is full|ENOSPC|No space left/i.test(msg) || code === '53100') {
    why = 'the disk is full: free some space and run the same command again (nothing was lost)';
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    why =
      'the send state database is locked by another process (waited 5 s): wait for it to finish, or stop it, and run the same command again';
  } else if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'EACCES') {
    why = `cannot write the send state database (${msg}): check the permissions of the state directory`;
  } else if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    why = `the send state database is damaged or not a roundup database (${msg})`;
  } else if (code.startsWith('SQLITE_IOERR')) {
    why = `the send state database could not be written (${msg}): check the disk`;
  } else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT') {
    aboutUrl = true;
    why = `cannot reach the PostgreSQL server${at} (${code}): is it running, and is the host/port in ${url} right?`;
  } else if (code === '28P01' || code === '28000') {
    aboutUrl = true;
    why = `PostgreSQL${at} refused the user name or password in ${url}`;
  } else if (code === '3D000') {
    aboutUrl = true;
    why = `${msg}${at}: create it (createdb) or fix the database name in ${url}`;
  } else if (code === '42501') {
    why = `${msg}: the database user needs CREATE rights on the schema (for the first run) and read/write on roundup's tables`;
  } else if (code === '57P01' || code === '57P03' || /Connection terminated|ECONNRESET/i.test(msg)) {
    why = `the connection to PostgreSQL was lost (${msg}); nothing was lost: run the same command again`;
  } else if (/self[- ]signed certificate|SSL|certificate/i.test(msg)) {
    aboutUrl = true;
    why = `PostgreSQL TLS${at}: ${msg} (sslmode=require in ${url} encrypts without checking the certificate; sslmode=verify-full checks it)`;
  } else if (code.startsWith('SQLITE_')) {
    why = `the send state database failed: ${msg}`;
  }
  if (!why) return e instanceof Error ? e : new Error(msg);
  const loc = aboutUrl && inConfig ? { file: source.file, line: source.line } : { file: where };
  const out = new RoundupError(ErrorCodes.STATE, why, loc);
  (out as { cause?: unknown }).cause = e;
  return out;
}
