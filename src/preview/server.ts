/**
 * The preview HTTP server: node:http on 127.0.0.1 only, a fixed set of routes, server-sent
 * events for live reload. Paths are matched on the raw URL against a fixed set of routes and
 * slugs are looked up in the store, so nothing on disk is ever served by path: `/../`,
 * `%2e%2e%2f` and friends match no route or name no issue (404).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forceDark } from './dark.js';
import { esc } from './html.js';
import { indexMain, indexPage, issuePage, problemText } from './pages.js';
import { PreviewStore, type IssueEntry } from './store.js';
import { watchProject, type Watching } from './watcher.js';

export interface PreviewServer {
  url: string;
  port: number;
  store: PreviewStore;
  close(): Promise<void>;
}

/** One path segment (no `/`, which `%2f` does not become: it is decoded once, after matching). */
const ISSUE_ROUTE = /^\/issue\/([^/]+)(?:\/(email\.html|text\.txt|state\.json|images\/([^/]+)))?$/;
const KEEPALIVE_MS = 15_000;

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The email itself is framed by our own page only.
    'x-frame-options': 'SAMEORIGIN',
  });
  res.end(body);
}

/** Links in the framed email open in a new tab, as from a mail client, not inside the small frame. */
const inFrame = (html: string) => html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">');

/**
 * While drafting, local images are not published yet: the framed email loads them from the
 * preview itself (`/issue/<slug>/images/<name>`, the processed file) instead of siteUrl.
 */
function localImages(html: string, entry: IssueEntry & { ok: true }): string {
  let out = html;
  for (const img of entry.issue.images) {
    if (img.ok) out = out.split(img.url).join(`/issue/${encodeURIComponent(entry.slug)}/images/${encodeURIComponent(img.output.name)}`);
  }
  return out;
}

const IMAGE_TYPES = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' } as const;

/** A processed image of the issue, by name: only names the issue uses, never a path. */
function sendImage(res: http.ServerResponse, entry: IssueEntry, name: string, head: boolean): void {
  const img = entry.ok ? entry.issue.images.find((i) => i.ok && i.output.name === name) : undefined;
  if (!img?.ok) return notFound(res);
  let data: Buffer;
  try {
    data = readFileSync(img.output.file);
  } catch {
    return notFound(res);
  }
  res.writeHead(200, {
    'content-type': IMAGE_TYPES[img.output.format],
    'content-length': data.length,
    // Named by content: a changed photo has another name, so caching can never show an old one.
    'cache-control': 'max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
  res.end(head ? undefined : data);
}

/** decodeURIComponent, or the text as sent when it is not valid percent-encoding. */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const notFound = (res: http.ServerResponse) => send(res, 404, 'text/plain', 'not found\n');

export async function startPreviewServer(opts: {
  root: string;
  port?: number;
  /** The environment's state directory (ROUNDUP_STATE_DIR): the image cache is there. */
  stateDir?: string;
  watch?: boolean;
  /** Problems outside any page (the file watcher failing). */
  onError?: (message: string) => void;
}): Promise<PreviewServer> {
  const store = new PreviewStore(opts.root, opts.stateDir);
  await store.reloadAll();
  const clients = new Set<http.ServerResponse>();
  const unsubscribe = store.subscribe((slugs) => {
    const data = `data: ${JSON.stringify({ slugs })}\n\n`;
    for (const c of clients) c.write(data);
  });

  const server = http.createServer((req, res) => {
    try {
      route(req, res);
    } catch (e) {
      // A rendering bug answers 500 for this request; the server keeps running.
      send(res, 500, 'text/plain', `internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  });

  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
    // Only our own host names: a page on another site cannot read the preview via DNS rebinding.
    // Host names are case-insensitive (RFC 9110): `LocalHost` is ours too.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host !== '127.0.0.1' && host !== 'localhost') return send(res, 403, 'text/plain', 'forbidden host\n');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    if (pathname === '/') return send(res, 200, 'text/html', indexPage(store));
    if (pathname === '/index-main') return send(res, 200, 'text/html', indexMain(store));
    if (pathname === '/events') return events(req, res);
    const m = ISSUE_ROUTE.exec(pathname);
    // A slug is only ever a key into the store, never a path: "..", "%2e%2e%2f" or a
    // double-encoded "%252e" is just a key that no issue has.
    const entry = m ? store.issues.get(decodeSegment(m[1])) : undefined;
    if (!m || !entry) return notFound(res);
    if (m[3] !== undefined) return sendImage(res, entry, decodeSegment(m[3]), req.method === 'HEAD');
    switch (m[2]) {
      case undefined:
        return send(res, 200, 'text/html', issuePage(store, entry));
      case 'state.json':
        return send(res, 200, 'application/json', JSON.stringify(stateOf(entry, Number(query.get('r') ?? 0))));
      case 'email.html': {
        if (!entry.ok) return send(res, 409, 'text/html', `<p>${esc(problemText(entry.problem))}</p>`);
        const html = inFrame(localImages(store.personalised(entry, Number(query.get('r') ?? 0)).html, entry));
        return send(res, 200, 'text/html', query.get('dark') === '1' ? forceDark(html) : html);
      }
      case 'text.txt':
        if (!entry.ok) return send(res, 409, 'text/plain', problemText(entry.problem));
        return send(res, 200, 'text/plain', store.personalised(entry, Number(query.get('r') ?? 0)).text);
    }
    return notFound(res);
  }

  function stateOf(entry: IssueEntry, r: number) {
    if (!entry.ok) return { ok: false, version: entry.version, problem: problemText(entry.problem) };
    const p = store.personalised(entry, r);
    return {
      ok: true,
      version: entry.version,
      problem: store.globalProblem ? problemText(store.globalProblem) : null,
      fromName: store.config?.from.name ?? '',
      subject: p.subject,
      preheader: p.preheader,
      text: p.text,
      htmlBytes: entry.htmlBytes,
      findings: entry.findings,
      readers: store.recipients.map((r) => r.label),
    };
  }

  function events(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // Reconnect quickly after a restart of the preview.
    res.write('retry: 500\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
  }

  const keepalive = setInterval(() => {
    for (const c of clients) c.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  let watching: Watching | undefined;
  if (opts.watch !== false) {
    watching = await watchProject(store, opts.onError);
    await watching.ready;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    async close() {
      clearInterval(keepalive);
      unsubscribe();
      await watching?.close();
      for (const c of clients) c.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
