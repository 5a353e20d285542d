/**
 * `roundup bounces scan`: pick the source, scan every message, move the processed ones, print
 * the summary (or --json). The terminal stays in src/commands; this is the flow.
 */
import path from 'node:path';
import { type Config, loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { hasTable, lookAtState, openRecordedStore } from '../state/db.js';
import type { Store } from '../state/store.js';
import { loadSecret, localSecret, SECRET_SETTING, secretFor } from '../unsubscribe/secret.js';
import { formatScan, type ScannedMessage, scanJson, scanOne, summarise } from './scan.js';
import { imapSource, maildirSource, mboxSource, parseImapUrl, type Source, stdinSource } from './sources.js';

export interface ScanOptions {
  imap?: string;
  maildir?: string;
  mbox?: string;
  /** Read one message from stdin (the `-` argument). */
  stdin?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export interface ScanIO {
  out: (text: string) => void;
  stdin: NodeJS.ReadableStream;
}

export type ScanEnv = Pick<Environment, 'root' | 'stateDir' | 'databaseUrl' | 'secret'>;

async function openSource(o: ScanOptions, config: Config, root: string, stdin: NodeJS.ReadableStream): Promise<Source> {
  const given = [o.imap, o.maildir, o.mbox, o.stdin ? '-' : undefined].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new RoundupError(
      ErrorCodes.USAGE,
      'give exactly one source: --imap URL, --maildir DIR, --mbox FILE, or - (one message on stdin)',
    );
  }
  if (o.maildir) return maildirSource(path.resolve(root, o.maildir));
  if (o.mbox) return mboxSource(path.resolve(root, o.mbox));
  if (o.imap) return imapSource(parseImapUrl(o.imap), config.bounces.imapFolder, { dryRun: o.dryRun === true });
  return stdinSource(stdin);
}

const COMMAND = 'roundup bounces scan';

/**
 * The send state for a dry run, as it is: never created, never migrated (lookAtState).
 *
 * A state written by an older roundup is read as it is rather than refused. A dry run is how a
 * careful user previews a real run before anything changes; refusing until they had run a real
 * command would make them change the database to find out what changing it would do. It is
 * safe: migrations add tables, columns and indexes and never rewrite rows (the one table
 * dropped, send_locks, matching never read), and matching
 * (readerById, readerByMessageId, readerByLatestSend in state/bounces.ts) reads only `sends`
 * and `recipients` as migration 1 made them, so an older database matches exactly as the
 * migrated one would. test/bounces/dry-run.test.ts matches against a version-1 database: if
 * matching ever needs a later table or column, that test fails, and a dry run on an older
 * schema must then refuse with one line saying to run the real command first.
 *
 * No store means nothing was ever recorded (no SQLite file, or a PostgreSQL database roundup
 * has not used yet): every report is classified and listed as unmatched.
 */
async function dryRunStore(config: Config, env: ScanEnv): Promise<Store | undefined> {
  return (await lookAtState(config, env, COMMAND)).store;
}

/**
 * The signing secret a real run would use, for a dry run: read, never generated or stored (no
 * VERP address verifies without one). ROUNDUP_SECRET and config `unsubscribe.secret` win; on
 * SQLite the state folder's file; on PostgreSQL the one in the database, else this machine's
 * file, which a real run would store there (unsubscribe/secret.ts `secretFor`).
 */
async function existingSecret(config: Config, env: ScanEnv, store: Store): Promise<Buffer | undefined> {
  const given = (env.secret && env.secret.trim() !== '') || config.unsubscribe?.secret;
  if (given) return loadSecret(config, env);
  const shared = store.backend === 'postgres' && (await hasTable(store.sql, 'settings')) ? await store.setting(SECRET_SETTING) : undefined;
  const value = shared ?? localSecret(config, env);
  return value === undefined ? undefined : Buffer.from(value, 'utf8');
}

export async function runBouncesScan(o: ScanOptions, io: ScanIO, env: ScanEnv): Promise<ScannedMessage[]> {
  const { root } = env;
  const config = loadConfig(root);
  const source = await openSource(o, config, root, io.stdin);
  const dryRun = o.dryRun === true;
  const store = dryRun ? await dryRunStore(config, env) : await openRecordedStore(config, env, COMMAND);
  const results: ScannedMessage[] = [];
  try {
    const secret = store && (dryRun ? await existingSecret(config, env, store) : await secretFor(config, env, store));
    const ctx = { store, config, secret, dryRun };
    for await (const m of source.messages()) {
      const r = await scanOne(m, ctx);
      results.push(r);
      // Only what was matched and recorded is moved: the unmatched stay for a person to read.
      if (!ctx.dryRun && r.matched) await m.done();
    }
  } finally {
    try {
      await source.close();
    } finally {
      await store?.close();
    }
  }
  io.out(o.json ? scanJson(results).replace(/\n$/, '') : formatScan(summarise(results), o.dryRun === true).join('\n'));
  return results;
}
