/** The SMTP server setting (`--smtp` or `SMTP_URL`) as connection settings, with its password masked everywhere. */
import { ErrorCodes, RoundupError } from '../errors.js';
import { addSecret, maskUrl } from '../mask.js';

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
