/**
 * One-click unsubscribe tokens: base64url(payload) "." base64url(HMAC-SHA256(payload)).
 *
 * The payload is `v1\n<list>\n<email>`: a token names exactly one reader on one list and cannot
 * be edited into another without the secret. Verification recomputes the MAC and compares in
 * constant time, and says nothing about why a token failed (roundup serve answers 400 alike).
 *
 * Pure crypto: the secret is loaded by secret.ts, so signing loads no file system or database code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { emailKey } from '../lists/email.js';

export interface TokenSubject {
  email: string;
  list: string;
}

const VERSION = 'v1';
const MAC_BYTES = 32;

const mac = (secret: Buffer, payload: Buffer) => createHmac('sha256', secret).update(payload).digest();

export function signToken(subject: TokenSubject, secret: Buffer): string {
  if (/[\n]/.test(subject.list) || /[\n]/.test(subject.email)) throw new Error('token fields cannot contain newlines');
  // The key form of the address: the same reader gets the same token whatever the case in the list.
  const payload = Buffer.from(`${VERSION}\n${subject.list}\n${emailKey(subject.email)}`, 'utf8');
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/** The reader and list a token was made for, or null for anything altered, truncated or forged. */
export function verifyToken(token: string, secret: Buffer): TokenSubject | null {
  if (typeof token !== 'string' || token.length > 2048) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const b64 = /^[A-Za-z0-9_-]+$/;
  const [p, m] = [token.slice(0, dot), token.slice(dot + 1)];
  if (!b64.test(p) || !b64.test(m)) return null;
  const payload = Buffer.from(p, 'base64url');
  const given = Buffer.from(m, 'base64url');
  const expected = mac(secret, payload);
  // timingSafeEqual needs equal lengths; compare against the expected MAC either way so a short
  // MAC takes as long as a wrong one.
  const same = timingSafeEqual(given.length === MAC_BYTES ? given : expected.map((b) => b ^ 0xff), expected);
  if (!same || given.length !== MAC_BYTES) return null;
  // Re-encoding must reproduce the token: rejects non-canonical base64url spellings.
  if (payload.toString('base64url') !== p) return null;
  const parts = payload.toString('utf8').split('\n');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return null;
  return { list: parts[1], email: parts[2] };
}
