/**
 * One reader's message as raw RFC 5322 text: headers, then multipart/alternative with the text
 * part first and the HTML part last (clients show the last part they can render).
 *
 * Pure: no clock, no randomness (the Date is passed in, the MIME boundary derives from the
 * Message-ID), so the same input gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { isWireCanonical } from './qp-template.js';

export interface Mailbox {
  name?: string;
  email: string;
}

export interface ComposeInput {
  from: Mailbox;
  replyTo?: string;
  to: Mailbox;
  subject: string;
  /** Quoted-printable pieces from qp-template.ts: CRLF line ends, no line starting with a dot. */
  textQp: readonly string[];
  htmlQp: readonly string[];
  messageId: string;
  date: Date;
  /** `List-Id` value, e.g. `"Firm: members" <members.firm.example>`. */
  listId: string;
  unsubscribeUrl: string;
  unsubscribeMailto: string;
  /** Feedback-ID value (Gmail's feedback loop), e.g. `2026-11:members:roundup:firm.example`. */
  feedbackId?: string;
  /** Extra headers (name → value), e.g. for test sends. */
  extra?: Record<string, string>;
}

/** Control characters (CR, LF, NUL…) out, runs of space collapsed: nothing can start a new header. */
export function headerSafe(s: string): string {
  return s
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Longest word written as it is: longer ones could not be folded under 78 columns. */
const MAX_PLAIN_WORD = 60;

/**
 * True when user text can go into a header as it is: printable ASCII, nothing a mail client
 * would decode as an RFC 2047 encoded word ("=?utf-8?B?DQo=?=" would show as a line break), and
 * no word too long to fold. Anything else is encoded by us, so a header line never reaches
 * RFC 5322's 998-character limit and no encoded word from a list or an issue passes through.
 */
export function isPlainHeaderText(s: string): boolean {
  if (!/^[\x20-\x7e]*$/.test(s) || s.includes('=?')) return false;
  let word = 0;
  for (let i = 0; i < s.length; i++) {
    word = s[i] === ' ' ? 0 : word + 1;
    if (word > MAX_PLAIN_WORD) return false;
  }
  return true;
}

/** A display name or List-Id phrase: a quoted string when plain, else encoded words (never inside quotes). */
export function formatPhrase(text: string): string {
  const s = headerSafe(text);
  return isPlainHeaderText(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : encodeWord(s, 'Q', 52);
}

/** Unstructured text (Subject, extra headers): plain words stay readable, the rest is encoded. */
export function formatText(text: string): string {
  const s = headerSafe(text);
  return isPlainHeaderText(s.replace(/[^\x20-\x7e]/g, 'x')) ? encodeWords(s, 'Q', 52) : encodeWord(s, 'Q', 52);
}

export function formatMailbox(m: Mailbox): string {
  const name = headerSafe(m.name ?? '');
  if (!name) return m.email;
  return `${formatPhrase(name)} <${m.email}>`;
}

/** A header with free text (names, subject): folded before a space, so each continuation starts with one. */
function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76, false) + '\r\n';
}

/** A header that is one token (a Message-ID, a URL): never folded inside; lines may reach 998. */
function tokenHeader(name: string, value: string): string {
  return `${name}: ${value}\r\n`;
}

/** RFC 5322 date with a numeric zone ("+0000" rather than the obsolete "GMT"). */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

export interface Composed {
  /** The message as pieces to write in order (joined, they are the RFC 5322 text). */
  pieces: string[];
  /**
   * True when the whole message is in SMTP-canonical form (CRLF only, no line starting with
   * "."): the bodies are by construction (qp-template.ts), the header block is checked here.
   */
  canonical: boolean;
}

/** The whole message as one string (outbox files, tests). */
export const rawOf = (m: { pieces: readonly string[] }): string => m.pieces.join('');

export function composeMessage(m: ComposeInput): Composed {
  const boundary = '=_rdp_' + createHash('sha1').update(m.messageId).digest('hex').slice(0, 24);
  let h = '';
  h += header('From', formatMailbox(m.from));
  if (m.replyTo) h += header('Reply-To', m.replyTo);
  h += header('To', formatMailbox(m.to));
  h += header('Subject', formatText(m.subject));
  h += tokenHeader('Date', rfc5322Date(m.date));
  h += tokenHeader('Message-ID', m.messageId);
  h += header('List-Id', headerSafe(m.listId));
  h += tokenHeader('List-Unsubscribe', `<${m.unsubscribeUrl}>,\r\n <${m.unsubscribeMailto}>`);
  // RFC 8058: a POST of this body to the https URL unsubscribes without further interaction.
  h += 'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n';
  if (m.feedbackId) h += tokenHeader('Feedback-ID', headerSafe(m.feedbackId));
  for (const [k, v] of Object.entries(m.extra ?? {})) h += header(k, formatText(v));
  h += 'MIME-Version: 1.0\r\n';
  h += `Content-Type: multipart/alternative; boundary="${boundary}"\r\n`;
  // A QP body never contains "=_" literally (QP writes "=" as =3D), so the boundary cannot
  // occur in either part.
  const canonical = isWireCanonical(h);
  const pieces = [
    h,
    '\r\n' + `--${boundary}\r\n` + 'Content-Type: text/plain; charset=utf-8\r\n' + 'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
    ...m.textQp,
    `\r\n--${boundary}\r\n` + 'Content-Type: text/html; charset=utf-8\r\n' + 'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
    ...m.htmlQp,
    `\r\n--${boundary}--\r\n`,
  ];
  return { pieces, canonical };
}
