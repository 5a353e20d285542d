/**
 * `roundup status <issue> [--list L] [--json]`: where the sends of an issue stand, and who sent what.
 *
 * A look first (lookAtState): a state that does not exist yet (no SQLite file, or a PostgreSQL
 * database roundup has never used) is reported as "not sent yet" and not created, so asking
 * about a project before its first send, or with a mistyped URL, leaves no database behind and
 * puts no tables into someone else's. A state from an older roundup is upgraded, as by any
 * command that records: status reads the current tables (senders, bounce events), and it is
 * usually the first command run after upgrading roundup; refusing would only send the user to
 * another command that migrates the same way. (`db status` reports the version without
 * upgrading; `bounces scan --dry-run` reads an older state as it is.)
 */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { slugOfArg } from '../send/prepare.js';
import { formatStatus, readStatus } from '../send/status.js';
import { lookAtState, openRecordedStore } from '../state/db.js';
import { SCHEMA_VERSION } from '../state/schema.js';
import type { Store } from '../state/store.js';
import type { Terminal } from '../terminal.js';
import { visible } from '../visible.js';

export interface StatusArgs {
  issue: string;
  list?: string;
  json?: boolean;
}

const COMMAND = 'roundup status';

export async function run(args: StatusArgs, terminal: Terminal, env: Environment): Promise<void> {
  const slug = slugOfArg(args.issue);
  const listName = args.list?.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
  const config = loadConfig(env.root);
  const look = await lookAtState(config, env, COMMAND);
  let store: Store | undefined = look.store;
  if (store && look.version < SCHEMA_VERSION) {
    await store.close();
    store = await openRecordedStore(config, env, COMMAND);
  }
  try {
    const statuses = store ? await readStatus(store, slug, listName) : [];
    if (args.json) {
      terminal.out(JSON.stringify(statuses, null, 2));
      return;
    }
    if (!statuses.length) {
      terminal.out(`${visible(slug)} has not been sent${listName ? ` to ${visible(listName)}` : ''} yet`);
      return;
    }
    terminal.out(formatStatus(statuses).join('\n'));
  } finally {
    await store?.close();
  }
}
