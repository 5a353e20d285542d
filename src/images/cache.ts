/**
 * Processed images on disk, keyed on the source bytes and the processing options, so a rebuild
 * or a preview save never re-encodes an unchanged photo (re-encoding a 10 MB photo costs far
 * more than rendering the whole issue).
 *
 * `<key>.json` describes the result and `<name>` holds its bytes (the name the email uses).
 * `seen-<id>.json` remembers which key a source file had at a given size, modification time and
 * inode, so a fresh process (`roundup build`) need not even read and hash an unchanged photo.
 * Both are written to a temporary file and renamed into place, data first, so a build and a
 * preview running at once, or a build killed half-way, never leave a half-written entry: an
 * entry exists only once its description does, and the description only once its bytes do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Encoded } from './process.js';
import { EXTENSIONS } from './process.js';
import type { ProcessedImage, ProcessOptions } from './types.js';

/** Bump when the processing changes in a way the options do not show (new encoder settings). */
const PROCESSOR_VERSION = 1;

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** A file-name stem that survives every web server and CDN: ASCII, lower case, dashes. */
export function stemOf(file: string): string {
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  const stem = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return stem || 'image';
}

type Entry = Omit<ProcessedImage, 'file' | 'cached'>;

export class ImageCache {
  constructor(readonly dir: string) {}

  key(sourceHash: string, opts: ProcessOptions): string {
    return sha256(`${PROCESSOR_VERSION}\u0000${sourceHash}\u0000${JSON.stringify(opts)}`).slice(0, 40);
  }

  /** The key last computed for a source file with this identity (path, size, mtime, inode). */
  keyFor(identity: string): string | undefined {
    try {
      const { key } = JSON.parse(readFileSync(this.seenFile(identity), 'utf8')) as { key?: unknown };
      return typeof key === 'string' && /^[0-9a-f]{40}$/.test(key) ? key : undefined;
    } catch {
      return undefined;
    }
  }

  rememberKey(identity: string, key: string): void {
    mkdirSync(this.dir, { recursive: true });
    this.writeAtomic(this.seenFile(identity), `${JSON.stringify({ key })}\n`);
  }

  private seenFile(identity: string): string {
    return path.join(this.dir, `seen-${sha256(`${PROCESSOR_VERSION}\u0000${identity}`).slice(0, 40)}.json`);
  }

  get(key: string): ProcessedImage | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(path.join(this.dir, `${key}.json`), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    const file = path.join(this.dir, entry.name);
    // Someone emptied part of the cache: process again rather than point at nothing.
    if (typeof entry.name !== 'string' || !existsSync(file)) return undefined;
    return { ...entry, file, cached: true };
  }

  put(key: string, sourceFile: string, sourceBytes: number, enc: Encoded): ProcessedImage {
    const name = `${stemOf(sourceFile)}-${sha256(enc.data).slice(0, 12)}.${EXTENSIONS[enc.format]}`;
    const entry: Entry = {
      name,
      format: enc.format,
      width: enc.width,
      height: enc.height,
      bytes: enc.data.length,
      animated: enc.animated,
      source: { ...enc.source, bytes: sourceBytes },
    };
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, name);
    this.writeAtomic(file, enc.data);
    this.writeAtomic(path.join(this.dir, `${key}.json`), `${JSON.stringify(entry)}\n`);
    return { ...entry, file, cached: false };
  }

  private writeAtomic(file: string, data: Buffer | string): void {
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(tmp, data);
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }
}
