/**
 * `roundup send`, start to finish: prepare (render once, read list, preflight), take the send
 * lock, bring the state in line with the list, show what will happen, confirm, deliver, report.
 *
 * All terminal IO goes through `SendIO`, so tests drive the same code with their own servers
 * and a captured output. Nothing here calls process.exit: outcomes that need a non-zero exit
 * are thrown as RoundupError with the right exit code.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { checkEmail } from '../lists/email.js';
import { readList, scanList, type ListScan } from '../lists/index.js';
import { lookAtState, openStore, stateLocation } from '../state/db.js';
import { stateError } from '../state/sql.js';
import type { StatusCounts, Store, Worker, WorkerInfo } from '../state/store.js';
import { stateDirOf } from '../state/dir.js';
import { ensureStateIntact, recordStateIdentity } from '../state/intact.js';
import { loadSecret, localSecret, secretFor } from '../unsubscribe/secret.js';
import { visible } from '../visible.js';
import { mask } from '../mask.js';
import { collectNow } from '../memory.js';
import { createMessageFactory, rawOf, type MessageFactory } from './message.js';
import { messageIdFor, testMessageId } from './message-id.js';
import { type LoopControl, runSendLoop, type SendLoopResult } from './orchestrator.js';
import { formatWorkers } from './status.js';
import { prepareSend, type PreparedSend } from './prepare.js';
import { judgePublished, planPublishCheck, probeAll } from './published.js';
import { createProgress, type Progress } from './progress.js';
import { RateLimiter } from './rate-limit.js';
import { createTransport } from './transport.js';
import { DkimSigner, loadDkim, signingTransport } from './dkim.js';
import type { Terminal } from '../terminal.js';
import type { Channel, Transport } from './types.js';

export interface SendOptions {
  list: string;
  smtp?: string;
  rate?: number;
  concurrency?: number;
  dryRun?: boolean;
  /** --test a@x,b@y */
  test?: string;
  yes?: boolean;
  retryFailed?: boolean;
  verbose?: boolean;
  /** Send alongside workers already sending this issue to this list (this machine or another). */
  join?: boolean;
  /** --new-state: go on although the state database is missing, emptied or replaced (src/state/intact.ts). */
  newState?: boolean;
  /** --no-publish-check (false): send without asking whether the web version and images are published. */
  publishCheck?: boolean;
}

/** The terminal, as the send flow uses it (see src/terminal.ts). */
export interface SendIO extends Pick<Terminal, 'out' | 'err' | 'interactive' | 'progressStream'> {
  /** Ask yes/no on the terminal. Only called when `interactive`. */
  confirm(question: string): Promise<boolean>;
  /** Aborted on Ctrl-C: finish in-flight messages and stop. */
  signal?: AbortSignal;
}

/** What the send needs from the environment: the project, the state (directory or database URL), the secret, SMTP_URL. */
export type SendEnv = Pick<Environment, 'root' | 'stateDir' | 'databaseUrl' | 'secret' | 'smtpUrl'> &
  Partial<Pick<Environment, 'dkimPrivateKey'>>;

export interface SendSummary {
  issue: string;
  list: string;
  transport: string;
  stop: SendLoopResult['stop'] | 'nothing-to-send' | 'dry-run' | 'declined';
  counts: StatusCounts;
  thisRun?: SendLoopResult;
  possibleDuplicates: number;
  seconds: number;
  /** Every worker that has sent this send (host, pid, what it sent). */
  workers?: WorkerInfo[];
}

/** Exit statuses beyond 1 (user mistakes): scripts can tell a paused send from a broken one. */
export const EXIT_PAUSED = 3;
export const EXIT_INTERRUPTED = 130;

/**
 * Before mail goes out: the issue's web version and images must be published (src/send/published.ts).
 * A test copy only warns (editors test before they publish); a draft is always pointed out.
 */
async function checkPublished(prep: PreparedSend, opts: SendOptions, io: SendIO): Promise<void> {
  const { issue } = prep;
  if (issue.meta.draft && !opts.test) {
    io.err(`warning: ${issue.file} is marked draft: true: roundup archive leaves it out, so its "view in browser" link leads nowhere`);
  }
  if (opts.publishCheck === false) return;
  const plan = planPublishCheck(issue);
  if (!plan.urls.length) return;
  const verdict = judgePublished(issue, plan.urls, await probeAll(plan.urls));
  for (const w of verdict.warnings) io.err(`warning: ${w}`);
  if (!verdict.refuse) return;
  if (opts.test) io.err(`warning: ${verdict.refuse.replace(/^refusing to send: /, 'test copies only: ')}`);
  else throw new RoundupError(ErrorCodes.SEND, verdict.refuse, { file: issue.file });
}

export async function runSend(issueArg: string, opts: SendOptions, io: SendIO, env: SendEnv): Promise<SendSummary> {
  const { root } = env;
  const prep = await prepareSend(issueArg, opts.list, { root, stateDir: env.stateDir });
  const { config, issue, list } = prep;
  const settings = effectiveSettings(config, opts);
  for (const w of prep.warnings) io.err(`warning: ${w}`);
  if (!opts.dryRun) await checkPublished(prep, opts, io);

  // A bad or missing DKIM key stops the send before anything is queued (and in a dry run too).
  const dkim = loadDkim(config, env);
  const plain = opts.dryRun
    ? null
    : await createTransport({
        smtp: opts.smtp,
        envUrl: env.smtpUrl,
        outboxDir: path.join(root, 'outbox', issue.slug),
        timeout: config.send.timeout,
      });
  const transport = plain && dkim ? signingTransport(plain, new DkimSigner(dkim)) : plain;
  const transportText = transport?.describe ?? 'none (dry run: nothing is delivered)';
  // Before the secret or the database is created: their absence is part of what is checked.
  // (SQLite only: a shared PostgreSQL is not a file beside the secret that can go missing.)
  const stateDir = stateDirOf(config, env);
  const sqliteState = stateLocation(config, env).kind === 'sqlite';
  // A --test send mails only the given addresses, so a lost database does not stop it; but on a
  // fresh project it creates the secret, so it records the new database's identity too.
  const state = sqliteState ? ensureStateIntact(stateDir, { startAfresh: opts.newState, refuse: !opts.test }) : undefined;
  if (opts.test) {
    // On a shared PostgreSQL the secret lives in the database, so every machine signs alike.
    const secret = sqliteState ? loadSecret(config, env) : await sharedSecret(config, env);
    if (state?.state === 'fresh') {
      await (await openStore(config, env)).close();
      recordStateIdentity(stateDir);
    }
    return sendTests(prep, opts.test, transport, transportText, secret, io);
  }
  // Refuse before touching any state: a send that cannot be confirmed must leave no trace (a
  // secret made now, with no database beside it, would look like a lost database next time).
  if (!opts.yes && !opts.dryRun && !io.interactive) {
    throw new RoundupError(ErrorCodes.USAGE, 'not a terminal, so cannot ask for confirmation: add --yes to send');
  }

  if (opts.dryRun) return dryRunWithoutTrace(prep, env, io, opts);

  // The render and preflight are done: their garbage goes now, before the list import adds its own (src/memory.ts).
  collectNow();
  // The database and its identity first, then the secret: the secret is evidence of earlier use.
  const store = await openStore(config, env);
  let secret: Buffer;
  try {
    if (sqliteState) recordStateIdentity(stateDir);
    secret = await secretFor(config, env, store);
  } catch (e) {
    await store.close();
    throw stateError(e, store.where);
  }
  let worker: Worker | undefined;
  try {
    const label = `${issue.slug} to list ${list.ref.name}`;
    const idOf = (r: { key: string }) => messageIdFor(issue.slug, list.ref.name, r.key, config.from.email);
    const send = await store.ensureSend(issue.slug, list.ref.name, issue.meta.subject);

    worker = await store.startWorker(send.id, label, { join: opts.join, leaseMs: config.send.lease });
    for (const t of worker.tookOverFrom ?? []) {
      io.err(
        `note: the previous send (process ${t.pid}${t.host !== hostname() ? ` on ${t.host}` : ''}) stopped without finishing; resuming`,
      );
    }
    const joined = worker.joined.length > 0;
    if (joined) {
      const who = worker.joined.map((w) => `process ${w.pid} on ${w.host}`).join(', ');
      io.err(`joining the send already running (${who}): readers are shared out, none is sent twice`);
    }
    // With nothing to ask between reading the list and sending (--yes, no --retry-failed),
    // sending starts while the list is still being read: each batch the import writes is
    // claimable at once (Store.ledger `importing`), so a long list's first message goes out
    // within a batch, not after the whole file. The plan is printed when the import is done,
    // as it would have been; only its timing differs.
    const overlap = !joined && opts.yes === true && !opts.retryFailed;
    const imp = joined ? undefined : await store.beginImport(send, idOf, worker.id);

    let progress: Progress | undefined;
    const notes: string[] = [];
    let done = 0;
    let failed = 0;
    const control: LoopControl = {};
    let started = Date.now();
    const startLoop = async () => {
      const limiter = new RateLimiter({
        rate: settings.rate,
        perHour: config.send.perHour,
        perDay: config.send.perDay,
        seed: config.send.perHour || config.send.perDay ? await store.recentSendMinutes(Date.now() - 86_400_000) : undefined,
      });
      started = Date.now();
      return runSendLoop({
        ledger: store.ledger(send.id, worker!.id, { importing: overlap ? imp?.gen : undefined }),
        makeMessage: createMessageFactory({ issue, config, list: list.ref.name, secret }),
        transport: transport!,
        limiter,
        concurrency: settings.concurrency,
        maxAttempts: config.send.maxAttempts,
        pauseAfterFailures: config.send.pauseAfterFailures,
        retryDelay: config.send.retryDelay,
        messagesPerConnection: config.send.messagesPerConnection,
        claimAhead: store.claimAhead(settings.concurrency, settings.rate),
        signal: io.signal,
        control,
        // Until the plan is printed (an overlapped import) notes wait, then go above the bar.
        log: (l) => (progress ? progress.note(l) : notes.push(l)),
        onCommitted: (outcomes) => {
          for (const o of outcomes) {
            if (o.kind === 'sent') done++;
            else if (o.kind === 'failed') {
              done++;
              failed++;
            }
          }
          progress?.update({ done, failed });
        },
      });
    };
    const early = overlap ? startLoop() : undefined;
    // Awaited below, after the import; until then a rejection must not count as unhandled.
    early?.catch(() => undefined);

    let scan: ListScan | undefined;
    if (imp) {
      // The list streams into the state database a batch at a time: memory stays flat
      // whatever the list's size, and duplicates are found by the database.
      try {
        scan = await scanList(list.ref, async (batch) => {
          const dups = await imp.add(batch);
          if (early) {
            control.nudge?.();
            // Let the send loop run between batches: parsing and inserting are synchronous
            // underneath, and would otherwise read the whole file before a message went out.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          return dups;
        });
        await imp.finish();
      } catch (e) {
        if (!early) throw e;
        // A list that turns out unreadable half-way: stop sending, let the messages in flight
        // finish and be recorded, and say how far it got.
        control.stop?.('the list could not be read to the end');
        await early.catch(() => undefined);
        throw afterPartialSend(e, done);
      }
    }
    const uncertain = await store.recoverInterrupted(send.id, worker.id);
    control.nudge?.();
    if (opts.retryFailed) {
      const n = await store.requeueFailed(send.id);
      io.err(`retrying ${n} failed reader${n === 1 ? '' : 's'}`);
    }
    // What this run set out to do. With an overlapped import, the readers it has already sent,
    // failed or holds ('sending': no other sender runs, or this one would have joined) are part
    // of it, as they would have been counted before a word was sent.
    const now = await store.countByStatus(send.id);
    const before: StatusCounts = early
      ? { ...now, queued: now.queued + now.sending + done, sending: 0, sent: now.sent - (done - failed), failed: now.failed - failed }
      : now;
    printPlan(io, prep, transportText, before, uncertain, settings, scan);

    const summary = async (stop: SendSummary['stop'], thisRun?: SendLoopResult): Promise<SendSummary> => ({
      issue: issue.slug,
      list: list.ref.name,
      transport: transportText,
      stop,
      // After a refused write (a full disk) reading may fail too: show what was known.
      counts: await store.countByStatus(send.id).catch(() => before),
      thisRun,
      possibleDuplicates: uncertain,
      seconds: (Date.now() - started) / 1000,
      workers: await store.workers(send.id).catch(() => undefined),
    });

    if (before.queued === 0 && !joined) {
      await early;
      io.out(
        before.sent > 0
          ? `nothing to send: all ${before.sent} readers on ${list.ref.name} already have ${issue.slug}` +
              (before.failed ? ` (${before.failed} failed: see roundup status ${issue.slug}, or add --retry-failed)` : '')
          : 'nothing to send: no readers to send to',
      );
      await store.markFinished(send.id);
      return await summary('nothing-to-send');
    }
    if (!opts.yes) {
      if (!(await io.confirm(`Send to ${before.queued} reader${before.queued === 1 ? '' : 's'}? [y/N] `))) {
        io.out('not sent');
        return await summary('declined');
      }
    }

    progress = await createProgress({ total: before.queued, stream: io.progressStream, verbose: opts.verbose });
    progress.update({ done, failed });
    for (const l of notes.splice(0)) progress.note(l);
    const result = await (early ?? startLoop()).finally(() => progress?.stop());

    const s = await summary(result.stop, result);
    if (result.stop === 'done' && s.counts.queued === 0 && s.counts.sending === 0) await store.markFinished(send.id).catch(() => {});
    printSummary(io, s, worker.id);
    if (result.stop === 'paused' || result.stop === 'capped') throw new RoundupError(ErrorCodes.SEND, result.message!, {}, EXIT_PAUSED);
    if (result.stop === 'fatal') throw new RoundupError(ErrorCodes.SEND, result.message!, {}, 1);
    if (result.stop === 'interrupted') {
      throw new RoundupError(
        ErrorCodes.SEND,
        `interrupted: ${s.counts.queued} readers still to send; run the same command to resume`,
        {},
        EXIT_INTERRUPTED,
      );
    }
    return s;
  } finally {
    // Neither may throw: a full disk must not hide the message that says nothing was lost.
    await worker?.release();
    await store.close().catch(() => {});
  }
}

/**
 * A list that could not be read to the end after sending had begun (an overlapped import):
 * the same located error, saying what was sent and how to go on. Nothing is lost: what was
 * sent is recorded, and the next run (with the file fixed) sends only the rest.
 */
function afterPartialSend(e: unknown, done: number): unknown {
  if (done === 0 || !(e instanceof RoundupError)) return e;
  return new RoundupError(
    e.code,
    `${e.message.replace(/\.$/, '')}; ${done} reader${done === 1 ? ' was' : 's were'} sent before this (recorded): fix the file and run the same command to send the rest`,
    { file: e.file, line: e.line },
    e.exitCode,
  );
}

function effectiveSettings(config: Config, opts: SendOptions) {
  const rate = opts.rate ?? config.send.rate;
  const concurrency = opts.concurrency ?? config.send.concurrency;
  if (!Number.isFinite(rate) || rate < 0)
    throw new RoundupError(ErrorCodes.USAGE, '--rate must be a number of messages per second (0 = unlimited)');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) {
    throw new RoundupError(ErrorCodes.USAGE, '--concurrency must be a whole number from 1 to 50');
  }
  return { rate, concurrency };
}

function printPlan(
  io: SendIO,
  prep: PreparedSend,
  transport: string,
  c: StatusCounts,
  uncertain: number,
  s: { rate: number; concurrency: number },
  scan?: Pick<ListScan, 'valid' | 'counts'>,
) {
  const { config, issue, list } = prep;
  // Values from the issue, the config and the list: shown, never obeyed (src/visible.ts).
  io.out(`subject:   ${visible(issue.meta.subject)}`);
  io.out(`from:      ${visible(config.from.name)} <${visible(config.from.email)}>`);
  io.out(
    `list:      ${visible(list.ref.name)} (${visible(list.file)}${scan ? `: ${scan.valid} readers` : ': imported by the sender already running'})`,
  );
  io.out(
    `readers:   ${c.queued} to send, ${c.sent} already sent, ${c.suppressed} suppressed, ${c.failed} failed` +
      (scan ? `, ${scan.counts.invalid + scan.counts.empty} invalid/empty rows, ${scan.counts.duplicates} duplicates skipped` : ''),
  );
  if (scan?.counts.invalid) io.out(`           invalid rows are never sent to: roundup lists check ${list.ref.name}`);
  if (uncertain) {
    io.out(
      `resuming:  ${uncertain} reader${uncertain === 1 ? ' was' : 's were'} mid-send when the last run stopped; re-sending with the same Message-ID (possible duplicates)`,
    );
  }
  io.out(
    `transport: ${mask(transport)} (${s.concurrency} connection${s.concurrency === 1 ? '' : 's'}, ${s.rate === 0 ? 'no rate limit' : `${s.rate}/s`}${s.rate ? ' for this sender' : ''})`,
  );
}

export function printSummary(io: SendIO, s: SendSummary, self?: string): void {
  const r = s.thisRun;
  const rate = r && s.seconds > 0 ? ` in ${s.seconds.toFixed(1)} s (${(r.sent / s.seconds).toFixed(0)}/s)` : '';
  io.out(
    `${r ? `sent ${r.sent}, failed ${r.failed}${r.bounced ? ` (${r.bounced} hard bounces suppressed)` : ''}, retried ${r.retried}${rate}. ` : ''}` +
      `${s.list}: ${s.counts.sent}/${s.counts.total} sent, ${s.counts.failed} failed, ${s.counts.suppressed} suppressed, ${s.counts.queued} still queued` +
      (s.possibleDuplicates
        ? `; ${s.possibleDuplicates} possible duplicate${s.possibleDuplicates === 1 ? '' : 's'} (same Message-ID) after an interrupted run`
        : ''),
  );
  const busy = (s.workers ?? []).filter((w) => w.sent + w.failed > 0 || w.id === self);
  if (busy.length > 1) io.out(`senders:   ${formatWorkers(busy, self)}`);
  if (s.counts.failed) io.out(`failures: roundup status ${s.issue} --list ${s.list}`);
}

/**
 * `--dry-run`: the state changes a send would make, inside a transaction that is rolled back,
 * then every message that would go is composed. The write lock is held only for the first part,
 * so a dry run never stalls a send that is running meanwhile. It reads the whole list (a dry
 * run of a very large list needs memory in proportion; the send itself does not).
 */
/**
 * `--dry-run` leaves no trace. With a send state already recorded it reads it (the import is
 * simulated in a transaction that is rolled back; an older schema is upgraded first, as any
 * send would). With none yet it simulates against a throwaway database in a temporary folder,
 * so a first dry run creates no state folder, no database and no secret. Its messages are
 * signed with the secret there is, or a throwaway one: they are composed, never sent.
 */
async function dryRunWithoutTrace(prep: PreparedSend, env: SendEnv, io: SendIO, opts: SendOptions): Promise<SendSummary> {
  const { config } = prep;
  const look = await lookAtState(config, env, 'send --dry-run');
  await look.store?.close();
  const explicit = (env.secret && env.secret.trim() !== '') || config.unsubscribe?.secret;
  const known = explicit ? loadSecret(config, env) : localSecret(config, env);
  const secret = typeof known === 'string' ? Buffer.from(known, 'utf8') : (known ?? randomBytes(32));
  const scratch = look.version === 0 ? mkdtempSync(path.join(tmpdir(), 'roundup-dry-run-')) : undefined;
  try {
    const store = scratch
      ? await openStore(config, env, { kind: 'sqlite', dir: scratch, file: path.join(scratch, 'roundup.db'), shown: 'a scratch database' })
      : await openStore(config, env);
    try {
      return await dryRun(store, prep, secret, io, opts);
    } finally {
      await store.close();
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function dryRun(store: Store, prep: PreparedSend, secret: Buffer, io: SendIO, opts: SendOptions): Promise<SendSummary> {
  const { config, issue, list } = prep;
  const started = Date.now();
  const parsed = readList(list.ref.absPath, prep.root);
  const idOf = (r: { key: string }) => messageIdFor(issue.slug, list.ref.name, r.key, config.from.email);
  const rollback = new Error('dry run: roll back');
  let counts!: StatusCounts;
  let uncertain = 0;
  let queued!: Set<string>;
  let running: WorkerInfo[] = [];
  try {
    await store.transaction(async (t) => {
      const send = await t.ensureSend(issue.slug, list.ref.name, issue.meta.subject);
      running = (await t.workers(send.id)).filter((w) => w.live);
      await t.syncRecipients(send, parsed.recipients, idOf);
      if (!running.length) uncertain = await t.recoverInterrupted(send.id);
      if (opts.retryFailed) await t.requeueFailed(send.id);
      counts = await t.countByStatus(send.id);
      queued = await t.queuedKeys(send.id);
      throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e;
  }
  for (const w of running)
    io.out(`note:      process ${w.pid} on ${w.host} is sending this issue to this list right now; counts are as of this moment`);
  printPlan(io, prep, 'none (dry run: nothing is delivered)', counts, uncertain, effectiveSettings(config, opts), {
    valid: parsed.recipients.length,
    counts: { invalid: parsed.invalid.length, empty: parsed.empty.length, duplicates: parsed.duplicates.length },
  });
  // Compose every message that would go, so a bad field or an encoding problem shows now.
  const make = createMessageFactory({ issue, config, list: list.ref.name, secret });
  let n = 0;
  let bytes = 0;
  let largest = 0;
  for (const r of parsed.recipients) {
    if (!queued.has(r.key)) continue;
    const size = Buffer.byteLength(rawOf(make({ email: r.email, name: r.name, fields: r.fields, messageId: idOf(r) })));
    n++;
    bytes += size;
    largest = Math.max(largest, size);
  }
  io.out(
    `dry run: composed ${n} message${n === 1 ? '' : 's'} (average ${n ? Math.round(bytes / n / 1024) : 0} KB, largest ${Math.round(largest / 1024)} KB); nothing sent, state unchanged`,
  );
  return {
    issue: issue.slug,
    list: list.ref.name,
    transport: 'dry run',
    stop: 'dry-run',
    counts,
    possibleDuplicates: uncertain,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `--test a@x,b@y`: a [TEST] copy to each address; the list's send state is not touched. */
async function sendTests(
  prep: PreparedSend,
  addresses: string,
  transport: Transport | null,
  transportText: string,
  secret: Buffer,
  io: SendIO,
): Promise<SendSummary> {
  const { config, issue, list } = prep;
  const targets = addresses
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!targets.length)
    throw new RoundupError(ErrorCodes.USAGE, '--test needs one or more addresses: --test you@firm.example,editor@firm.example');
  const checked = targets.map((a) => {
    const c = checkEmail(a);
    if (!c.ok) throw new RoundupError(ErrorCodes.USAGE, `--test: ${c.reason}`);
    return c;
  });
  const readers = readList(list.ref.absPath, prep.root).recipients;
  const make: MessageFactory = createMessageFactory({
    issue,
    config,
    list: list.ref.name,
    secret,
    subjectPrefix: '[TEST] ',
  });
  let ok = 0;
  for (const c of checked) {
    // Personalise as the list would for that reader, or as the sample recipient.
    const row = readers.find((r) => r.key === c.key);
    const fields = row ? row.fields : { ...config.sampleRecipient, email: c.address };
    const msg = make({ email: c.address, name: fields.name ?? '', fields, messageId: testMessageId(config.from.email) });
    if (!transport) {
      io.out(`dry run: [TEST] for ${c.address} composed (${Math.round(Buffer.byteLength(rawOf(msg)) / 1024)} KB), not sent`);
      continue;
    }
    let channel: Channel | undefined;
    try {
      channel = await transport.open();
      const d = await channel.send(msg);
      ok++;
      io.out(`test sent to ${c.address}: ${mask(d.response)}`);
    } catch (e) {
      const { classifySmtpError } = await import('./classify.js');
      io.err(`test to ${c.address} failed: ${classifySmtpError(e).response}`);
    } finally {
      channel?.close();
    }
  }
  if (transport && ok < checked.length) {
    throw new RoundupError(
      ErrorCodes.SEND,
      `${checked.length - ok} of ${checked.length} test messages failed (through ${mask(transportText)})`,
    );
  }
  return {
    issue: issue.slug,
    list: list.ref.name,
    transport: transportText,
    stop: 'done',
    counts: { queued: 0, sending: 0, sent: ok, failed: checked.length - ok, suppressed: 0, total: checked.length, possibleDuplicates: 0 },
    possibleDuplicates: 0,
    seconds: 0,
  };
}

async function sharedSecret(config: Config, env: SendEnv): Promise<Buffer> {
  const store = await openStore(config, env);
  try {
    return await secretFor(config, env, store);
  } finally {
    await store.close();
  }
}
