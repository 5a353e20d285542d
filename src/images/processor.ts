/**
 * The IO side of local images: find each file, then take its processed version from the
 * cache or make it with sharp.
 *
 * Cheap when nothing changed, because preview re-renders on every save: a file whose size,
 * modification time and inode are unchanged is not even read (one stat; within a process from
 * memory, in a fresh one from a small record in the cache); a changed or new file is read and
 * hashed, and found in the disk cache without decoding when its bytes were seen before.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ImageCache, sha256 } from './cache.js';
import { CorruptImage, encodeImage, UnsupportedImage } from './process.js';
import { isInside } from './plan.js';
import type { ImageProblem, ImageProcessor, PlannedImage, ProcessedImage, ProcessOptions, ProcessResult } from './types.js';

/** Results by source path and file identity, shared by every render in this process. */
const memo = new Map<string, { stamp: string; image: ProcessedImage }>();

const shown = (p: string) => path.relative(process.cwd(), p) || p;

const FORMAT_ADVICE: Record<string, string> = {
  svg: 'SVG, which Gmail and Outlook do not show: export it as PNG',
  heif: 'HEIC/HEIF (the iPhone photo format), which email clients do not show: export it as JPEG',
  tiff: 'TIFF, which email clients do not show: export it as JPEG or PNG',
  avif: 'AVIF, which many email clients do not show: export it as JPEG or PNG',
};

function fsProblem(e: unknown, file: string): ImageProblem {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return {
      kind: 'missing',
      message: `not found (looked for ${shown(file)}): check the name and folder; the path is relative to the file it is written in`,
    };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return { kind: 'unreadable', message: `cannot be read (${shown(file)}: permission denied): check the file's permissions` };
  }
  return { kind: 'unreadable', message: `cannot be read (${shown(file)}: ${(e as Error).message})` };
}

export function createImageProcessor(opts: { root: string; cacheDir: string }): ImageProcessor {
  const cache = new ImageCache(opts.cacheDir);
  let realRoot: string | undefined;

  async function one(file: string, po: ProcessOptions): Promise<ProcessResult> {
    let real: string;
    let stamp: string;
    try {
      realRoot ??= realpathSync(opts.root);
      real = realpathSync(file);
      const st = statSync(real);
      if (st.isDirectory()) {
        return { ok: false, problem: { kind: 'unreadable', message: `is a folder (${shown(file)}), not an image file` } };
      }
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}:${JSON.stringify(po)}`;
    } catch (e) {
      return { ok: false, problem: fsProblem(e, file) };
    }
    // A symlink inside the project may point anywhere; what is published must be ours.
    if (!isInside(realRoot, real)) {
      return {
        ok: false,
        problem: {
          kind: 'escapes',
          message: `leads outside the project folder (${shown(file)} → ${real}): copy the image into the project`,
        },
      };
    }
    const seen = memo.get(`${opts.cacheDir}\u0000${real}`);
    if (seen && seen.stamp === stamp && existsSync(seen.image.file)) {
      return { ok: true, image: { ...seen.image, cached: true } };
    }
    const identity = `${real}\u0000${stamp}`;
    const known = cache.keyFor(identity);
    const remembered = known ? cache.get(known) : undefined;
    if (remembered) {
      memo.set(`${opts.cacheDir}\u0000${real}`, { stamp, image: remembered });
      return { ok: true, image: remembered };
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(real);
    } catch (e) {
      return { ok: false, problem: fsProblem(e, file) };
    }
    const key = cache.key(sha256(bytes), po);
    let image = cache.get(key);
    if (!image) {
      try {
        image = cache.put(key, file, bytes.length, await encodeImage(bytes, po));
      } catch (e) {
        if (e instanceof UnsupportedImage && e.format === 'huge') {
          const message = 'is over 268 megapixels, too large to process: resize it first (an email needs at most 1072 px wide)';
          return { ok: false, problem: { kind: 'unsupported', message } };
        }
        if (e instanceof UnsupportedImage) {
          const advice = FORMAT_ADVICE[e.format] ?? `in a format email clients do not show (${e.format}): export it as JPEG or PNG`;
          return { ok: false, problem: { kind: 'unsupported', message: `is ${advice}` } };
        }
        if (e instanceof CorruptImage) {
          return {
            ok: false,
            problem: {
              kind: 'corrupt',
              message: `is not a readable image (${shown(file)} is damaged, or not really a JPEG, PNG, GIF or WebP): export it again from your photo app`,
            },
          };
        }
        throw e;
      }
    }
    memo.set(`${opts.cacheDir}\u0000${real}`, { stamp, image });
    try {
      cache.rememberKey(identity, key);
    } catch {
      // Only a shortcut for the next process: without it the photo is hashed again.
    }
    return { ok: true, image };
  }

  return {
    async process(images: readonly PlannedImage[], po: ProcessOptions): Promise<Map<string, ProcessResult>> {
      const paths = [...new Set(images.map((i) => i.path))];
      const results = await Promise.all(paths.map((p) => one(p, po)));
      return new Map(paths.map((p, i) => [p, results[i]]));
    },
  };
}
