/**
 * The canonical-form fast path (src/send/smtp.ts) must put exactly the same message on the wire
 * as nodemailer's dot-stuffing DataStream: what the server un-stuffs must be our bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMessage, rawOf } from '../../src/send/compose.js';
import { encodeQp, isWireCanonical } from '../../src/send/qp-template.js';
import { FAST_DATA_PATH, SmtpTransport } from '../../src/send/smtp.js';
import { parseSmtpUrl } from '../../src/send/smtp-url.js';
import { parse, startSmtp, type TestSmtp } from './helpers.js';

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

// Lines that start with dots, a line that is only a dot (the DATA terminator if unstuffed),
// bare CR and LF, long lines, non-ASCII.
const TRICKY = 'first line\n.\n..two dots\r.after a bare CR\r\n' + 'x'.repeat(200) + '\n.' + 'é'.repeat(50) + '\nlast';

function message(text: string) {
  return composeMessage({
    from: { name: 'Sender', email: 'from@example.net' },
    to: { name: '.Dot Name', email: 'to@example.net' },
    subject: '.starts with a dot',
    textQp: [encodeQp(text)],
    htmlQp: [encodeQp(`<p>${text}</p>`)],
    messageId: '<wire@example.net>',
    date: new Date('2026-11-22T10:00:00Z'),
    listId: 'l <l.example.net>',
    unsubscribeUrl: 'https://example.net/u/t',
    unsubscribeMailto: 'mailto:u@example.net',
  });
}

describe('wire form', () => {
  it('QP bodies are canonical: CRLF only, no line starting with a dot, lines ≤ 76', () => {
    const enc = encodeQp(TRICKY);
    expect(isWireCanonical(enc)).toBe(true);
    expect(enc).toMatch(/(^|\r\n)=2E/);
    expect(Math.max(...enc.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(isWireCanonical('a\r\n.b')).toBe(false);
    expect(isWireCanonical('a\nb')).toBe(false);
    expect(isWireCanonical('a\rb')).toBe(false);
  });

  it('uses the fast path with this nodemailer (a failure here means an upgrade removed the hook: slower, still correct)', () => {
    expect(FAST_DATA_PATH).toBe(true);
  });

  it.each([true, false])('arrives byte-identical with canonical=%s (fast path and nodemailer DataStream)', async (canonical) => {
    const m = message(TRICKY);
    expect(m.canonical).toBe(true);
    const transport = new SmtpTransport(parseSmtpUrl(smtp.url), { timeout: 5000 });
    const ch = await transport.open();
    const before = smtp.messages.length;
    await ch.send({ from: 'from@example.net', to: 'to@example.net', messageId: '<wire@example.net>', pieces: m.pieces, canonical });
    // A shorter second message on the same connection: the session is sane after DATA, and the
    // channel's reused write buffer carries no bytes of the first message into the second.
    const small = message('short');
    await ch.send({ from: 'from@example.net', to: 'to@example.net', messageId: '<wire@example.net>', pieces: small.pieces, canonical });
    ch.close();
    const got = smtp.messages.slice(before);
    expect(got).toHaveLength(2);
    expect(got[0].raw.toString('utf8')).toBe(rawOf(m));
    expect(got[1].raw.toString('utf8')).toBe(rawOf(small));
    const parsed = await parse(got[0]);
    expect(parsed.text).toBe(TRICKY.replace(/\r\n|\r|\n/g, '\n'));
    expect(parsed.subject).toBe('.starts with a dot');
  });
});
