/**
 * `roundup serve`: the one-click unsubscribe endpoint (RFC 8058), meant to run behind the
 * sender's reverse proxy, and optionally the archive site.
 *
 *   GET  /u/<token>   confirm page; never changes anything (link scanners follow GETs)
 *   POST /u/<token>   body List-Unsubscribe=One-Click → suppressed; 200, no redirect
 *   GET  /r/<token>   confirm page for resubscribing
 *   POST /r/<token>   lift the suppression, only if it is the unsubscribe the token was made
 *                     for (not a later one, not a bounce) and the token has not expired
 *   GET  /u/          how to unsubscribe (the archive pages' footer link)
 *   GET  anything else: the archive folder, if one was given
 *
 * Suppressions are written through src/state (the table `send` reads), and tokens checked
 * through src/unsubscribe/token.ts (constant-time MAC comparison). A bad token gets the same
 * 400 whatever is wrong with it, and valid tokens are answered without looking the address
 * up, so no answer reveals whether an address is on a list.
 */
import { createReadStream } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Store } from '../state/index.js';
import { verifyToken, type TokenSubject } from '../unsubscribe/token.js';
import { brandOf, type Brand } from './html.js';
import { BodyTooLarge, isOneClick, readBody } from './request-body.js';
import { resolveStatic } from './static-files.js';
import { signResubscribe, verifyResubscribe, type ResubscribeClaim } from './resubscribe.js';
import { pages } from './unsubscribe-pages.js';

export interface ServeOptions {
  config: Config;
  /** The send state (SQLite or PostgreSQL): the suppression list every send reads. */
  store: Store;
  secret: Buffer;
  /** Serve this folder (a `roundup archive` output) for paths outside /u/ and /r/. */
  archiveDir?: string;
  /** One line per change of state; addresses are masked. */
  log?: (line: string) => void;
  /** The clock for resubscribe links' expiry (tests move it). */
  now?: () => number;
}

/** Our own pages: no external resources, no framing, no token in a Referer header. */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
} as const;

/** "s***@example.net": enough to follow a log, not enough to harvest addresses. */
export const maskEmail = (email: string) => {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
};

type Route = { kind: 'unsubscribe' | 'resubscribe'; token: string } | { kind: 'how-to' } | { kind: 'other' };

/** Pure: which endpoint a URL path names. */
export function route(pathname: string): Route {
  const m = /^\/(u|r)(?:\/([^/]*))?\/?$/.exec(pathname);
  if (!m) return { kind: 'other' };
  if (!m[2]) return m[1] === 'u' ? { kind: 'how-to' } : { kind: 'other' };
  let token: string;
  try {
    token = decodeURIComponent(m[2]);
  } catch {
    token = '';
  }
  return { kind: m[1] === 'u' ? 'unsubscribe' : 'resubscribe', token };
}

export function createUnsubscribeServer(opts: ServeOptions): http.Server {
  const brand: Brand = brandOf(opts.config);
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;

  const page = (res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(html), ...extra });
    res.end(html);
  };

  /** Reads the body and checks it is a one-click (or confirm-form) POST; answers itself if not. */
  const acceptPost = async (req: IncomingMessage, res: ServerResponse, requireOneClick: boolean): Promise<boolean> => {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        // Stop reading, and close the connection once the answer is out: the rest of the body
        // would otherwise be parsed as the next request.
        page(res, 413, pages.tooLarge(brand), { Connection: 'close' });
        req.resume();
        return false;
      }
      throw e;
    }
    if (requireOneClick && !isOneClick(body, req.headers['content-type'])) {
      page(res, 400, pages.badRequest(brand));
      return false;
    }
    return true;
  };

  const unsubscribe = async (req: IncomingMessage, res: ServerResponse, who: TokenSubject) => {
    if (req.method === 'GET' || req.method === 'HEAD') return page(res, 200, pages.confirmUnsubscribe(brand, who.email));
    if (!(await acceptPost(req, res, true))) return;
    if (await opts.store.suppress(who.email, 'unsubscribe', `list ${who.list}`))
      log(`unsubscribed ${maskEmail(who.email)} (list ${who.list})`);
    // The resubscribe button undoes this suppression and no later one (src/publish/resubscribe.ts).
    const suppressedAt = (await opts.store.getSuppression(who.email))?.createdAt ?? '';
    const resub = signResubscribe({ ...who, suppressedAt }, opts.secret, now());
    page(res, 200, pages.unsubscribed(brand, who.email, `../r/${resub}`));
  };

  const resubscribe = async (req: IncomingMessage, res: ServerResponse, who: ResubscribeClaim) => {
    if (req.method === 'GET' || req.method === 'HEAD') return page(res, 200, pages.confirmResubscribe(brand, who.email));
    if (!(await acceptPost(req, res, false))) return;
    // One statement checks and deletes, so a bounce or a later unsubscribe recorded meanwhile
    // is never lifted (a later one is not this link's to undo).
    const outcome = await opts.store.liftUnsubscribe(who.email, who.suppressedAt);
    if (outcome === 'refused') return page(res, 200, pages.resubscribeRefused(brand));
    if (outcome === 'stale') return page(res, 410, pages.resubscribeExpired(brand));
    if (outcome === 'lifted') log(`resubscribed ${maskEmail(who.email)} (list ${who.list})`);
    page(res, 200, pages.resubscribed(brand, who.email));
  };

  const staticFile = (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const found = opts.archiveDir ? resolveStatic(opts.archiveDir, pathname) : { kind: 'none' as const };
    if (found.kind === 'redirect') {
      res.writeHead(301, { Location: found.location, 'Content-Length': 0 });
      return res.end();
    }
    if (found.kind === 'none') return page(res, 404, pages.notFound(brand));
    res.writeHead(200, {
      'Content-Type': found.type,
      'Content-Length': found.size,
      'Cache-Control': 'public, max-age=300',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let pathname: string;
    try {
      // Joined, not resolved: a request for `//2026-11` is a path, not a URL naming host
      // "2026-11". (An absolute-form target, from a client talking to a proxy, is a URL.)
      const target = req.url ?? '/';
      pathname = new URL(target.startsWith('/') ? `http://localhost${target}` : target).pathname;
    } catch {
      return page(res, 400, pages.badRequest(brand));
    }
    const r = route(pathname);
    const method = req.method ?? 'GET';
    const allowed = r.kind === 'unsubscribe' || r.kind === 'resubscribe' ? ['GET', 'HEAD', 'POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(method)) {
      req.resume();
      return page(res, 405, pages.methodNotAllowed(brand), { Allow: allowed.join(', ') });
    }
    if (r.kind === 'how-to') return page(res, 200, pages.howToUnsubscribe(brand));
    if (r.kind === 'other') return staticFile(req, res, pathname);
    if (r.kind === 'resubscribe') {
      const check = verifyResubscribe(r.token, opts.secret, now());
      if (check.ok) return resubscribe(req, res, check.claim);
      req.resume();
      return check.why === 'expired' ? page(res, 410, pages.resubscribeExpired(brand)) : page(res, 400, pages.badLink(brand));
    }
    const who = verifyToken(r.token, opts.secret);
    if (!who) {
      req.resume();
      return page(res, 400, pages.badLink(brand));
    }
    return unsubscribe(req, res, who);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`error answering ${req.method} ${req.url?.replace(/\/(u|r)\/[^/?]+/, '/$1/…')}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) page(res, 500, pages.serverError(brand), { Connection: 'close' });
      else res.destroy();
    });
  });
  // A slow or broken client must not hold a connection open or crash the process.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}
