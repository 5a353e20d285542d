/**
 * Stage 6b: safe clean-up of MJML's HTML, once per issue. Pure.
 *
 * - Indentation: MJML's skeleton is indented, and about a fifth of an issue's bytes are
 *   leading spaces (Gmail clips at 102 KB). A line's leading whitespace after a newline is
 *   insignificant in HTML (the newline already collapses to one space), so it goes, except
 *   inside <pre> and <textarea> where it is content. Newlines stay (a newline between two
 *   inline elements is a space a reader sees), and so does every comment: Outlook's
 *   `<!--[if mso]>` conditional comments are untouched byte for byte apart from indentation.
 * - `height="auto"` on <img> (mj-image's default) is not valid HTML (height is a number);
 *   the inline `height:auto` style that does the work stays.
 */

const KEEP = /<(pre|textarea)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

function tidyChunk(s: string): string {
  return s.replace(/\n[ \t]+/g, '\n').replace(/(<img\b[^>]*?) height="auto"/gi, '$1');
}

export function tidyHtml(html: string): string {
  let out = '';
  let last = 0;
  for (const m of html.matchAll(KEEP)) {
    out += tidyChunk(html.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + tidyChunk(html.slice(last));
}
