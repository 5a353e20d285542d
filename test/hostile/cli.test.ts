/**
 * Hostile input through the real CLI (bin/roundup.js, the bundle users run): credentials typed
 * in the wrong place, terminal escapes in files, a lost state database, stack traces naming
 * the install, and a sample of the fuzzer's cases.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/project.js';
import { makeSendProject, readersCsv } from '../send/helpers.js';
import { makeCase } from './fuzz.js';

const run = (p: { root: string; stateDir: string }, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, p.root, { ROUNDUP_STATE_DIR: p.stateDir, SMTP_URL: '', ...env });

let project: ReturnType<typeof makeSendProject> | undefined;
const shared = () => {
  project ??= makeSendProject({ csv: readersCsv(1) });
  return project;
};

describe('credentials typed where a file, slug or address belongs are masked in every message', () => {
  const url = 'smtp://ann:Hunter2-secret@mail.example:587';
  const commands = [
    ['check', url],
    ['build', url],
    ['status', url],
    ['send', url, '--list', 'readers', '--yes'],
    ['send', 'bulletin', '--list', url, '--yes'],
    ['lists', 'check', url],
    ['unsubscribe', url],
    ['new', '--date', url],
    ['send', 'bulletin', '--list', 'readers', '--rate', url],
  ];
  it.each(commands)('roundup %s …', (...args) => {
    const p = shared();
    const r = run(p, args);
    // `status` of an unknown slug is not an error ("has not been sent yet"); the rest are.
    expect(r.code, r.stderr).toBe(args[0] === 'status' ? 0 : 1);
    expect(r.stdout + r.stderr).not.toContain('Hunter2');
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('SMTP_URL with a stray "%" is one usage line, without the password', () => {
    const p = shared();
    const r = run(p, ['send', 'bulletin', '--list', 'readers', '--yes'], { SMTP_URL: 'smtp://ann:Hunter2%zz@127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^roundup: the SMTP URL's password has a "%" that is not followed by two hex digits/);
    expect(r.stdout + r.stderr).not.toContain('Hunter2');
  });
});

describe('terminal escapes from files are shown, not obeyed', () => {
  const ESC = /[\x1b\x07\r\u202e]/;

  it('in lists check, the send plan and errors', () => {
    const evil = '\x1b]0;pwned\x07Evil\x1b[2J\rName\u202e';
    const p = makeSendProject({ csv: `email,name,org\u202e\na@example.net,"${evil}",x\nnot-an-address\x1b[31m,y,z\n` });
    const lists = run(p, ['lists', 'check', 'readers']);
    expect(lists.code).toBe(1);
    expect(lists.stdout).not.toMatch(ESC);
    expect(lists.stdout).toContain('org\\u202e');
    expect(lists.stdout).toContain('not-an-address\\x1b[31m');

    const issue = path.join(p.root, 'issues/bulletin.md');
    cpSync(issue, `${issue}.orig`);
    writeFileSync(issue, readFileSync(issue, 'utf8').replace(/^subject: .*$/m, 'subject: "Hi \\e]0;pwned\\a the\\rre"'));
    writeFileSync(p.listFile, 'email,name,organisation\na@example.net,Ann,Org\n');
    const plan = run(p, ['send', 'bulletin', '--list', 'readers', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('subject:   Hi \\x1b]0;pwned\\x07 the\\rre');
    expect(plan.stdout + plan.stderr).not.toMatch(ESC);

    writeFileSync(issue, '---\ntitle: T\nsubject: S\ndate: "2026-11-03\x1b[2J"\n---\nhi\n');
    const err = run(p, ['build', 'issues/bulletin.md']);
    expect(err.code).toBe(1);
    expect(err.stderr).not.toMatch(ESC);
  }, 60_000);
});

describe('a lost state database never re-mails the list', () => {
  const outbox = (root: string) => {
    const dir = path.join(root, 'outbox', 'bulletin');
    return existsSync(dir) ? readdirSync(dir).length : 0;
  };
  const send = (p: { root: string; stateDir: string }, extra: string[] = []) =>
    run(p, ['send', 'bulletin', '--list', 'readers', '--yes', ...extra]);

  it('refuses when the database is deleted, emptied, replaced, corrupt or foreign; --new-state proceeds', () => {
    const p = makeSendProject({ csv: readersCsv(3) });
    expect(send(p).code).toBe(0);
    expect(outbox(p.root)).toBe(3);
    const db = path.join(p.stateDir, 'roundup.db');
    const refusedWith = (pattern: RegExp) => {
      rmSync(path.join(p.root, 'outbox'), { recursive: true, force: true });
      const r = send(p);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(outbox(p.root)).toBe(0);
    };

    // Deleted (with its WAL files, as a careful user would).
    for (const f of ['', '-wal', '-shm']) rmSync(db + f, { force: true });
    refusedWith(/roundup\.db: the send state database is missing, but the state folder has been used before .*--new-state/);

    // The commands that read or record state refuse it too, and create nothing in its place
    // (status used to answer "has not been sent yet" from a new, empty database).
    for (const args of [
      ['status', 'bulletin'],
      ['unsubscribe', 'someone@example.net'],
    ]) {
      const r = run(p, args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /is missing, but the state folder has been used before .*new send record is started on purpose only by roundup send … --new-state/,
      );
      expect(existsSync(db)).toBe(false);
    }

    // Emptied: an empty roundup database (a fresh project's) put in its place.
    // (status only looks, so it creates none; an unsubscribe --undo opens one and records nothing.)
    const spare = mkdtempSync(path.join(tmpdir(), 'roundup-spare-'));
    expect(run({ root: p.root, stateDir: spare }, ['status', 'bulletin']).code).toBe(0);
    expect(existsSync(path.join(spare, 'roundup.db'))).toBe(false);
    expect(run({ root: p.root, stateDir: spare }, ['unsubscribe', '--undo', 'nobody@example.net']).code).toBe(0);
    cpSync(path.join(spare, 'roundup.db'), db);
    refusedWith(/the send state database is empty/);

    // Corrupt.
    writeFileSync(db, 'not a database at all, just text '.repeat(200));
    for (const f of ['-wal', '-shm']) rmSync(db + f, { force: true });
    refusedWith(/cannot be read \(file is not a database\)/);

    // Another program's database.
    rmSync(db);
    const other = spawnSync('sqlite3', [db, 'CREATE TABLE notes (id INTEGER); INSERT INTO notes VALUES (1);']);
    if (other.status === 0) {
      refusedWith(/is not a roundup send state database \(it has tables notes\)/);
      // Other commands refuse it too, and never add roundup's tables to it.
      const status = run(p, ['status', 'bulletin']);
      expect(status.code).toBe(1);
      expect(status.stderr).toMatch(/is not a roundup send state database \(it has tables notes\)/);
      expect(spawnSync('sqlite3', [db, '.tables'], { encoding: 'utf8' }).stdout.trim()).toBe('notes');
    }

    // Deliberately: a new record, the unusable file kept aside.
    const fresh = send(p, ['--new-state']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(outbox(p.root)).toBe(3);
    expect(readdirSync(p.stateDir).some((f) => f.startsWith('roundup.db.unusable-'))).toBe(true);
    // And then it is intact again: a re-run sends nothing.
    rmSync(path.join(p.root, 'outbox'), { recursive: true, force: true });
    expect(send(p).code).toBe(0);
    expect(outbox(p.root)).toBe(0);
  }, 180_000);

  it('refuses a database replaced by another project’s (a different identity)', () => {
    const a = makeSendProject({ csv: readersCsv(2) });
    const b = makeSendProject({ csv: readersCsv(2) });
    expect(send(a).code).toBe(0);
    expect(send(b).code).toBe(0);
    cpSync(path.join(b.stateDir, 'roundup.db'), path.join(a.stateDir, 'roundup.db'));
    const r = send(a);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not the one earlier sends recorded in/);
  }, 120_000);

  it('a fresh project, a send refused for want of --yes, a --test send first, a dry run and serve never trigger it', () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    // Refused before anything is written: no secret without a database beside it.
    const refused = run(p, ['send', 'bulletin', '--list', 'readers']);
    expect(refused.stderr).toMatch(/add --yes to send/);
    expect(existsSync(path.join(p.stateDir, 'secret'))).toBe(false);
    expect(run(p, ['send', 'bulletin', '--list', 'readers', '--test', 'me@example.net']).code).toBe(0);
    expect(run(p, ['send', 'bulletin', '--list', 'readers', '--dry-run']).code).toBe(0);
    const r = send(p);
    expect(r.code, r.stderr).toBe(0);
    expect(outbox(p.root)).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

describe('DEBUG=roundup stack traces name this install, not where the code cache was built', () => {
  it('after the install is copied elsewhere', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'roundup-moved-'));
    mkdirSync(path.join(copy, 'lib'));
    cpSync(path.join(REPO, 'bin'), path.join(copy, 'bin'), { recursive: true });
    cpSync(path.join(REPO, 'lib/bundle'), path.join(copy, 'lib/bundle'), { recursive: true });
    cpSync(path.join(REPO, 'package.json'), path.join(copy, 'package.json'));
    symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
    const p = makeSendProject({ csv: readersCsv(1) });
    const r = spawnSync(process.execPath, [path.join(copy, 'bin/roundup.js'), 'build', 'issues/missing.md'], {
      cwd: p.root,
      encoding: 'utf8',
      env: { ...process.env, DEBUG: 'roundup', NO_COLOR: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(path.join(copy, 'lib/bundle/cli.cjs'));
    expect(r.stderr).not.toContain(path.join(REPO, 'lib/bundle'));
  }, 60_000);
});

describe('a sample of the fuzzer through the real CLI', () => {
  const cases = Number(process.env.ROUNDUP_FUZZ_CLI_CASES ?? 8);
  it(`${cases} cases: exit 0 or 1, never "internal error"`, () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    const failures: string[] = [];
    for (let i = 0; i < cases; i++) {
      const c = makeCase(4242, i);
      const root = mkdtempSync(path.join(tmpdir(), 'roundup-fuzzcli-'));
      cpSync(p.root, root, { recursive: true });
      let args: string[];
      if (c.kind === 'issue') {
        writeFileSync(path.join(root, 'issues/fuzz.md'), c.text);
        writeFileSync(path.join(root, 'templates/partials/fuzz.md'), c.partial ?? '');
        args = ['check', 'issues/fuzz.md'];
      } else if (c.kind === 'list') {
        writeFileSync(path.join(root, 'lists/fuzz.csv'), c.text);
        args = i % 2 ? ['lists', 'check', 'fuzz'] : ['send', 'bulletin', '--list', 'fuzz', '--dry-run'];
      } else {
        writeFileSync(path.join(root, 'roundup.config.yaml'), c.text);
        args = ['check', 'issues/bulletin.md'];
      }
      const r = runCli(args, root, { ROUNDUP_STATE_DIR: path.join(root, '.state'), SMTP_URL: '' });
      if ((r.code !== 0 && r.code !== 1) || /internal error/.test(r.stderr))
        failures.push(`case ${i} (${c.kind}): exit ${r.code}: ${r.stderr.slice(0, 300)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  }, 180_000);
});
