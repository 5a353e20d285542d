/**
 * VERP return paths: each message's envelope sender names its reader, so a bounce, however
 * mangled its body, says whom it is about by the address it was sent to.
 *
 *   bounces+<ref>@news.example.org     bounces (the envelope sender, MAIL FROM)
 *   bounces+u-<ref>@news.example.org   unsubscribe (the List-Unsubscribe mailto:)
 *
 * `<ref>` is the reader's send-record id in base 36, "-", and 13 characters of base32
 * HMAC-SHA256 over the kind and id with the unsubscribe secret: about 20 characters, so the
 * local part stays far under the 64-character limit, and lower-case only, because some MTAs
 * fold the case of local parts. The MAC covers the kind, so a bounce address cannot be turned
 * into an unsubscribe one. Encoding and decoding are the same function read both ways.
 *
 * Pure crypto, no IO: the secret comes from unsubscribe/secret.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerpKind = 'bounce' | 'unsubscribe';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_CHARS = 13; // 65 bits of the HMAC

function base32(b: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of b) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function macOf(kind: VerpKind, id: number, secret: Buffer): string {
  const h = createHmac('sha256', secret).update(`roundup-verp\n${kind}\n${id}`).digest();
  return base32(h).slice(0, MAC_CHARS);
}

/** `bounces@d` → its local part and domain (lower-case domain). */
function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** The signed address for one send record (`id`) on the `base` address (config bounces.address). */
export function verpAddress(base: string, kind: VerpKind, id: number, secret: Buffer): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`internal: VERP id must be a non-negative integer, got ${id}`);
  const { local, domain } = splitAddress(base);
  const prefix = kind === 'unsubscribe' ? 'u-' : '';
  return `${local}+${prefix}${id.toString(36)}-${macOf(kind, id, secret)}@${domain}`;
}

/**
 * The kind and send-record id an address encodes, or null when it is not one of ours or its
 * MAC does not verify (forged, altered, or made with another secret). Case-insensitive.
 */
export function parseVerp(address: string, base: string, secret: Buffer): { kind: VerpKind; id: number } | null {
  const a = splitAddress(address.trim().replace(/^<|>$/g, ''));
  const b = splitAddress(base);
  if (a.domain !== b.domain) return null;
  const local = a.local.toLowerCase();
  const prefix = `${b.local.toLowerCase()}+`;
  if (!local.startsWith(prefix)) return null;
  const m = /^(u-)?([0-9a-z]{1,11})-([a-z2-7]{13})$/.exec(local.slice(prefix.length));
  if (!m) return null;
  const kind: VerpKind = m[1] ? 'unsubscribe' : 'bounce';
  const id = Number.parseInt(m[2], 36);
  if (!Number.isSafeInteger(id) || id.toString(36) !== m[2]) return null;
  const expected = Buffer.from(macOf(kind, id, secret));
  const given = Buffer.from(m[3]);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { kind, id } : null;
}
