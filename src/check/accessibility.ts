/**
 * Accessibility rules (warnings): the document language, heading order, and the contrast of
 * the configured colours as the templates pair them (WCAG AA: 4.5:1 for body text, 3:1 for
 * large text such as headings).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { contrastRatio } from './contrast.js';
import { allBlocks } from './model.js';
import { stripTags, type SourceIndex } from './sources.js';
import type { CheckContext, Finding } from './types.js';

export function checkLang({ sample, src, layoutFile: layout }: CheckContext): Finding[] {
  const m = /<html\b[^>]*\blang="([^"]*)"/i.exec(sample.html);
  // MJML writes lang="und" (undetermined) when the layout sets none.
  if (m?.[1].trim() && m[1].trim().toLowerCase() !== 'und') return [];
  const at = src.find([layout], /<mjml\b/) ?? { file: layout };
  return [
    {
      severity: 'warning',
      rule: 'html-lang',
      message: 'the email has no lang attribute, so screen readers guess the language: write <mjml lang="{{lang}}"> in the layout',
      ...at,
    },
  ];
}

/** Headings may go down one level at a time (h1 → h2 → h3), never skip one. */
export function checkHeadings({ issue, src }: CheckContext): Finding[] {
  const out: Finding[] = [];
  let prevSection: unknown;
  let prev = 1;
  for (const { block, sectionLevel } of allBlocks(issue.model)) {
    // Each section restarts from its own h2; the intro follows the title's h1.
    const section = issue.model.sections.find((s) => s.blocks.includes(block));
    if (section !== prevSection) {
      prevSection = section;
      prev = sectionLevel;
    }
    if (block.kind !== 'html' && block.kind !== 'quote') continue;
    for (const m of block.html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/gi)) {
      const level = Number(m[1]);
      const text = stripTags(m[2]);
      if (level > prev + 1) {
        out.push({
          severity: 'warning',
          rule: 'heading-order',
          message: `heading "${text}" is h${level} after h${prev}: screen-reader users navigate by level; use ${'#'.repeat(prev + 1)} (the title is h1, sections are h2)`,
          file: block.pos.file,
          line: src.locate(block.pos, [`# ${text}`, text]),
        });
      }
      prev = level;
    }
  }
  return out;
}

/**
 * Which colours the templates put on which backgrounds, and how big that text is. `ifText`:
 * a decorative colour (the accent is a rule or a border in some layouts) counts only when the
 * issue's templates also write text in it.
 */
const PAIRS: { fg: keyof Config['colours'] | 'white'; bg: keyof Config['colours']; large: boolean; what: string; ifText?: true }[] = [
  { fg: 'text', bg: 'surface', large: false, what: 'body text on the card' },
  { fg: 'link', bg: 'surface', large: false, what: 'links on the card' },
  { fg: 'muted', bg: 'surface', large: false, what: 'date and attribution text' },
  { fg: 'muted', bg: 'background', large: false, what: 'footer text on the page background' },
  { fg: 'text', bg: 'tint', large: false, what: 'body text in standing sections' },
  { fg: 'link', bg: 'tint', large: false, what: 'links in standing sections' },
  { fg: 'muted', bg: 'tint', large: false, what: 'attribution text in standing sections' },
  { fg: 'brand', bg: 'surface', large: true, what: 'headings' },
  { fg: 'brand', bg: 'tint', large: true, what: 'headings of standing sections' },
  // The roundup layout numbers its section headings in the accent colour ("1. Title").
  { fg: 'accent', bg: 'surface', large: true, what: 'section numbers', ifText: true },
  { fg: 'accent', bg: 'tint', large: true, what: 'section numbers of standing sections', ifText: true },
  { fg: 'white', bg: 'brand', large: false, what: 'white button text on the brand colour' },
];

/** Does the issue's layout (or a component) set a text colour to `colours.<key>`? */
function usedAsText(layoutFile: string, key: string, src: SourceIndex): boolean {
  const files = [layoutFile, ...src.templateFiles().filter((f) => path.basename(path.dirname(f)) === 'components')];
  return src.find(files, new RegExp(`(?<![-\\w])color(?:="|\\s*:\\s*)\\{\\{(?:@root\\.)?colours\\.${key}\\}\\}`)) !== undefined;
}

export function checkContrast({ config, src, layoutFile, configFile: file, configLine }: CheckContext): Finding[] {
  const out: Finding[] = [];
  // The light palette, then its dark-mode counterparts (config `dark`), where the button has its own colour.
  for (const scheme of ['colours', 'dark'] as const) {
    const palette: Record<string, string> = config[scheme];
    const key = (k: string) => (scheme === 'dark' && k === 'brand' ? 'button' : k);
    const colour = (k: string) => (k === 'white' ? '#ffffff' : palette[k]);
    for (const p of PAIRS) {
      if (p.ifText && !usedAsText(layoutFile, p.fg, src)) continue;
      const fg = p.fg === 'white' ? 'white' : p.fg;
      // White text sits on the button, which dark mode colours with dark.button.
      const bg = p.fg === 'white' ? key(p.bg) : p.bg;
      const ratio = contrastRatio(colour(fg), colour(bg));
      const need = p.large ? 3 : 4.5;
      if (ratio >= need) continue;
      const named = p.fg === 'white' ? bg : fg;
      out.push({
        severity: 'warning',
        rule: 'contrast',
        message: `${scheme}.${named} ${colour(fg)} on ${colour(bg)} (${p.what}${scheme === 'dark' ? ', dark mode' : ''}) has contrast ${ratio.toFixed(2)}:1; WCAG AA needs ${need}:1: darken or lighten one of them`,
        file,
        line: configLine([scheme, named]),
      });
    }
  }
  return out;
}
