/**
 * Copying an issue's processed images out of the cache, to `<slug>/images/` beside the issue's
 * page: in the build output (`dist/<slug>/images/`) and in the archive, which is what the
 * email's image URLs point to.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IssueImage, ProcessedImage } from './types.js';

/** Our output names: `<stem>-<12 hex>.<ext>`. Only these are ever pruned from an images folder. */
const OUTPUT_NAME = /-[0-9a-f]{12}\.(?:jpg|png|gif)$/;

/** The processed images of an issue, each once (a photo may be used twice). */
export function uniqueOutputs(images: readonly IssueImage[]): { image: ProcessedImage; sitePath: string; from: string }[] {
  const seen = new Map<string, { image: ProcessedImage; sitePath: string; from: string }>();
  for (const img of images) {
    if (img.ok && !seen.has(img.sitePath)) seen.set(img.sitePath, { image: img.output, sitePath: img.sitePath, from: img.path ?? img.src });
  }
  return [...seen.values()];
}

/**
 * Copy each processed image to `<root>/<sitePath>`. `prune` names a folder from which earlier
 * outputs of ours that the issue no longer uses (a replaced photo) are removed; nothing else
 * in it is touched.
 */
export function writeImages(images: readonly IssueImage[], root: string, opts: { prune?: string } = {}): string[] {
  const written: string[] = [];
  for (const o of uniqueOutputs(images)) {
    const dest = path.join(root, o.sitePath);
    mkdirSync(path.dirname(dest), { recursive: true });
    // Names are content hashes: a file of that name and size is already this image.
    if (!(existsSync(dest) && statSync(dest).size === o.image.bytes)) copyFileSync(o.image.file, dest);
    written.push(dest);
  }
  if (opts.prune && existsSync(opts.prune)) {
    const keep = new Set(written);
    for (const name of readdirSync(opts.prune)) {
      const f = path.join(opts.prune, name);
      if (OUTPUT_NAME.test(name) && !keep.has(f)) rmSync(f, { force: true });
    }
  }
  return written;
}

const MIME = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' } as const;

/**
 * The email with its local images inlined as data: URLs, for screenshots: they load nothing
 * from the network, and the issue's own photos are not published yet while drafting.
 */
export function withInlineImages(html: string, images: readonly IssueImage[]): string {
  let out = html;
  for (const o of uniqueOutputs(images)) {
    const img = images.find((i) => i.ok && i.sitePath === o.sitePath);
    if (!img?.ok) continue;
    const data = `data:${MIME[o.image.format]};base64,${readFileSync(o.image.file).toString('base64')}`;
    out = out.split(img.url).join(data);
  }
  return out;
}
