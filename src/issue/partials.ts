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
/**
 * Partials may include partials, but not without end: a chain this deep, or an expansion this
 * large, is a mistake (or hostile), and would otherwise exhaust the stack or the memory.
 */
export const MAX_PARTIAL_DEPTH = 20;
export const MAX_EXPANDED_LINES = 10_000;
export const MAX_EXPANDED_CHARS = 1_000_000;
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
  budget: { lines: number; chars: number } = { lines: MAX_EXPANDED_LINES, chars: MAX_EXPANDED_CHARS },
): ExpandedBody {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  budget.lines -= lines.length;
  budget.chars -= body.length;
  if (budget.lines < 0 || budget.chars < 0) {
    const limit =
      budget.lines < 0 ? `${MAX_EXPANDED_LINES.toLocaleString('en')} lines` : `${MAX_EXPANDED_CHARS.toLocaleString('en')} characters`;
    throw new RoundupError(
      ErrorCodes.BODY,
      `the issue is over ${limit} with its partials included: an email this long is clipped by every inbox; cut it down`,
      pos,
    );
  }
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
      const stray = fence === null && !f ? strayPartial(line) : null;
      if (stray !== null) {
        // Inside a paragraph, list item or quote a partial cannot be expanded (it is a block,
        // and may start a section): say so here rather than send the braces to readers.
        throw new RoundupError(
          ErrorCodes.PARTIAL,
          `put {{> ${stray}}} on a line of its own, at the start of the line (not inside a paragraph, list or quote)`,
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
    if (stack.length >= MAX_PARTIAL_DEPTH) {
      throw new RoundupError(
        ErrorCodes.PARTIAL,
        `partials include each other more than ${MAX_PARTIAL_DEPTH} deep (${[...stack.slice(0, 3), '…', name].join(' → ')}): flatten them`,
        at,
      );
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
    const inner = expandPartials(part.text.replace(/\n+$/, ''), { file: part.file, line: 1 }, read, available, [...stack, name], budget);
    // Blank lines around the partial keep it a separate Markdown block.
    out.push('', ...inner.text.split('\n'), '');
    origins.push(at, ...inner.origins, at);
  });
  return { text: out.join('\n'), origins };
}

/**
 * The name inside the first `{{> name}}`-like tag on a line, or null. A scan with indexOf, not
 * a regular expression: a line of `{{>` repeated, or `{{>` and thousands of spaces, made the
 * obvious pattern backtrack for seconds to minutes (every start × every end).
 */
export function strayPartial(line: string): string | null {
  // The next "}}" and the next "}" are searched for again only once a start has passed them,
  // so `{{>}{{>}…}}` costs one pass too.
  let close = -1;
  let brace = -1;
  for (let at = line.indexOf('{{'); at !== -1; at = line.indexOf('{{', at + 1)) {
    let i = at + 2;
    while (isSpace(line[i])) i++;
    if (line[i] !== '>') continue;
    if (close <= i) close = line.indexOf('}}', i + 1);
    if (close === -1) return null; // no later start can close either
    if (brace <= i) brace = line.indexOf('}', i + 1);
    if (brace !== close) continue; // a lone "}" before the close: not a tag from this start
    return line.slice(i + 1, close).trim();
  }
  return null;
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
