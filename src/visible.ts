/**
 * User text on a terminal, with its control characters shown rather than obeyed.
 *
 * A list, a front-matter value or a config value can carry ESC (colour, cursor moves, "clear
 * screen"), OSC (window titles, hyperlinks that point elsewhere), BEL, a CR that rewrites the
 * line being read, or Unicode direction overrides that reorder it. Printed raw, any of these lets
 * a file change what the editor sees in `lists check`, the send plan or `status`. Shown as
 * `\x1b`, `\r`, `\u202e`…, they are visible and inert.
 *
 * `visible` is for one value (a name, a subject, an address): everything, line breaks included,
 * is escaped. `visibleLines` is for a whole line roundup composed: it keeps line breaks, tabs
 * and the SGR colour sequences roundup's own output uses, and escapes everything else; the
 * terminal applies it to every line as a last guard.
 */

/** C0 and C1 controls, DEL, and the bidirectional formatting characters. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, less line feed and tab. */
const CONTROL_IN_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Select Graphic Rendition (colours) only: `ESC [ digits;… m`. */
const SGR = /^\x1b\[[0-9;]{0,32}m/;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\x1b' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value from a file: every control character shown as an escape. */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/**
 * A line (or lines) roundup composed: control characters shown as escapes, except line feeds,
 * tabs and SGR colour sequences. Linear: one pass, and the SGR test is anchored and bounded.
 */
export function visibleLines(text: string): string {
  if (!CONTROL_IN_LINES.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\x1b') {
      const sgr = SGR.exec(text.slice(i, i + 36));
      if (sgr) {
        out += sgr[0];
        i += sgr[0].length - 1;
        continue;
      }
    }
    out += c === '\n' || c === '\t' || !CONTROL_IN_LINES.test(c) ? c : escapeChar(c);
  }
  return out;
}
