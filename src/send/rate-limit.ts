/**
 * Send-rate limits: a token bucket for messages per second, plus sliding per-hour and per-day
 * caps for providers that impose them.
 *
 * The clock is injected (`now`) and waiting uses the global timers, so tests drive it with
 * vitest fake timers; accuracy against a real clock is measured by the benchmark. The hour and
 * day windows count per minute and can be seeded from the state database, so a restarted send
 * still honours what the previous run already sent.
 */
export interface RateLimitOptions {
  /** Messages per second; 0 = unlimited. */
  rate: number;
  /** Tokens that may accumulate while idle (default: a tenth of a second's worth, at least 1). */
  burst?: number;
  perHour?: number;
  perDay?: number;
  now?: () => number;
  /** Earlier sends: (time in ms, count) pairs within the last day. */
  seed?: Iterable<[number, number]>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;
  private readonly now: () => number;
  /** minute index → messages started in that minute (only kept with a cap). */
  private readonly minutes = new Map<number, number>();

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.burst = opts.burst ?? Math.max(1, opts.rate / 10);
    this.tokens = Math.min(1, this.burst);
    this.last = this.now();
    if (opts.seed && (opts.perHour || opts.perDay)) for (const [t, n] of opts.seed) this.count(t, n);
  }

  /**
   * Take a token if one is available now and return 0; otherwise return the ms to wait
   * (nothing is taken). The caller waits and asks again.
   */
  tryTake(): number {
    const now = this.now();
    const capWait = this.capWait(now);
    if (capWait > 0) return capWait;
    if (this.opts.rate > 0) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.opts.rate) / 1000);
      this.last = now;
      if (this.tokens < 1) return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.opts.rate));
      this.tokens -= 1;
    }
    if (this.opts.perHour || this.opts.perDay) this.count(now, 1);
    return 0;
  }

  /** Wait for a token. Rejects with the signal's reason when aborted. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.tryTake();
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  /** ms until the hour/day caps allow another message (0 = allowed now). */
  capWait(now = this.now()): number {
    let wait = 0;
    if (this.opts.perHour) wait = Math.max(wait, this.windowWait(now, HOUR, this.opts.perHour));
    if (this.opts.perDay) wait = Math.max(wait, this.windowWait(now, DAY, this.opts.perDay));
    return wait;
  }

  private count(t: number, n: number): void {
    const m = Math.floor(t / MINUTE);
    this.minutes.set(m, (this.minutes.get(m) ?? 0) + n);
  }

  /** Messages in the window ending now; if at the cap, when the oldest minute leaves it. */
  private windowWait(now: number, span: number, cap: number): number {
    // Conservative: the minute holding (now - span) still counts, so a cap is never exceeded
    // in any rolling window (at worst a message waits up to a minute longer than needed).
    const first = Math.floor((now - span) / MINUTE);
    let total = 0;
    for (const [m, n] of this.minutes) {
      if (m < Math.floor((now - DAY) / MINUTE))
        this.minutes.delete(m); // older than any window
      else if (m >= first) total += n;
    }
    if (total < cap) return 0;
    // Walk minutes oldest first until enough have expired to get under the cap.
    const ms = [...this.minutes.keys()].filter((m) => m >= first).sort((a, b) => a - b);
    let excess = total - cap + 1;
    for (const m of ms) {
      excess -= this.minutes.get(m)!;
      if (excess <= 0) return Math.max(1, (m + 1) * MINUTE + span - now);
    }
    return span;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
