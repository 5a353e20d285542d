/** Data shapes of the local-image stages (see src/images/index.ts for the order). */
import type { SourcePos } from '../issue/types.js';

/** What an email gets: JPEG or PNG (Outlook for Windows shows no WebP), GIF when animated. */
export type ImageFormat = 'jpeg' | 'png' | 'gif';

/** An image reference in the Markdown, where it was written. */
export interface ImageRef {
  /** The URL as markdown-it normalised it (non-ASCII percent-encoded). */
  src: string;
  pos: SourcePos;
}

/** A local image reference, resolved to a file inside the project. */
export interface PlannedImage extends ImageRef {
  /** Absolute path of the source file. */
  path: string;
}

/** How images are processed: part of the cache key, so a change re-encodes. */
export interface ProcessOptions {
  /** Largest output width in pixels: twice the display width, for high-density screens. */
  maxWidth: number;
  jpegQuality: number;
  pngQuality: number;
}

/** A processed image, as kept in the cache. */
export interface ProcessedImage {
  /** `<stem>-<hash>.<ext>`: named by its content, so a changed photo gets a new URL. */
  name: string;
  format: ImageFormat;
  /** Output pixels (one frame's height for an animated GIF). */
  width: number;
  height: number;
  bytes: number;
  animated: boolean;
  source: { format: string; width: number; height: number; bytes: number };
  /** Where the processed bytes are (in the cache folder). */
  file: string;
  /** Found in the cache: nothing was decoded or encoded. */
  cached: boolean;
}

export type ImageProblemKind = 'missing' | 'unreadable' | 'corrupt' | 'unsupported' | 'escapes';

export interface ImageProblem {
  kind: ImageProblemKind;
  /** What is wrong and what to do, for `file:line: message`. */
  message: string;
}

export type ProcessResult = { ok: true; image: ProcessedImage } | { ok: false; problem: ImageProblem };

/** Processes planned images (IO): sharp behind a cache in the real tool. */
export interface ImageProcessor {
  process(images: readonly PlannedImage[], opts: ProcessOptions): Promise<Map<string, ProcessResult>>;
}

/** A local image of a rendered issue: where it was written and what the email uses. */
export type IssueImage = ImageRef & { path?: string } & (
    | {
        ok: true;
        output: ProcessedImage;
        /** Absolute URL in the email: `<assets.baseUrl or siteUrl>/<slug>/images/<name>`. */
        url: string;
        /** The same path relative to the archive root: where `roundup archive` writes it. */
        sitePath: string;
        /** Size shown in the email (CSS pixels): the output scaled to the column width. */
        display: { width: number; height: number };
      }
    | { ok: false; problem: ImageProblem }
  );
