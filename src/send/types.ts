/**
 * The send interfaces: what the send loop (orchestrator.ts, dispatcher.ts) needs from the
 * outside world, and nothing more. Implementations live next door (smtp.ts, outbox.ts for
 * Transport; src/state for Ledger) and only the factories that choose them import them, so
 * this module imports no implementation and loads nothing at run time.
 */
import type { Outcome, QueueRow, Remaining } from '../state/store.js';

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
 * The send's durable record, as the dispatcher uses it. `Store.ledger()` (src/state/store.ts)
 * implements it for SQLite and for PostgreSQL, with the same guarantees:
 *  - `step` records finished attempts and claims up to `want` rows. A claimed row is
 *    'sending' (attempts + 1, naming this worker) and committed before the promise resolves,
 *    so no message reaches a server before the database says it may be in flight. Rows whose
 *    reader is on the suppression list at claim time become 'suppressed' and are not returned.
 *    Two workers never hold the same row (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one writer).
 *    A 'retry' outcome waits in the database until its delay has passed; any worker may take it.
 *  - `remaining` says what is left once nothing could be claimed: rows claimable now, the time
 *    to the next retry, rows other live workers are sending; and puts dead workers' rows back.
 * A failed write rejects; the dispatcher then stops handing out rows (see dispatcher.ts).
 */
export interface Ledger {
  step(outcomes: readonly Outcome[], want: number): Promise<QueueRow[]>;
  remaining(): Promise<Remaining>;
}
