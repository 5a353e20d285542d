/**
 * `roundup db status` and `roundup db copy --to <url>`: which database holds the send state,
 * its schema version and counts; and moving an existing state into PostgreSQL.
 */
import type { Command } from 'commander';

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('the send state database: SQLite in the state directory, or PostgreSQL (ROUNDUP_DATABASE_URL or config database:)');

  db.command('status')
    .description('print the backend, the schema version and counts (created and migrated on first use)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { loadConfig } = await import('../config.js');
      const { openStore } = await import('../state/db.js');
      const store = await openStore(loadConfig());
      try {
        const info = await store.info();
        if (opts.json) {
          process.stdout.write(JSON.stringify(info, null, 2) + '\n');
          return;
        }
        const c = info.counts;
        process.stdout.write(
          [
            `backend:  ${info.backend} (${info.where})`,
            `schema:   version ${info.version}${info.version === info.latest ? ' (current)' : ` (this roundup knows ${info.latest})`}`,
            `contents: ${c.sends} send${c.sends === 1 ? '' : 's'}, ${c.recipients} readers' rows, ${c.suppressions} suppressed address${c.suppressions === 1 ? '' : 'es'}, ${c.workers} sender${c.workers === 1 ? '' : 's'} recorded`,
          ].join('\n') + '\n',
        );
      } finally {
        await store.close();
      }
    });

  db.command('copy')
    .description(
      "copy this project's send state (sends, readers' rows, suppressions) into another database; running it twice changes nothing",
    )
    .requiredOption('--to <url>', 'target PostgreSQL URL, postgres://user:password@host:5432/db[?sslmode=require]')
    .action(async (opts: { to: string }) => {
      const { loadConfig } = await import('../config.js');
      const { openStore, checkDatabaseUrl } = await import('../state/db.js');
      const { copyState } = await import('../state/copy.js');
      const { maskUrl } = await import('../send/mask.js');
      const url = checkDatabaseUrl(opts.to, '--to');
      const config = loadConfig();
      const from = await openStore(config);
      try {
        const to = await openStore(config, { location: { kind: 'postgres', url, shown: maskUrl(new URL(url)) } });
        try {
          const r = await copyState(from, to);
          const part = (n: { copied: number; existing: number }, what: string) =>
            `${n.copied} ${what}${n.existing ? ` (${n.existing} already there, left as they are)` : ''}`;
          process.stdout.write(
            `copied from ${from.where} to ${to.where}: ${part(r.sends, 'sends')}, ${part(r.recipients, "readers' rows")}, ${part(r.suppressions, 'suppressions')}\n` +
              `to use it: set ROUNDUP_DATABASE_URL (in .env or the environment) on every machine that sends, serves or handles bounces\n`,
          );
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}
