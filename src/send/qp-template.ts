/**
 * Quoted-printable bodies without encoding 50 KB per reader.
 *
 * QP-encoding a whole personalised HTML part costs ~0.6 ms, more than the rest of a send put
 * together. But QP allows a soft line break (`=\r\n`) anywhere, so each static part of the
 * issue's merge template can be encoded once per issue, and per reader only the field values
 * are encoded and spliced in between soft breaks. Decoding gives exactly what `personalise`
 * returns (resolveValues + escapeHtml from the render contract, test/send/compose.test.ts
 * pins the equivalence), at a few µs per reader.
 */
import * as qp from 'nodemailer/lib/qp';
import { escapeHtml, type MergeTemplate } from '../render/merge.js';

export interface QpTemplate {
  parts: string[];
  slots: number[];
  escape: boolean;
  /** True when every static part is 7-bit (values are checked per reader). */
}

const LINE = 76;
const SOFT = '=\r\n';

/** Encode a text fragment that starts at the beginning of an encoded line. */
export function encodeQp(s: string): string {
  return qp.wrap(qp.encode(s.replace(/\r?\n/g, '\r\n')), LINE);
}

export function compileQp(t: MergeTemplate, escape: boolean): QpTemplate {
  return { parts: t.parts.map(encodeQp), slots: t.slots, escape };
}

/** The encoded body for one reader; `resolved` comes from resolveValues(issue.refs, …). */
export function fillQp(t: QpTemplate, resolved: readonly string[]): string {
  let out = t.parts[0];
  for (let i = 0; i < t.slots.length; i++) {
    const v = resolved[t.slots[i]];
    const enc = v === '' ? '' : encodeQp(t.escape ? escapeHtml(v) : v);
    // Soft breaks around the value keep every line ≤ 76 whatever the value's length; an empty
    // soft-broken line decodes to nothing.
    out += SOFT + enc + SOFT + t.parts[i + 1];
  }
  return out;
}
