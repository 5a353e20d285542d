/**
 * Which image references are local files, and where those files are. Pure: path arithmetic
 * only, no file system.
 *
 * `![alt](images/team.jpg)` is relative to the file it is written in: the issue, or the
 * partial for standing content. `/images/logo.png` is relative to the project folder (as on a
 * web site). A URL with a scheme (`https:`, `data:`…) or `//host` is remote and left alone, and
 * so are placeholders (`#`, TODO, TK), which the preflight reports. (The renderer leaves out
 * paths with recipient fields: a file cannot differ per reader.)
 */
import path from 'node:path';
import type { SourcePos } from '../issue/types.js';
import type { ImageProblem, ImageRef, PlannedImage, ProcessOptions } from './types.js';

/** The column an image is shown in: the 600 px layouts less their 32 px side padding. */
export const CONTENT_WIDTH = 536;

export const DEFAULT_PROCESS_OPTIONS: ProcessOptions = {
  // Twice the column width for high-density screens; never more than 1200 px (2 × 600).
  maxWidth: Math.min(2 * CONTENT_WIDTH, 1200),
  jpegQuality: 78,
  pngQuality: 90,
};

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const PLACEHOLDER = /TODO|(?:^|[^A-Za-z])TK(?:[^A-Za-z]|$)/;

/** Is this image URL a file of the project (rather than a web address or a placeholder)? */
export function isLocalImageSrc(src: string): boolean {
  const s = src.trim();
  if (!s || s.startsWith('#') || s.startsWith('//') || SCHEME.test(s)) return false;
  return !PLACEHOLDER.test(s);
}

function decodePath(src: string): string {
  const bare = src.replace(/[?#].*$/, '');
  try {
    return decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

/**
 * Resolve one local reference. `cwd` is what display paths (`pos.file`) are relative to;
 * `root` is the project folder no image may leave.
 */
export function planImage(ref: ImageRef, where: { cwd: string; root: string }): PlannedImage | ImageProblem {
  const rel = decodePath(ref.src.trim());
  const root = path.resolve(where.cwd, where.root);
  const abs = rel.startsWith('/') ? path.join(root, rel) : path.resolve(where.cwd, path.dirname(ref.pos.file), rel);
  if (!isInside(root, abs)) {
    return {
      kind: 'escapes',
      message: `image "${rel}" is outside the project folder, so it would not be published with the archive: copy it into the project (e.g. issues/images/) and link it from there`,
    };
  }
  return { ...ref, path: abs };
}

export function isInside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r !== '' && !r.startsWith(`..${path.sep}`) && r !== '..' && !path.isAbsolute(r);
}

/** Key under which the renderer looks a reference up again: same file folder, same src. */
export const refKey = (src: string, pos: SourcePos) => `${path.dirname(pos.file)}\u0000${src}`;
