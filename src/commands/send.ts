/**
 * Sending commands: `send`, `status`, `lists check` and `unsubscribe`. The terminal lives here
 * (prompts, Ctrl-C, stdout/stderr); the work is in src/send, src/lists and src/state, loaded
 * inside each action so `roundup build` never pays for SQLite or SMTP.
 */
import type { Command } from 'commander';
import { ErrorCodes, RoundupError } from '../errors.js';

function number(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new RoundupError(ErrorCodes.USAGE, `${flag} "${value}" is not a number`);
    if (n < 0) throw new RoundupError(ErrorCodes.USAGE, `${flag} "${value}" must be 0 or more`);
    return n;
  };
}

const line = (stream: NodeJS.WriteStream) => (s: string) => stream.write(s + '\n');

/** y/N on the terminal; Ctrl-C at the prompt answers no. */
async function confirm(question: string, signal: AbortSignal): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question, { signal })).trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

export function registerSendCommands(program: Command): void {
  program
    .command('send')
    .description('send an issue to a list over SMTP (or to outbox/ when no SMTP is configured); safe to re-run after a crash')
    .argument('<issue>', 'issue file or slug, e.g. issues/2026-11.md or 2026-11')
    .requiredOption('--list <list>', 'list name (lists/<name>.csv) or a path to a CSV file')
    .option('--smtp <url>', 'SMTP server, smtp://user:pass@host:587 or smtps://…:465 (default: SMTP_URL from the environment or .env)')
    .option(
      '--rate <n>',
      'messages per second for this sender, 0 = unlimited (default: config send.rate); with --join each sender has its own rate',
      number('--rate'),
    )
    .option('--concurrency <n>', 'SMTP connections in parallel (default: config send.concurrency)', number('--concurrency'))
    .option('--dry-run', 'do everything except deliver: counts, personalisation, composition; state unchanged')
    .option('--test <addresses>', 'send a [TEST] copy to these comma-separated addresses only; list state untouched')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--retry-failed', 'also retry readers whose earlier attempts failed')
    .option('--verbose', 'print each retry and reconnect')
    .option('--join', 'send alongside the senders already sending this issue to this list (this machine or another sharing the database)')
    .action(
      async (
        issue: string,
        opts: {
          list: string;
          smtp?: string;
          rate?: number;
          concurrency?: number;
          dryRun?: boolean;
          test?: string;
          yes?: boolean;
          retryFailed?: boolean;
          verbose?: boolean;
          join?: boolean;
        },
      ) => {
        const { runSend } = await import('../send/run.js');
        // First Ctrl-C: stop starting messages, finish and record the ones in flight.
        // Second: leave now (the state database already says who might have been mid-send).
        const ctrl = new AbortController();
        let interrupts = 0;
        const onSignal = () => {
          if (++interrupts === 1) {
            process.stderr.write('\nstopping: finishing the messages in flight (Ctrl-C again to quit at once)\n');
            ctrl.abort();
          } else process.exit(130);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          await runSend(issue, opts, {
            out: line(process.stdout),
            err: line(process.stderr),
            confirm: (q) => confirm(q, ctrl.signal),
            interactive: Boolean(process.stdin.isTTY),
            signal: ctrl.signal,
            progressStream: process.stderr,
            env: process.env,
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );

  program
    .command('status')
    .description('where the sends of an issue stand: counts per status, failures with their SMTP replies')
    .argument('<issue>', 'issue file or slug')
    .option('--list <list>', 'only this list')
    .option('--json', 'machine-readable output')
    .action(async (issue: string, opts: { list?: string; json?: boolean }) => {
      const { loadConfig } = await import('../config.js');
      const { openStore } = await import('../state/db.js');
      const { readStatus, formatStatus } = await import('../send/status.js');
      const { slugOfArg } = await import('../send/prepare.js');
      const slug = slugOfArg(issue);
      const listName = opts.list?.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
      const store = await openStore(loadConfig());
      try {
        const statuses = await readStatus(store, slug, listName);
        if (opts.json) {
          process.stdout.write(JSON.stringify(statuses, null, 2) + '\n');
          return;
        }
        if (!statuses.length) {
          process.stdout.write(`${slug} has not been sent${listName ? ` to ${listName}` : ''} yet\n`);
          return;
        }
        process.stdout.write(formatStatus(statuses).join('\n') + '\n');
      } finally {
        await store.close();
      }
    });

  const lists = program.command('lists').description('subscriber lists (lists/<name>.csv)');
  lists
    .command('check')
    .description('validate a list: counts, invalid addresses and empty rows with line numbers, duplicates')
    .argument('<list>', 'list name or CSV path')
    .action(async (list: string) => {
      const { readList, formatListReport } = await import('../lists/index.js');
      const parsed = readList(list);
      process.stdout.write(formatListReport(parsed).join('\n') + '\n');
      // Invalid rows would silently shrink a send: make them fail a scripted check.
      if (parsed.invalid.length) process.exitCode = 1;
    });

  program
    .command('unsubscribe')
    .description('add an address to the suppression list: no list will mail it again')
    .argument('<email>', 'address to suppress')
    .option('--undo', 'remove it from the suppression list instead (the reader asked to come back)')
    .action(async (email: string, opts: { undo?: boolean }) => {
      const { checkEmail } = await import('../lists/email.js');
      const { loadConfig } = await import('../config.js');
      const { openStore } = await import('../state/db.js');
      const c = checkEmail(email);
      if (!c.ok) throw new RoundupError(ErrorCodes.USAGE, c.reason);
      const store = await openStore(loadConfig());
      try {
        if (opts.undo) {
          process.stdout.write(
            (await store.unsuppress(c.address)) ? `${c.address} removed from the suppression list\n` : `${c.address} was not suppressed\n`,
          );
          return;
        }
        if (await store.suppress(c.address, 'manual')) process.stdout.write(`${c.address} suppressed: no list will mail it again\n`);
        else {
          const s = (await store.getSuppression(c.address))!;
          process.stdout.write(`${c.address} was already suppressed (${s.reason}, ${s.createdAt})\n`);
        }
      } finally {
        await store.close();
      }
    });
}
