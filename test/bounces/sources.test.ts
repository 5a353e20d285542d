/** Sources: mbox splitting and the Maildir move (new/ → cur/, never deleted). */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maildirSource, mboxSource, parseImapUrl, splitMbox } from '../../src/bounces/sources.js';
import { makeMaildir } from './reports.js';

describe('sources', () => {
  it('splits an mbox at From_ lines and unquotes >From', async () => {
    const text =
      'From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nSubject: one\n\nbody\n>From here\n\nFrom x@y Mon Nov 23 10:00:01 2026\nSubject: two\n\n>From the top\n';
    expect(splitMbox(text)).toEqual(['Subject: one\n\nbody\nFrom here\n', 'Subject: two\n\nFrom the top\n']);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'roundup-mbox-')), 'in.mbox');
    writeFileSync(file, text);
    const got: string[] = [];
    for await (const m of mboxSource(file).messages()) got.push(m.file.replace(/^.*\//, ''));
    expect(got).toEqual(['in.mbox#1', 'in.mbox#2']);
  });

  it('moves a processed Maildir message from new/ to cur/ with the Seen flag', async () => {
    const dir = makeMaildir(mkdtempSync(path.join(tmpdir(), 'roundup-md-')));
    writeFileSync(path.join(dir, 'new', '1.a.host'), 'Subject: x\n\nhi\n');
    writeFileSync(path.join(dir, 'new', '2.b.host'), 'Subject: y\n\nhi\n');
    for await (const m of maildirSource(dir).messages()) if (m.file.endsWith('1.a.host')) await m.done();
    expect(readdirSync(path.join(dir, 'new'))).toEqual(['2.b.host']);
    expect(readdirSync(path.join(dir, 'cur'))).toEqual(['1.a.host:2,S']);
  });

  it('reads IMAP URLs', () => {
    expect(parseImapUrl('imaps://bounces%40firm.example:p%40ss@mail.firm.example/Bounces%20In?rejectUnauthorized=false')).toEqual({
      host: 'mail.firm.example',
      port: 993,
      secure: true,
      user: 'bounces@firm.example',
      pass: 'p@ss',
      mailbox: 'Bounces In',
      rejectUnauthorized: false,
    });
    expect(parseImapUrl('imap://u:p@h:1143').mailbox).toBe('INBOX');
  });
});
