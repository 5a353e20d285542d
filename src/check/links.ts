/** Link rules: broken or placeholder URLs (errors), risky URLs and generic link text (warnings). */
import type { RenderedIssue } from '../render/types.js';
import { imagesIn, linksIn } from './model.js';
import { decodeEntities, escapeRegExp } from './sources.js';
import type { CheckContext, Finding } from './types.js';
import { safeDecode, urlProblems } from './urls.js';

/** Link text that means nothing when a screen reader lists the links out of context. */
const GENERIC_TEXT = new Set([
  'click here',
  'here',
  'read more',
  'click',
  'more',
  'link',
  'this link',
  'this',
  'learn more',
  'find out more',
  'continue reading',
  'more info',
  'more information',
  'details',
  'go',
]);

/**
 * `forSample` personalises a model fragment for the sample reader: a link whose URL holds a
 * recipient field is checked as that reader would get it, and reported as the author wrote it
 * ("{{recipient.site}}"), never with the renderer's internal marker.
 */
export function checkLinks({ issue, src, forSample }: CheckContext): Finding[] {
  const anchors = new Set(issue.model.sections.map((s) => s.anchor));
  const out: Finding[] = [];
  for (const link of linksIn(issue.model)) {
    const written = issue.fieldTable.describe(link.href);
    const href = written === link.href ? link.href : forSample(link.href);
    const needles = [written, safeDecode(written), link.text ? `[${link.text}` : ''].filter((n) => n && n !== '#');
    if (link.href === '#') needles.unshift('](#)');
    let line: number | undefined;
    const at = () => (line ??= src.locate(link.pos, needles));
    for (const p of urlProblems(href, 'link', anchors)) {
      const message =
        written === link.href
          ? p.message
          : p.message.replace(`"${safeDecode(href.trim())}"`, `"${written}" (for the sample reader "${safeDecode(href.trim())}")`);
      out.push({ ...p, message, file: link.pos.file, line: at() });
    }
    if (!link.text && link.href) {
      // [](https://…): nothing to see or click, and a screen reader reads out the raw URL.
      out.push({
        severity: 'error',
        rule: 'link-empty',
        message: `link to "${safeDecode(link.href)}" has no text, so readers cannot see it: put the words between the square brackets, [text](…)`,
        file: link.pos.file,
        line: at(),
      });
      continue;
    }
    const words = trimToLetters(link.text.toLowerCase()).replace(/\s+/g, ' ');
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

/**
 * Links and images the templates add (view in browser, unsubscribe, logo), built from the
 * config: a placeholder siteUrl breaks them in every issue. Reported at the config line that
 * holds the address when there is one, else at the template that writes it.
 */
export function checkTemplateLinks({ issue, sample, src, forSample, configFile: config }: CheckContext): Finding[] {
  const { html } = sample;
  // `html` is personalised for the sample reader: compare with the Markdown links as that reader gets them.
  const fromMarkdown = new Set(linksIn(issue.model).map((l) => forSample(l.href)));
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(/<(a|img)\s[^>]*?\b(href|src)="([^"]*)"/gi)) {
    const url = decodeEntities(m[3]);
    const what = m[1].toLowerCase() === 'a' ? 'link' : 'image';
    if (fromMarkdown.has(url) || imageFromMarkdown(issue, url, forSample)) continue;
    let origin = url;
    try {
      origin = new URL(url).origin;
    } catch {
      // Not a URL at all: search for it as written.
    }
    // The web-archive and unsubscribe links share siteUrl: one finding per site, not per link.
    if (seen.has(origin)) continue;
    seen.add(origin);
    const problems = urlProblems(url, what, new Set(issue.model.sections.map((s) => s.anchor)));
    if (!problems.length) continue;
    const at = src.find([config], new RegExp(escapeRegExp(origin))) ??
      src.find(src.templateFiles(), new RegExp(escapeRegExp(url))) ?? { file: issue.file };
    for (const p of problems) out.push({ ...p, message: `${p.message} (added by the template)`, ...at });
  }
  return out;
}

function imageFromMarkdown(issue: RenderedIssue, url: string, forSample: (s: string) => string): boolean {
  return imagesIn(issue.model).some((i) => forSample(i.src) === url);
}

const LETTER = /\p{L}/u;

/**
 * The text from its first letter to its last. Not `/^[^\p{L}]+|[^\p{L}]+$/`: that pattern tries
 * the second branch from every position of a long run without letters (6,000 "}" took seconds).
 */
function trimToLetters(text: string): string {
  const chars = [...text];
  let start = 0;
  while (start < chars.length && !LETTER.test(chars[start])) start++;
  let end = chars.length;
  while (end > start && !LETTER.test(chars[end - 1])) end--;
  return chars.slice(start, end).join('');
}
