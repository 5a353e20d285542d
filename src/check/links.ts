/** Link rules: broken or placeholder URLs (errors), risky URLs and generic link text (warnings). */
import type { RenderedIssue } from '../render/types.js';
import { linksIn } from './model.js';
import type { SourceIndex } from './sources.js';
import type { Finding } from './types.js';
import { safeDecode, urlProblems } from './urls.js';

/** Link text that means nothing when a screen reader lists the links out of context. */
const GENERIC_TEXT = new Set(['click here', 'here', 'read more', 'click', 'more', 'link', 'this link']);

export function checkLinks(issue: RenderedIssue, src: SourceIndex): Finding[] {
  const anchors = new Set(issue.model.sections.map((s) => s.anchor));
  const out: Finding[] = [];
  for (const link of linksIn(issue.model)) {
    const needles = [link.href, safeDecode(link.href), link.text ? `[${link.text}` : ''].filter((n) => n && n !== '#');
    if (link.href === '#') needles.unshift('](#)');
    let line: number | undefined;
    const at = () => (line ??= src.locate(link.pos, needles));
    for (const p of urlProblems(link.href, 'link', anchors)) {
      out.push({ ...p, file: link.pos.file, line: at() });
    }
    const words = link.text.toLowerCase().replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
    if (GENERIC_TEXT.has(words)) {
      out.push({
        severity: 'warning',
        rule: 'link-text',
        message: `link text "${link.text}" says nothing out of context (screen readers list links alone): describe the destination, e.g. "Read the consultation response"`,
        file: link.pos.file,
        line: at(),
      });
    }
  }
  return out;
}
