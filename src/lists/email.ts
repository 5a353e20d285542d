/**
 * Address validation for subscriber lists: strict enough that every accepted address is one an
 * SMTP server will take in `RCPT TO` without SMTPUTF8, lenient enough to accept what real lists hold.
 */
import { domainToASCII } from 'node:url';

export type EmailCheck = { ok: true; address: string; key: string } | { ok: false; reason: string };

// RFC 5322 dot-atom text: the local parts real mailboxes use (quoted local parts are refused:
// they are legal but almost always a paste error in a spreadsheet).
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * Check one address. `address` is what to put in RCPT TO (the domain in A-label form for an
 * internationalised domain); `key` is its case-folded form, used for de-duplication and
 * suppression (mailbox providers treat local parts case-insensitively in practice).
 */
export function checkEmail(raw: string): EmailCheck {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'no email address' };
  if (/[\s<>(),;:"[\]\\]/.test(s)) return { ok: false, reason: `"${s}" is not a bare email address` };
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return { ok: false, reason: `"${s}" has no @domain` };
  const local = s.slice(0, at);
  const domainRaw = s.slice(at + 1);
  if (local.includes('@')) return { ok: false, reason: `"${s}" has more than one @` };
  if (local.length > 64) return { ok: false, reason: `"${s}": the part before @ is longer than 64 characters` };
  if (!ATEXT.test(local)) return { ok: false, reason: `"${s}": invalid characters or dots before @` };
  const domain = /^[\x00-\x7f]*$/.test(domainRaw) ? domainRaw : domainToASCII(domainRaw);
  if (!domain) return { ok: false, reason: `"${s}": invalid domain` };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1])) {
    return { ok: false, reason: `"${s}": invalid domain "${domainRaw}"` };
  }
  const address = `${local}@${domain}`;
  if (address.length > 254) return { ok: false, reason: `"${s}" is longer than 254 characters` };
  return { ok: true, address, key: address.toLowerCase() };
}

/** Case-folded key for an address that may not have been validated (suppression lookups). */
export function emailKey(raw: string): string {
  const c = checkEmail(raw);
  return c.ok ? c.key : raw.trim().toLowerCase();
}
