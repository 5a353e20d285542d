/**
 * `roundup db copy --to <url>`: this project's send state (sends, readers' rows, suppressions)
 * into another database, typically the shared PostgreSQL; idempotent (src/state/copy.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { copyState } from '../state/copy.js';
import { checkDatabaseUrl, maskDatabaseUrl, openStore } from '../state/db.js';
import { stateDirOf } from '../state/dir.js';
import type { Terminal } from '../terminal.js';
import { SECRET_FILE } from '../unsubscribe/secret.js';

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
      const hint = secretHint(config, env);
      if (hint) terminal.out(hint);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/**
 * Mail already sent is signed with this machine's secret (unsubscribe links, bounce and mailto:
 * addresses). A machine without it makes a secret of its own, and every link and bounce address
 * already sent fails there: say where this one is (never print it).
 */
function secretHint(config: Config, env: Environment): string | undefined {
  const also = 'and the same signing secret (mail already sent is signed with it)';
  if (env.secret) return `${also}: ROUNDUP_SECRET as here`;
  if (config.unsubscribe.secret) return undefined; // in the project's config, which every machine has
  const file = path.join(stateDirOf(config, env), SECRET_FILE);
  if (existsSync(file)) return `${also}: ROUNDUP_SECRET set to the contents of ${path.relative(env.root, file) || file}`;
  return undefined;
}
