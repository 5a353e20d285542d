/**
 * One image through sharp: bytes in, email-ready bytes out.
 *
 * - Turned upright by its EXIF orientation (phone photos are stored sideways), then every
 *   piece of metadata is dropped: EXIF with GPS position, camera serials, XMP, ICC (colours
 *   are converted to sRGB first, which is what email clients assume).
 * - Scaled down to `maxWidth`, never up.
 * - JPEG stays JPEG (mozjpeg, progressive); PNG stays PNG (palette-quantised, which keeps
 *   screenshots and logos crisp at a fraction of the size); WebP, which Outlook for Windows
 *   does not show, becomes JPEG, or PNG when it has transparency; a one-frame GIF becomes PNG;
 *   an animated GIF or WebP stays animated, as GIF.
 *
 * sharp is loaded on first use: a build whose images are all cached never loads libvips.
 */
import type { ImageFormat, ProcessOptions } from './types.js';

export const SOURCE_FORMATS = ['jpeg', 'png', 'gif', 'webp'] as const;

export interface Encoded {
  data: Buffer;
  format: ImageFormat;
  width: number;
  /** One frame's height. */
  height: number;
  animated: boolean;
  source: { format: string; width: number; height: number };
}

/** The source is not an image sharp can read (truncated, renamed, not an image at all). */
export class CorruptImage extends Error {}
/** An image, but of a format roundup does not put in emails (SVG, HEIC, TIFF…). */
export class UnsupportedImage extends Error {
  constructor(readonly format: string) {
    super(format);
  }
}

type Sharp = typeof import('sharp').default;
let sharpModule: Sharp | undefined;
async function loadSharp(): Promise<Sharp> {
  if (!sharpModule) {
    // The bundled CLI gets sharp's CommonJS export itself; ESM gets it as `default`.
    const m = (await import('sharp')) as unknown as { default?: Sharp } & Sharp;
    sharpModule = m.default ?? m;
    // Images are processed a few at a time; libvips' own cache only holds memory here.
    sharpModule.cache(false);
  }
  return sharpModule;
}

export const EXTENSIONS: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', gif: 'gif' };

export async function encodeImage(bytes: Buffer, opts: ProcessOptions): Promise<Encoded> {
  const sharp = await loadSharp();
  const meta = await sharp(bytes)
    .metadata()
    .catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      // libvips refuses more than ~268 megapixels (a decompression bomb, or a giant panorama).
      if (/pixel limit/i.test(message)) throw new UnsupportedImage('huge');
      throw new CorruptImage(message);
    });
  const format = meta.format ?? 'unknown';
  if (!(SOURCE_FORMATS as readonly string[]).includes(format)) throw new UnsupportedImage(format);
  const frames = meta.pages ?? 1;
  const animated = frames > 1 && (format === 'gif' || format === 'webp');
  const sourceWidth = meta.autoOrient?.width ?? meta.width ?? 0;
  const sourceHeight = meta.autoOrient?.height ?? (animated ? (meta.pageHeight ?? meta.height) : meta.height) ?? 0;
  const out: ImageFormat = animated
    ? 'gif'
    : format === 'jpeg'
      ? 'jpeg'
      : format === 'png' || meta.hasAlpha || format === 'gif'
        ? 'png'
        : 'jpeg';

  // failOn 'error' (not the default 'warning'): a phone photo with a slightly damaged tail
  // still renders in every viewer, so it should here; a truly broken file still throws.
  let img = sharp(bytes, { animated, failOn: 'error' });
  if (!animated) img = img.autoOrient();
  img = img.resize({ width: opts.maxWidth, withoutEnlargement: true, fit: 'inside' });
  if (out === 'jpeg') img = img.flatten({ background: '#ffffff' }).jpeg({ quality: opts.jpegQuality, mozjpeg: true });
  // Quantiser effort 3: higher efforts gain ~1 % on size but take seconds on noisy images.
  else if (out === 'png') img = img.png({ palette: true, quality: opts.pngQuality, compressionLevel: 9, effort: 3 });
  else img = img.gif({ effort: 7 });
  const { data, info } = await img.toBuffer({ resolveWithObject: true }).catch((e: unknown) => {
    throw new CorruptImage(e instanceof Error ? e.message : String(e));
  });
  const height = animated ? (info.pageHeight ?? Math.round(info.height / frames)) : info.height;
  return {
    data,
    format: out,
    width: info.width,
    height,
    animated,
    source: { format, width: sourceWidth, height: sourceHeight },
  };
}
