/**
 * `roundup db status [--json]`: which database holds the send state, its schema version and
 * counts.
 *
 * It only looks (lookAtState): it neither creates the database nor migrates it. Asked what is
 * there, it must say what is there: a schema older than this roundup's is reported as such
 * ("version 2, this roundup expects 4") and left for the next command that records to upgrade;
 * a database roundup has never used stays empty (a status query pointed at the wrong URL must
 * not create roundup's tables in another application's database).
 */
import { loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { hasTable, lookAtState } from '../state/db.js';
import { SCHEMA_VERSION } from '../state/schema.js';
import type { Store } from '../state/store.js';
import type { Terminal } from '../terminal.js';

export interface DbStatusArgs {
  json?: boolean;
}

/** The tables counted, and what they are called in the summary. */
const COUNTED = ['sends', 'recipients', 'suppressions', 'workers'] as const;

/** Rows per table; a table an older schema does not have yet counts 0. */
async function counts(store: Store | undefined): Promise<Record<(typeof COUNTED)[number], number>> {
  const out = { sends: 0, recipients: 0, suppressions: 0, workers: 0 };
  if (!store) return out;
  for (const table of COUNTED) {
    if (await hasTable(store.sql, table))
      out[table] = Number((await store.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n);
  }
  return out;
}

export async function run(args: DbStatusArgs, terminal: Terminal, env: Environment): Promise<void> {
  const look = await lookAtState(loadConfig(env.root), env, 'roundup db status', { newer: true });
  try {
    const info = {
      backend: look.location.kind === 'postgres' ? 'PostgreSQL' : 'SQLite',
      where: look.location.shown,
      version: look.version,
      latest: SCHEMA_VERSION,
      counts: await counts(look.store),
    };
    if (args.json) {
      terminal.out(JSON.stringify(info, null, 2));
      return;
    }
    const c = info.counts;
    const s = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const schema =
      info.version === 0
        ? `none yet: roundup has not recorded anything here (the first send, unsubscribe, serve or bounces scan creates version ${info.latest})`
        : info.version === info.latest
          ? `version ${info.version} (current)`
          : info.version > info.latest
            ? `version ${info.version}, made by a newer roundup (this one knows ${info.latest}): upgrade roundup on this machine`
            : `version ${info.version}, this roundup expects ${info.latest} (the next command that records, such as send, unsubscribe or bounces scan, upgrades it)`;
    terminal.out(
      [
        `backend:  ${info.backend} (${info.where})`,
        `schema:   ${schema}`,
        `contents: ${s(c.sends, 'send', 'sends')}, ${s(c.recipients, "reader's row", "readers' rows")}, ` +
          `${s(c.suppressions, 'suppressed address', 'suppressed addresses')}, ${s(c.workers, 'sender recorded', 'senders recorded')}`,
      ].join('\n'),
    );
  } finally {
    await look.store?.close();
  }
}
