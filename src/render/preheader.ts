/**
 * The inbox preview line ("preheader"). Pure.
 *
 * Mail clients show the first text of the body after the subject. The preheader is written
 * first, hidden, and followed by invisible filler, so that the snippet ends with the
 * preheader instead of running on into "View this email in your browser…". An issue without
 * one gets its intro's first sentence, which is what a reader would want to see there.
 */
import type { Block } from '../issue/types.js';

/**
 * Zero-width and figure-space characters that clients count as text but draw as nothing:
 * enough of them to fill the longest snippets (Apple Mail and Gmail show about 140 characters).
 */
export const PREHEADER_FILLER = '&#8199;&#65279;&#847; '.repeat(110);

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function plain(html: string): string {
  return (
    html
      // Block ends and line breaks separate words; inline tags (<em>, <a>) do not.
      .replace(/<(?:br|\/p|\/li|\/h\d|\/blockquote)\b[^>]*>/g, ' ')
      .replace(/<[^>]*>/g, '')
      .replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e])
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** The first sentence of the intro (at most ~150 characters, cut at a word), or ''. */
export function introSnippet(intro: readonly Block[], max = 150): string {
  const first = intro.find((b) => b.kind === 'html' || b.kind === 'quote');
  if (!first) return '';
  const text = plain(first.html);
  // A sentence ends at . ! or ? followed by a space; "e.g. x" is rare enough in an opening line.
  const end = /[.!?](?=\s|$)/.exec(text.slice(20));
  const sentence = end ? text.slice(0, 20 + end.index + 1) : text;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 40 ? cut.lastIndexOf(' ') : max)}…`;
}
