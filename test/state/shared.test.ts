/**
 * One PostgreSQL shared by several machines, through the real CLI (bin/roundup.js): three
 * senders on one send with one killed by SIGKILL, `serve` with an empty state directory of its
 * own, `db status` and `db copy`. Each test has a database of its own (helpers/pg.ts).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../../src/unsubscribe/token.js';
import { createDatabase, dropDatabase, hasPostgres } from '../helpers/pg.js';
import { runCli, type SpawnedCli, spawnCli } from '../helpers/project.js';
import { copiesByReader, makeSendProject, readersCsv, startSmtp, type SendProject, type TestSmtp } from '../send/helpers.js';

const SECRET = 'a-shared-signing-secret-for-tests';

type Run = SpawnedCli;

const cli = (cwd: string, args: string[], env: Record<string, string>): Run =>
  spawnCli(args, cwd, { SMTP_URL: '', ROUNDUP_SECRET: SECRET, ...env });

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * `roundup serve --port 0` in `root` (the web host), one one-click POST for `token`, then stop.
 * Returns the HTTP status and what serve printed when it started.
 */
async function oneClickThroughServe(root: string, env: Record<string, string>, token: string): Promise<{ status: number; banner: string }> {
  const serve = cli(root, ['serve', '--port', '0'], env);
  const { base, banner } = await new Promise<{ base: string; banner: string }>((resolve, reject) => {
    let out = '';
    // Never leave a serve behind: a test that gives up kills it.
    const timer = setTimeout(() => {
      serve.child.kill('SIGKILL');
      reject(new Error(`serve did not start within 60 s: ${out}`));
    }, 60_000);
    serve.child.on('exit', () => clearTimeout(timer));
    serve.child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+?);/.exec(out);
      if (m && out.includes('\n')) {
        clearTimeout(timer);
        resolve({ base: m[1], banner: out });
      }
    });
    serve.child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  try {
    const res = await fetch(`${base}/u/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    return { status: res.status, banner };
  } finally {
    serve.child.kill('SIGTERM');
    await serve.done;
  }
}

describe.skipIf(!hasPostgres)('shared state on PostgreSQL (real CLI)', () => {
  let url: string;
  let smtp: TestSmtp | undefined;
  beforeEach(async () => {
    url = await createDatabase();
  });
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
    await dropDatabase(url);
  });

  const sendArgs = (extra: string[] = []) => [
    'send',
    'bulletin',
    '--list',
    'readers',
    '--yes',
    '--smtp',
    smtp!.url,
    '--rate',
    '0',
    ...extra,
  ];

  it('three --join senders share one send; one killed by SIGKILL: nobody missed, duplicates only with the same Message-ID', async () => {
    const N = 240;
    // Each machine has its own project folder and state directory; only the database is shared.
    const machines = [0, 1, 2].map(() => makeSendProject({ csv: readersCsv(N), send: { concurrency: 2, timeout: 60_000 } }));
    let delivered = 0;
    let killAt!: () => void;
    const reachedKillPoint = new Promise<void>((r) => (killAt = r));
    smtp = await startSmtp({
      onData: async () => {
        if (++delivered === 60) killAt();
        // A relay that takes a moment per message: the senders overlap, and the kill lands mid-send.
        await new Promise((r) => setTimeout(r, 15));
        return 'accept' as const;
      },
    });
    const env = (m: SendProject) => ({ ROUNDUP_DATABASE_URL: url, ROUNDUP_STATE_DIR: m.stateDir });
    const runs = machines.map((m) => cli(m.root, sendArgs(['--join']), env(m)));
    await reachedKillPoint;
    const victim = runs[1];
    victim.child.kill('SIGKILL');
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results[1].signal).toBe('SIGKILL');
    for (const i of [0, 2]) expect(results[i].code, results[i].stderr).toBe(0);

    // Everyone got it; a reader mailed twice got the same Message-ID both times.
    const copies = copiesByReader(smtp.messages);
    expect(copies.size).toBe(N);
    for (const [, ids] of copies) expect(new Set(ids).size).toBe(1);
    const rows = await query<{ status: string; n: number }>(url, 'SELECT status, count(*)::int AS n FROM recipients GROUP BY status');
    expect(rows).toEqual([{ status: 'sent', n: N }]);
    // The summary of a survivor names the senders (host, pid) and what each sent.
    const survivor = results[0].stdout + results[2].stdout;
    expect(survivor).toMatch(/senders: +\S+ pid \d+: \d+ sent/);

    // status shows every sender and who sent what.
    const status = runCli(['status', 'bulletin', '--list', 'readers', '--json'], machines[0].root, env(machines[0]));
    expect(status.code, status.stderr).toBe(0);
    const [s] = JSON.parse(status.stdout) as { workers: { pid: number; sent: number; live: boolean }[]; counts: { sent: number } }[];
    expect(s.counts.sent).toBe(N);
    expect(s.workers.map((w) => w.pid).sort()).toEqual(runs.map((r) => r.child.pid).sort());
    expect(s.workers.every((w) => !w.live)).toBe(true);
    // What the workers recorded adds up to at least every reader (the killed one's last few may be re-sent).
    expect(s.workers.reduce((a, w) => a + w.sent, 0)).toBeGreaterThanOrEqual(N - 4);
  }, 120_000);

  it('a second send without --join is refused while one runs; kill -9 and an immediate re-run resumes', async () => {
    const m = makeSendProject({ csv: readersCsv(60), send: { concurrency: 2, timeout: 60_000 } });
    const env = { ROUNDUP_DATABASE_URL: url, ROUNDUP_STATE_DIR: m.stateDir };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const first = new Promise<void>((r) => (arrived = r));
    let seen = 0;
    smtp = await startSmtp({
      onData: async () => {
        if (++seen === 1) arrived();
        if (seen <= 2) await gate;
        return 'accept' as const;
      },
    });
    const a = cli(m.root, sendArgs(), env);
    await first;
    const b = await cli(m.root, sendArgs(), env).done;
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`already being sent by process ${a.child.pid} .*add --join`));
    a.child.kill('SIGKILL');
    await a.done;
    release();
    // At once: the dead pid on this host is dead, lease or no lease.
    const again = await cli(m.root, sendArgs(), env).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/stopped without finishing; resuming/);
    expect(copiesByReader(smtp.messages).size).toBe(60);
  }, 120_000);

  it('serve with an empty state directory of its own records one-click unsubscribes in the shared database; the next send skips them', async () => {
    const sender = makeSendProject({ csv: readersCsv(5) });
    const web = makeSendProject({ csv: 'email\n' }); // the web host: no list, no state
    const webState = mkdtempSync(path.join(tmpdir(), 'roundup-web-'));
    const token = signToken({ email: 'reader2@example.net', list: 'readers' }, Buffer.from(SECRET));
    const served = await oneClickThroughServe(web.root, { ROUNDUP_DATABASE_URL: url, ROUNDUP_STATE_DIR: webState }, token);
    expect(served.status).toBe(200);
    const where = /unsubscribes recorded in (\S+)/.exec(served.banner);
    expect(where).not.toBeNull();
    expect(where![1]).not.toContain(new URL(url).password);
    smtp = await startSmtp();
    const r = await cli(sender.root, sendArgs(), { ROUNDUP_DATABASE_URL: url, ROUNDUP_STATE_DIR: sender.stateDir }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(smtp.messages.map((m) => m.to).sort()).toEqual([
      'reader1@example.net',
      'reader3@example.net',
      'reader4@example.net',
      'reader5@example.net',
    ]);
    expect(r.stdout).toMatch(/1 suppressed/);
  }, 120_000);

  it('with no ROUNDUP_SECRET anywhere, the web host verifies the links the sending machine signed: the generated secret lives in the shared database', async () => {
    const sender = makeSendProject({ csv: readersCsv(3) });
    const web = makeSendProject({ csv: 'email\n' });
    const webState = mkdtempSync(path.join(tmpdir(), 'roundup-web-'));
    const noSecret = { ROUNDUP_DATABASE_URL: url, ROUNDUP_SECRET: '' };
    smtp = await startSmtp();
    const sent = await cli(sender.root, sendArgs(), { ...noSecret, ROUNDUP_STATE_DIR: sender.stateDir }).done;
    expect(sent.code, sent.stderr).toBe(0);
    // Neither machine has a secret file: the one secret is in the database.
    expect(existsSync(path.join(sender.stateDir, 'secret'))).toBe(false);
    const header = smtp.messages
      .find((m) => m.to === 'reader2@example.net')!
      .raw.toString('latin1')
      .match(/^List-Unsubscribe: <(https?:[^>]+)>/im);
    expect(header).not.toBeNull();
    const token = new URL(header![1]).pathname.split('/').pop()!;

    const served = await oneClickThroughServe(web.root, { ...noSecret, ROUNDUP_STATE_DIR: webState }, token);
    expect(served.status).toBe(200);
    expect(existsSync(path.join(webState, 'secret'))).toBe(false);
    const rows = await query<{ email_key: string }>(url, 'SELECT email_key FROM suppressions');
    expect(rows.map((r) => r.email_key)).toEqual(['reader2@example.net']);
  }, 120_000);

  it('db status names the backend with the password masked; db copy moves a SQLite state and a second copy changes nothing', async () => {
    const p = makeSendProject({ csv: readersCsv(7) });
    smtp = await startSmtp();
    const local = { ROUNDUP_STATE_DIR: p.stateDir };
    expect((await cli(p.root, sendArgs(), local).done).code).toBe(0);
    expect(runCli(['unsubscribe', 'someone@example.net'], p.root, local).code).toBe(0);

    const before = runCli(['db', 'status'], p.root, local);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^backend: +SQLite \(/m);
    expect(before.stdout).toMatch(/contents: 1 send, 7 readers' rows, 1 suppressed address/);

    const copy = runCli(['db', 'copy', '--to', url], p.root, local);
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/1 sends, 7 readers' rows, 1 suppressions/);
    const password = new URL(url).password;
    expect(copy.stdout + copy.stderr).not.toContain(password);
    const snapshot = () =>
      query(
        url,
        'SELECT s.issue, s.list, r.email_key, r.status, r.message_id, r.attempts FROM recipients r JOIN sends s ON s.id = r.send_id ORDER BY r.email_key',
      );
    const first = await snapshot();
    expect(first).toHaveLength(7);

    const twice = runCli(['db', 'copy', '--to', url], p.root, local);
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stdout).toMatch(/0 sends \(1 already there.*0 readers' rows \(7 already there.*0 suppressions \(1 already there/);
    expect(await snapshot()).toEqual(first);

    const shared = runCli(['db', 'status'], p.root, { ...local, ROUNDUP_DATABASE_URL: url });
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stdout).toMatch(/^backend: +PostgreSQL \(postgres:\/\/[^:]+:\*\*\*\*@/m);
    expect(shared.stdout).not.toContain(password);
    expect(shared.stdout).toMatch(/schema: +version \d+ \(current\)/);
    // The copied send is the same send: nothing left to send from the shared database.
    const resend = await cli(p.root, sendArgs(), { ...local, ROUNDUP_DATABASE_URL: url }).done;
    expect(resend.code, resend.stderr).toBe(0);
    expect(resend.stdout).toMatch(/nothing to send: all 7 readers/);
  }, 120_000);

  it('db copy keeps each reader id (bounce and unsubscribe addresses name it) and refuses a database whose ids name other readers', async () => {
    smtp = await startSmtp();
    // The SQLite state: 7 readers, ids 1..7.
    const p = makeSendProject({ csv: readersCsv(7) });
    const local = { ROUNDUP_STATE_DIR: p.stateDir };
    expect((await cli(p.root, sendArgs(), local).done).code).toBe(0);

    // A target that already holds another send (3 readers, ids 1..3): copying would give our
    // readers new ids, and a bounce to bounces+1-…@ (reader1 of our send) would land on theirs.
    const other = makeSendProject({ csv: readersCsv(3, 'other.example.net') });
    const busy = await createDatabase();
    try {
      const theirs = await cli(other.root, sendArgs(), { ROUNDUP_STATE_DIR: other.stateDir, ROUNDUP_DATABASE_URL: busy }).done;
      expect(theirs.code, theirs.stderr).toBe(0);
      const refused = runCli(['db', 'copy', '--to', busy], p.root, local);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/already holds other readers under the ids this state uses.*copy into an empty database/);
      expect(refused.stderr).not.toContain(new URL(busy).password);
      const after = await query<{ n: string }>(busy, "SELECT count(*) AS n FROM recipients WHERE email_key LIKE '%@example.net'");
      expect(Number(after[0].n)).toBe(0);
    } finally {
      await dropDatabase(busy);
    }

    // An empty target: the same ids as in SQLite, and the next send there gets fresh ids.
    // The secret this machine generated moves into the shared database (never printed), so
    // links it signed verify on the web host too.
    const secret = 'generated-here-0123456789abcdef';
    writeFileSync(path.join(p.stateDir, 'secret'), `${secret}\n`, { mode: 0o600 });
    const copy = runCli(['db', 'copy', '--to', url], p.root, local);
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/signing secret is kept in the shared database too/);
    expect(copy.stdout).not.toContain(secret);
    expect(await query<{ value: string }>(url, "SELECT value FROM settings WHERE key = 'unsubscribe-secret'")).toEqual([{ value: secret }]);
    const ids = await query<{ id: string; email_key: string }>(url, 'SELECT id, email_key FROM recipients ORDER BY id');
    expect(ids.map((r) => [Number(r.id), r.email_key])).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => [i, `reader${i}@example.net`]));
    const next = makeSendProject({ csv: readersCsv(2, 'next.example.net'), listName: 'next' });
    const sent = await cli(next.root, ['send', 'bulletin', '--list', 'next', '--yes', '--smtp', smtp.url, '--rate', '0'], {
      ROUNDUP_STATE_DIR: next.stateDir,
      ROUNDUP_DATABASE_URL: url,
    }).done;
    expect(sent.code, sent.stderr).toBe(0);
    const fresh = await query<{ id: string }>(url, "SELECT id FROM recipients WHERE email_key LIKE '%@next.example.net' ORDER BY id");
    expect(fresh.map((r) => Number(r.id))).toEqual([8, 9]);
  }, 180_000);

  it('--dry-run on PostgreSQL composes every message and leaves the database as it was', async () => {
    const p = makeSendProject({ csv: readersCsv(5) });
    const env = { ROUNDUP_DATABASE_URL: url, ROUNDUP_STATE_DIR: p.stateDir };
    const r = runCli(['send', 'bulletin', '--list', 'readers', '--dry-run'], p.root, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/readers: +5 to send/);
    expect(r.stdout).toMatch(/dry run: composed 5 messages .*state unchanged/);
    // Not even the schema: a database roundup never used is left as it was.
    expect(await query(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([]);

    // With a send recorded (to the outbox) and a reader added since, a dry run reads the
    // state and changes nothing.
    const sent = runCli(['send', 'bulletin', '--list', 'readers', '--yes'], p.root, { ...env, SMTP_URL: '' });
    expect(sent.code, sent.stderr).toBe(0);
    writeFileSync(p.listFile, readersCsv(6));
    const before = await query(url, 'SELECT id, status, attempts, updated_at FROM recipients ORDER BY id');
    expect(before).toHaveLength(5);
    const again = runCli(['send', 'bulletin', '--list', 'readers', '--dry-run'], p.root, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/readers: +1 to send, 5 already sent/);
    expect(await query(url, 'SELECT id, status, attempts, updated_at FROM recipients ORDER BY id')).toEqual(before);
  });

  it('a bad URL or an unreachable server is one line with the password masked', () => {
    const p = makeSendProject({ csv: readersCsv(1) });
    const bad = runCli(['db', 'status'], p.root, { ROUNDUP_DATABASE_URL: 'mysql://u:secretpw@h/db' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^roundup: ROUNDUP_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    const down = runCli(['db', 'status'], p.root, { ROUNDUP_DATABASE_URL: 'postgres://u:secretpw@127.0.0.1:9/db' });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/cannot reach the PostgreSQL server/);
    expect(down.stderr).not.toContain('secretpw');
  });
});
