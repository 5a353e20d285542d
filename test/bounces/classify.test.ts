/**
 * Classification of hand-built messages in the standard and the common non-standard formats:
 * each case pins one rule (the corpus test measures the whole).
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/bounces/classify.js';
import { reasonOf, refusedAfterData } from '../../src/bounces/reasons.js';

const dsn = (fields: string, extra = '') =>
  [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    'To: bounces+abc@news.example.org',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn1@mx.example.net>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'This is the mail system at host mx.example.net.',
    extra,
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    fields,
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'From: news@news.example.org',
    'To: reader@example.com',
    'Message-ID: <orig.1@news.example.org>',
    '',
    '--B--',
    '',
  ].join('\r\n');

describe('RFC 3464 delivery status', () => {
  it('a 5.1.1 failure is hard, with the recipient, status and original Message-ID', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <reader@example.com>: Recipient address rejected: User unknown',
      ),
    );
    expect(a.kind).toBe('hard');
    expect(a.recipients).toEqual([
      expect.objectContaining({ address: 'reader@example.com', status: '5.1.1', kind: 'hard', reason: 'userunknown' }),
    ]);
    expect(a.original.messageId).toBe('<orig.1@news.example.org>');
    expect(a.messageId).toBe('<dsn1@mx.example.net>');
    expect(a.addressedTo).toContain('bounces+abc@news.example.org');
  });
  it('a 5.7.1 block is soft and marked as a reputation problem', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: 5.7.1\r\nDiagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
      ),
    );
    expect(a.recipients[0]).toMatchObject({ kind: 'soft', reason: 'blocked', reputation: true });
  });
  it('a full mailbox is soft even with a 5.x.x code', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full',
      ),
    );
    expect(a.recipients[0]).toMatchObject({ kind: 'soft', reason: 'mailboxfull' });
  });
  it('"user unknown" refused after DATA is a filter, not a missing address', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; 550 Unknown user reader@example.com',
        '<reader@example.com>: host mx said: 550 Unknown user (in reply to end of DATA command)',
      ),
    );
    expect(a.recipients[0]).toMatchObject({ kind: 'soft', reason: 'filtered' });
  });
  it('a success DSN is delivered; a delay is soft, never hard', () => {
    expect(analyse(dsn('Final-Recipient: rfc822; reader@example.com\r\nAction: delivered\r\nStatus: 2.0.0')).kind).toBe('delivered');
    const d = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: delayed\r\nStatus: 4.4.7\r\nDiagnostic-Code: smtp; 450 4.1.1 user unknown',
      ),
    );
    expect(d.recipients[0]).toMatchObject({ kind: 'soft', reason: 'delayed' });
  });
  it("Postfix's address-verification report: deliverable is delivered, undeliverable a failure", () => {
    const verify = (action: string, status: string, diag: string) =>
      analyse(
        dsn(`Final-Recipient: rfc822; reader@example.com\r\nAction: ${action}\r\nStatus: ${status}\r\nDiagnostic-Code: smtp; ${diag}`),
      );
    expect(verify('deliverable', '2.1.5', '250 2.1.5 Ok').kind).toBe('delivered');
    expect(verify('undeliverable', '5.1.1', '550 5.1.1 <reader@example.com>: Recipient address rejected: User unknown').kind).toBe('hard');
  });
  it('two recipients keep their own verdicts', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; a@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\nFinal-Recipient: rfc822; b@example.com\r\nAction: failed\r\nStatus: 4.2.2\r\nDiagnostic-Code: smtp; 452 4.2.2 Over quota',
      ),
    );
    expect(a.recipients.map((r) => [r.address, r.kind])).toEqual([
      ['a@example.com', 'hard'],
      ['b@example.com', 'soft'],
    ]);
    expect(a.kind).toBe('hard');
  });
});

describe('whether "user unknown" is about the address', () => {
  const failed = (status: string, diag: string) =>
    `Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: ${status}\r\nDiagnostic-Code: smtp; ${diag}`;
  it('with neither an addressing status nor the RCPT command, it is a filter (soft), as sisimai calls it', () => {
    expect(analyse(dsn(failed('5.0.0', '550 : User unknown'))).recipients[0]).toMatchObject({ kind: 'soft', reason: 'filtered' });
    // 5.2.1 is "mailbox disabled", 5.7.1 "delivery not authorised": the code contradicts the words.
    expect(analyse(dsn(failed('5.2.1', '550 5.2.1 <reader@example.com>... User Unknown'))).kind).toBe('soft');
    expect(analyse(dsn(failed('5.0.0', '550 5.7.1 550 User Unknown: reader@example.com'))).kind).toBe('soft');
  });
  it('an X.1.1 code, in the Status field or in the reply, ties it to the address (hard)', () => {
    expect(analyse(dsn(failed('5.1.1', '550 User unknown'))).kind).toBe('hard');
    expect(analyse(dsn(failed('5.0.0', '550 5.1.1 <reader@example.com>: User unknown'))).kind).toBe('hard');
  });
  it('a refusal at RCPT TO ties it to the address (hard); ORCPT does not', () => {
    const rcpt = '<reader@example.com>: host mx.example.com[192.0.2.1] said: 550 User unknown (in reply to RCPT TO command)';
    expect(analyse(dsn(failed('5.0.0', '550 User unknown'), rcpt)).kind).toBe('hard');
    expect(analyse(dsn(failed('5.0.0', '550 User unknown'), 'Original-Recipient: (ORCPT reader@example.com)')).kind).toBe('soft');
  });
  it("a gateway's own notice quoting RFC 5321's reply text is a bounce; its envelope summary is no RCPT evidence", () => {
    // The nested part's parameters are folded without the leading space, as some mailers do.
    const raw = [
      'From: post_master@sms.example.net',
      'To: news@news.example.org',
      'Subject: Re: November roundup',
      'Content-Type: multipart/mixed; boundary="O"',
      '',
      '--O',
      'Content-Type: multipart/alternative;',
      'boundary="I"',
      '',
      '--I',
      'Content-Type: text/plain',
      '',
      'Error: Invalid user address',
      '550 - Requested action not taken: no such user here',
      'Message details:',
      '  MAIL FROM: news@news.example.org',
      '  RCPT TO: 5550100@sms.example.net',
      '--I--',
      '--O--',
      '',
    ].join('\r\n');
    const a = analyse(raw);
    expect(a.recipients).toEqual([expect.objectContaining({ address: '5550100@sms.example.net', kind: 'soft', reason: 'filtered' })]);
  });
  it("Domino's directory lookup stands without a code, in Japanese too", () => {
    // "ユーザー Neko (…) は Domino ディレクトリには見つかりません。" as Domino sends it, in ISO-2022-JP.
    const ja = '  \x1b$B%f!<%6!<\x1b(B Neko (reader@example.com) \x1b$B$O\x1b(B Domino \x1b$B%G%#%l%/%H%j$K$O8+$D$+$j$^$;$s!#\x1b(B';
    const raw = dsn('Final-Recipient: rfc822;reader@example.com\r\nAction: failed\r\nStatus: 5.0.0', `because:\r\n${ja}`).replace(
      'Content-Type: text/plain\r\n',
      'Content-Type: text/plain; charset=ISO-2022-JP\r\n',
    );
    expect(analyse(raw).recipients[0]).toMatchObject({ kind: 'hard', reason: 'userunknown' });
    expect(analyse(dsn(failed('5.0.0', 'User Neko (reader@example.com) not listed in Domino Directory'))).kind).toBe('hard');
  });
  it('wording that names the failed lookup stands even after DATA (Yahoo)', () => {
    const yahoo = "554 delivery error: dd This user doesn't have a yahoo.com account (reader@example.com) [0] - mta1.mail.yahoo.com";
    const a = analyse(dsn(failed('5.0.0', yahoo), '... while talking to mta6.am0.yahoodns.net.:\n>>> DATA\n<<< ' + yahoo));
    expect(a.recipients[0]).toMatchObject({ kind: 'hard', reason: 'userunknown' });
  });
  it('a pipelined RCPT refusal shown under ">>> DATA" is still the RCPT\'s (Sendmail transcript)', () => {
    const transcript = [
      '<reader@example.com>',
      '... while talking to mx.example.com.:',
      '>>> DATA',
      '<<< 550 unknown user',
      '<<< 503-All RCPT commands were rejected with this error:',
      '<<< 503 Valid RCPT command must precede DATA',
    ].join('\r\n');
    expect(analyse(dsn(failed('5.1.1', '550 unknown user'), transcript)).kind).toBe('hard');
    // Without DATA's 503 the 550 answered DATA: a filter.
    expect(analyse(dsn(failed('5.1.1', '550 unknown user'), transcript.split('\r\n').slice(0, 4).join('\r\n'))).kind).toBe('soft');
  });
  it("PowerMTA's own category settles the kind", () => {
    const pmta = (cat: string) =>
      dsn(`${failed('5.2.1', '550 5.2.1 <reader@example.com>... User Unknown')}\r\nX-PowerMTA-BounceCategory: ${cat}`);
    expect(analyse(pmta('bad-mailbox')).recipients[0]).toMatchObject({ kind: 'hard', reason: 'userunknown' });
    expect(analyse(pmta('inactive-mailbox')).recipients[0]).toMatchObject({ kind: 'soft', reason: 'suspend' });
    expect(analyse(pmta('spam-related')).recipients[0]).toMatchObject({ kind: 'soft', reputation: true });
  });
  it("an Amazon SES receipt rule's canned bounce is the domain owner's filter, never hard", () => {
    const ses = dsn(failed('5.1.1', '550 5.1.1 Mailbox does not exist')).replace(
      'Reporting-MTA: dns; mx.example.net',
      'Reporting-MTA: dns; inbound-smtp.us-west-2.amazonaws.com',
    );
    expect(analyse(ses).recipients[0]).toMatchObject({ kind: 'soft', reason: 'filtered' });
    expect(analyse(dsn(failed('5.1.1', '550 5.1.1 Mailbox does not exist'))).kind).toBe('hard');
  });
  it('a notice that says the account is disabled outweighs the "user unknown" it quotes', () => {
    const a = analyse(
      dsn(
        'Final-Recipient: rfc822; reader@example.com\r\nAction: failed\r\nStatus: 5.0.0',
        'The user(s) account is disabled.\r\n\r\n<reader@example.com>: 550 user unknown (in reply to RCPT TO command)',
      ),
    );
    expect(a.recipients[0]).toMatchObject({ kind: 'soft', reason: 'suspend' });
  });
});

describe('RFC 5965 feedback reports', () => {
  it('an abuse report is a complaint about the original recipient', () => {
    const raw = [
      'From: feedback@fbl.example.net',
      'To: bounces+abc@news.example.org',
      'Subject: FW: newsletter',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
      '',
      '--F',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '--F',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: SomeGenerator/1.0',
      'Version: 1',
      'Original-Rcpt-To: <reader@example.com>',
      '',
      '--F',
      'Content-Type: message/rfc822',
      '',
      'From: news@news.example.org',
      'To: reader@example.com',
      'Message-ID: <orig.2@news.example.org>',
      '',
      'hello',
      '--F--',
    ].join('\r\n');
    const a = analyse(raw);
    expect(a.kind).toBe('complaint');
    expect(a.feedbackType).toBe('abuse');
    expect(a.recipients).toEqual([expect.objectContaining({ address: 'reader@example.com', kind: 'complaint' })]);
    expect(a.original.messageId).toBe('<orig.2@news.example.org>');
  });
});

describe('auto-replies and other mail', () => {
  it('RFC 3834 Auto-Submitted: auto-replied is an auto-reply, not a bounce', () => {
    const a = analyse(
      'From: reader@example.com\r\nTo: news@news.example.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away until Monday.\r\n',
    );
    expect(a.kind).toBe('auto-reply');
  });
  it('a reader writing back is unrelated', () => {
    const a = analyse(
      'From: reader@example.com\r\nTo: news@news.example.org\r\nSubject: Re: November roundup\r\n\r\nThanks, great issue.\r\n',
    );
    expect(a).toMatchObject({ kind: 'unrelated', recipients: [] });
  });
});

describe('non-standard bounces', () => {
  it('qmail: "<addr>:" then the remote reply', () => {
    const raw = [
      'From: MAILER-DAEMON@mail.example.net',
      'To: bounces+abc@news.example.org',
      'Subject: failure notice',
      '',
      'Hi. This is the qmail-send program at mail.example.net.',
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      '',
      '<gone@example.com>:',
      '192.0.2.1 does not like recipient.',
      'Remote host said: 550 5.1.1 <gone@example.com>... No such user',
      'Giving up on 192.0.2.1.',
      '',
      '--- Below this line is a copy of the message.',
      '',
      'From: news@news.example.org',
      'To: gone@example.com',
      'Message-ID: <orig.3@news.example.org>',
      '',
    ].join('\n');
    const a = analyse(raw);
    expect(a.recipients).toEqual([expect.objectContaining({ address: 'gone@example.com', kind: 'hard' })]);
    expect(a.original.messageId).toBe('<orig.3@news.example.org>');
  });
  it('Exim: X-Failed-Recipients names the recipient, the text the reason', () => {
    const raw = [
      'From: Mail Delivery System <Mailer-Daemon@mx.example.net>',
      'To: bounces+abc@news.example.org',
      'Subject: Mail delivery failed: returning message to sender',
      'X-Failed-Recipients: full@example.com',
      'Auto-Submitted: auto-replied',
      '',
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of its',
      'recipients. This is a permanent error. The following address(es) failed:',
      '',
      '  full@example.com',
      '    host mx.example.com [192.0.2.9]',
      '    SMTP error from remote mail server after RCPT TO:<full@example.com>:',
      '    552 5.2.2 Mailbox quota exceeded',
      '',
    ].join('\n');
    const a = analyse(raw);
    expect(a.kind).toBe('soft');
    expect(a.recipients).toEqual([expect.objectContaining({ address: 'full@example.com', reason: 'mailboxfull' })]);
  });
});

describe('reasonOf', () => {
  it.each([
    ['550 5.1.1 The email account that you tried to reach does not exist.', undefined, 'hard'],
    ['550 5.1.1 <x@y>: Recipient address rejected: User unknown in virtual mailbox table', undefined, 'hard'],
    ['554 5.7.1 Message rejected as spam', undefined, 'soft'],
    ['550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass)', undefined, 'soft'],
    ['421 4.7.0 Try again later, closing connection. (rate limited)', undefined, 'soft'],
    ['450 4.1.1 <x@y>: Recipient address rejected: unverified address', undefined, 'soft'],
    ['Host or domain name not found. Name service error for name=nowhere.example type=A: Host not found', undefined, 'hard'],
    ['Name service error for domain example.com: Host not found, try again', undefined, 'soft'],
    ['', '5.1.1', 'hard'],
    ['', '5.7.1', 'soft'],
    ['', '4.2.2', 'soft'],
    ['', undefined, 'soft'],
  ])('%s (%s) → %s', (text, status, kind) => {
    expect(reasonOf(text, status).kind).toBe(kind);
  });
  it('DATA-phase refusals', () => {
    expect(refusedAfterData('550 Unknown user (in reply to end of DATA command)')).toBe(true);
    expect(refusedAfterData('550 5.1.1 User unknown (in reply to RCPT TO command)')).toBe(false);
    expect(refusedAfterData('>>> DATA\n<<< 550 5.1.1 <a@b>... User Unknown\n<<< 503 5.0.0 Need RCPT (recipient)')).toBe(false);
  });
});
