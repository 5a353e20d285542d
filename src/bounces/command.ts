/**
 * `roundup bounces scan`: pick the source, scan every message, move the processed ones, print
 * the summary (or --json). The terminal stays in src/commands; this is the flow.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { openRecordedStore, stateLocation } from '../state/db.js';
import { ensureStateIntact } from '../state/intact.js';
import type { Store } from '../state/store.js';
import { localSecret, SECRET_SETTING, secretFor } from '../unsubscribe/secret.js';
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
 * A dry run on SQLite when the project has no send state at all (no database file and no sign
 * of one: `fresh`). `--dry-run` changes nothing, so it must not create the database (nor the
 * signing secret) just to find that nothing was sent: every report is classified and listed as
 * unmatched. A lost database is refused here as it is without --dry-run.
 */
function neverUsed(config: Config, env: ScanEnv): boolean {
  const loc = stateLocation(config, env);
  return loc.kind === 'sqlite' && ensureStateIntact(loc.dir, { command: COMMAND }).state === 'fresh' && !existsSync(loc.file);
}

/** The signing secret as it is, for a dry run: never generated or stored (no VERP verifies without one). */
async function existingSecret(config: Config, env: ScanEnv, store: Store): Promise<Buffer | undefined> {
  const made = store.backend === 'sqlite' ? localSecret(config, env) : await store.setting(SECRET_SETTING);
  const given = (env.secret && env.secret.trim() !== '') || config.unsubscribe?.secret;
  return given || made !== undefined ? secretFor(config, env, store) : undefined;
}

export async function runBouncesScan(o: ScanOptions, io: ScanIO, env: ScanEnv): Promise<ScannedMessage[]> {
  const { root } = env;
  const config = loadConfig(root);
  const source = await openSource(o, config, root, io.stdin);
  const dryRun = o.dryRun === true;
  const store = dryRun && neverUsed(config, env) ? undefined : await openRecordedStore(config, env, COMMAND);
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
