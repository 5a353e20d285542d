/**
 * Hands claimed rows to the sending workers and records what happened to them.
 *
 * Rows come from the database a page at a time (flat memory for any list size); due retries
 * go first. Claims (queued → sending) and finished attempts are written together in one
 * transaction per event-loop turn: a busy send commits once per batch, yet a worker only gets
 * a row after its 'sending' mark is committed, and a finished attempt waits at most one turn
 * to be recorded. So at any moment the rows in 'sending' are the messages in flight plus those
 * finished in the current turn: the possible-duplicate window after a crash is ≤ concurrency.
 */
import type { Outcome, QueueRow } from '../state/sends.js';
import type { Ledger } from './types.js';

const PAGE = 500;

export class Dispatcher {
  private buffer: QueueRow[] = [];
  private cursor = 0;
  private exhausted = false;
  private retries: { id: number; due: number }[] = [];
  private outcomes: Outcome[] = [];
  private waiters: ((row: QueueRow | null) => void)[] = [];
  private scheduled = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;
  private finished = false;
  /** Rows handed out and not yet reported back. */
  inFlight = 0;
  /** Set when the state database refused a write: the send must stop. */
  failure?: Error;

  constructor(
    private readonly ledger: Ledger,
    /** Called after outcomes are committed (progress counts only what is on disk). */
    private readonly onCommitted: (outcomes: readonly Outcome[]) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The next row to send, already marked 'sending'; null when there is nothing left (or closed). */
  next(): Promise<QueueRow | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** A finished attempt; `retryAt` puts the row back in line at that time. */
  report(outcome: Outcome, retryAt?: number): void {
    this.inFlight--;
    this.outcomes.push(outcome);
    if (outcome.kind === 'retry' && retryAt !== undefined) this.retries.push({ id: outcome.id, due: retryAt });
    this.schedule();
  }

  /** Stop handing out rows (outstanding next() calls get null); reports are still recorded. */
  close(): void {
    if (this.closed && this.waiters.length === 0) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const w of this.waiters.splice(0)) w(null);
    this.schedule();
  }

  /** End of run: commit whatever is pending now; the dispatcher is unusable afterwards. */
  finish(): void {
    this.close();
    this.flush();
    this.finished = true;
  }

  pendingRetries(): number {
    return this.retries.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // After finish() the database may already be closed; everything was committed by then.
      if (!this.finished) this.flush();
    });
  }

  private flush(): void {
    const outcomes = this.outcomes;
    this.outcomes = [];
    const want = this.closed ? 0 : this.waiters.length;
    const claimed: QueueRow[] = [];
    let recorded = false;
    try {
      let candidates = this.candidates(want);
      claimed.push(...this.ledger.step(outcomes, candidates));
      recorded = true;
      // Rows found suppressed at claim time leave waiters unserved: claim more.
      while (claimed.length < want && candidates.length > 0) {
        candidates = this.candidates(want - claimed.length);
        if (candidates.length) claimed.push(...this.ledger.step([], candidates));
      }
    } catch (e) {
      // The database refused a write (disk full, locked past busy_timeout…). Stop handing out
      // rows; unrecorded outcomes are kept for the final flush, and whatever stays 'sending'
      // is re-sent with the same Message-ID by the next run, as after a crash.
      if (!recorded) this.outcomes.unshift(...outcomes);
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    }
    if (recorded && outcomes.length) this.onCommitted(outcomes);
    for (const row of claimed) {
      this.inFlight++;
      this.waiters.shift()!(row);
    }
    if (this.failure) {
      this.close();
      return;
    }
    if (this.waiters.length === 0) return;
    if (this.retries.length) {
      const due = Math.min(...this.retries.map((r) => r.due));
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.schedule(), Math.max(0, due - this.now()));
    } else if (this.inFlight === 0) {
      // Nothing queued, nothing due, nobody sending who could fail and need a retry: done.
      for (const w of this.waiters.splice(0)) w(null);
    }
    // Otherwise wait: a report from an in-flight message schedules the next flush.
  }

  /** Up to n rows to try to claim: due retries first, then the next rows in list order. */
  private candidates(n: number): QueueRow[] {
    const out: QueueRow[] = [];
    if (n <= 0) return out;
    const now = this.now();
    if (this.retries.length) {
      this.retries.sort((a, b) => a.due - b.due);
      while (out.length < n && this.retries.length && this.retries[0].due <= now) {
        const row = this.ledger.get(this.retries.shift()!.id);
        if (row) out.push(row);
      }
    }
    while (out.length < n) {
      if (this.buffer.length === 0) {
        if (this.exhausted) break;
        this.buffer = this.ledger.nextPage(this.cursor, PAGE);
        if (this.buffer.length < PAGE) this.exhausted = true;
        if (this.buffer.length === 0) break;
        this.cursor = this.buffer[this.buffer.length - 1].id;
      }
      out.push(this.buffer.shift()!);
    }
    return out;
  }
}
