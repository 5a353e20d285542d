/**
 * Real SMTP for the send tests: an in-process smtp-server that captures every message and can
 * misbehave on cue (421 at greeting, 4xx/5xx replies, a dropped connection mid-DATA, a slow
 * DATA), plus a throw-away project with a small issue and a list of readers.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { parseDocument } from 'yaml';
import { makeProject } from '../helpers/project.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface Captured {
  from: string;
  to: string;
  raw: Buffer;
  /** Message-ID header, read cheaply without a full parse. */
  messageId: string;
}

export type Reply = 'accept' | 'drop' | { code: number; message: string } | { delay: number; then?: Reply };

export interface SmtpHooks {
  /** Called for each connection (1-based count); return a reply to refuse the greeting. */
  onConnect?: (n: number) => { code: number; message: string } | undefined;
  /** Called for each RCPT TO; return a reply to refuse the recipient. */
  onRcpt?: (to: string) => { code: number; message: string } | undefined;
  /**
   * Called once the whole message has arrived (`attempt` counts this recipient's tries, from 1).
   * The message is captured only when the reply is 'accept'.
   */
  onData?: (to: string, attempt: number, raw: Buffer) => Reply | Promise<Reply>;
  /** Require AUTH (PLAIN/LOGIN over plain TCP) and accept only what this returns true for. */
  auth?: (user: string, pass: string) => boolean;
  /** Return true to cut the connection as soon as the first DATA bytes arrive. */
  dropMidData?: (to: string, attempt: number) => boolean;
}

export interface TestSmtp {
  port: number;
  url: string;
  messages: Captured[];
  connections: number;
  /** DATA transfers per recipient, whatever the outcome. */
  tries: Map<string, number>;
  close(): Promise<void>;
}

const smtpError = (r: { code: number; message: string }) => Object.assign(new Error(r.message), { responseCode: r.code });

export async function startSmtp(hooks: SmtpHooks = {}): Promise<TestSmtp> {
  const state: TestSmtp = { port: 0, url: '', messages: [], connections: 0, tries: new Map(), close: async () => {} };
  const server: SMTPServer = new SMTPServer({
    authOptional: !hooks.auth,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (hooks.auth?.(auth.username ?? '', auth.password ?? '')) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onConnect(_session, cb) {
      const refuse = hooks.onConnect?.(++state.connections);
      cb(refuse ? smtpError(refuse) : null);
    },
    onRcptTo(address, _session, cb) {
      const refuse = hooks.onRcpt?.(address.address);
      cb(refuse ? smtpError(refuse) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let dropped = false;
      stream.on('data', (c: Buffer) => {
        if (dropped) return;
        if (chunks.length === 0 && hooks.dropMidData) {
          const to = session.envelope.rcptTo[0].address;
          const attempt = (state.tries.get(to) ?? 0) + 1;
          if (hooks.dropMidData(to, attempt)) {
            state.tries.set(to, attempt);
            dropped = true;
            socketOf(server, session)?.destroy();
            return;
          }
        }
        chunks.push(c);
      });
      stream.on('end', async () => {
        if (dropped) return;
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo[0].address;
        const attempt = (state.tries.get(to) ?? 0) + 1;
        state.tries.set(to, attempt);
        let reply: Reply = hooks.onData ? await hooks.onData(to, attempt, raw) : 'accept';
        while (typeof reply === 'object' && 'delay' in reply) {
          await new Promise((r) => setTimeout(r, (reply as { delay: number }).delay));
          reply = (reply as { then?: Reply }).then ?? 'accept';
        }
        if (reply === 'drop') {
          dropped = true;
          socketOf(server, session)?.destroy();
          return;
        }
        if (reply === 'accept') {
          state.messages.push({
            from: session.envelope.mailFrom ? (session.envelope.mailFrom as { address: string }).address : '',
            to,
            raw,
            messageId: headerOf(raw, 'message-id'),
          });
          cb(null, '2.0.0 Ok: queued');
        } else cb(smtpError(reply));
      });
    },
  });
  // A client killed mid-session (the crash tests) resets its socket: expected, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const c of server.connections) (c as unknown as { _socket: { destroy(): void } })._socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

function socketOf(server: SMTPServer, session: SMTPServerSession): { destroy(): void } | undefined {
  for (const c of server.connections) {
    const conn = c as unknown as { session?: SMTPServerSession; _socket: { destroy(): void } };
    if (conn.session?.id === session.id) return conn._socket;
  }
  return undefined;
}

export function headerOf(raw: Buffer, name: string): string {
  const head = raw
    .subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')))
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? m[1].trim() : '';
}

export const parse = (c: Captured): Promise<ParsedMail> => simpleParser(c.raw);

/** Per-address copy counts and the distinct Message-IDs each copy carried. */
export function copiesByReader(messages: readonly Captured[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of messages) m.set(c.to, [...(m.get(c.to) ?? []), c.messageId]);
  return m;
}

export interface SendProject {
  root: string;
  stateDir: string;
  listFile: string;
}

/** A project with the test issue (issues/bulletin.md), a list and send settings for fast tests. */
export function makeSendProject(opts: { csv: string; send?: Record<string, number>; listName?: string }): SendProject {
  const root = makeProject();
  cpSync(path.join(HERE, 'fixtures/issue.md'), path.join(root, 'issues/bulletin.md'));
  const listFile = path.join(root, 'lists', `${opts.listName ?? 'readers'}.csv`);
  writeFileSync(listFile, opts.csv);
  const cfgFile = path.join(root, 'roundup.config.yaml');
  const doc = parseDocument(readFileSync(cfgFile, 'utf8'));
  const send = { rate: 0, concurrency: 2, maxAttempts: 3, pauseAfterFailures: 50, retryDelay: 20, timeout: 3000, ...opts.send };
  for (const [k, v] of Object.entries(send)) doc.setIn(['send', k], v);
  writeFileSync(cfgFile, doc.toString());
  const stateDir = mkdtempSync(path.join(tmpdir(), 'roundup-sendstate-'));
  return { root, stateDir, listFile };
}

export function readersCsv(n: number, domain = 'example.net'): string {
  const rows = ['email,name,organisation'];
  for (let i = 1; i <= n; i++) rows.push(`reader${i}@${domain},Reader ${i},Org ${i}`);
  return rows.join('\n') + '\n';
}

/** SendIO that records output instead of printing. */
export function captureIO(extra: { signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      confirm: async () => false,
      interactive: false,
      signal: extra.signal,
      progressStream: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream,
    },
  };
}
