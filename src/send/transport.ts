/**
 * Where messages go: an SMTP server (from --smtp or SMTP_URL) or, with none configured, the
 * outbox folder. Injected into the orchestrator at the edge, so tests and the benchmark pass
 * their own servers and nothing below this file reads the environment.
 *
 * A Transport opens Channels; a Channel carries one message at a time. There is deliberately
 * no pooling transport underneath: nodemailer's pool re-queues a message by itself when a
 * connection drops, which would be a delivery attempt the state database never recorded.
 * Each of our channels is one plain SMTPConnection, so every attempt is one we marked.
 */
import { ErrorCodes, RoundupError } from '../errors.js';
import { addSecret, maskUrl } from './mask.js';
import type { OutgoingMessage } from './message.js';

export interface Delivery {
  /** The server's final reply ("250 2.0.0 Ok: queued as …"), or where the outbox put it. */
  response: string;
}

export interface Channel {
  send(msg: OutgoingMessage): Promise<Delivery>;
  /** False once the connection failed or was closed: open a new channel. */
  readonly usable: boolean;
  /** Messages sent (accepted or refused) over this channel. */
  readonly count: number;
  close(): void;
}

export interface Transport {
  kind: 'smtp' | 'outbox';
  /** For the pre-send summary and logs: never contains a password. */
  describe: string;
  open(): Promise<Channel>;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  ignoreTLS: boolean;
  requireTLS: boolean;
  rejectUnauthorized: boolean;
  /** EHLO name. */
  name?: string;
  display: string;
}

const TRUE = /^(1|true|yes|on)$/i;

/**
 * `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://…:465` (TLS from the start).
 * Query options: `requireTLS`, `ignoreTLS`, `rejectUnauthorized=false` (self-signed test
 * servers), `name` (EHLO host name).
 */
export function parseSmtpUrl(text: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    // Never echo the text: it may hold a password.
    throw new RoundupError(ErrorCodes.USAGE, 'the SMTP URL is not a URL: use smtp://user:password@host:587 or smtps://…:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new RoundupError(ErrorCodes.USAGE, `the SMTP URL must start with smtp:// or smtps:// (got ${url.protocol}//…)`);
  }
  if (!url.hostname) throw new RoundupError(ErrorCodes.USAGE, 'the SMTP URL has no host name');
  const secure = url.protocol === 'smtps:';
  const user = decodeUserinfo(url.username, 'user name');
  const pass = decodeUserinfo(url.password, 'password');
  addSecret(url.password);
  addSecret(pass);
  // As AUTH PLAIN and AUTH LOGIN put them on the wire, should a server echo them in a reply.
  if (pass) {
    addSecret(Buffer.from(`\0${user}\0${pass}`).toString('base64'));
    addSecret(Buffer.from(pass).toString('base64'));
  }
  const q = url.searchParams;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: user ? { user, pass } : undefined,
    ignoreTLS: TRUE.test(q.get('ignoreTLS') ?? ''),
    requireTLS: TRUE.test(q.get('requireTLS') ?? ''),
    rejectUnauthorized: !/^(0|false|no|off)$/i.test(q.get('rejectUnauthorized') ?? ''),
    name: q.get('name') ?? undefined,
    display: maskUrl(url),
  };
}

/** Percent-decoding of the URL's user or password; a stray "%" is a located mistake, not a crash. */
function decodeUserinfo(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    addSecret(text);
    // Never echo the text: it may hold a password.
    throw new RoundupError(
      ErrorCodes.USAGE,
      `the SMTP URL's ${what} has a "%" that is not followed by two hex digits: write a literal "%" as %25 (and "@" as %40, ":" as %3A)`,
    );
  }
}

export interface TransportChoice {
  /** --smtp */
  smtp?: string;
  /** SMTP_URL from the environment or .env */
  envUrl?: string;
  /** Outbox folder for this issue (outbox/<slug>). */
  outboxDir: string;
  /** Socket inactivity timeout, ms. */
  timeout: number;
}

export async function createTransport(choice: TransportChoice): Promise<Transport> {
  const urlText = choice.smtp ?? (choice.envUrl && choice.envUrl.trim() !== '' ? choice.envUrl : undefined);
  if (urlText) {
    const { SmtpTransport } = await import('./smtp.js');
    return new SmtpTransport(parseSmtpUrl(urlText), { timeout: choice.timeout });
  }
  const { OutboxTransport } = await import('./outbox.js');
  return new OutboxTransport(choice.outboxDir);
}
