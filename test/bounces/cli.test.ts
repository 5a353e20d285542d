/**
 * `roundup bounces scan` through the real CLI (bin/roundup.js): one message on stdin (an MTA
 * alias), mistakes as one line with exit 1, `status` showing bounces and the complaint rate,
 * and `check` warning once about a missing return path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/project.js';
import { captureIO, headerOf, makeSendProject, readersCsv, startSmtp, type TestSmtp } from '../send/helpers.js';
import { runSend } from '../../src/send/run.js';
import { arfFor, dsnFor } from './reports.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

function cli(args: string[], p: { root: string; stateDir: string }, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: p.root,
    input,
    encoding: 'utf8',
    env: { ...process.env, DEBUG: '', NO_COLOR: '1', ROUNDUP_STATE_DIR: p.stateDir },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('roundup bounces scan (CLI)', () => {
  it('reads one message from stdin, reports it, and status shows the bounce and the complaint rate', async () => {
    const p = makeSendProject({ csv: readersCsv(3) });
    const cfg = path.join(p.root, 'roundup.config.yaml');
    const doc = parseDocument(readFileSync(cfg, 'utf8'));
    doc.setIn(['bounces', 'address'], 'bounces@news.hartwellfinch.example');
    writeFileSync(cfg, doc.toString());
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, captureIO().io, p);
    const [m1, m2, m3] = smtp.messages.splice(0).sort((a, b) => a.to.localeCompare(b.to));

    const dry = cli(
      ['bounces', 'scan', '-', '--dry-run', '--json'],
      p,
      dsnFor(m1, { status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }),
    );
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).messages[0]).toEqual({
      file: '-',
      kind: 'hard',
      recipients: [{ address: m1.to, status: '5.1.1', kind: 'hard' }],
      matched: { issue: 'bulletin', list: 'readers', email: m1.to },
    });
    // The dry run recorded nothing: status has no bounce line yet.
    expect(cli(['status', 'bulletin'], p).stdout).not.toMatch(/bounces:/);

    const one = cli(['bounces', 'scan', '-'], p, dsnFor(m1, { status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }));
    expect(one.stdout).toMatch(/^1 message: 1 hard\n1 reader suppressed \(1 hard-bounce\)$/m);
    cli(['bounces', 'scan', '-'], p, arfFor(m2));
    // A reader's mail client following the List-Unsubscribe mailto: (the signed u- address).
    const mailto = /<mailto:([^?>]+)/.exec(headerOf(m3.raw, 'List-Unsubscribe'))![1];
    const unsub = cli(
      ['bounces', 'scan', '-', '--json'],
      p,
      `From: ${m3.to}\r\nTo: ${mailto}\r\nSubject: unsubscribe\r\nMessage-ID: <u.1@example.net>\r\n\r\n`,
    );
    expect(JSON.parse(unsub.stdout).messages[0]).toEqual({
      file: '-',
      kind: 'unsubscribe',
      recipients: [{ address: m3.to, status: '', kind: 'unsubscribe' }],
      matched: { issue: 'bulletin', list: 'readers', email: m3.to },
    });
    // A forged u- address (right shape, wrong MAC) is not an unsubscribe of anyone.
    const forged = mailto.replace(/-[a-z2-7]{13}@/, '-aaaaaaaaaaaaa@');
    const f = cli(['bounces', 'scan', '-', '--json'], p, `From: x@example.net\r\nTo: ${forged}\r\nSubject: unsubscribe\r\n\r\n`);
    expect(JSON.parse(f.stdout).messages[0]).toMatchObject({ kind: 'unrelated', matched: null });

    const status = cli(['status', 'bulletin'], p);
    expect(status.stdout).toMatch(/bounces: 1 hard, 0 soft; 1 complaint \(33\.33% of sent\); 1 unsubscribed by mail/);
    expect(status.stdout).toMatch(/warning: complaint rate 33\.33% is above 0\.3%/);
    const json = JSON.parse(cli(['status', 'bulletin', '--json'], p).stdout);
    expect(json[0].bounces).toMatchObject({ hard: 1, complaints: 1, complaintRateHigh: true });
    expect(json[0].bounces.unsubscribes).toBe(1);
  });

  it('status surfaces soft bounces that blame the sender (blocklist, authentication) by reason', async () => {
    const p = makeSendProject({ csv: readersCsv(2) });
    const cfg = path.join(p.root, 'roundup.config.yaml');
    const doc = parseDocument(readFileSync(cfg, 'utf8'));
    doc.setIn(['bounces', 'address'], 'bounces@news.hartwellfinch.example');
    writeFileSync(cfg, doc.toString());
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, captureIO().io, p);
    const [m1, m2] = smtp.messages.splice(0).sort((a, b) => a.to.localeCompare(b.to));
    const blocked = cli(
      ['bounces', 'scan', '-'],
      p,
      dsnFor(m1, { status: '5.7.1', diagnostic: '554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org' }),
    );
    const dmarc = cli(
      ['bounces', 'scan', '-'],
      p,
      dsnFor(m2, { status: '5.7.26', diagnostic: '550 5.7.26 Unauthenticated email is not accepted: DMARC check failed' }),
    );
    // Soft: nobody is suppressed for the sender's own problem.
    for (const r of [blocked, dmarc]) expect(r.stdout).toMatch(/^1 message: 1 soft\n0 readers suppressed$/m);
    const status = cli(['status', 'bulletin'], p);
    expect(status.stdout).toMatch(
      /bounces: 0 hard, 2 soft \(2 about the sender's reputation or authentication: (1 blocked, 1 authfailure|1 authfailure, 1 blocked)\)/,
    );
    expect(status.stdout).toMatch(/note: reputation bounces say more about the sender than the readers/);
    const json = JSON.parse(cli(['status', 'bulletin', '--json'], p).stdout);
    expect(json[0].bounces).toMatchObject({ hard: 0, soft: 2, reputation: 2, reputationReasons: { blocked: 1, authfailure: 1 } });
  });

  it('--dry-run on a project that has no send state yet creates nothing (no database, no secret), and still classifies', () => {
    const p = makeSendProject({ csv: readersCsv(1) });
    const cfg = path.join(p.root, 'roundup.config.yaml');
    const doc = parseDocument(readFileSync(cfg, 'utf8'));
    doc.setIn(['bounces', 'address'], 'bounces@news.hartwellfinch.example');
    writeFileSync(cfg, doc.toString());
    const stateDir = path.join(p.stateDir, 'state');
    const sent = {
      from: 'bounces+abc@news.hartwellfinch.example',
      to: 'reader1@example.net',
      raw: Buffer.from('From: a@b\r\nTo: reader1@example.net\r\nMessage-ID: <x.1@news.hartwellfinch.example>\r\n\r\nhi\r\n'),
    };
    const r = cli(
      ['bounces', 'scan', '-', '--dry-run', '--json'],
      { root: p.root, stateDir },
      dsnFor(sent, { status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).messages[0]).toMatchObject({
      kind: 'hard',
      recipients: [{ address: 'reader1@example.net', kind: 'hard' }],
      matched: null,
    });
    expect(existsSync(stateDir)).toBe(false);
    expect(readdirSync(p.stateDir)).toEqual([]);
    // The same without --dry-run is not refused either (a fresh project), and does open the state.
    const real = cli(
      ['bounces', 'scan', '-', '--json'],
      { root: p.root, stateDir },
      dsnFor(sent, { status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }),
    );
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).messages[0].matched).toBeNull();
  });

  it('a missing or doubled source, or a folder that is not a Maildir, is one line and exit 1', () => {
    const p = makeSendProject({ csv: readersCsv(1) });
    for (const [args, msg] of [
      [['bounces', 'scan'], /give exactly one source/],
      [['bounces', 'scan', '--maildir', 'a', '--mbox', 'b'], /give exactly one source/],
      [['bounces', 'scan', '--maildir', 'issues'], /^roundup: issues: not a Maildir \(no new\/ and cur\/ folders\)/],
      [['bounces', 'scan', '--imap', 'http://x/INBOX'], /--imap must start with imaps:\/\/ or imap:\/\//],
      [['bounces', 'scan', 'inbox.mbox'], /unexpected "inbox\.mbox"/],
    ] as const) {
      const r = cli([...args], p);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('check warns once, at the config, when bounces.address is unset', () => {
    const p = makeSendProject({ csv: readersCsv(1) });
    const r = cli(['check', '--json'], p);
    const findings = JSON.parse(r.stdout)
      .issues.flatMap((i: { findings: { rule: string; file: string }[] }) => i.findings)
      .filter((f: { rule: string }) => f.rule === 'bounces-address');
    expect(findings).toHaveLength(1);
    expect(findings[0].file).toBe('roundup.config.yaml');
  });
});
