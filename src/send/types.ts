/**
 * The send interfaces: what the send loop (orchestrator.ts, dispatcher.ts) needs from the
 * outside world, and nothing more. Implementations live next door (smtp.ts, outbox.ts for
 * Transport; src/state for Ledger) and only the factories that choose them import them, so
 * this module imports no implementation and loads nothing at run time.
 */
import type { Outcome, QueueRow } from '../state/sends.js';

export interface OutgoingMessage {
  /** Envelope sender (bounces) and recipient. */
  from: string;
  to: string;
  messageId: string;
  /** The message text in pieces, written in order (see rawOf). */
  pieces: readonly string[];
  /** CRLF-only with no line starting with "." (see compose.ts): may skip SMTP dot-stuffing. */
  canonical?: boolean;
}

export interface Delivery {
  /** The server's final reply ("250 2.0.0 Ok: queued as …"), or where the outbox put it. */
  response: string;
}

export interface Channel {
  send(msg: OutgoingMessage): Promise<Delivery>;
  /** False once the connection failed or was closed: open a new channel. */
  readonly usable: boolean;
  /** Messages sent (accepted or refused) over this channel. */
  readonly count: number;
  close(): void;
}

export interface Transport {
  kind: 'smtp' | 'outbox';
  /** For the pre-send summary and logs: never contains a password. */
  describe: string;
  open(): Promise<Channel>;
}

/**
 * The send's durable record, as the dispatcher uses it. `SendLedger` (src/state/sends.ts,
 * SQLite) implements it; another backend implements the same three methods with the same
 * guarantees:
 *  - `step` records finished attempts and claims rows in ONE transaction: a claimed row is
 *    'sending' (attempts + 1) and committed before it is returned, so no message reaches a
 *    server before the database says it may be in flight. Rows whose reader is on the
 *    suppression list at claim time become 'suppressed' and are not returned; a row no
 *    longer 'queued' (claimed elsewhere) is skipped.
 *  - `nextPage` lists queued rows after `afterId` in id order (the list's order), `limit` at most.
 *  - `get` re-reads one row for a retry, or null when it is no longer queued.
 * A failed write throws; the dispatcher then stops handing out rows (see dispatcher.ts).
 * State types are structural: the backend need not import this module (no state → send import).
 */
export interface Ledger {
  step(outcomes: readonly Outcome[], claims: readonly QueueRow[]): QueueRow[];
  nextPage(afterId: number, limit: number): QueueRow[];
  get(id: number): QueueRow | null;
}
