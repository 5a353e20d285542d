/** Gmail clips an HTML part over 102 KB behind a "[Message clipped]" link (and hides the footer). */
import { HTML_CLIP_BYTES, HTML_WARN_BYTES } from '../commands/build.js';
import type { RenderedIssue } from '../render/types.js';
import type { Finding } from './types.js';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function checkSize(issue: RenderedIssue, html: string): Finding[] {
  const size = Buffer.byteLength(html);
  if (size > HTML_CLIP_BYTES) {
    return [{ severity: 'error', rule: 'html-size', message: `HTML is ${kb(size)}: Gmail clips messages over 102 KB, hiding the rest and the unsubscribe link; cut or shorten sections`, file: issue.file }];
  }
  if (size > HTML_WARN_BYTES) {
    return [{ severity: 'warning', rule: 'html-size', message: `HTML is ${kb(size)}, close to Gmail's 102 KB clipping limit: consider shortening the issue`, file: issue.file }];
  }
  return [];
}
