/**
 * The real CLI (bin/roundup.js, as editors run it) against an in-process SMTP server:
 * SIGKILL mid-send then resume, a concurrent second send, and Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type SpawnedCli, spawnCli } from '../helpers/project.js';
import { copiesByReader, makeSendProject, readersCsv, startSmtp, type SendProject, type TestSmtp } from './helpers.js';

const CONCURRENCY = 4;

type Run = SpawnedCli;

const cli = (p: SendProject, args: string[]): Run => spawnCli(args, p.root, { ROUNDUP_STATE_DIR: p.stateDir, SMTP_URL: '' });

const sendArgs = (smtp: TestSmtp, extra: string[] = []) => [
  'send',
  'bulletin',
  '--list',
  'readers',
  '--yes',
  '--smtp',
  smtp.url,
  '--rate',
  '0',
  '--concurrency',
  String(CONCURRENCY),
  ...extra,
];

async function statusJson(p: SendProject) {
  const r = await cli(p, ['status', 'bulletin', '--list', 'readers', '--json']).done;
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout)[0] as { counts: Record<string, number>; running: unknown; failures: unknown[] };
}

let smtp: TestSmtp | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

describe('crash safety (real CLI)', () => {
  it('kill -9 mid-send, then the same command: everyone delivered, duplicates only with the same Message-ID and within the in-flight window', async () => {
    const N = 300;
    const p = makeSendProject({ csv: readersCsv(N) });
    let victim: ChildProcess | undefined;
    let accepted = 0;
    smtp = await startSmtp({
      onData: async () => {
        // Kill the sender while this message is fully received but not yet answered: from the
        // sender's side it is in flight, from the server's side it is delivered.
        if (++accepted === 120 && victim) victim.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 3));
        return 'accept' as const;
      },
    });
    const first = cli(p, sendArgs(smtp));
    victim = first.child;
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const mid = await statusJson(p);
    expect(mid.running).toBeNull(); // the dead sender's lock is recognised as dead
    const inFlight = mid.counts.sending;
    expect(inFlight).toBeGreaterThan(0);
    // Claimed ahead (4 per connection) + in flight + finished but not yet recorded.
    expect(inFlight).toBeLessThanOrEqual(4 * CONCURRENCY + CONCURRENCY + 4 * CONCURRENCY);
    expect(mid.counts.sent + mid.counts.sending + mid.counts.queued).toBe(N);

    const resumed = await cli(p, sendArgs(smtp)).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resuming: +${inFlight} readers? (was|were) mid-send`));
    expect(resumed.stderr).toMatch(/previous send \(process \d+\) stopped without finishing/);

    const copies = copiesByReader(smtp.messages);
    expect(copies.size).toBe(N); // nobody skipped
    const dupes = [...copies.entries()].filter(([, ids]) => ids.length > 1);
    for (const [, ids] of dupes) {
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(1); // a duplicate is the same message
    }
    // The message being received at the kill was delivered but never recorded: it must come back
    // as a duplicate (proving the window is real), and there can be no more than were in flight.
    expect(dupes.length).toBeGreaterThanOrEqual(1);
    expect(dupes.length).toBeLessThanOrEqual(inFlight);
    expect(smtp.messages.length).toBe(N + dupes.length);

    const end = await statusJson(p);
    expect(end.counts).toMatchObject({ sent: N, queued: 0, sending: 0, failed: 0, possibleDuplicates: inFlight });

    // And once more: a finished send sends nothing.
    const again = await cli(p, sendArgs(smtp)).done;
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing to send: all ${N} readers on readers already have bulletin`);
    expect(smtp.messages.length).toBe(N + dupes.length);
  });

  it('refuses a second send of the same issue and list while one is running', async () => {
    // The first sender is held mid-DATA while the second starts: on a busy machine that can take
    // longer than the test projects' 3 s SMTP timeout, which would turn the hold into retries.
    const p = makeSendProject({ csv: readersCsv(40), send: { timeout: 60_000 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seen = 0;
    let firstArrived!: () => void;
    const arrived = new Promise<void>((r) => (firstArrived = r));
    smtp = await startSmtp({
      onData: async () => {
        if (++seen === 1) firstArrived();
        await gate; // hold the first sender mid-send
        return 'accept' as const;
      },
    });
    const first = cli(p, sendArgs(smtp));
    await Promise.race([
      arrived,
      first.done.then((r) => {
        throw new Error(`the first sender exited before sending: ${r.stderr}`);
      }),
    ]);
    const second = await cli(p, sendArgs(smtp)).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`^roundup: bulletin to list readers is already being sent by process ${first.child.pid} `, 'm'),
    );
    expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace
    release();
    const r = await first.done;
    expect(r.code, r.stderr).toBe(0);
    expect(copiesByReader(smtp.messages).size).toBe(40);
    expect(smtp.messages).toHaveLength(40);
  });

  it('Ctrl-C finishes and records the messages in flight, exits 130, and a re-run completes without duplicates', async () => {
    const N = 200;
    const p = makeSendProject({ csv: readersCsv(N) });
    let victim: ChildProcess | undefined;
    let accepted = 0;
    smtp = await startSmtp({
      onData: async () => {
        if (++accepted === 60 && victim) victim.kill('SIGINT');
        await new Promise((r) => setTimeout(r, 5));
        return 'accept' as const;
      },
    });
    const first = cli(p, sendArgs(smtp));
    victim = first.child;
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('stopping: finishing the messages in flight');
    expect(stopped.stderr).toMatch(/roundup: interrupted: \d+ readers still to send; run the same command to resume/);

    const mid = await statusJson(p);
    expect(mid.counts.sending).toBe(0); // every in-flight message was recorded
    expect(mid.counts.sent).toBe(smtp.messages.length); // and nothing delivered went unrecorded
    expect(mid.counts.queued).toBeGreaterThan(0);

    const resumed = await cli(p, sendArgs(smtp)).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toMatch(/resuming/);
    expect(smtp.messages).toHaveLength(N);
    expect(copiesByReader(smtp.messages).size).toBe(N);
  });
});
