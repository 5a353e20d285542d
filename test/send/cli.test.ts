/** `lists check`, `status`, `unsubscribe` and send's refusals, through the real CLI. */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/project.js';
import { makeSendProject, readersCsv } from './helpers.js';

const run = (p: { root: string; stateDir: string }, args: string[]) =>
  runCli(args, p.root, { ROUNDUP_STATE_DIR: p.stateDir, SMTP_URL: '' });

describe('roundup lists check', () => {
  it('reports counts and every problem with file:line, exiting 1 when rows are invalid', () => {
    const p = makeSendProject({ csv: 'email;name\nann@example.net;Ann\nnot an address;X\n;\nANN@example.net;Dup\n' });
    const r = run(p, ['lists', 'check', 'readers']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'lists/readers.csv: 4 rows, 1 readers to send to (1 invalid, 1 empty, 1 duplicate)',
      'columns: email, name',
      'lists/readers.csv:3: invalid: "not an address" is not a bare email address',
      'lists/readers.csv:4: empty row',
      'lists/readers.csv:5: duplicate of line 2: ANN@example.net (first copy kept)',
      '',
    ]);
  });

  it('exits 0 for a clean list (the shipped example) and gives one line for a missing one', () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    expect(run(p, ['lists', 'check', 'example'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('12 readers to send to (0 invalid'),
    });
    const missing = run(p, ['lists', 'check', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('roundup: lists/nope.csv: no such list: lists/nope.csv\n');
  });

  it('reports a list it cannot read, a non-UTF-8 list and a missing email column in one located line', () => {
    const p = makeSendProject({ csv: 'email,name\nann@example.net,Ann\n' });
    writeFileSync(
      p.listFile,
      Buffer.concat([Buffer.from('email,name\nann@example.net,Ann\nzoe@example.net,Zo'), Buffer.from([0xeb]), Buffer.from('\n')]),
    );
    const latin1 = run(p, ['lists', 'check', 'readers']);
    expect(latin1).toMatchObject({
      code: 1,
      stderr: 'roundup: lists/readers.csv:3: not UTF-8 text: save the list as "CSV UTF-8" (this looks like Latin-1 or Windows-1252)\n',
    });

    writeFileSync(p.listFile, 'mail,name\nann@example.net,Ann\n');
    const send = run(p, ['send', 'bulletin', '--list', 'readers', '--yes']);
    expect(send).toMatchObject({ code: 1, stderr: 'roundup: lists/readers.csv:1: no "email" column in the header (found: mail, name)\n' });

    if (process.getuid?.() !== 0) {
      chmodSync(p.listFile, 0o000);
      const locked = run(p, ['lists', 'check', 'readers']);
      chmodSync(p.listFile, 0o644);
      expect(locked).toMatchObject({ code: 1, stderr: 'roundup: lists/readers.csv: cannot read the list: permission denied\n' });
    }
  });

  it('reports an unreadable CSV with its line and no stack trace', () => {
    const p = makeSendProject({ csv: 'email,name\nann@example.net,"unclosed\n' });
    const r = run(p, ['lists', 'check', 'readers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^roundup: lists\/readers\.csv:\d+: cannot read as CSV: /);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});

describe('roundup send / status / unsubscribe', () => {
  it('sends to the outbox, reports status (text and JSON), and skips an unsubscribed reader on the next issue', () => {
    const p = makeSendProject({ csv: readersCsv(3) });
    const sent = run(p, ['send', 'bulletin', '--list', 'readers', '--yes', '--rate', '0']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/transport: outbox \(no SMTP configured\): outbox\/bulletin\//);
    expect(sent.stdout).toMatch(/readers: 3\/3 sent, 0 failed/);

    const st = run(p, ['status', 'bulletin']);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/^bulletin → readers: finished /);
    expect(st.stdout).toContain('3 sent, 0 failed, 0 suppressed, 0 queued, 0 sending (of 3)');
    const json = JSON.parse(run(p, ['status', 'issues/bulletin.md', '--list', 'readers', '--json']).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ issue: 'bulletin', list: 'readers', counts: { sent: 3, total: 3 }, running: null, failures: [] });

    const u = run(p, ['unsubscribe', 'Reader2@Example.net']);
    expect(u).toMatchObject({ code: 0, stdout: 'Reader2@Example.net suppressed: no list will mail it again\n' });
    expect(run(p, ['unsubscribe', 'reader2@example.net']).stdout).toMatch(/already suppressed \(manual, /);
    expect(run(p, ['unsubscribe', 'nonsense']).code).toBe(1);

    // The next issue to the same list: reader2 is suppressed.
    writeFileSync(
      path.join(p.root, 'issues/bulletin-2.md'),
      '---\ntitle: T\nsubject: Second\ndate: 2026-12-01\ntemplate: digest\n---\n\nHello.\n\n## One\n\n- Item.\n',
    );
    const second = run(p, ['send', 'bulletin-2', '--list', 'readers', '--yes', '--rate', '0']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/readers: +2 to send, 0 already sent, 1 suppressed/);
  });

  it('reads SMTP_URL from .env', () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    writeFileSync(path.join(p.root, '.env'), 'SMTP_URL=http://from-dotenv.example\n');
    const r = run(p, ['send', 'bulletin', '--list', 'readers', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^roundup: the SMTP URL must start with smtp:\/\/ or smtps:\/\/ \(got http:\/\/…\)$/m);
  });

  it('refuses without --yes when not on a terminal, and reports bad options in one line', () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    const r = run(p, ['send', 'bulletin', '--list', 'readers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^roundup: not a terminal, so cannot ask for confirmation: add --yes to send\n$/m);
    expect(run(p, ['send', 'bulletin', '--list', 'readers', '--rate', 'fast']).stderr).toMatch(
      /^roundup: --rate "fast" is not a number\n$/m,
    );
    expect(run(p, ['send', 'bulletin', '--list', 'readers', '--rate', '-5']).stderr).toMatch(/^roundup: --rate "-5" must be 0 or more\n$/m);
    expect(run(p, ['send', 'nope', '--list', 'readers', '--yes']).stderr).toMatch(/^roundup: nope: no such issue/m);
    expect(run(p, ['send', 'bulletin', '--list', 'readers', '--yes', '--smtp', 'http://x']).stderr).toMatch(
      /must start with smtp:\/\/ or smtps:\/\//,
    );
    expect(run(p, ['status', 'bulletin']).stdout).toBe('bulletin has not been sent yet\n');
  });
});
