/**
 * `roundup db copy --to <url>` into a real PostgreSQL: the senders (workers) table comes too, so
 * `status` on the copy shows the same per-sender history; a second copy changes nothing; and a
 * send still running in the source is refused before anything is copied (the rows it sends
 * after a copy would be mailed again from the copy).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRoundupError } from '../../src/errors.js';
import { readStatus } from '../../src/send/status.js';
import { runSend } from '../../src/send/run.js';
import { openStore } from '../../src/state/db.js';
import { createDatabase, dropDatabase, hasPostgres } from '../helpers/pg.js';
import { roundup } from '../helpers/commands.js';
import { SECRET_SETTING } from '../../src/unsubscribe/secret.js';
import { captureIO, makeSendProject, readersCsv, type SendProject, startSmtp, type TestSmtp } from '../send/helpers.js';

const config = { stateDir: '.roundup' };

describe.skipIf(!hasPostgres)('db copy into PostgreSQL', () => {
  let smtp: TestSmtp;
  let url: string;
  let p: SendProject;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp.close());
  beforeEach(async () => {
    url = await createDatabase();
    p = makeSendProject({ csv: readersCsv(6) });
  });
  afterEach(() => dropDatabase(url));

  /** What `status` shows of a state, per send: counts and each sender with what it sent. */
  async function statusOf(where: { stateDir?: string; databaseUrl?: string }) {
    const store = await openStore(config, where);
    try {
      return (await readStatus(store, 'bulletin')).map((s) => ({ list: s.list, counts: s.counts, workers: s.workers }));
    } finally {
      await store.close();
    }
  }

  it('copies the senders with what each sent, so status on the copy shows the same history; a second copy changes nothing', async () => {
    const local = { root: p.root, stateDir: p.stateDir };
    const sent = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true, rate: 0 }, captureIO().io, local);
    expect(sent.counts.sent).toBe(6);
    const before = await statusOf({ stateDir: p.stateDir });
    expect(before[0].workers).toHaveLength(1);
    expect(before[0].workers[0]).toMatchObject({ sent: 6, failed: 0, live: false });

    const vars = { ROUNDUP_STATE_DIR: p.stateDir };
    const copy = await roundup(['db', 'copy', '--to', url], p.root, vars);
    expect(copy.out[0]).toMatch(/, 1 senders \(who sent what\)$/);
    const copied = await statusOf({ databaseUrl: url });
    expect(copied).toEqual(before);

    const twice = await roundup(['db', 'copy', '--to', url], p.root, vars);
    expect(twice.out[0]).toMatch(/0 senders \(who sent what\) \(1 already there, left as they are\)$/);
    expect(await statusOf({ databaseUrl: url })).toEqual(before);
    // And the shared database's status command shows it as the local one did.
    const shown = (await roundup(['status', 'bulletin'], p.root, { ...vars, ROUNDUP_DATABASE_URL: url })).out.join('\n');
    expect(shown).toEqual((await roundup(['status', 'bulletin'], p.root, vars)).out.join('\n'));
    expect(shown).toMatch(/6 sent/);
  }, 60_000);

  it('refuses while a send is running in the source, before copying anything', async () => {
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true, rate: 0 }, captureIO().io, {
      root: p.root,
      stateDir: p.stateDir,
    });
    // A sender of this process holds the send (as `roundup send` does while it runs).
    const source = await openStore(config, { stateDir: p.stateDir });
    const send = (await source.sendsForIssue('bulletin'))[0];
    const worker = await source.startWorker(send.id, 'bulletin to list readers', { join: true });
    try {
      const e = await roundup(['db', 'copy', '--to', url], p.root, { ROUNDUP_STATE_DIR: p.stateDir }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(isRoundupError(e) && e.format()).toMatch(
        new RegExp(
          `bulletin to list readers is being sent right now by process ${process.pid} on .*: wait for it to finish.*\\(nothing was copied\\)$`,
        ),
      );
      // Nothing in the target: not even the schema's rows.
      const target = await openStore(config, { databaseUrl: url });
      try {
        expect((await target.info()).counts).toMatchObject({ sends: 0, recipients: 0, workers: 0 });
      } finally {
        await target.close();
      }
    } finally {
      await worker.release();
    }
    // Once it has stopped, the copy goes ahead, with both senders.
    const copy = await roundup(['db', 'copy', '--to', url], p.root, { ROUNDUP_STATE_DIR: p.stateDir });
    expect(copy.out[0]).toMatch(/1 sends, 6 readers' rows, .*2 senders \(who sent what\)$/);
    await source.close();
  }, 60_000);

  it('from one PostgreSQL to another: the signing secret kept in the source comes too (mail signed with it keeps verifying)', async () => {
    const source = await createDatabase();
    try {
      const secret = 'kept-in-the-source-0123456789abcdef';
      const store = await openStore(config, { databaseUrl: source });
      try {
        await store.settingOrInit(SECRET_SETTING, () => secret);
        await store.suppress('gone@example.net', 'unsubscribe');
      } finally {
        await store.close();
      }
      // No ROUNDUP_SECRET and no secret file here: the source database is where it lives.
      const copy = await roundup(['db', 'copy', '--to', url], p.root, { ROUNDUP_DATABASE_URL: source, ROUNDUP_STATE_DIR: p.stateDir });
      expect(copy.out.join('\n')).toMatch(/1 suppressions/);
      expect(copy.out.join('\n')).toMatch(/signing secret kept in the source database is kept in the target too/);
      expect(copy.out.join('\n')).not.toContain(secret);
      const target = await openStore(config, { databaseUrl: url });
      try {
        expect(await target.setting(SECRET_SETTING)).toBe(secret);
      } finally {
        await target.close();
      }
    } finally {
      await dropDatabase(source);
    }
  }, 60_000);
});
