/**
 * What an SMTP failure means for the reader and for the send (RFC 5321 §4.2.1, RFC 3463):
 *
 * - transient: 4xx replies, dropped connections, timeouts, protocol hiccups → retry later;
 * - permanent: 5xx replies → failed, not retried (503 "bad sequence" excepted: that is our
 *   session's state, not the message, and goes through on a new connection);
 * - hard bounce: 5.1.1 "user unknown" (and 5.1.10, a null MX) → failed *and* suppressed, so no
 *   list ever mails the address again;
 * - fatal: authentication or TLS set-up failures → no message can go; stop the whole send.
 */
import { mask } from '../mask.js';

export type FailureKind = 'transient' | 'permanent' | 'fatal';

export interface Classified {
  kind: FailureKind;
  hardBounce: boolean;
  /** One line for the state database and `roundup status`: the server's reply if there was one. */
  response: string;
}

type SmtpErrorLike = { code?: string; responseCode?: number; response?: string; message?: string };

const FATAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG']);

export function classifySmtpError(err: unknown): Classified {
  const e = (err ?? {}) as SmtpErrorLike;
  const reply = (e.response ?? '').replace(/\s+/g, ' ').trim();
  const response = mask(reply || `${e.code ?? 'ERROR'}: ${(e.message ?? String(err)).replace(/\s+/g, ' ').trim()}`);
  const status = e.responseCode ?? (Number(/^([2-5]\d\d)\b/.exec(reply)?.[1]) || undefined);
  if (e.code && FATAL_CODES.has(e.code)) return { kind: 'fatal', hardBounce: false, response };
  if (status !== undefined && status >= 500 && status < 600 && status !== 503) {
    return { kind: 'permanent', hardBounce: /\b5\.1\.(1|10)\b/.test(reply), response };
  }
  return { kind: 'transient', hardBounce: false, response };
}

/**
 * Delay before retry number `attempt` (1 = first retry): base × 2^(attempt-1), at most 5 min,
 * with ±25% jitter so a pool of connections that failed together does not retry in step.
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(raw * (0.75 + 0.5 * random()));
}
