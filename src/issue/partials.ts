/**
 * Stage 2: inline `{{> name}}` Markdown partials (standing content such as the monthly
 * resource-centre promo) from templates/partials/name.md, keeping where each line came from
 * so later errors and the "standing section" flag point at the right file.
 */
import { ErrorCodes, RoundupError } from '../errors.js';
import type { SourcePos } from './types.js';

/**
 * `{{> name}}` on a line of its own, not indented (indented, it would belong to a list item or
 * be code). Spaces inside the braces are forgiven: `{{ > name }}`, `{{>name}}`.
 */
export const PARTIAL_LINE = /^\{\{\s*>\s*([A-Za-z0-9_-]+)\s*\}\}[ \t]*$/;
/** Any partial-like tag, to catch one that would otherwise be sent literally. */
const PARTIAL_TAG = /\{\{\s*>\s*([^}]*?)\s*\}\}/;
/** A code fence opening or closing line (``` or ~~~); partials inside code are shown as written. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export interface ExpandedBody {
  text: string;
  /** origins[i] = where line i (0-based) of `text` came from. */
  origins: SourcePos[];
}

export interface PartialSource {
  /** Display path, e.g. templates/partials/resource-centre.md */
  file: string;
  text: string;
}

/** Pure: `read(name)` supplies partial sources (undefined when there is no such partial). */
export function expandPartials(
  body: string,
  pos: SourcePos,
  read: (name: string) => PartialSource | undefined,
  available: () => string[] = () => [],
  stack: string[] = [],
): ExpandedBody {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  const origins: SourcePos[] = [];
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const at = { file: pos.file, line: pos.line + i };
    const f = FENCE.exec(line)?.[1];
    if (fence === null && f) fence = f;
    else if (fence !== null && f && f[0] === fence[0] && f.length >= fence.length && line.trim() === f) fence = null;
    const m = fence === null ? PARTIAL_LINE.exec(line) : null;
    if (!m) {
      const stray = fence === null && !f ? PARTIAL_TAG.exec(line) : null;
      if (stray) {
        // Inside a paragraph, list item or quote a partial cannot be expanded (it is a block,
        // and may start a section): say so here rather than send the braces to readers.
        throw new RoundupError(
          ErrorCodes.PARTIAL,
          `put {{> ${stray[1]}}} on a line of its own, at the start of the line (not inside a paragraph, list or quote)`,
          at,
        );
      }
      out.push(line);
      origins.push(at);
      return;
    }
    const name = m[1];
    if (stack.includes(name)) {
      throw new RoundupError(ErrorCodes.PARTIAL, `partial "${name}" includes itself (${[...stack, name].join(' → ')})`, at);
    }
    const part = read(name);
    if (!part) {
      const list = available();
      const hint = list.length ? ` (available: ${list.join(', ')})` : '';
      throw new RoundupError(
        ErrorCodes.PARTIAL,
        `unknown partial "${name}": create templates/partials/${name}.md or fix the name${hint}`,
        at,
      );
    }
    const inner = expandPartials(part.text.replace(/\n+$/, ''), { file: part.file, line: 1 }, read, available, [...stack, name]);
    // Blank lines around the partial keep it a separate Markdown block.
    out.push('', ...inner.text.split('\n'), '');
    origins.push(at, ...inner.origins, at);
  });
  return { text: out.join('\n'), origins };
}
