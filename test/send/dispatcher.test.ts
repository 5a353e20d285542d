/**
 * The send loop when the state database refuses a write mid-send (disk full, a lock held past
 * busy_timeout): it must stop cleanly, keep every outcome it can, and leave a state from which
 * the next run delivers everyone, never skipping a reader that was not recorded as sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseList } from '../../src/lists/index.js';
import { runSendLoop } from '../../src/send/orchestrator.js';
import { RateLimiter } from '../../src/send/rate-limit.js';
import type { Transport } from '../../src/send/types.js';
import {
  SendLedger,
  countByStatus,
  ensureSend,
  openState,
  recoverInterrupted,
  syncRecipients,
  type StateDb,
} from '../../src/state/index.js';

let db: StateDb;
beforeEach(() => {
  db = openState({ stateDir: '.roundup' }, { stateDir: mkdtempSync(path.join(tmpdir(), 'roundup-dispatch-')) });
});
afterEach(() => {
  db.close();
});

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

const loop = (ledger: SendLedger, delivered: string[]) =>
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
  });

it('stops with a clear message when a state write fails, and the next run delivers everyone', async () => {
  const N = 30;
  const csv = ['email', ...Array.from({ length: N }, (_, i) => `r${i}@example.net`)].join('\n');
  const send = ensureSend(db, 'i', 'l', 's');
  syncRecipients(db, send, parseList(csv, 'l.csv').recipients, (r) => `<${r.key}>`);

  const ledger = new SendLedger(db, send.id);
  const step = ledger.step;
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
  const mid = countByStatus(db, send.id);
  expect(mid.sending).toBe(0); // the outcomes held back at the failed write were recorded by the final flush
  expect(mid.sent).toBe(delivered.length);
  expect(mid.queued).toBe(N - delivered.length);
  expect(mid.queued).toBeGreaterThan(0);

  expect(recoverInterrupted(db, send.id)).toBe(0);
  const second = await loop(new SendLedger(db, send.id), delivered);
  expect(second.stop).toBe('done');
  expect(new Set(delivered).size).toBe(N);
  expect(delivered).toHaveLength(N);
  expect(countByStatus(db, send.id)).toMatchObject({ sent: N, queued: 0, sending: 0 });
});
