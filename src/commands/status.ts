/** `roundup status <issue> [--list L] [--json]`: where the sends of an issue stand, and who sent what. */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { slugOfArg } from '../send/prepare.js';
import { formatStatus, readStatus } from '../send/status.js';
import { openRecordedStore } from '../state/db.js';
import type { Terminal } from '../terminal.js';
import { visible } from '../visible.js';

export interface StatusArgs {
  issue: string;
  list?: string;
  json?: boolean;
}

export async function run(args: StatusArgs, terminal: Terminal, env: Environment): Promise<void> {
  const slug = slugOfArg(args.issue);
  const listName = args.list?.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '');
  const store = await openRecordedStore(loadConfig(env.root), env, 'roundup status');
  try {
    const statuses = await readStatus(store, slug, listName);
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
    await store.close();
  }
}
