/**
 * Where returned mail is read from: a Maildir, an mbox file, one message on stdin (an MTA
 * alias piping to `roundup bounces scan -`), or an IMAP mailbox. The IO edge of the scan.
 *
 * A processed message is moved, never deleted: Maildir new/ → cur/ (flagged Seen), IMAP into
 * config `bounces.imapFolder`. mbox files and stdin are read only; re-scanning them is safe
 * because a report processed twice counts once.
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, RoundupError } from '../errors.js';
import type { ScanMessage } from './scan.js';

export interface SourceMessage extends ScanMessage {
  /** Move the message out of the way (called only for processed messages, never in a dry run). */
  done(): Promise<void>;
}

export interface Source {
  describe: string;
  messages(): AsyncIterable<SourceMessage>;
  /** Finish pending moves and disconnect. */
  close(): Promise<void>;
}

const shown = (p: string) => path.relative(process.cwd(), p) || p;

export function maildirSource(dir: string): Source {
  const newDir = path.join(dir, 'new');
  const curDir = path.join(dir, 'cur');
  if (!existsSync(newDir) || !statSync(newDir).isDirectory() || !existsSync(curDir)) {
    throw new RoundupError(ErrorCodes.BOUNCES, 'not a Maildir (no new/ and cur/ folders): give the folder that contains them', {
      file: shown(dir),
    });
  }
  return {
    describe: `Maildir ${shown(dir)}`,
    async *messages() {
      const names = readdirSync(newDir)
        .filter((n) => !n.startsWith('.'))
        .sort();
      for (const name of names) {
        const file = path.join(newDir, name);
        let raw: Buffer;
        try {
          raw = readFileSync(file);
        } catch {
          continue; // taken by another reader meanwhile
        }
        yield {
          file: shown(file),
          raw,
          done: async () => {
            // Maildir: a message seen by a client lives in cur/ with its info suffix.
            const base = name.includes(':2,') ? name : `${name}:2,S`;
            renameSync(file, path.join(curDir, base));
          },
        };
      }
    },
    close: async () => {},
  };
}

/** Messages of an mbox file (mboxrd/mboxo): split at "From " lines, ">From " unquoted. */
export function splitMbox(text: string): string[] {
  const out: string[] = [];
  let cur: string[] | null = null;
  let prevBlank = true;
  for (const line of text.split('\n')) {
    if (line.startsWith('From ') && prevBlank) {
      if (cur) out.push(cur.join('\n'));
      cur = [];
    } else if (cur) {
      cur.push(line.replace(/^>(>*From )/, '$1'));
    }
    prevBlank = line.replace(/\r$/, '') === '';
  }
  if (cur) out.push(cur.join('\n'));
  return out.map((m) => m.replace(/\n+$/, '\n')).filter((m) => m.trim());
}

export function mboxSource(file: string): Source {
  if (!existsSync(file)) throw new RoundupError(ErrorCodes.NOT_FOUND, 'no such mbox file', { file: shown(file) });
  return {
    describe: `mbox ${shown(file)}`,
    async *messages() {
      const parts = splitMbox(readFileSync(file, 'latin1'));
      for (let i = 0; i < parts.length; i++)
        yield { file: `${shown(file)}#${i + 1}`, raw: Buffer.from(parts[i], 'latin1'), done: async () => {} };
    },
    close: async () => {},
  };
}

export function stdinSource(input: NodeJS.ReadableStream): Source {
  return {
    describe: 'standard input',
    async *messages() {
      const chunks: Buffer[] = [];
      for await (const c of input) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
      const raw = Buffer.concat(chunks);
      if (raw.length) yield { file: '-', raw, done: async () => {} };
    },
    close: async () => {},
  };
}

export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  rejectUnauthorized: boolean;
}

/** `imaps://user:pass@host[:port]/Mailbox[?rejectUnauthorized=false]` (imap:// uses STARTTLS when offered). */
export function parseImapUrl(url: string): ImapTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RoundupError(ErrorCodes.USAGE, '--imap must be a URL such as imaps://user:password@mail.example.org/INBOX');
  }
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:')
    throw new RoundupError(ErrorCodes.USAGE, `--imap must start with imaps:// or imap://, not ${u.protocol}//`);
  if (!u.username) throw new RoundupError(ErrorCodes.USAGE, '--imap needs a user: imaps://user:password@host/INBOX');
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
    mailbox: decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX',
    rejectUnauthorized: u.searchParams.get('rejectUnauthorized') !== 'false',
  };
}

/** Messages fetched per IMAP round trip. */
const IMAP_BATCH = 100;

export async function imapSource(t: ImapTarget, folder: string, opts: { dryRun: boolean }): Promise<Source> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: t.host,
    port: t.port,
    secure: t.secure,
    auth: { user: t.user, pass: t.pass },
    tls: { rejectUnauthorized: t.rejectUnauthorized },
    logger: false,
  });
  // Without a listener a dropped connection would crash the process; the awaited call fails too.
  client.on('error', () => {});
  const where = `imap${t.secure ? 's' : ''}://${t.user}@${t.host}:${t.port}/${t.mailbox}`;
  try {
    await client.connect();
  } catch (e) {
    const err = e as { authenticationFailed?: boolean; message?: string; responseText?: string };
    const why = err.authenticationFailed
      ? 'login refused: check the user and password'
      : (err.responseText ?? err.message ?? 'connection failed');
    throw new RoundupError(ErrorCodes.BOUNCES, `cannot read ${where}: ${why}`);
  }
  // A dry run opens the mailbox read-only (EXAMINE): SELECT would take the messages' \Recent
  // flag, so the mail client that opens them next would no longer see them as new.
  const lock = await client
    .getMailboxLock(t.mailbox, { readOnly: opts.dryRun })
    .catch(async (e: { responseText?: string; message?: string }) => {
      await client.logout().catch(() => {});
      throw new RoundupError(ErrorCodes.BOUNCES, `cannot open mailbox "${t.mailbox}" on ${t.host}: ${e.responseText ?? e.message}`);
    });
  const processed: number[] = [];
  return {
    describe: where,
    async *messages() {
      // An empty mailbox has no "1:*" to fetch (servers answer BAD).
      if (!(client.mailbox && client.mailbox.exists > 0)) return;
      // The UIDs first, then the messages in batches: a mailbox of thousands is never all in
      // memory, and imapflow allows no other command while a FETCH streams.
      const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((x, y) => x - y);
      for (let i = 0; i < uids.length; i += IMAP_BATCH) {
        const batch = await client.fetchAll(uids.slice(i, i + IMAP_BATCH).join(','), { uid: true, source: true }, { uid: true });
        for (const m of batch) {
          if (!m.source) continue;
          yield {
            file: `${t.mailbox}/${m.uid}`,
            raw: m.source,
            done: async () => {
              processed.push(m.uid);
            },
          };
        }
      }
    },
    async close() {
      try {
        if (processed.length && !opts.dryRun) {
          // "Already exists" is fine; any real problem surfaces at the MOVE below.
          await client.mailboxCreate(folder).catch(() => {});
          const moved = await client.messageMove(processed.join(','), folder, { uid: true });
          if (!moved) throw new RoundupError(ErrorCodes.BOUNCES, `could not move processed messages to "${folder}" on ${t.host}`);
        }
      } finally {
        lock.release();
        await client.logout().catch(() => {});
      }
    },
  };
}
