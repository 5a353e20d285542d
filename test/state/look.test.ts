/**
 * Commands that only look at the send state change nothing: `bounces scan --dry-run` and
 * `db status` neither create the database nor migrate an older one, and `status` creates none
 * (it upgrades an older one, as any command that records does). On SQLite and on PostgreSQL,
 * from the same tests; "unchanged" is the SQLite file's bytes and folder, or PostgreSQL's
 * tables and recorded schema version.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBouncesScan } from '../../src/bounces/command.js';
import { isRoundupError, type RoundupError } from '../../src/errors.js';
import { lookAtState } from '../../src/state/db.js';
import { MIGRATIONS, SCHEMA_VERSION, type StateChoice } from '../../src/state/index.js';
import { backends, envVars } from '../helpers/backends.js';
import { createDatabase, dropDatabase, hasPostgres } from '../helpers/pg.js';
import { roundup } from '../helpers/commands.js';
import { makeSendProject, readersCsv } from '../send/helpers.js';
import { dsnFor } from '../bounces/reports.js';

const MESSAGE_ID = '<0123456789abcdef.bulletin@news.hartwellfinch.example>';
const READER = 'reader1@example.net';

async function pgQuery<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * A state as an older roundup left it: migrations 1…`version` only, with one send of
 * `bulletin` to `readers` whose one reader was sent MESSAGE_ID.
 */
async function olderState(where: StateChoice, version: number): Promise<void> {
  const ts = '2026-11-01T10:00:00.000Z';
  const rows = [
    [
      'INSERT INTO sends (issue, list, subject, list_gen, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)',
      ['bulletin', 'readers', 'Hi', ts],
    ],
    [
      `INSERT INTO recipients (send_id, email, email_key, name, fields, line, list_gen, status, attempts, message_id, queued_at, sent_at, updated_at)
       VALUES (1, $1, $1, 'Reader 1', '{}', 2, 1, 'sent', 1, $2, $3, $3, $3)`,
      [READER, MESSAGE_ID, ts],
    ],
  ] as const;
  if (where.databaseUrl) {
    const c = new pg.Client({ connectionString: where.databaseUrl });
    await c.connect();
    try {
      await c.query('CREATE TABLE roundup_schema (version integer NOT NULL)');
      for (const m of MIGRATIONS) if (m.version <= version) await c.query(m.postgres);
      await c.query('INSERT INTO roundup_schema (version) VALUES ($1)', [version]);
      for (const [sql, params] of rows) await c.query(sql, [...params]);
    } finally {
      await c.end();
    }
    return;
  }
  const db = new Database(path.join(where.stateDir!, 'roundup.db'));
  try {
    db.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS) if (m.version <= version) db.exec(m.sqlite);
    db.pragma(`user_version = ${version}`);
    for (const [sql, params] of rows) db.prepare(sql.replace(/\$(\d)/g, '?$1')).run(Object.fromEntries(params.map((v, i) => [i + 1, v])));
  } finally {
    db.close();
  }
}

/** Everything a change would show: SQLite's file bytes and folder; PostgreSQL's tables and schema version. */
async function snapshot(where: StateChoice): Promise<unknown> {
  if (where.databaseUrl) {
    const tables = await pgQuery<{ t: string }>(
      where.databaseUrl,
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    const version = tables.some((r) => r.t === 'roundup_schema')
      ? await pgQuery<{ version: number }>(where.databaseUrl, 'SELECT version FROM roundup_schema')
      : [];
    return { tables: tables.map((r) => r.t), version };
  }
  const dir = where.stateDir!;
  const file = path.join(dir, 'roundup.db');
  return {
    files: existsSync(dir) ? readdirSync(dir).sort() : null,
    bytes: existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null,
  };
}

async function versionOf(where: StateChoice): Promise<number> {
  if (where.databaseUrl) return (await pgQuery<{ version: number }>(where.databaseUrl, 'SELECT version FROM roundup_schema'))[0].version;
  const db = new Database(path.join(where.stateDir!, 'roundup.db'), { readonly: true });
  try {
    return Number(db.pragma('user_version', { simple: true }));
  } finally {
    db.close();
  }
}

/** A hard bounce for READER that returns MESSAGE_ID (matched by Message-ID; no VERP address is configured). */
const bounce = () =>
  dsnFor(
    {
      from: 'newsletter@news.hartwellfinch.example',
      to: READER,
      raw: Buffer.from(`From: a@news.hartwellfinch.example\r\nTo: ${READER}\r\nMessage-ID: ${MESSAGE_ID}\r\n\r\nhi\r\n`),
    },
    { status: '5.1.1', diagnostic: '550 5.1.1 user unknown' },
  );

async function scan(root: string, where: StateChoice, dryRun: boolean) {
  const out: string[] = [];
  const results = await runBouncesScan(
    { stdin: true, dryRun },
    { out: (s) => out.push(s), stdin: Readable.from([bounce()]) },
    { root, ...where },
  );
  return { results, out };
}

describe.each(backends())('a look at the send state changes nothing ($name)', (backend) => {
  let where: StateChoice;
  let root: string;
  beforeEach(async () => {
    where = await backend.fresh();
    root = makeSendProject({ csv: readersCsv(1) }).root;
  });
  afterEach(() => backend.cleanup(where));

  it('bounces scan --dry-run where roundup never recorded anything: classified, unmatched, and nothing created', async () => {
    const before = await snapshot(where);
    const { results, out } = await scan(root, where, true);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ kind: 'hard', matched: null, recorded: false });
    expect(out.join('\n')).toMatch(/dry run: nothing recorded or moved/);
    expect(await snapshot(where)).toEqual(before);
  });

  it('bounces scan --dry-run reads an older schema as it is (matches, upgrades nothing); the real scan then upgrades and records', async () => {
    await olderState(where, 1);
    const before = await snapshot(where);
    const dry = await scan(root, where, true);
    expect(dry.results[0]).toMatchObject({
      kind: 'hard',
      matched: { issue: 'bulletin', list: 'readers', email: READER },
      matchedBy: 'message-id',
      recorded: false,
    });
    expect(await snapshot(where)).toEqual(before);
    expect(await versionOf(where)).toBe(1);

    const real = await scan(root, where, false);
    expect(real.results[0]).toMatchObject({ matched: { email: READER }, recorded: true, suppressed: ['hard-bounce'] });
    expect(await versionOf(where)).toBe(SCHEMA_VERSION);
  });

  it('the look cannot write: a statement that would is refused by the engine', async () => {
    await olderState(where, SCHEMA_VERSION);
    const look = await lookAtState({ stateDir: '.roundup' }, where, 'test');
    try {
      expect(look.version).toBe(SCHEMA_VERSION);
      const write = look.store!.sql.run("INSERT INTO settings (key, value) VALUES ('x', 'y')");
      await expect(write).rejects.toThrow(/read-only|readonly|attempt to write/i);
    } finally {
      await look.store?.close();
    }
  });

  it('db status reports an older schema without upgrading it, and a database roundup never used without creating anything', async () => {
    const before = await snapshot(where);
    const none = await roundup(['db', 'status'], root, envVars(where));
    expect(none.out.join('\n')).toMatch(/^schema: +none yet: roundup has not recorded anything here/m);
    expect(none.out.join('\n')).toMatch(/contents: 0 sends, 0 readers' rows, 0 suppressed addresses, 0 senders recorded/);
    expect(await snapshot(where)).toEqual(before);

    await olderState(where, 2);
    const older = await snapshot(where);
    const text = (await roundup(['db', 'status'], root, envVars(where))).out.join('\n');
    expect(text).toMatch(new RegExp(`^schema: +version 2, this roundup expects ${SCHEMA_VERSION} \\(the next command that records`, 'm'));
    // Migration 3 made the senders table: an older state has none to count.
    expect(text).toMatch(/contents: 1 send, 1 reader's row, 0 suppressed addresses, 0 senders recorded/);
    const json = JSON.parse((await roundup(['db', 'status', '--json'], root, envVars(where))).out.join('\n'));
    expect(json).toMatchObject({ version: 2, latest: SCHEMA_VERSION, counts: { sends: 1, recipients: 1, workers: 0 } });
    expect(await snapshot(where)).toEqual(older);
  });

  it('status creates nothing for a project never sent, and upgrades an older state to show it', async () => {
    const before = await snapshot(where);
    expect((await roundup(['status', 'bulletin'], root, envVars(where))).out).toEqual(['bulletin has not been sent yet']);
    expect((await roundup(['status', 'bulletin', '--json'], root, envVars(where))).out).toEqual(['[]']);
    expect(await snapshot(where)).toEqual(before);

    await olderState(where, 2);
    const shown = (await roundup(['status', 'bulletin'], root, envVars(where))).out.join('\n');
    expect(shown).toMatch(/^bulletin → readers: finished\n +1 sent, 0 failed/);
    expect(await versionOf(where)).toBe(SCHEMA_VERSION);
  });

  it('db copy from a state roundup never used: nothing to copy, nothing created, the target not contacted', async () => {
    const before = await snapshot(where);
    const copy = await roundup(['db', 'copy', '--to', 'postgres://u:pw@127.0.0.1:9/nowhere'], root, envVars(where));
    expect(copy.out).toEqual([expect.stringMatching(/^nothing to copy: .* has no send state yet/)]);
    expect(await snapshot(where)).toEqual(before);
  });

  it('a state made by a newer roundup: db status says so, the dry run refuses with one line', async () => {
    await olderState(where, SCHEMA_VERSION);
    if (where.databaseUrl) await pgQuery(where.databaseUrl, 'UPDATE roundup_schema SET version = $1', [SCHEMA_VERSION + 1]);
    else {
      const db = new Database(path.join(where.stateDir!, 'roundup.db'));
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
    }
    const text = (await roundup(['db', 'status'], root, envVars(where))).out.join('\n');
    expect(text).toMatch(
      new RegExp(`version ${SCHEMA_VERSION + 1}, made by a newer roundup \\(this one knows ${SCHEMA_VERSION}\\): upgrade roundup`),
    );
    const refused = await scan(root, where, true).catch((e: unknown) => e);
    expect(isRoundupError(refused) && refused.format()).toMatch(/made by a newer roundup .*upgrade roundup$/);
  });
});

describe.skipIf(!hasPostgres)('a PostgreSQL database with another program in it', () => {
  let url: string;
  beforeEach(async () => {
    url = await createDatabase();
  });
  afterEach(() => dropDatabase(url));

  it('tables named as roundup’s but no roundup schema: refused with one line by a look and by a command that records; left as it was', async () => {
    await pgQuery(url, 'CREATE TABLE sends (id integer, what text)');
    await pgQuery(url, "INSERT INTO sends VALUES (1, 'theirs')");
    // Other tables are fine: roundup shares a database with an application.
    await pgQuery(url, 'CREATE TABLE invoices (id integer)');
    const { root } = makeSendProject({ csv: readersCsv(1) });
    const before = await snapshot({ databaseUrl: url });
    for (const argv of [
      ['db', 'status'],
      ['status', 'bulletin'],
      ['unsubscribe', 'a@example.net'],
    ]) {
      const e = await roundup(argv, root, { ROUNDUP_DATABASE_URL: url }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isRoundupError(e), String(e)).toBe(true);
      expect((e as RoundupError).format()).toMatch(
        /^postgres:\/\/[^@]*:\*\*\*\*@[^:]+:\d+\/\w+: is not a roundup send state database: it already has tables named as roundup's \(sends\) .*point ROUNDUP_DATABASE_URL at a database of roundup's own/,
      );
    }
    expect(await snapshot({ databaseUrl: url })).toEqual(before);
    expect(await pgQuery(url, 'SELECT * FROM sends')).toEqual([{ id: 1, what: 'theirs' }]);

    // Beside an application's own tables (no name in common), roundup creates its own.
    await pgQuery(url, 'DROP TABLE sends');
    expect((await roundup(['unsubscribe', 'a@example.net'], root, { ROUNDUP_DATABASE_URL: url })).out[0]).toMatch(/suppressed/);
  });
});
