/**
 * Resubscribe links: the "Unsubscribed by mistake?" button on the page shown after a one-click
 * unsubscribe.
 *
 * A resubscribe token undoes one suppression, not "whatever is on the list now": it carries the
 * time that suppression was recorded, and `roundup serve` lifts the suppression only while it is
 * still that same one. So an old link cannot lift a later unsubscribe, and once used it has
 * nothing left to undo. It also expires (RESUBSCRIBE_TTL_MS): the button is meant for the
 * minutes after a mistaken click, not for a page saved and replayed months later.
 *
 * The token is opaque (src/unsubscribe/token.ts, v2) under keys derived for this purpose only,
 * so an unsubscribe token never verifies as a resubscribe token, or the other way round. The
 * unbound resubscribe tokens of earlier versions are no longer accepted: they were only ever
 * shown on that page, never mailed.
 */
import { openToken, purposeKeys, sealToken, type TokenSubject } from '../unsubscribe/token.js';
import { emailKey } from '../lists/email.js';

export const RESUBSCRIBE_TTL_MS = 7 * 24 * 3600 * 1000;

export interface ResubscribeClaim extends TokenSubject {
  /** `created_at` of the suppression this token undoes. */
  suppressedAt: string;
  /** ms since epoch after which the token is refused. */
  expiresAt: number;
}

const keys = (secret: Buffer) => purposeKeys(secret, 'resubscribe');

export function signResubscribe(subject: TokenSubject & { suppressedAt: string }, secret: Buffer, now = Date.now()): string {
  const fields = [subject.list, emailKey(subject.email), subject.suppressedAt, String(now + RESUBSCRIBE_TTL_MS)];
  if (fields.some((f) => /[\r\n]/.test(f))) throw new Error('token fields cannot contain line breaks');
  return sealToken(fields.join('\n'), keys(secret));
}

export type ResubscribeCheck = { ok: true; claim: ResubscribeClaim } | { ok: false; why: 'invalid' | 'expired' };

export function verifyResubscribe(token: string, secret: Buffer, now = Date.now()): ResubscribeCheck {
  const payload = openToken(token, keys(secret));
  const parts = payload?.split('\n');
  if (parts?.length !== 4 || parts.slice(0, 3).some((p) => p === '') || !/^\d{1,15}$/.test(parts[3])) {
    return { ok: false, why: 'invalid' };
  }
  const expiresAt = Number(parts[3]);
  if (now > expiresAt) return { ok: false, why: 'expired' };
  return { ok: true, claim: { list: parts[0], email: parts[1], suppressedAt: parts[2], expiresAt } };
}
