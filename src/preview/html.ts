/** Escaping for the preview's own pages (issue text is untrusted as far as HTML goes). */
import { escapeHtml } from '../render/merge.js';

export const esc = (s: unknown) => escapeHtml(String(s ?? ''));

/** JSON inside a <script> element: `</script>` and `<!--` in the data must not end it. */
export const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
