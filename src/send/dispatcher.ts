/**
 * Hands claimed rows to the sending workers and records what happened to them.
 *
 * Rows are claimed from the store in batches, and finished attempts are recorded with the
 * next claim in one step: a worker only gets a row after its 'sending' mark is committed, yet
 * a busy send writes once per batch rather than once or twice per message (one-row
 * transactions were a quarter of an unthrottled send's CPU on SQLite). With `ahead` rows
 * claimed beyond the waiting workers, a step runs when the ready rows fall to half of that,
 * or when `ahead` outcomes are waiting, or FLUSH_MS after an outcome, whichever comes first.
 * So at any moment the rows in 'sending' are at most `ahead` claimed rows, the messages in
 * flight and `ahead` finished ones not yet recorded: that is the possible-duplicate window
 * after a crash (most of it never left; the rest is re-sent with the same Message-ID).
 * With `ahead` 0 every outcome and every claim is written at once (one step per turn).
 *
 * Steps are asynchronous (PostgreSQL is a network away) and never overlap: reports that
 * arrive during a step are recorded by the next one. Retries wait in the database (their
 * `retry_at`), so another worker on another machine may take them too. When nothing is left
 * to claim, the dispatcher asks the store what remains: due retries, rows other live workers
 * are sending (they may fail and need a retry, or their worker may die and its rows come back),
 * or nothing at all, which ends the send for this process.
 */
import type { Outcome, QueueRow } from '../state/store.js';
import type { Ledger } from './types.js';

/** While other workers still hold rows, look again this often (a dead one's rows come back). */
const POLL_MS = 1000;
/**
 * When rows are claimed ahead, a finished attempt is recorded with the next refill, or after
 * this long at the latest (a slow or rate-limited send still records every 250 promptly).
 */
const FLUSH_MS = 20;

export class Dispatcher {
  private outcomes: Outcome[] = [];
  /** Rows claimed ahead of the workers (see `ahead`), already 'sending', not yet handed out. */
  private ready: QueueRow[] = [];
  private waiters: ((row: QueueRow | null) => void)[] = [];
  private scheduled = false;
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private closed = false;
  /** Rows handed out and not yet reported back. */
  inFlight = 0;
  /** Set when the state database refused a write: the send must stop. */
  failure?: Error;

  constructor(
    private readonly ledger: Ledger,
    /** Called after outcomes are committed (progress counts only what is on disk). */
    private readonly onCommitted: (outcomes: readonly Outcome[]) => void = () => {},
    private readonly pollMs = POLL_MS,
    /** Claim this many rows beyond the workers waiting, so none waits on a database round trip. */
    private readonly ahead = 0,
  ) {}

  /** The next row to send, already marked 'sending'; null when there is nothing left (or closed). */
  next(): Promise<QueueRow | null> {
    if (this.closed) return Promise.resolve(null);
    const row = this.ready.shift();
    if (row) {
      this.inFlight++;
      // Refill at half: one step then claims half a batch and records the outcomes that
      // came in meanwhile, instead of one write per message.
      if (this.ready.length <= this.ahead >> 1) this.schedule();
      return Promise.resolve(row);
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** A finished attempt (a retry carries its delay). */
  report(outcome: Outcome): void {
    this.inFlight--;
    this.outcomes.push(outcome);
    // Without rows claimed ahead every outcome is written at once (the next claim needs a
    // step anyway). With them, outcomes ride on the next refill, or the flush timer.
    if (this.ahead === 0 || this.closed || this.outcomes.length >= this.ahead) this.schedule();
    else this.flushTimer ??= setTimeout(() => this.schedule(), FLUSH_MS);
  }

  /** Stop handing out rows (outstanding next() calls get null); reports are still recorded. */
  close(): void {
    if (this.closed && this.waiters.length === 0) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.waiters.splice(0)) w(null);
    // Rows claimed ahead and never sent go back to the queue as they were.
    for (const row of this.ready.splice(0)) this.outcomes.push({ id: row.id, kind: 'release', response: '' });
    this.schedule();
  }

  /** End of run: record whatever is pending; the dispatcher is unusable afterwards. */
  async finish(): Promise<void> {
    this.close();
    clearTimeout(this.timer);
    clearTimeout(this.flushTimer);
    if (this.running) await this.running;
    // One last attempt at what is still unrecorded (after a refused write too: the disk may
    // have room again, and every outcome recorded is a reader the next run need not re-send).
    if (this.outcomes.length) await this.run();
  }

  private schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) void this.run();
      else this.again = true;
    });
  }

  private run(): Promise<void> {
    this.running = (async () => {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.failure);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async step(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const outcomes = this.outcomes;
    this.outcomes = [];
    const want = this.closed || this.failure ? 0 : this.waiters.length + Math.max(0, this.ahead - this.ready.length);
    if (!outcomes.length && want === 0) return;
    let claimed: QueueRow[] = [];
    try {
      claimed = await this.ledger.step(outcomes, want);
      if (outcomes.length) this.onCommitted(outcomes);
    } catch (e) {
      // The database refused a write (disk full, locked, connection lost…). Stop handing out
      // rows; unrecorded outcomes are kept for the final flush, and whatever stays 'sending'
      // is re-sent with the same Message-ID by the next run, as after a crash.
      this.outcomes.unshift(...outcomes);
      this.failure ??= e instanceof Error ? e : new Error(String(e));
      this.close();
      return;
    }
    for (const row of claimed) {
      const w = this.waiters.shift();
      if (w) {
        this.inFlight++;
        w(row);
      } else if (!this.closed) this.ready.push(row);
      else {
        // Closed meanwhile: give it straight back, untouched (not an attempt).
        this.outcomes.push({ id: row.id, kind: 'release', response: '' });
        this.again = true;
      }
    }
    if (this.closed || this.waiters.length === 0 || claimed.length >= want) return;
    // Fewer rows than waiters. In-flight messages may fail and come back as retries: wait for them.
    if (this.inFlight > 0) return;
    let left: Awaited<ReturnType<Ledger['remaining']>>;
    try {
      left = await this.ledger.remaining();
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
      this.close();
      return;
    }
    if (left.queuedNow > 0 || left.reclaimed > 0) {
      this.again = true;
      return;
    }
    const wait =
      left.nextRetryInMs !== null
        ? Math.min(left.nextRetryInMs, left.busyElsewhere ? this.pollMs : Infinity)
        : left.busyElsewhere
          ? this.pollMs
          : null;
    if (wait === null) {
      // Nothing queued, nothing due, nobody else sending who could fail or die: done.
      for (const w of this.waiters.splice(0)) w(null);
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.schedule(), Math.max(5, wait));
  }
}
