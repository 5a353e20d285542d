/** Gmail clips an HTML part over 102 KB behind a "[Message clipped]" link (and hides the footer). */
import type { CheckContext, Finding } from './types.js';

/** Gmail clips messages whose HTML exceeds 102 KB; warn with some margin. */
export const HTML_WARN_BYTES = 90 * 1024;
export const HTML_CLIP_BYTES = 102 * 1024;

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function checkSize({ issue, sample }: CheckContext): Finding[] {
  const size = Buffer.byteLength(sample.html);
  if (size > HTML_CLIP_BYTES) {
    return [
      {
        severity: 'error',
        rule: 'html-size',
        message: `HTML is ${kb(size)}: Gmail clips messages over 102 KB, hiding the rest and the unsubscribe link; cut or shorten sections`,
        file: issue.file,
      },
    ];
  }
  if (size > HTML_WARN_BYTES) {
    return [
      {
        severity: 'warning',
        rule: 'html-size',
        message: `HTML is ${kb(size)}, close to Gmail's 102 KB clipping limit: consider shortening the issue`,
        file: issue.file,
      },
    ];
  }
  return [];
}
