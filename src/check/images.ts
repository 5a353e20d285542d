/**
 * Image rules: alt text (error: blocked images and screen readers show only the alt), URLs, and
 * local images: a file that is missing, unreadable, of a format email clients do not show or
 * outside the project is an error; one still heavy after processing is a warning.
 */
import { imagesIn } from './model.js';
import type { CheckContext, Finding } from './types.js';
import { safeDecode, urlProblems } from './urls.js';

/** Above this a processed still image slows the email on mobile data (the whole email should be ~1 MB). */
export const HEAVY_IMAGE_BYTES = 300 * 1024;
/** An animated GIF is heavier by nature; above this it delays every other image. */
export const HEAVY_GIF_BYTES = 1024 * 1024;

export function checkImages({ issue, src }: CheckContext): Finding[] {
  const out: Finding[] = [];
  // Local images: the URL the email got → what the author wrote; those with a problem are
  // reported by checkLocalImages, not as a URL that is "not absolute".
  const written = new Map<string, string>();
  const broken = new Set<string>();
  for (const i of issue.images) {
    if (i.ok) written.set(i.url, i.src);
    else broken.add(i.src);
  }
  for (const img of imagesIn(issue.model)) {
    const asWritten = written.get(img.src) ?? img.src;
    const needles = [asWritten, safeDecode(asWritten), '![]'].filter(Boolean);
    const line = src.locate(img.pos, needles);
    if (!img.alt.trim()) {
      out.push({
        severity: 'error',
        rule: 'image-alt',
        message: `image ${asWritten ? `"${safeDecode(asWritten)}" ` : ''}has no alt text: describe it inside the brackets, ![what the image shows](…)`,
        file: img.pos.file,
        line,
      });
    }
    if (broken.has(img.src)) continue;
    for (const p of urlProblems(img.src, 'image', new Set())) out.push({ ...p, file: img.pos.file, line });
  }
  return out;
}

const PROBLEM_RULES = {
  missing: 'image-missing',
  unreadable: 'image-unreadable',
  corrupt: 'image-unreadable',
  unsupported: 'image-format',
  escapes: 'image-outside',
} as const;

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

export function checkLocalImages({ issue }: CheckContext): Finding[] {
  const out: Finding[] = [];
  const weighed = new Set<string>();
  for (const img of issue.images) {
    const at = { file: img.pos.file, line: img.pos.line };
    if (!img.ok) {
      out.push({ severity: 'error', rule: PROBLEM_RULES[img.problem.kind], message: img.problem.message, ...at });
      continue;
    }
    // A photo used twice is one download: weigh it once.
    if (weighed.has(img.sitePath)) continue;
    weighed.add(img.sitePath);
    const { bytes, animated } = img.output;
    const shown = safeDecode(img.src);
    if (animated && bytes > HEAVY_GIF_BYTES) {
      out.push({
        severity: 'warning',
        rule: 'image-heavy',
        message: `animated GIF "${shown}" is ${kb(bytes)} after processing (over ${kb(HEAVY_GIF_BYTES)}): readers on mobile data wait for it; use fewer frames, a shorter clip or a smaller size`,
        ...at,
      });
    } else if (!animated && bytes > HEAVY_IMAGE_BYTES) {
      out.push({
        severity: 'warning',
        rule: 'image-heavy',
        message: `image "${shown}" is still ${kb(bytes)} after processing (over ${kb(HEAVY_IMAGE_BYTES)}): ${
          img.output.format === 'png'
            ? 'if it is a photo, export it as JPEG (far lighter); else crop it'
            : 'crop it, or choose a less detailed photo'
        }`,
        ...at,
      });
    }
  }
  return out;
}
