/**
 * The send loop: `concurrency` workers, each owning one SMTP channel and sending one message
 * at a time, fed by the Dispatcher (which records every attempt before and after it happens).
 *
 * Stopping is always graceful: Ctrl-C, an auto-pause after N consecutive failures, a fatal
 * error (bad credentials) or a reached hourly/daily cap stop new messages from starting,
 * let the ones in flight finish and record them, then return. A kill -9 skips all of that,
 * and the state database still says exactly which readers might have been mid-send.
 */
import type { Outcome, QueueRow } from '../state/store.js';
import { backoffDelay, classifySmtpError, type Classified } from './classify.js';
import { Dispatcher } from './dispatcher.js';
import type { MessageFactory, MessageReader } from './message.js';
import { sleep, type RateLimiter } from './rate-limit.js';
import type { Channel, Ledger, Transport } from './types.js';

export interface SendLoopOptions {
  ledger: Ledger;
  makeMessage: MessageFactory;
  transport: Transport;
  limiter: RateLimiter;
  concurrency: number;
  maxAttempts: number;
  pauseAfterFailures: number;
  retryDelay: number;
  messagesPerConnection: number;
  /** Rows to claim ahead of the connections (Store.claimAhead: PostgreSQL is a round trip away). */
  claimAhead?: number;
  /** Aborting it (Ctrl-C) stops the send gracefully. */
  signal?: AbortSignal;
  /**
   * Filled in when the loop starts, for a caller working alongside it (the list import):
   * `nudge` makes it look for rows at once, `stop` ends it as a fatal stop with that message
   * (messages in flight finish and are recorded first).
   */
  control?: LoopControl;
  /** A cap wait longer than this stops the send instead of sleeping (default 15 min). */
  maxCapWaitMs?: number;
  onCommitted?: (outcomes: readonly Outcome[]) => void;
  /** Notable events (retries, reconnects), already free of credentials. */
  log?: (line: string) => void;
  random?: () => number;
}

export type StopReason = 'done' | 'interrupted' | 'paused' | 'fatal' | 'capped';

export interface LoopControl {
  nudge?: () => void;
  stop?: (message: string) => void;
}

export interface SendLoopResult {
  stop: StopReason;
  /** Why it stopped, for the user (set unless done). */
  message?: string;
  sent: number;
  failed: number;
  bounced: number;
  /** Attempts that failed transiently and were retried (or left queued). */
  retried: number;
  attempts: number;
}

export function readerOf(row: QueueRow): MessageReader {
  return {
    email: row.email,
    name: row.name,
    fields: JSON.parse(row.fields) as Record<string, string>,
    messageId: row.messageId,
    ref: row.id,
  };
}

export async function runSendLoop(o: SendLoopOptions): Promise<SendLoopResult> {
  const result: SendLoopResult = { stop: 'done', sent: 0, failed: 0, bounced: 0, retried: 0, attempts: 0 };
  const log = o.log ?? (() => {});
  const stopper = new AbortController();
  let streak = 0;
  let lastFailure = '';

  const stop = (why: StopReason, message?: string) => {
    if (stopper.signal.aborted) return;
    result.stop = why;
    result.message = message;
    stopper.abort(new Error(why));
    dispatcher.close();
  };
  const dispatcher = new Dispatcher(
    o.ledger,
    (outcomes) => {
      for (const x of outcomes) {
        if (x.kind === 'sent') result.sent++;
        else if (x.kind === 'failed') result.failed++;
      }
      o.onCommitted?.(outcomes);
    },
    undefined,
    o.claimAhead ?? 0,
  );

  // After the dispatcher exists: a Ctrl-C that came before the loop started (during a long
  // list import) stops it at once, and stop() closes the dispatcher.
  const onExternal = () => stop('interrupted', 'stopped by request');
  if (o.signal?.aborted) onExternal();
  o.signal?.addEventListener('abort', onExternal, { once: true });

  if (o.control) {
    o.control.nudge = () => dispatcher.nudge();
    o.control.stop = (message) => stop('fatal', message);
  }

  const failed = (c: Classified) => {
    lastFailure = c.response;
    if (++streak >= o.pauseAfterFailures) {
      stop(
        'paused',
        `paused after ${streak} consecutive failures (last: ${lastFailure}); fix the cause and run the same command to resume`,
      );
    }
  };

  const worker = async (n: number) => {
    let channel: Channel | null = null;
    let connectFailures = 0;
    try {
      while (!stopper.signal.aborted) {
        if (!channel?.usable || channel.count >= o.messagesPerConnection) {
          channel?.close();
          channel = null;
          try {
            channel = await o.transport.open();
            connectFailures = 0;
          } catch (err) {
            const c = classifySmtpError(err);
            if (c.kind === 'fatal') {
              stop('fatal', `cannot send through ${o.transport.describe}: ${c.response}`);
              break;
            }
            log(`connection ${n}: ${c.response}; reconnecting`);
            failed(c);
            await sleep(backoffDelay(++connectFailures, o.retryDelay, o.random), stopper.signal).catch(() => {});
            continue;
          }
        }
        const capWait = o.limiter.capWait();
        if (capWait > (o.maxCapWaitMs ?? 15 * 60_000)) {
          stop(
            'capped',
            `the hourly/daily sending cap is reached; run the same command again after ${new Date(Date.now() + capWait).toLocaleString()}`,
          );
          break;
        }
        try {
          await o.limiter.take(stopper.signal);
        } catch {
          break;
        }
        const row = await dispatcher.next();
        if (!row) break;
        result.attempts++;
        let msg: ReturnType<MessageFactory>;
        try {
          msg = o.makeMessage(readerOf(row));
        } catch (err) {
          dispatcher.report({ id: row.id, kind: 'failed', response: `could not compose the message: ${(err as Error).message}` });
          continue;
        }
        try {
          const d = await channel.send(msg);
          streak = 0;
          dispatcher.report({ id: row.id, kind: 'sent', response: d.response });
        } catch (err) {
          const c = classifySmtpError(err);
          if (c.kind === 'fatal') {
            result.retried++;
            dispatcher.report({ id: row.id, kind: 'retry', response: c.response });
            stop('fatal', `cannot send through ${o.transport.describe}: ${c.response}`);
          } else if (c.kind === 'permanent') {
            if (c.hardBounce) result.bounced++;
            dispatcher.report({
              id: row.id,
              kind: 'failed',
              response: c.response,
              suppress: c.hardBounce ? { email: row.email, reason: 'hard-bounce' } : undefined,
            });
          } else if (row.attempts >= o.maxAttempts) {
            dispatcher.report({ id: row.id, kind: 'failed', response: `${c.response} (gave up after ${row.attempts} attempts)` });
          } else {
            result.retried++;
            const delay = backoffDelay(row.attempts, o.retryDelay, o.random);
            log(`${row.email}: ${c.response}; retrying in ${(delay / 1000).toFixed(1)} s`);
            dispatcher.report({ id: row.id, kind: 'retry', response: c.response, delayMs: delay });
          }
          failed(c);
        }
      }
    } finally {
      channel?.close();
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, (_, i) => worker(i + 1)));
  } finally {
    o.signal?.removeEventListener('abort', onExternal);
    await dispatcher.finish();
  }
  if (dispatcher.failure) {
    result.stop = 'fatal';
    // A stop the store explains itself (a lapsed lease, an unfinished import) is said as it is;
    // anything else is the database refusing a write.
    const own = dispatcher.failure as Error & { code?: string };
    result.message =
      own.name === 'RoundupError' && own.code === 'ESEND'
        ? own.message
        : `the send state database refused a write (${own.message.replace(/[;:] (free some space and )?run the same command again.*$/, '')}); nothing was lost: ` +
          'run the same command to resume (readers mid-send are re-sent with the same Message-ID)';
  }
  return result;
}
