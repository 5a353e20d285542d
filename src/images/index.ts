/**
 * Local images, as a render stage: `![The team on stage](images/team.jpg)` just works.
 *
 *   1. planImage        reference → file inside the project, or "escapes"     (plan.ts, pure)
 *   2. ImageProcessor   file → processed image, from the cache or sharp         (processor.ts, IO)
 *   3. resolveImages    → IssueImage: absolute URL, archive path, display size (here, pure)
 *   4. imageHook        the renderer swaps each local src for its URL         (here, pure)
 *   5. sizeImages       width/height attributes on the compiled <img> tags    (here, pure)
 *
 * Every local image is published at `<slug>/images/<name>` under the archive root, and the
 * email links it at the same path under `assets.baseUrl` (or `siteUrl`).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { ImageHook } from '../issue/markdown.js';
import { stateDirOf } from '../state/dir.js';
import { CONTENT_WIDTH, DEFAULT_PROCESS_OPTIONS, isLocalImageSrc, planImage, refKey } from './plan.js';
import { createImageProcessor } from './processor.js';
import type { ImageProcessor, ImageRef, IssueImage, PlannedImage, ProcessOptions } from './types.js';

export type { ImageProcessor, ImageRef, IssueImage, ProcessedImage } from './types.js';
export { CONTENT_WIDTH, DEFAULT_PROCESS_OPTIONS, isLocalImageSrc } from './plan.js';

/** Where published images live: config `assets.baseUrl`, else the archive's `siteUrl`. */
export function assetBase(config: Config): string {
  return (config.assets.baseUrl ?? config.siteUrl).replace(/\/+$/, '');
}

/** The cache folder: `<stateDir>/cache/images` (`stateDir`: the environment's ROUNDUP_STATE_DIR). */
export function imageCacheDir(config: Config, where: { root: string; stateDir?: string }): string {
  return path.join(stateDirOf(config, where), 'cache', 'images');
}

/** The processor `build`, `check`, `preview`, `archive` and `send` use: sharp behind the cache. */
export function defaultImageProcessor(config: Config, where: { root: string; stateDir?: string }): ImageProcessor {
  return createImageProcessor({ root: where.root, cacheDir: imageCacheDir(config, where) });
}

export const sitePathOf = (slug: string, name: string) => `${slug}/images/${name}`;

const shownSrc = (src: string) => {
  try {
    return decodeURI(src);
  } catch {
    return src;
  }
};

export interface ImageStageContext {
  slug: string;
  config: Config;
  /** Project folder (images must be inside it) and what display paths are relative to. */
  root: string;
  cwd: string;
  processor: ImageProcessor;
  options?: ProcessOptions;
}

/** Stage: the local image references of an issue → processed, addressed images. */
export async function resolveImages(refs: readonly ImageRef[], ctx: ImageStageContext): Promise<IssueImage[]> {
  const local = refs.filter((r) => isLocalImageSrc(r.src));
  if (!local.length) return [];
  const planned = local.map((ref) => ({ ref, plan: planImage(ref, ctx) }));
  const files = planned.filter((p): p is { ref: ImageRef; plan: PlannedImage } => 'path' in p.plan).map((p) => p.plan);
  const results = files.length ? await ctx.processor.process(files, ctx.options ?? DEFAULT_PROCESS_OPTIONS) : new Map();
  const base = assetBase(ctx.config);
  return planned.map(({ ref, plan }): IssueImage => {
    if (!('path' in plan)) return { ...ref, ok: false, problem: plan };
    const r = results.get(plan.path);
    if (!r) throw new Error(`image processor returned nothing for ${plan.path}`);
    if (!r.ok)
      return {
        ...ref,
        path: plan.path,
        ok: false,
        problem: { ...r.problem, message: `image "${shownSrc(ref.src)}" ${r.problem.message}` },
      };
    const out = r.image;
    const width = Math.min(out.width, CONTENT_WIDTH);
    const sitePath = sitePathOf(ctx.slug, out.name);
    return {
      ...ref,
      path: plan.path,
      ok: true,
      output: out,
      url: `${base}/${sitePathOf(encodeURIComponent(ctx.slug), out.name)}`,
      sitePath,
      display: { width, height: Math.max(1, Math.round((out.height * width) / out.width)) },
    };
  });
}

/** For the Markdown stage: a local src → its published URL and display size. */
export function imageHook(images: readonly IssueImage[]): ImageHook | undefined {
  if (!images.length) return undefined;
  const byRef = new Map<string, IssueImage>();
  for (const img of images) byRef.set(refKey(img.src, img.pos), img);
  return (src, pos) => {
    const img = byRef.get(refKey(src, pos));
    return img?.ok ? { src: img.url, width: img.display.width, height: img.display.height } : undefined;
  };
}

/**
 * Stage after MJML: every `<img>` of a local image carries its display width and height, so
 * Outlook and clients that load images late reserve the right space. MJML writes
 * `height="auto"` (the style keeps `height:auto`, so the image still scales down on phones).
 */
export function sizeImages(html: string, images: readonly IssueImage[]): string {
  const sizes = new Map<string, { width: number; height: number }>();
  for (const img of images) if (img.ok) sizes.set(img.url, img.display);
  if (!sizes.size) return html;
  return html.replace(/<img\b[^>]*>/gi, (tag) => {
    const src = /\ssrc="([^"]*)"/i.exec(tag)?.[1]?.replace(/&amp;/g, '&');
    const size = src === undefined ? undefined : sizes.get(src);
    if (!size) return tag;
    return setAttr(setAttr(tag, 'width', String(size.width)), 'height', String(size.height));
  });
}

function setAttr(tag: string, name: string, value: string): string {
  const re = new RegExp(`(\\s${name}=)"[^"]*"`, 'i');
  if (re.test(tag)) return tag.replace(re, `$1"${value}"`);
  return tag.replace(/\s*\/?>$/, (end) => ` ${name}="${value}"${end}`);
}
