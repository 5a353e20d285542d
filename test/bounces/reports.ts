/**
 * Reports a receiving system would send back about a message we sent, built from the bytes the
 * capture server received: an RFC 3464 DSN (to the envelope sender, with the returned headers)
 * and an RFC 5965 ARF complaint (from a feedback loop, with the whole original message).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Sent {
  /** Envelope sender (MAIL FROM) the message went out with. */
  from: string;
  to: string;
  raw: Buffer;
}

const headerBlock = (raw: Buffer) => raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('utf8');
let n = 0;

export function dsnFor(m: Sent, o: { status: string; diagnostic: string; action?: string }): string {
  const id = `<dsn.${++n}.${Date.now()}@mx.example.net>`;
  return [
    'Return-Path: <>',
    `Delivered-To: ${m.from}`,
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    `To: ${m.from}`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: ${id}`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0000',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-B"',
    '',
    '--DSN-B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.example.net.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `<${m.to}>: host mx.example.net[192.0.2.10] said: ${o.diagnostic} (in reply to RCPT TO command)`,
    '',
    '--DSN-B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${m.to}`,
    `Original-Recipient: rfc822; ${m.to}`,
    `Action: ${o.action ?? 'failed'}`,
    `Status: ${o.status}`,
    `Diagnostic-Code: smtp; ${o.diagnostic}`,
    '',
    '--DSN-B',
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(m.raw),
    '',
    '--DSN-B--',
    '',
  ].join('\r\n');
}

/** An ARF report as a mailbox provider's feedback loop sends it: to a fixed address, not the VERP one. */
export function arfFor(m: Sent, to = 'fbl@hartwellfinch.example'): string {
  return [
    'From: Feedback Loop <fbl@feedback.example.com>',
    `To: ${to}`,
    'Subject: Complaint',
    `Message-ID: <arf.${++n}.${Date.now()}@feedback.example.com>`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="ARF-B"',
    '',
    '--ARF-B',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    '--ARF-B',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ExampleFBL/1.0',
    'Version: 1',
    'Source-IP: 192.0.2.1',
    `Original-Rcpt-To: <${m.to}>`,
    '',
    '--ARF-B',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    m.raw.toString('utf8'),
    '--ARF-B--',
    '',
  ].join('\r\n');
}

/** A Maildir with new/, cur/ and tmp/. */
export function makeMaildir(dir: string): string {
  for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(dir, d), { recursive: true });
  return dir;
}

/** Deliver a message into new/ the way an MDA does (unique name). */
export function deliver(maildir: string, text: string, name = `${Date.now()}.${++n}.test`): string {
  const file = path.join(maildir, 'new', name);
  writeFileSync(file, text);
  return file;
}
