/** Data shapes passed between the render stages (see src/render/index.ts for the order). */
import type { IssueImage } from '../images/types.js';
import type { IssueMeta, IssueModel } from '../issue/types.js';
import type { FieldRef, FieldTable, MergeTemplate } from './merge.js';
import type { TextTemplate } from './text.js';

export interface MjmlIssue {
  line: number;
  message: string;
  tagName: string;
}

/** An issue rendered once, ready to be personalised per reader. */
export interface RenderedIssue {
  /** Path as given/relative to cwd, for messages. */
  file: string;
  /** File name without .md: the dist/ folder and the send key. */
  slug: string;
  meta: IssueMeta;
  model: IssueModel;
  mjml: string;
  html: MergeTemplate;
  /** Lines with a field are wrapped per reader: fill it with fillText (or textValues + QP). */
  text: TextTemplate;
  subject: MergeTemplate;
  preheader: MergeTemplate;
  /** Every field reference, in marker order. */
  refs: FieldRef[];
  /** Recipient columns referenced ("name", "organisation", …). */
  fields: string[];
  /**
   * The markers of this issue (`model` and `mjml` still contain them): `describe` turns them
   * back into what the author wrote, for messages; compileMerge + fill personalise a fragment.
   */
  fieldTable: FieldTable;
  mjmlErrors: MjmlIssue[];
  /** Public web-archive URL of this issue ("view in browser"). */
  webUrl: string;
  /**
   * Every local image reference, in order, with its processed file and published URL, or the
   * problem that kept it out (missing, corrupt…: the preflight reports these at file:line).
   */
  images: IssueImage[];
  /** The issue file's text, for locating findings (the preflight reads no files). */
  source: string;
  /** Line of a front-matter key in the issue file. */
  frontMatterLine(key: string): number;
}

/** One reader's email: the inbox row (subject, preheader) and both parts. */
export interface Personalised {
  subject: string;
  /** The preview text inboxes show after the subject (it is also hidden at the top of the HTML). */
  preheader: string;
  html: string;
  text: string;
}
