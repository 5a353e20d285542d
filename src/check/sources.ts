/**
 * Finding the line a problem comes from. The model knows where each block starts; a link in
 * the third paragraph of a merged prose block, or a field used in a template, is found by
 * searching the source text from there. Pure: the texts are what the render already read
 * (the issue, its templates and partials) and the config, handed over once per check.
 */
import type { SourcePos } from '../issue/types.js';

export class SourceIndex {
  private cache = new Map<string, string[] | null>();
  /** Last hit per file+needle, so a URL used twice in one block maps to two lines. */
  private lastHit = new Map<string, number>();

  /**
   * `texts`: file text by display path. `templates`: the display paths of the template
   * sources (layouts, components, Markdown partials), in search order.
   */
  constructor(
    private readonly texts: ReadonlyMap<string, string>,
    private readonly templates: readonly string[],
  ) {}

  /** Lines of a display path (relative to cwd, as the renderer reports them); null if not known. */
  lines(file: string): string[] | null {
    let l = this.cache.get(file);
    if (l === undefined) {
      const text = this.texts.get(file);
      l = text === undefined ? null : text.replace(/\r\n?/g, '\n').split('\n');
      this.cache.set(file, l);
    }
    return l;
  }

  /** First line at or after `pos` containing any needle; `pos.line` when none does. */
  locate(pos: SourcePos, needles: readonly string[]): number {
    const lines = this.lines(pos.file);
    const wanted = needles.filter((n) => n.length > 0);
    if (!lines || !wanted.length) return pos.line;
    const key = `${pos.file}\u0000${wanted[0]}`;
    const prev = this.lastHit.get(key);
    const start = prev !== undefined && prev >= pos.line ? prev + 1 : pos.line;
    for (const from of [start, pos.line]) {
      for (let i = Math.max(1, from); i <= lines.length; i++) {
        if (wanted.some((n) => lines[i - 1].includes(n))) {
          this.lastHit.set(key, i);
          return i;
        }
      }
    }
    return pos.line;
  }

  /** First match of `re` in the given files, in order: where a template or partial uses something. */
  find(files: readonly string[], re: RegExp): SourcePos | undefined {
    for (const file of files) {
      const lines = this.lines(file);
      if (!lines) continue;
      const i = lines.findIndex((l) => re.test(l));
      if (i >= 0) return { file, line: i + 1 };
    }
    return undefined;
  }

  /** Display paths of the template sources: layouts, components, Markdown partials. */
  templateFiles(): readonly string[] {
    return this.templates;
  }

  /**
   * The template line that produced a line of compiled MJML: the same text once `{{…}}`
   * expressions are treated as wildcards. Lines that are mostly expressions are skipped (they
   * would match anything).
   */
  templateLineFor(mjmlLine: string): SourcePos | undefined {
    const target = mjmlLine.trim();
    if (!target) return undefined;
    for (const file of this.templateFiles().filter((f) => f.endsWith('.mjml'))) {
      const lines = this.lines(file) ?? [];
      const i = lines.findIndex((l) => {
        const t = l.trim();
        if (t === target) return true;
        const literal = t.split(/\{\{\{?[^}]*\}?\}\}/);
        if (literal.length < 2 || literal.join('').trim().length < 12) return false;
        return new RegExp(`^${literal.map(escapeRegExp).join('[\\s\\S]*?')}$`).test(target);
      });
      if (i >= 0) return { file, line: i + 1 };
    }
    return undefined;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
    if (ENTITIES[e.toLowerCase()] !== undefined) return ENTITIES[e.toLowerCase()];
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return m;
  });
}

export const stripTags = (html: string) =>
  decodeEntities(html.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
