/**
 * SMTP channels: one nodemailer SMTPConnection each, one message at a time.
 *
 * After a refused message (a 4xx/5xx reply to RCPT or DATA) the session is RSET and reused;
 * after anything else (dropped connection, timeout, 421) the connection is closed and the
 * channel reports `usable = false`, so the orchestrator opens a fresh one. Nothing is retried
 * here: retries are the orchestrator's decision, made after the attempt is recorded.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SmtpSettings } from './smtp-url.js';
import type { Channel, Delivery, OutgoingMessage, Transport } from './types.js';

type SmtpError = Error & { code?: string; responseCode?: number; response?: string };

export class SmtpTransport implements Transport {
  readonly kind = 'smtp' as const;
  readonly describe: string;

  constructor(
    readonly settings: SmtpSettings,
    private readonly opts: { timeout: number },
  ) {
    this.describe = `SMTP ${settings.display}`;
  }

  async open(): Promise<Channel> {
    const s = this.settings;
    const timeout = this.opts.timeout;
    const conn = new WireConnection({
      host: s.host,
      port: s.port,
      secure: s.secure,
      ignoreTLS: s.ignoreTLS,
      requireTLS: s.requireTLS,
      tls: { rejectUnauthorized: s.rejectUnauthorized },
      name: s.name,
      connectionTimeout: Math.min(timeout, 60_000),
      greetingTimeout: Math.min(timeout, 30_000),
      socketTimeout: timeout,
      // A channel is closed only when we are done with it or it failed: no need to linger.
      socketCloseTimeout: 0,
      // Loopback sinks (tests, benchmark, a local relay) must be reachable.
      allowInternalNetworkInterfaces: true,
    });
    const channel = new SmtpChannel(conn, timeout);
    try {
      // connect()'s callback runs only on success; a refused connection or a 421 greeting
      // arrives as an 'error' (or a bare 'end'), so settle on those too. Same for login.
      await settleOn(conn, (done) => conn.connect(() => done()));
      const auth = s.auth;
      if (auth) await settleOn(conn, (done) => conn.login({ user: auth.user, pass: auth.pass }, (err) => done(err ?? undefined)));
    } catch (e) {
      channel.close();
      throw e;
    }
    return channel;
  }
}

/** Run an SMTPConnection step whose failure may come as a callback error, an 'error' event or an 'end'. */
function settleOn(conn: SMTPConnection, step: (done: (err?: Error) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      conn.off('error', done);
      conn.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onEnd = () => done(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' }));
    conn.once('error', done);
    conn.once('end', onEnd);
    step(done);
  });
}

/**
 * DATA without re-scanning every byte. SMTPConnection pipes each message through its
 * DataStream, a per-byte JavaScript loop that normalises line ends and stuffs leading dots:
 * ~6 ns a byte, 40% of a send's CPU for a 65 KB newsletter. Our composer already produces
 * that canonical form (CRLF only, no line starting with "."), so for a message marked
 * `canonical` this connection passes the bytes through and only adds the terminating
 * "." line. Anything else (and any nodemailer without the hook) takes the normal path.
 * Relies on one internal method of the pinned nodemailer; test/send/wire.test.ts checks the
 * bytes on the wire are identical either way.
 */
class WireConnection extends SMTPConnection {
  /** Set just before send() for the message about to go. */
  canonicalNext = false;

  static readonly supported =
    typeof (SMTPConnection.prototype as unknown as Record<string, unknown>)._createSendStream === 'function' &&
    typeof (SMTPConnection.prototype as unknown as Record<string, unknown>)._actionSMTPStream === 'function';
}

interface ConnectionInternals {
  options: { lmtp?: boolean };
  _responseActions: ((str: string) => void)[];
  _actionSMTPStream(str: string, callback: unknown): void;
  _currentDataStream: unknown;
  _socket: NodeJS.WritableStream;
}

/**
 * What nodemailer's send() needs of the stream _createSendStream returns: `write`, `end` and
 * `outByteCount`. Each call goes straight to the socket: no Transform, no pipe/unpipe per
 * message (those were a fifth of the per-message CPU). The caller writes one Buffer.
 */
class CanonicalWriter {
  outByteCount = 0;
  inByteCount = 0;
  private endsWithLf = false;

  constructor(private readonly socket: NodeJS.WritableStream) {}

  write(chunk: Buffer | string): boolean {
    if (!chunk.length) return true;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.inByteCount += buf.length;
    this.outByteCount += buf.length;
    this.endsWithLf = buf[buf.length - 1] === 0x0a;
    return this.socket.write(buf);
  }

  end(chunk?: Buffer | string): void {
    if (chunk) this.write(chunk);
    const end = this.endsWithLf ? DOT_LINE : CRLF_DOT_LINE;
    this.outByteCount += end.length;
    this.socket.write(end);
  }

  // nodemailer attaches listeners only to a message it was given as a stream (never ours).
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
}

const DOT_LINE = Buffer.from('.\r\n');
const CRLF_DOT_LINE = Buffer.from('\r\n.\r\n');

if (WireConnection.supported) {
  const original = (SMTPConnection.prototype as unknown as { _createSendStream(cb: unknown): unknown })._createSendStream;
  (WireConnection.prototype as unknown as { _createSendStream(cb: unknown): unknown })._createSendStream = function (
    this: WireConnection & ConnectionInternals,
    callback: unknown,
  ) {
    // Anything unexpected about the internals (a nodemailer upgrade) takes the normal path.
    if (!this.canonicalNext || this.options.lmtp || !Array.isArray(this._responseActions) || !this._socket) {
      return original.call(this, callback);
    }
    this._responseActions.push((str) => this._actionSMTPStream(str, callback));
    // Not a stream: nothing for nodemailer to unpipe if the connection closes mid-message.
    this._currentDataStream = false;
    return new CanonicalWriter(this._socket);
  };
}

/** Whether canonical messages skip nodemailer's per-byte DataStream (false: correct but slower). */
export const FAST_DATA_PATH = WireConnection.supported;

class SmtpChannel implements Channel {
  private ok = true;
  private sent = 0;

  constructor(
    private readonly conn: WireConnection,
    private readonly timeout: number,
  ) {
    // Without a listener an 'error' event would crash the process; the send callback (or
    // the connect callback) reports the same failure to whoever is waiting.
    conn.on('error', () => {
      this.ok = false;
    });
    conn.on('end', () => {
      this.ok = false;
    });
  }

  get usable(): boolean {
    return this.ok;
  }

  get count(): number {
    return this.sent;
  }

  /**
   * The message's pieces written into this channel's own buffer, reused for every message:
   * no 65 KB string or Buffer per reader for the garbage collector, so memory stays flat
   * however long the list. Safe because a channel carries one message at a time and the
   * server's reply to DATA means every byte was written; a failed channel is discarded.
   */
  private buffer = Buffer.allocUnsafe(0);
  private fill(pieces: readonly string[]): Buffer {
    let size = 0;
    for (const p of pieces) size += Buffer.byteLength(p, 'utf8');
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, Math.ceil(this.buffer.length * 1.5)));
    let at = 0;
    for (const p of pieces) at += this.buffer.write(p, at, 'utf8');
    return this.buffer.subarray(0, at);
  }

  send(msg: OutgoingMessage): Promise<Delivery> {
    return new Promise<Delivery>((resolve, reject) => {
      let settled = false;
      const settle = (err: SmtpError | null, delivery?: Delivery) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (err) reject(err);
        else resolve(delivery!);
      };
      // Belt and braces: nodemailer settles every send on a socket timeout, but a channel
      // that never answers must not hold its reader in 'sending' for ever.
      const guard = setTimeout(() => {
        this.close();
        const e: SmtpError = new Error(`no answer from the SMTP server in ${Math.round(this.timeout / 1000)} s`);
        e.code = 'ETIMEDOUT';
        settle(e);
      }, this.timeout + 5_000);
      this.conn.canonicalNext = msg.canonical === true;
      this.conn.send({ from: msg.from, to: [msg.to] }, this.fill(msg.pieces), (err, info) => {
        this.sent++;
        if (!err) return settle(null, { response: info!.response });
        const e = err as SmtpError;
        const refusedOnly = (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && this.ok;
        if (!refusedOnly) {
          this.close();
          return settle(e);
        }
        // The server refused this message but the session is fine: RSET before the next one.
        this.conn.reset((resetErr) => {
          if (resetErr) this.close();
          settle(e);
        });
      });
    });
  }

  close(): void {
    const healthy = this.ok;
    this.ok = false;
    try {
      // A healthy session says goodbye; a broken one is simply dropped.
      if (healthy) this.conn.quit();
      else this.conn.close();
    } catch {
      // already closed
    }
  }
}
