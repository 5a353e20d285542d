/**
 * `roundup db copy --to <url>`: this project's send state (sends, readers' rows, suppressions)
 * into another database, typically the shared PostgreSQL; idempotent (src/state/copy.ts).
 */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { copyState } from '../state/copy.js';
import { checkDatabaseUrl, maskDatabaseUrl, openStore } from '../state/db.js';
import type { Terminal } from '../terminal.js';

export interface DbCopyArgs {
  to: string;
}

export async function run(args: DbCopyArgs, terminal: Terminal, env: Environment): Promise<void> {
  const url = checkDatabaseUrl(args.to, '--to');
  const config = loadConfig(env.root);
  const from = await openStore(config, env);
  try {
    const to = await openStore(config, env, { kind: 'postgres', url, shown: maskDatabaseUrl(url) });
    try {
      const r = await copyState(from, to);
      const part = (n: { copied: number; existing: number }, what: string) =>
        `${n.copied} ${what}${n.existing ? ` (${n.existing} already there, left as they are)` : ''}`;
      terminal.out(
        `copied from ${from.where} to ${to.where}: ${part(r.sends, 'sends')}, ${part(r.recipients, "readers' rows")}, ${part(r.suppressions, 'suppressions')}, ${part(r.bounceEvents, 'bounce events')}`,
      );
      terminal.out(
        'to use it: set ROUNDUP_DATABASE_URL (in .env or the environment) on every machine that sends, serves or handles bounces',
      );
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}
