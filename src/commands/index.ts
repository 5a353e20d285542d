/**
 * Every command, in one table: its name, arguments and options for the command line, and the
 * file under src/commands/ that runs it. That file is imported only when its command runs, so
 * `roundup build` never loads SMTP, SQLite or the browser.
 *
 * A command file exports `run(args, terminal, env)`: `args` are its parsed arguments and
 * options, `terminal` is where it writes and asks (src/terminal.ts), `env` the environment
 * cli.ts resolved once (src/env.ts). It throws RoundupError for mistakes; cli.ts prints them.
 */
import type { Command } from 'commander';
import type { Environment } from '../env.js';
import type { SendOptions } from '../send/run.js';
import type { Terminal } from '../terminal.js';
import { number } from './args.js';

/** What each command file exports. */
export type CommandRun<A> = (args: A, terminal: Terminal, env: Environment) => Promise<void>;
type Loader<A> = () => Promise<{ run: CommandRun<A> }>;

export function registerAll(program: Command, terminal: Terminal, env: Environment): void {
  /** The action that loads `load` and runs it with `args` built from commander's values. */
  const action =
    <A>(load: Loader<A>, args: (...values: never[]) => A) =>
    async (...values: unknown[]): Promise<void> => {
      const { run } = await load();
      // Commander passes the arguments in declaration order, then the options, then itself.
      await run(args(...(values as never[])), terminal, env);
    };

  program
    .command('build')
    .description('render issues/*.md (or the given files) to dist/<slug>/index.html and index.txt')
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--out <dir>', 'output folder', 'dist')
    .option('--strict', 'exit 1 when the preflight finds errors (for CI)')
    .action(
      action(
        () => import('./build.js'),
        (files: string[], opts: { out: string; strict?: boolean }) => ({ files, ...opts }),
      ),
    );

  program
    .command('check')
    .description(
      'preflight issues/*.md (or the given files): broken links, missing alt text, unknown fields, size, client support, accessibility',
    )
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--json', 'print machine-readable results on stdout')
    .action(
      action(
        () => import('./check.js'),
        (files: string[], opts: { json?: boolean }) => ({ files, json: Boolean(opts.json) }),
      ),
    );

  program
    .command('preview')
    .description('live preview server on 127.0.0.1 (desktop, phone, dark mode, plain text), or --shots to write screenshots')
    .argument('[file]', 'open this issue (default: the index of all issues)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '4321')
    .option('--shots', 'write PNG screenshots (320/375/600 px, light/dark) with Chromium instead of serving')
    .option('--out <dir>', 'screenshot folder (with --shots)', 'shots')
    .action(
      action(
        () => import('./preview.js'),
        (file: string | undefined, opts: { port: string; shots?: boolean; out: string }) => ({ file, ...opts }),
      ),
    );

  program
    .command('new')
    .description('start an issue: issues/<YYYY-MM>.md from templates/scaffold.md (default: next month); never overwrites')
    .option('--date <YYYY-MM>', 'month of the issue (default: next month)')
    .option('--template <name>', 'layout in templates/ (roundup or digest)', 'roundup')
    .option('--title <text>', "newsletter name (default: the latest issue's, else config title)")
    .action(
      action(
        () => import('./new.js'),
        (opts: { date?: string; template: string; title?: string }) => opts,
      ),
    );

  program
    .command('archive')
    .description('build the web archive (index, one page per issue, RSS and Atom feeds) for config siteUrl; drafts left out')
    .option('--out <dir>', 'output folder (replaced on each build)', 'dist/archive')
    .action(
      action(
        () => import('./archive.js'),
        (opts: { out: string }) => opts,
      ),
    );

  program
    .command('serve')
    .description('one-click unsubscribe endpoint (/u/<token>) for a reverse proxy; optionally serves the archive')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--archive [dir]', 'also serve a built archive (default dir: dist/archive)')
    .action(
      action(
        () => import('./serve.js'),
        (opts: { port: string; host: string; archive?: string | boolean }) => opts,
      ),
    );

  program
    .command('send')
    .description('send an issue to a list over SMTP (or to outbox/ when no SMTP is configured); safe to re-run after a crash')
    .argument('<issue>', 'issue file or slug, e.g. issues/2026-11.md or 2026-11')
    .requiredOption('--list <list>', 'list name (lists/<name>.csv) or a path to a CSV file')
    .option('--smtp <url>', 'SMTP server, smtp://user:pass@host:587 or smtps://…:465 (default: SMTP_URL from the environment or .env)')
    .option(
      '--rate <n>',
      'messages per second for this sender, 0 = unlimited (default: config send.rate); with --join each sender keeps its own rate',
      number('--rate'),
    )
    .option('--concurrency <n>', 'SMTP connections in parallel (default: config send.concurrency)', number('--concurrency'))
    .option('--dry-run', 'do everything except deliver: counts, personalisation, composition; state unchanged')
    .option('--test <addresses>', 'send a [TEST] copy to these comma-separated addresses only; list state untouched')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--retry-failed', 'also retry readers whose earlier attempts failed')
    .option('--new-state', 'send although the state database is missing, emptied or replaced: every reader counts as not yet sent')
    .option('--verbose', 'print each retry and reconnect')
    .option('--no-publish-check', 'send without first checking that the web version and images are published (roundup archive)')
    .option(
      '--join',
      'send alongside the senders already sending this issue to this list (here or on another machine sharing the database)',
    )
    .action(
      action(
        () => import('./send.js'),
        (issue: string, opts: SendOptions) => ({ issue, ...opts }),
      ),
    );

  program
    .command('status')
    .description('where the sends of an issue stand: counts per status, failures with their SMTP replies')
    .argument('<issue>', 'issue file or slug')
    .option('--list <list>', 'only this list')
    .option('--json', 'machine-readable output')
    .action(
      action(
        () => import('./status.js'),
        (issue: string, opts: { list?: string; json?: boolean }) => ({ issue, ...opts }),
      ),
    );

  const lists = program.command('lists').description('subscriber lists (lists/<name>.csv)');
  lists
    .command('check')
    .description('validate a list: counts, invalid addresses and empty rows with line numbers, duplicates')
    .argument('<list>', 'list name or CSV path')
    .action(
      action(
        () => import('./lists-check.js'),
        (list: string) => ({ list }),
      ),
    );

  const bounces = program.command('bounces').description('bounces, complaints and mailto: unsubscribes sent to config bounces.address');
  bounces
    .command('scan')
    .description('classify returned mail, match it to its send and reader, record it and suppress per config bounces')
    .argument('[source]', '"-" reads one message from stdin (for an MTA alias)')
    .option('--imap <url>', 'an IMAP mailbox, imaps://user:password@host/INBOX; processed messages move to config bounces.imapFolder')
    .option('--maildir <dir>', 'a Maildir; processed messages move from new/ to cur/')
    .option('--mbox <file>', 'an mbox file (read only)')
    .option('--dry-run', 'classify and match only: record nothing, move nothing')
    .option('--json', 'machine-readable output')
    .action(
      action(
        () => import('./bounces-scan.js'),
        (source: string | undefined, opts: Omit<import('./bounces-scan.js').BouncesScanArgs, 'source'>) => ({ source, ...opts }),
      ),
    );

  program
    .command('unsubscribe')
    .description('add an address to the suppression list: no list will mail it again')
    .argument('<email>', 'address to suppress')
    .option('--undo', 'remove it from the suppression list instead (the reader asked to come back)')
    .action(
      action(
        () => import('./unsubscribe.js'),
        (email: string, opts: { undo?: boolean }) => ({ email, ...opts }),
      ),
    );

  const db = program
    .command('db')
    .description('the send state database: SQLite in the state directory, or PostgreSQL (ROUNDUP_DATABASE_URL or config database:)');
  db.command('status')
    .description('print the backend, the schema version and counts (only looks: creates and migrates nothing)')
    .option('--json', 'machine-readable output')
    .action(
      action(
        () => import('./db-status.js'),
        (opts: { json?: boolean }) => opts,
      ),
    );
  db.command('copy')
    .description(
      "copy this project's send state (sends, readers' rows, senders, suppressions, bounce events) into another database; running it twice changes nothing",
    )
    .requiredOption('--to <url>', 'target PostgreSQL URL: postgres://user:password@host:5432/db[?sslmode=require]')
    .action(
      action(
        () => import('./db-copy.js'),
        (opts: { to: string }) => opts,
      ),
    );
}
