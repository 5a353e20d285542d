/**
 * The send state's guarantees, run against BOTH engines from this one file: SQLite in a temp
 * state directory, and a real PostgreSQL (a database of its own per test; see helpers/pg.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { openStore, SCHEMA_VERSION, type StateChoice, type Store } from '../../src/state/index.js';
import { backends, envVars } from '../helpers/backends.js';

const list = (text: string) => parseList(text, 'l.csv').recipients;
const mid = (r: { key: string }) => `<${r.key}>`;

const config = { stateDir: '.roundup' };

describe.each(backends())('state on $name', (backend) => {
  let env: StateChoice;
  let store: Store;
  const open = () => openStore(config, env);
  const rows = (sql: string) => store.sql.all<Record<string, unknown>>(sql);

  beforeEach(async () => {
    env = await backend.fresh();
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await backend.cleanup(env);
  });

  /** Claim everything claimable as worker `w`. */
  const claimAll = async (sendId: number, workerId: string, want = 100) => store.ledger(sendId, workerId).step([], want);

  it('creates the schema on first use, at the current version; re-opening is a no-op', async () => {
    const info = await store.info();
    expect(info).toMatchObject({ version: SCHEMA_VERSION, latest: SCHEMA_VERSION, counts: { sends: 0, recipients: 0 } });
    expect(info.backend).toBe(backend.name);
    if (backend.name === 'SQLite') {
      expect(existsSync(path.join(env.stateDir!, 'roundup.db'))).toBe(true);
      expect(await store.sql.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    }
    await (await open()).close();
  });

  it('claims a few rows per connection ahead, more on PostgreSQL, and at most a quarter second of a throttled send', () => {
    const unthrottled = backend.name === 'SQLite' ? [32, 64] : [64, 128];
    expect([store.claimAhead(8), store.claimAhead(50)]).toEqual(unthrottled);
    expect(store.claimAhead(8, 10)).toBe(3);
    expect(store.claimAhead(8, 1)).toBe(2);
    expect(store.claimAhead(8, 10_000)).toBe(unthrottled[0]);
  });

  it('refuses a database from a newer roundup with a located error', async () => {
    if (backend.name === 'SQLite') await store.sql.exec('PRAGMA user_version = 99');
    else await store.sql.exec('UPDATE roundup_schema SET version = 99');
    await expect(open()).rejects.toThrow(/made by a newer roundup \(schema 99/);
  });

  it('two processes starting at once on an empty database migrate it exactly once', async () => {
    await store.close();
    await backend.cleanup(env);
    env = await backend.fresh();
    // Real separate processes, started together, each opening (and so migrating) the state.
    const script = `
      const { openStore } = await import(${JSON.stringify(path.resolve('lib/state/db.js'))});
      const s = await openStore({ stateDir: '.roundup' }, { stateDir: process.env.ROUNDUP_STATE_DIR, databaseUrl: process.env.ROUNDUP_DATABASE_URL });
      const i = await s.info();
      await s.close();
      process.stdout.write(String(i.version));`;
    const { spawn } = await import('node:child_process');
    const runs = Array.from({ length: 4 }, () => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...envVars(env) } });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
        p.on('close', (code) => resolve({ code, out, err })),
      );
    });
    const results = await Promise.all(runs);
    for (const r of results) expect(r, r.err).toMatchObject({ code: 0, out: String(SCHEMA_VERSION) });
    store = await open();
    expect((await store.info()).version).toBe(SCHEMA_VERSION);
  });

  it('suppression is case-insensitive, idempotent, and reversible; resubscribe lifts only unsubscribes', async () => {
    expect(await store.suppress('Ann@Example.net', 'unsubscribe', 'list members')).toBe(true);
    expect(await store.suppress('ann@example.NET', 'hard-bounce')).toBe(false);
    expect(await store.isSuppressed('ANN@example.net')).toBe(true);
    expect(await store.getSuppression('ann@example.net')).toMatchObject({ reason: 'unsubscribe', detail: 'list members' });
    expect(await store.unsuppress('ann@example.net')).toBe(true);
    expect(await store.isSuppressed('ann@example.net')).toBe(false);
    await store.suppress('bo@example.net', 'hard-bounce');
    await store.suppress('cy@example.net', 'unsubscribe');
    const at = (await store.getSuppression('cy@example.net'))!.createdAt;
    expect(await store.liftUnsubscribe('bo@example.net', at)).toBe('refused');
    expect(await store.liftUnsubscribe('cy@example.net', 'an earlier unsubscribe')).toBe('stale');
    expect(await store.liftUnsubscribe('cy@example.net', at)).toBe('lifted');
    expect(await store.liftUnsubscribe('dee@example.net', at)).toBe('none');
    expect(await store.countSuppressions()).toBe(1);
  });

  it('imports a list: queues new readers, updates queued ones, drops removed queued ones, keeps history', async () => {
    const send = await store.ensureSend('2026-11', 'members', 'Subject');
    await store.syncRecipients(send, list('email,name\na@example.net,A\nb@example.net,B\nc@example.net,C\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const [a] = await claimAll(send.id, w.id, 1);
    await store.ledger(send.id, w.id).step([{ id: a.id, kind: 'sent', response: '250 ok' }], 0);
    await w.release();
    await store.suppress('c@example.net', 'unsubscribe');

    const r = await store.syncRecipients(send, list('email,name\nA@example.net,Renamed\nc@example.net,C\nd@example.net,D\n'), mid);
    expect(r).toEqual({ added: 1, removed: 1, suppressed: 1 });
    expect(await rows('SELECT email_key, name, status FROM recipients ORDER BY id')).toEqual([
      { email_key: 'a@example.net', name: 'A', status: 'sent' }, // history is not rewritten
      { email_key: 'c@example.net', name: 'C', status: 'suppressed' },
      { email_key: 'd@example.net', name: 'D', status: 'queued' },
    ]);
  });

  it('reports an address repeated in the file (across batches) with the line of the copy kept', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    const imp = await store.beginImport(send, mid);
    const [a, b] = list('email\na@example.net\nb@example.net\n');
    const aAgain = { ...a, line: 4, email: 'A@example.net' };
    expect(await imp.add([a, b, aAgain])).toEqual([{ line: 4, email: 'A@example.net', firstLine: 2 }]);
    const later = list('email\nb@example.net\nc@example.net\n').map((r) => ({ ...r, line: r.line + 10 }));
    expect(await imp.add(later)).toEqual([{ line: 12, email: 'b@example.net', firstLine: 3 }]);
    expect(await imp.finish()).toEqual({ added: 3, removed: 0, suppressed: 0 });
  });

  it('an import that stopped half-way is redone cleanly by the next one', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    const imp = await store.beginImport(send, mid);
    await imp.add(list('email\na@example.net\n'));
    // Stopped here (never finished). The next run imports the whole file again.
    const again = await store.beginImport((await store.findSend('i', 'l'))!, mid);
    expect(await again.add(list('email\na@example.net\nb@example.net\n'))).toEqual([]);
    expect(await again.finish()).toMatchObject({ removed: 0 });
    expect((await store.countByStatus(send.id)).queued).toBe(2);
  });

  it('commits "sending" before handing a row out, and recovers rows a dead worker left mid-send', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\nb@example.net\nc@example.net\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const claimed = await claimAll(send.id, w.id);
    expect(claimed.map((r) => r.attempts)).toEqual([1, 1, 1]);
    // Visible to another connection: it is committed, not just in this process's memory.
    const other = await open();
    expect(await other.countByStatus(send.id)).toMatchObject({ sending: 3, queued: 0 });
    await store.ledger(send.id, w.id).step([{ id: claimed[0].id, kind: 'sent', response: '250' }], 0);
    // The worker "dies": its lease lapses (no release, heartbeat far in the past).
    await store.sql.run('UPDATE workers SET heartbeat_at = 0 WHERE id = $1', [w.id]);
    expect(await other.recoverInterrupted(send.id)).toBe(2);
    await other.close();
    expect(await store.countByStatus(send.id)).toMatchObject({ sent: 1, queued: 2, sending: 0, possibleDuplicates: 2 });
    // The same Message-ID is kept for the re-send.
    const w2 = await store.startWorker(send.id, 'x');
    const again = await claimAll(send.id, w2.id);
    expect(again.map((r) => [r.messageId, r.attempts])).toEqual([
      ['<b@example.net>', 2],
      ['<c@example.net>', 2],
    ]);
    // The dead worker's late report cannot overwrite what the new one is doing.
    await store
      .ledger(send.id, w.id)
      .step([{ id: again[0].id, kind: 'sent', response: '250 late' }], 0)
      .catch(() => {});
    expect(await rows(`SELECT status FROM recipients WHERE email_key = 'b@example.net'`)).toEqual([{ status: 'sending' }]);
  });

  it('a worker does not recover the rows a live worker is sending (--join)', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\nb@example.net\n'), mid);
    const w1 = await store.startWorker(send.id, 'x');
    await claimAll(send.id, w1.id, 1);
    const w2 = await store.startWorker(send.id, 'x', { join: true });
    expect(w2.joined).toEqual([{ pid: process.pid, host: hostname() }]);
    expect(await store.recoverInterrupted(send.id, w2.id)).toBe(0);
    expect((await claimAll(send.id, w2.id)).map((r) => r.email)).toEqual(['b@example.net']);
    const left = await store.ledger(send.id, w2.id).remaining();
    expect(left).toMatchObject({ queuedNow: 0, busyElsewhere: 1, reclaimed: 0 });
  });

  it('does not claim a reader suppressed after the import', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\nb@example.net\n'), mid);
    await store.suppress('b@example.net', 'unsubscribe');
    const w = await store.startWorker(send.id, 'x');
    expect((await claimAll(send.id, w.id)).map((r) => r.email)).toEqual(['a@example.net']);
    expect(await store.countByStatus(send.id)).toMatchObject({ sending: 1, suppressed: 1 });
  });

  it('a retry waits in the database for its time, then any worker may take it', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const [a] = await claimAll(send.id, w.id);
    const ledger = store.ledger(send.id, w.id);
    expect(await ledger.step([{ id: a.id, kind: 'retry', response: '451 later', delayMs: 60_000 }], 5)).toEqual([]);
    const left = await ledger.remaining();
    expect(left.queuedNow).toBe(0);
    expect(left.nextRetryInMs).toBeGreaterThan(50_000);
    await store.sql.run('UPDATE recipients SET retry_at = 0');
    expect((await ledger.step([], 5)).map((r) => r.attempts)).toEqual([2]);
  });

  it('a row claimed ahead and never sent goes back as it was (not an attempt)', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const [a] = await claimAll(send.id, w.id);
    await store.ledger(send.id, w.id).step([{ id: a.id, kind: 'release', response: '' }], 0);
    expect(await rows('SELECT status, attempts, worker_id FROM recipients')).toEqual([{ status: 'queued', attempts: 0, worker_id: null }]);
  });

  it('records failures, suppresses hard bounces, and --retry-failed requeues only unsuppressed ones', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\nb@example.net\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const [a, b] = await claimAll(send.id, w.id);
    await store.ledger(send.id, w.id).step(
      [
        { id: a.id, kind: 'failed', response: '552 5.3.4 too big' },
        { id: b.id, kind: 'failed', response: '550 5.1.1 no such user', suppress: { email: b.email, reason: 'hard-bounce' } },
      ],
      0,
    );
    expect(await store.getSuppression('b@example.net')).toMatchObject({ reason: 'hard-bounce', detail: '550 5.1.1 no such user' });
    expect((await store.workers(send.id))[0]).toMatchObject({ failed: 2, sent: 0, live: true });
    expect(await store.requeueFailed(send.id)).toBe(1); // b is suppressed instead
    expect(await store.countByStatus(send.id)).toMatchObject({ queued: 1, suppressed: 1, failed: 0 });
    expect(await rows("SELECT attempts FROM recipients WHERE status = 'queued'")).toEqual([{ attempts: 0 }]);
  });

  it('never re-sends to a reader taken off the list: not after a crash, not with --retry-failed', async () => {
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, list('email\na@example.net\nb@example.net\nc@example.net\nd@example.net\n'), mid);
    const w = await store.startWorker(send.id, 'x');
    const [a, b] = await claimAll(send.id, w.id);
    await store.ledger(send.id, w.id).step(
      [
        { id: a.id, kind: 'failed', response: '552 too big' },
        { id: b.id, kind: 'failed', response: '552 too big' },
      ],
      0,
    );
    // The worker dies with c and d mid-send; meanwhile b and d are taken off the list.
    await store.sql.run('UPDATE workers SET heartbeat_at = 0');
    await store.syncRecipients(send, list('email\na@example.net\nc@example.net\n'), mid);
    expect(await store.recoverInterrupted(send.id)).toBe(1);
    expect(await store.requeueFailed(send.id)).toBe(1);
    expect(await rows('SELECT email, status FROM recipients ORDER BY id')).toEqual([
      { email: 'a@example.net', status: 'queued' },
      { email: 'b@example.net', status: 'failed' }, // history kept, never retried
      { email: 'c@example.net', status: 'queued' },
    ]);
  });

  describe('workers and leases', () => {
    it('refuses a second sender while the first is live, names it, and lets it in after release', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      const w = await store.startWorker(send.id, 'i to list l');
      const other = await open();
      await expect(other.startWorker(send.id, 'i to list l')).rejects.toThrow(
        /i to list l is already being sent by process \d+ .*add --join/,
      );
      await w.release();
      await (await other.startWorker(send.id, 'i to list l')).release();
      await other.close();
    });

    it('a dead pid on this host is dead at once (kill -9, then an immediate re-run)', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const pid = Number(dead.stdout);
      await store.sql.run(
        `INSERT INTO workers (id, send_id, host, pid, started_at, heartbeat_at, lease_ms) VALUES ('x', $1, $2, $3, 'then', $4, 30000)`,
        [send.id, hostname(), pid, Date.now() + 60_000],
      );
      const w = await store.startWorker(send.id, 'i to list l');
      expect(w.tookOverFrom).toEqual([{ pid, host: hostname(), startedAt: 'then' }]);
      await w.release();
    });

    it('a zombie (killed, not yet reaped) is dead at once', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      // A child that has exited while its parent (a shell turned into `sleep`) never reaps it.
      const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d) => resolve(String(d).trim()))));
        await new Promise((r) => setTimeout(r, 500));
        if (existsSync('/proc')) expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
        await store.sql.run(
          `INSERT INTO workers (id, send_id, host, pid, started_at, heartbeat_at, lease_ms) VALUES ('z', $1, $2, $3, 'then', $4, 30000)`,
          [send.id, hostname(), zombie, Date.now() + 60_000],
        );
        const w = await store.startWorker(send.id, 'l');
        expect(w.tookOverFrom?.[0].pid).toBe(zombie);
        await w.release();
      } finally {
        parent.kill('SIGKILL');
      }
    });

    it('a lapsed lease is dead even where the pid cannot be checked (another host)', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      await store.sql.run(
        `INSERT INTO workers (id, send_id, host, pid, started_at, heartbeat_at, lease_ms) VALUES ('far', $1, 'elsewhere', 1, 'then', 0, 30000)`,
        [send.id],
      );
      const w = await store.startWorker(send.id, 'l');
      expect(w.tookOverFrom).toEqual([{ pid: 1, host: 'elsewhere', startedAt: 'then' }]);
      await w.release();
    });

    it('a live lease on another host is respected (only --join may send alongside it)', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      const now = Number(
        (await store.sql.get<{ n: number }>(
          `SELECT ${backend.name === 'SQLite' ? "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)" : '(extract(epoch from clock_timestamp()) * 1000)::bigint'} AS n`,
        ))!.n,
      );
      await store.sql.run(
        `INSERT INTO workers (id, send_id, host, pid, started_at, heartbeat_at, lease_ms) VALUES ('far', $1, 'elsewhere', 1, 'then', $2, 30000)`,
        [send.id, now],
      );
      await expect(store.startWorker(send.id, 'l')).rejects.toThrow(/already being sent by process 1 on elsewhere/);
      const w = await store.startWorker(send.id, 'l', { join: true });
      expect(w.joined).toEqual([{ pid: 1, host: 'elsewhere' }]);
      await w.release();
    });

    it('two workers claiming at once never hold the same reader', async () => {
      const send = await store.ensureSend('i', 'l', 's');
      const csv = 'email\n' + Array.from({ length: 300 }, (_, i) => `r${i}@example.net`).join('\n') + '\n';
      await store.syncRecipients(send, list(csv), mid);
      const other = await open();
      const w1 = await store.startWorker(send.id, 'l');
      const w2 = await other.startWorker(send.id, 'l', { join: true });
      const l1 = store.ledger(send.id, w1.id);
      const l2 = other.ledger(send.id, w2.id);
      const got: number[][] = [[], []];
      for (let i = 0; i < 20; i++) {
        const [a, b] = await Promise.all([l1.step([], 10), l2.step([], 10)]);
        got[0].push(...a.map((r) => r.id));
        got[1].push(...b.map((r) => r.id));
      }
      const all = [...got[0], ...got[1]];
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(300);
      await other.close();
    });
  });
});
