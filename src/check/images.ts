/** Image rules: alt text (error: blocked images and screen readers show only the alt) and URLs. */
import { imagesIn } from './model.js';
import type { CheckContext, Finding } from './types.js';
import { safeDecode, urlProblems } from './urls.js';

export function checkImages({ issue, src }: CheckContext): Finding[] {
  const out: Finding[] = [];
  for (const img of imagesIn(issue.model)) {
    const needles = [img.src, safeDecode(img.src), '![]'].filter(Boolean);
    const line = src.locate(img.pos, needles);
    if (!img.alt.trim()) {
      out.push({
        severity: 'error',
        rule: 'image-alt',
        message: `image ${img.src ? `"${safeDecode(img.src)}" ` : ''}has no alt text: describe it inside the brackets, ![what the image shows](…)`,
        file: img.pos.file,
        line,
      });
    }
    for (const p of urlProblems(img.src, 'image', new Set())) out.push({ ...p, file: img.pos.file, line });
  }
  return out;
}
