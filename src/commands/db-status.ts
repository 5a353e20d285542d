/** `roundup db status [--json]`: which database holds the send state, its schema version and counts. */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { openStore } from '../state/db.js';
import type { Terminal } from '../terminal.js';

export interface DbStatusArgs {
  json?: boolean;
}

export async function run(args: DbStatusArgs, terminal: Terminal, env: Environment): Promise<void> {
  // Opening creates and migrates the schema on first use, so this also sets a database up.
  const store = await openStore(loadConfig(env.root), env);
  try {
    const info = await store.info();
    if (args.json) {
      terminal.out(JSON.stringify(info, null, 2));
      return;
    }
    const c = info.counts;
    const s = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    terminal.out(
      [
        `backend:  ${info.backend} (${info.where})`,
        `schema:   version ${info.version}${info.version === info.latest ? ' (current)' : ` (this roundup knows ${info.latest})`}`,
        `contents: ${s(c.sends, 'send', 'sends')}, ${s(c.recipients, "reader's row", "readers' rows")}, ` +
          `${s(c.suppressions, 'suppressed address', 'suppressed addresses')}, ${s(c.workers, 'sender recorded', 'senders recorded')}`,
      ].join('\n'),
    );
  } finally {
    await store.close();
  }
}
