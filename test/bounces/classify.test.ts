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
