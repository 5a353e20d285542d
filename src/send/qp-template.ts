/**
 * Quoted-printable bodies without encoding 50 KB per reader.
 *
 * QP-encoding a whole personalised HTML part costs ~0.6 ms, more than the rest of a send put
 * together. But QP allows a soft line break (`=\r\n`) anywhere, so each static part of the
 * issue's merge template can be encoded once per issue, and per reader only the field values
 * are encoded and spliced in between soft breaks. Decoding gives exactly what `personalise`
 * returns (resolveValues + escapeHtml from the render contract; test/send/deliver.test.ts
 * pins the equivalence), at a few µs per reader.
 */
import * as qp from 'nodemailer/lib/qp';
import { escapeHtml, type MergeTemplate } from '../render/merge.js';

export interface QpTemplate {
  parts: string[];
  slots: number[];
  escape: boolean;
}

// 74, not 76: a leading dot written as =2E (below) adds two characters and must still fit.
const LINE = 74;
const SOFT = '=\r\n';

/**
 * Encode a text fragment that starts at the beginning of an encoded line. The result is in
 * SMTP-canonical form: CRLF line ends only, and no line starting with "." (written =2E, which
 * decodes the same), so it can go on the wire without dot-stuffing (see smtp.ts).
 */
export function encodeQp(s: string): string {
  return qp.wrap(qp.encode(s.replace(/\r\n|\r|\n/g, '\r\n')), LINE).replace(/(^|\r\n)\./g, '$1=2E');
}

/** CRLF-only and no line starting with a dot: safe to send with no SMTP transformation. */
export function isWireCanonical(s: string): boolean {
  return !/\r(?!\n)|(?<!\r)\n|(^|\n)\./.test(s);
}

export function compileQp(t: MergeTemplate, asHtml: boolean): QpTemplate {
  const parts = t.parts.map(encodeQp);
  // Checked once per issue, so the per-reader fast path can rely on it.
  if (!parts.every(isWireCanonical)) throw new Error('internal: QP encoding produced a non-canonical line');
  return { parts, slots: t.slots, escape: asHtml };
}

/**
 * The encoded body for one reader, appended to `out` as pieces (the shared, pre-encoded parts
 * and the few encoded values) so it is never copied into one big string per reader.
 * `resolved` comes from resolveValues(issue.refs, …).
 */
export function fillQpInto(t: QpTemplate, resolved: readonly string[], out: string[]): void {
  out.push(t.parts[0]);
  for (let i = 0; i < t.slots.length; i++) {
    const v = resolved[t.slots[i]];
    // Soft breaks around the value keep every line ≤ 76 whatever the value's length; an empty
    // soft-broken line decodes to nothing.
    if (v !== '') out.push(SOFT, encodeQp(t.escape ? escapeHtml(v) : v));
    out.push(SOFT, t.parts[i + 1]);
  }
}

export function fillQp(t: QpTemplate, resolved: readonly string[]): string {
  const out: string[] = [];
  fillQpInto(t, resolved, out);
  return out.join('');
}
