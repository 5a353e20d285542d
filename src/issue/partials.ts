/**
 * Stage 2: inline `{{> name}}` Markdown partials (standing content such as the monthly
 * resource-centre promo) from templates/partials/name.md, keeping where each line came from
 * so later errors and the "standing section" flag point at the right file.
 */
import { ErrorCodes, RoundupError } from '../errors.js';
import type { SourcePos } from '../render/types.js';

export const PARTIAL_LINE = /^[ \t]*\{\{>\s*([A-Za-z0-9_-]+)\s*\}\}[ \t]*$/;

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
  lines.forEach((line, i) => {
    const at = { file: pos.file, line: pos.line + i };
    const m = PARTIAL_LINE.exec(line);
    if (!m) {
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
