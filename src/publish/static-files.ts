/**
 * Serving the archive folder: only regular files under the root, never outside it.
 *
 * The URL path is decoded once and split into segments; `..`, dot-files (the archive marker,
 * a stray .env), NUL bytes and backslashes are refused before the file system is touched, and
 * the resolved real path must still lie under the root's real path, so a symlink cannot lead
 * out of it either.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export type StaticResult =
  | { kind: 'file'; file: string; type: string; size: number }
  /** A folder asked for without its trailing slash: relative links need it. */
  | { kind: 'redirect'; location: string }
  | { kind: 'none' };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
};

/** Feeds get their specific types so browsers and readers recognise them. */
const NAMED_TYPES: Record<string, string> = {
  'feed.xml': 'application/rss+xml; charset=utf-8',
  'atom.xml': 'application/atom+xml; charset=utf-8',
};

/** Pure: the URL path's segments, or null if it could point outside the root. */
export function safeSegments(urlPath: string): string[] | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || /[\0\\]/.test(decoded)) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return null;
  return segments;
}

const within = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

export function resolveStatic(root: string, urlPath: string): StaticResult {
  const segments = safeSegments(urlPath);
  if (!segments) return { kind: 'none' };
  try {
    const realRoot = realpathSync(root);
    let file = realpathSync(path.join(realRoot, ...segments));
    if (!within(realRoot, file)) return { kind: 'none' };
    let st = statSync(file);
    if (st.isDirectory()) {
      // Rebuilt from the checked segments, never echoed: `/.//2026-11` must not become
      // `//2026-11/`, nor `/%2f` (the root) `//`, which a browser reads as another host.
      if (!urlPath.endsWith('/'))
        return { kind: 'redirect', location: `/${segments.map((seg) => `${encodeURIComponent(seg)}/`).join('')}` };
      file = realpathSync(path.join(file, 'index.html'));
      if (!within(realRoot, file)) return { kind: 'none' };
      st = statSync(file);
    }
    if (!st.isFile()) return { kind: 'none' };
    const type = NAMED_TYPES[path.basename(file)] ?? TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { kind: 'file', file, type, size: st.size };
  } catch {
    return { kind: 'none' };
  }
}
