/**
 * The send loop when the state database refuses a write mid-send (disk full, a lock held past
 * busy_timeout): it must stop cleanly, keep every outcome it can, and leave a state from which
 * the next run delivers everyone, never skipping a reader that was not recorded as sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { runSendLoop, type SendLoopOptions } from '../../src/send/orchestrator.js';
import { RateLimiter } from '../../src/send/rate-limit.js';
import type { Transport } from '../../src/send/types.js';
import type { Ledger } from '../../src/send/types.js';
import { openStore, type StateChoice, type Store } from '../../src/state/index.js';
import { backends } from '../helpers/backends.js';

function fakeTransport(delivered: string[]): Transport {
  return {
    kind: 'outbox',
    describe: 'fake',
    async open() {
      return {
        usable: true,
        count: 0,
        async send(msg) {
          await new Promise((r) => setImmediate(r));
          delivered.push(msg.to);
          return { response: '250 ok' };
        },
        close() {},
      };
    },
  };
}

const loop = (ledger: Ledger, delivered: string[], extra: Partial<SendLoopOptions> = {}) =>
  runSendLoop({
    ledger,
    makeMessage: (r) => ({ from: 'f@example.net', to: r.email, messageId: r.messageId, pieces: [] }),
    transport: fakeTransport(delivered),
    limiter: new RateLimiter({ rate: 0 }),
    concurrency: 3,
    maxAttempts: 3,
    pauseAfterFailures: 10,
    retryDelay: 1,
    messagesPerConnection: 1000,
    ...extra,
  });

describe.each(backends())('the send loop on $name', (backend) => {
  let env: StateChoice;
  let store: Store;
  beforeEach(async () => {
    env = await backend.fresh();
    store = await openStore({ stateDir: '.roundup' }, env);
  });
  afterEach(async () => {
    await store.close();
    await backend.cleanup(env);
  });

  /** A send of `n` readers (r0@example.net…) queued in the store, and a worker registered on it. */
  async function queued(n: number) {
    const csv = ['email', ...Array.from({ length: n }, (_, i) => `r${i}@example.net`)].join('\n');
    const send = await store.ensureSend('i', 'l', 's');
    await store.syncRecipients(send, parseList(csv, 'l.csv').recipients, (r) => `<${r.key}>`);
    return { send, worker: await store.startWorker(send.id, 'i to l') };
  }

  it('stops with a clear message when a state write fails, and the next run delivers everyone', async () => {
    const N = 30;
    const { send, worker } = await queued(N);
    const ledger = store.ledger(send.id, worker.id);
    const step = ledger.step.bind(ledger);
    let calls = 0;
    Object.defineProperty(ledger, 'step', {
      value: (...args: Parameters<typeof step>) => {
        if (++calls === 4) throw new Error('SQLITE_FULL: database or disk is full');
        return step(...args);
      },
    });
    const delivered: string[] = [];
    const first = await loop(ledger, delivered);
    expect(first.stop).toBe('fatal');
    expect(first.message).toMatch(/^the send state database refused a write \(SQLITE_FULL: database or disk is full\); nothing was lost/);
    const mid = await store.countByStatus(send.id);
    expect(mid.sending).toBe(0); // the outcomes held back at the failed write were recorded by the final flush
    expect(mid.sent).toBe(delivered.length);
    expect(mid.queued).toBe(N - delivered.length);
    expect(mid.queued).toBeGreaterThan(0);
    await worker.release();

    expect(await store.recoverInterrupted(send.id)).toBe(0);
    const again = await store.startWorker(send.id, 'i to l');
    const second = await loop(store.ledger(send.id, again.id), delivered);
    expect(second.stop).toBe('done');
    expect(new Set(delivered).size).toBe(N);
    expect(delivered).toHaveLength(N);
    expect(await store.countByStatus(send.id)).toMatchObject({ sent: N, queued: 0, sending: 0 });
    expect((await store.workers(send.id)).map((w) => w.sent)).toEqual([N - second.sent, second.sent]);
  });

  it('with rows claimed ahead, writes once per half batch, yet never more than the window is in sending', async () => {
    const N = 400;
    const AHEAD = 12;
    const { send, worker } = await queued(N);
    const ledger = store.ledger(send.id, worker.id);
    const step = ledger.step.bind(ledger);
    let steps = 0;
    let maxSending = 0;
    Object.defineProperty(ledger, 'step', {
      value: async (...args: Parameters<typeof step>) => {
        steps++;
        const rows = await step(...args);
        maxSending = Math.max(maxSending, (await store.countByStatus(send.id)).sending);
        return rows;
      },
    });
    const delivered: string[] = [];
    const result = await loop(ledger, delivered, { claimAhead: AHEAD });
    expect(result.stop).toBe('done');
    expect(new Set(delivered).size).toBe(N);
    expect(await store.countByStatus(send.id)).toMatchObject({ sent: N, queued: 0, sending: 0 });
    // One step per message would be ≥ 400; refilling at half a batch is about N / (AHEAD / 2).
    expect(steps).toBeLessThanOrEqual(Math.ceil(N / (AHEAD / 2)) + 10);
    // Claimed ahead + in flight (3 connections) + finished, not yet recorded.
    expect(maxSending).toBeLessThanOrEqual(AHEAD + 3 + AHEAD);
    await worker.release();
  });

  it('with rows claimed ahead, a slow send still records each outcome within moments', async () => {
    const N = 5;
    const { send, worker } = await queued(N);
    const sentSeen: number[] = [];
    const slow: Transport = {
      kind: 'outbox',
      describe: 'slow',
      async open() {
        return {
          usable: true,
          count: 0,
          async send() {
            // Half-way through each message, the previous one is already recorded as sent.
            await new Promise((r) => setTimeout(r, 60));
            sentSeen.push((await store.countByStatus(send.id)).sent);
            await new Promise((r) => setTimeout(r, 60));
            return { response: '250 ok' };
          },
          close() {},
        };
      },
    };
    const result = await loop(store.ledger(send.id, worker.id), [], { transport: slow, concurrency: 1, claimAhead: 64 });
    expect(result.sent).toBe(N);
    // 120 ms per message, recorded within 20 ms of its reply.
    expect(sentSeen).toEqual([0, 1, 2, 3, 4]);
    await worker.release();
  });

  it('a Ctrl-C that came before the loop started (during the list import) stops it at once, nobody mailed', async () => {
    const { send, worker } = await queued(2);
    const ctrl = new AbortController();
    ctrl.abort();
    const delivered: string[] = [];
    const result = await loop(store.ledger(send.id, worker.id), delivered, { signal: ctrl.signal });
    expect(result.stop).toBe('interrupted');
    expect(delivered).toEqual([]);
    expect(await store.countByStatus(send.id)).toMatchObject({ queued: 2, sending: 0 });
    await worker.release();
  });
});
