/** The issue model: what the Markdown stages produce and every later stage reads. Types only. */

/** Validated front-matter. Unknown keys are kept in `extra` and passed to templates. */
export interface IssueMeta {
  title: string;
  subject: string;
  /** YYYY-MM-DD */
  date: string;
  preheader?: string;
  template: string;
  signoff?: string;
  byline?: string;
  draft: boolean;
  extra: Record<string, unknown>;
}

/** Where a piece of Markdown came from: the issue file or a partial it includes. */
export interface SourcePos {
  file: string;
  line: number;
}

export type Block =
  /** Paragraphs, lists, headings below h2: HTML for an <mj-text>. */
  | { kind: 'html'; html: string; pos: SourcePos }
  /** A blockquote whose last line starts with "— " or "-- ". */
  | {
      kind: 'quote';
      html: string;
      /** "— Jane Smith, Partner" as plain text, and as HTML (links and emphasis kept). */
      attribution: string;
      attributionHtml: string;
      pos: SourcePos;
    }
  /** A paragraph that is a single link: a call-to-action button. */
  | { kind: 'cta'; label: string; href: string; pos: SourcePos }
  /** A paragraph that is a single image. */
  | {
      kind: 'image';
      src: string;
      alt: string;
      title?: string;
      /** Display size in CSS pixels, for a local image (its real size scaled to the column). */
      width?: number;
      height?: number;
      pos: SourcePos;
    };

export interface Section {
  /** 1-based; the roundup layout shows it, authors never type it. */
  number: number;
  title: string;
  /** Heading text as HTML (inline Markdown rendered). */
  titleHtml: string;
  /** URL-safe id, for in-page anchors. */
  anchor: string;
  /** True when the heading came from a partial (standing content repeated each month). */
  standing: boolean;
  blocks: Block[];
  pos: SourcePos;
}

export interface IssueModel {
  meta: IssueMeta;
  intro: Block[];
  sections: Section[];
  signoff: Block[];
}
