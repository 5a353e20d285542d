/**
 * `roundup bounces scan`: pick the source, scan every message, move the processed ones, print
 * the summary (or --json). The terminal stays in src/commands; this is the flow.
 */
import path from 'node:path';
import { type Config, loadConfig } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { openRecordedStore } from '../state/db.js';
import { secretFor } from '../unsubscribe/secret.js';
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

export async function runBouncesScan(o: ScanOptions, io: ScanIO, env: ScanEnv): Promise<ScannedMessage[]> {
  const { root } = env;
  const config = loadConfig(root);
  const source = await openSource(o, config, root, io.stdin);
  const store = await openRecordedStore(config, env, 'roundup bounces scan');
  const results: ScannedMessage[] = [];
  try {
    const secret = await secretFor(config, env, store);
    const ctx = { store, config, secret, dryRun: o.dryRun === true };
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
      await store.close();
    }
  }
  io.out(o.json ? scanJson(results).replace(/\n$/, '') : formatScan(summarise(results), o.dryRun === true).join('\n'));
  return results;
}
