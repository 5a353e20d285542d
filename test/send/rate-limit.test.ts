import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../src/send/rate-limit.js';
import { backoffDelay, classifySmtpError } from '../../src/send/classify.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-22T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

/** Start `n` takes at once; record when each one is granted (ms after start). */
async function grantTimes(limiter: RateLimiter, n: number, runFor: number): Promise<number[]> {
  const t0 = Date.now();
  const times: number[] = [];
  for (let i = 0; i < n; i++) void limiter.take().then(() => times.push(Date.now() - t0));
  await vi.advanceTimersByTimeAsync(runFor);
  return times;
}

describe('RateLimiter (token bucket)', () => {
  it('spaces messages at the configured rate after a small burst', async () => {
    const times = await grantTimes(new RateLimiter({ rate: 10 }), 25, 3_000);
    expect(times).toHaveLength(25);
    // burst of 1 at 10/s: one message every 100 ms.
    expect(times[0]).toBe(0);
    expect(times[24]).toBeGreaterThanOrEqual(2_400);
    expect(times[24]).toBeLessThanOrEqual(2_450);
    // Never more than rate+burst in any one-second window.
    for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i] && t < times[i] + 1000).length).toBeLessThanOrEqual(11);
  });

  it('is unlimited at rate 0', async () => {
    const times = await grantTimes(new RateLimiter({ rate: 0 }), 1000, 1);
    expect(times).toHaveLength(1000);
    expect(Math.max(...times)).toBe(0);
  });

  it('lets an idle bucket refill only up to its burst', async () => {
    const limiter = new RateLimiter({ rate: 100, burst: 5 });
    await vi.advanceTimersByTimeAsync(60_000); // idle a minute
    const times = await grantTimes(limiter, 10, 1_000);
    expect(times.filter((t) => t === 0)).toHaveLength(5);
    expect(times[9]).toBeGreaterThanOrEqual(50);
  });

  it('enforces a per-hour cap in a rolling window, counting what earlier runs sent', async () => {
    const now = Date.now();
    // 8 sent 30 minutes ago by a previous run.
    const limiter = new RateLimiter({ rate: 0, perHour: 10, seed: [[now - 30 * 60_000, 8]] });
    expect(limiter.tryTake()).toBe(0);
    expect(limiter.tryTake()).toBe(0);
    const wait = limiter.tryTake();
    // The earlier 8 leave the window ~30 minutes from now (never early).
    expect(wait).toBeGreaterThanOrEqual(30 * 60_000);
    expect(wait).toBeLessThanOrEqual(31 * 60_000);
    expect(limiter.capWait()).toBe(wait);
    await vi.advanceTimersByTimeAsync(wait);
    expect(limiter.tryTake()).toBe(0);
  });

  it('enforces a per-day cap', () => {
    const limiter = new RateLimiter({ rate: 0, perDay: 3 });
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([0, 0, 0]);
    expect(limiter.tryTake()).toBeGreaterThan(23 * 3_600_000);
  });

  it('stops waiting when aborted', async () => {
    const limiter = new RateLimiter({ rate: 1 });
    await limiter.take();
    const ctrl = new AbortController();
    const p = limiter.take(ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('classifySmtpError', () => {
  const e = (o: object) => Object.assign(new Error('x'), o);
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <a@x>: Recipient address rejected: User unknown' }, 'permanent', true],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 Message size exceeds fixed limit' }, 'permanent', false],
    [{ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 Try again later' }, 'transient', false],
    [{ code: 'EPROTOCOL', responseCode: 421, response: '421 4.7.0 Too many connections' }, 'transient', false],
    [{ code: 'EENVELOPE', responseCode: 503, response: '503 5.5.1 Bad sequence of commands' }, 'transient', false],
    [{ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'transient', false],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, 'transient', false],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed' }, 'fatal', false],
  ])('%j → %s', (err, kind, hardBounce) => {
    const c = classifySmtpError(e(err));
    expect(c.kind).toBe(kind);
    expect(c.hardBounce).toBe(hardBounce);
    expect(c.response.length).toBeGreaterThan(0);
  });

  it('masks credentials in connection errors', () => {
    const c = classifySmtpError(e({ code: 'ECONNECTION', message: 'failed smtp://bob:hunter2@mail.example:587' }));
    expect(c.response).not.toContain('hunter2');
    expect(c.response).toContain('smtp://bob:****@mail.example');
  });

  it('backs off exponentially with bounded jitter', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, 1000, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(1, 1000, () => 0)).toBe(750);
    expect(backoffDelay(1, 1000, () => 1)).toBe(1250);
    expect(backoffDelay(30, 1000, () => 0.5)).toBe(300_000);
  });
});
