/**
 * `roundup db copy --to <url>`: this project's send state (sends, readers' rows, the senders
 * and what each sent, bounce events, suppressions) into another database, typically the shared PostgreSQL; idempotent (src/state/copy.ts).
 */
import path from 'node:path';
import { type Config, loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { copyState } from '../state/copy.js';
import { checkDatabaseUrl, lookAtState, maskDatabaseUrl, openStore, TO_URL } from '../state/db.js';
import { SCHEMA_VERSION } from '../state/schema.js';
import { stateDirOf } from '../state/dir.js';
import type { Store } from '../state/store.js';
import type { Terminal } from '../terminal.js';
import { localSecret, SECRET_FILE, SECRET_SETTING } from '../unsubscribe/secret.js';

export interface DbCopyArgs {
  to: string;
}

export async function run(args: DbCopyArgs, terminal: Terminal, env: Environment): Promise<void> {
  const url = checkDatabaseUrl(args.to, TO_URL);
  const config = loadConfig(env.root);
  // The source is looked at first: a project that has recorded nothing has nothing to copy, and
  // copying must not create a state database here to find that out. An older schema is
  // upgraded (the copy reads the current tables); a lost SQLite database is refused.
  const look = await lookAtState(config, env, 'roundup db copy');
  if (!look.store) {
    terminal.out(`nothing to copy: ${look.location.shown} has no send state yet (roundup has recorded nothing here)`);
    return;
  }
  let from = look.store;
  if (look.version < SCHEMA_VERSION) {
    await from.close();
    from = await openStore(config, env, look.location);
  }
  try {
    const to = await openStore(config, env, { kind: 'postgres', url, shown: maskDatabaseUrl(url), from: TO_URL });
    try {
      const r = await copyState(from, to);
      const part = (n: { copied: number; existing: number }, what: string) =>
        `${n.copied} ${what}${n.existing ? ` (${n.existing} already there, left as they are)` : ''}`;
      terminal.out(
        `copied from ${from.where} to ${to.where}: ${part(r.sends, 'sends')}, ${part(r.recipients, "readers' rows")}, ${part(r.suppressions, 'suppressions')}, ${part(r.bounceEvents, 'bounce events')}, ${part(r.workers, 'senders (who sent what)')}`,
      );
      terminal.out(
        'to use it: set ROUNDUP_DATABASE_URL (in .env or the environment) on every machine that sends, serves or handles bounces',
      );
      const hint = await shareSecret(config, env, from, to);
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
 * addresses). A generated one moves into the shared database with the rest, so `serve` and
 * `bounces scan` on the web host verify what this machine signed. A secret from the environment
 * must be set on every machine: say so (never print it).
 */
async function shareSecret(config: Config, env: Environment, from: Store, to: Store): Promise<string | undefined> {
  if (env.secret) return 'and the same signing secret (mail already sent is signed with it): ROUNDUP_SECRET as here';
  if (config.unsubscribe.secret) return undefined; // in the project's config, which every machine has
  // The secret mail was signed with: on PostgreSQL the one kept in that database (else this
  // machine's file, which the first signing run there would have stored); on SQLite the file.
  const inSource = from.backend === 'postgres' ? await from.setting(SECRET_SETTING) : undefined;
  const local = inSource ?? localSecret(config, env);
  if (!local) return undefined;
  const shared = await to.settingOrInit(SECRET_SETTING, () => local);
  if (shared === local)
    return inSource
      ? 'the signing secret kept in the source database is kept in the target too: links and bounce addresses signed with it keep working'
      : "this machine's signing secret is kept in the shared database too: links and bounce addresses it signed verify on every machine";
  if (inSource)
    return `the target already has another signing secret: links signed with the source's no longer verify through it; to keep them working, set ROUNDUP_SECRET on every machine to the source's (its settings table, key ${SECRET_SETTING})`;
  const file = path.join(stateDirOf(config, env), SECRET_FILE);
  return `the shared database already has another signing secret: for links signed here to keep working, set ROUNDUP_SECRET to the contents of ${path.relative(env.root, file) || file} on every machine`;
}
