/**
 * One-click unsubscribe tokens: opaque, so a URL seen by a proxy, a link scanner or a log names
 * nobody.
 *
 * Current form (v2): base64url(0x02 ‖ nonce ‖ AES-256-GCM(`<list>\n<email>`) ‖ tag). The key is
 * derived from the signing secret with HKDF for this one purpose. The nonce is synthetic: an
 * HMAC of the payload under a second derived key, so a reader's link is the same in every
 * message (a resumed send composes the same bytes, and compose.ts stays free of randomness),
 * and two different payloads get the same nonce only with probability 2^-96 per pair.
 *
 * Old form (v1, links already in inboxes): base64url(`v1\n<list>\n<email>`) "." base64url(
 * HMAC-SHA256). It still verifies, so no link sent before stops working.
 *
 * Both forms are accepted only in their canonical spelling: the base64url text must be exactly
 * what re-encoding the decoded bytes gives, so the unused low bits of a last character cannot
 * be flipped into a second valid spelling of the same token. Verification says nothing about
 * why a token failed (roundup serve answers 400 alike).
 *
 * Pure crypto: the secret is loaded by secret.ts, so signing loads no file system or database code.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { emailKey } from '../lists/email.js';

export interface TokenSubject {
  email: string;
  list: string;
}

const V1 = 'v1';
const V2 = 0x02;
const MAC_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Longer than any token roundup makes (a 320-character address on a long list name). */
const MAX_TOKEN = 2048;

const mac = (secret: Buffer, payload: Buffer) => createHmac('sha256', secret).update(payload).digest();

interface Keys {
  enc: Buffer;
  nonce: Buffer;
}
const derived = new Map<string, Keys>();

/** The two keys of one purpose ("unsubscribe", "resubscribe"), derived once per secret. */
export function purposeKeys(secret: Buffer, purpose: string): Keys {
  const id = `${purpose}\0${secret.toString('base64')}`;
  let k = derived.get(id);
  if (!k) {
    const okm = Buffer.from(hkdfSync('sha256', secret, 'roundup', `roundup/${purpose}/v2`, 64));
    k = { enc: okm.subarray(0, 32), nonce: okm.subarray(32) };
    derived.set(id, k);
  }
  return k;
}

/** Encrypt `payload` into an opaque token (v2). */
export function sealToken(payload: string, keys: Keys): string {
  const plain = Buffer.from(payload, 'utf8');
  const nonce = mac(keys.nonce, plain).subarray(0, NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonce);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.of(V2), nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** The payload of a v2 token, or null for anything altered, truncated, forged or non-canonical. */
export function openToken(token: string, keys: Keys): string | null {
  const bytes = strictBase64url(token);
  if (!bytes || bytes.length < 1 + NONCE_BYTES + 1 + TAG_BYTES || bytes[0] !== V2) return null;
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, nonce);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
  // Only the nonce roundup itself would have chosen: one spelling per payload.
  if (!timingSafeEqual(mac(keys.nonce, plain).subarray(0, NONCE_BYTES), nonce)) return null;
  return plain.toString('utf8');
}

/** Decoded bytes of base64url text, only if it is the canonical spelling of them. */
function strictBase64url(text: string): Buffer | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TOKEN || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

function subjectPayload(subject: TokenSubject): string {
  if (/[\r\n]/.test(subject.list) || /[\r\n]/.test(subject.email)) throw new Error('token fields cannot contain line breaks');
  // The key form of the address: the same reader gets the same token whatever the case in the list.
  return `${subject.list}\n${emailKey(subject.email)}`;
}

export function signToken(subject: TokenSubject, secret: Buffer): string {
  return sealToken(subjectPayload(subject), purposeKeys(secret, 'unsubscribe'));
}

/** The v1 form, as sent before tokens were opaque; kept to test that those links still work. */
export function signTokenV1(subject: TokenSubject, secret: Buffer): string {
  const payload = Buffer.from(`${V1}\n${subjectPayload(subject)}`, 'utf8');
  return `${payload.toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

/** The reader and list a token was made for, or null for anything altered, truncated or forged. */
export function verifyToken(token: string, secret: Buffer): TokenSubject | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return null;
  if (!token.includes('.')) {
    const payload = openToken(token, purposeKeys(secret, 'unsubscribe'));
    if (payload === null) return null;
    const parts = payload.split('\n');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
    return { list: parts[0], email: parts[1] };
  }
  return verifyV1(token, secret);
}

function verifyV1(token: string, secret: Buffer): TokenSubject | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = strictBase64url(token.slice(0, dot));
  const given = strictBase64url(token.slice(dot + 1));
  if (!payload || !given) return null;
  const expected = mac(secret, payload);
  // timingSafeEqual needs equal lengths; compare against the expected MAC either way so a short
  // MAC takes as long as a wrong one.
  const same = timingSafeEqual(given.length === MAC_BYTES ? given : expected.map((b) => b ^ 0xff), expected);
  if (!same || given.length !== MAC_BYTES) return null;
  const parts = payload.toString('utf8').split('\n');
  if (parts.length !== 3 || parts[0] !== V1 || !parts[1] || !parts[2]) return null;
  return { list: parts[1], email: parts[2] };
}
