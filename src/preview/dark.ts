/**
 * Dark mode in the preview iframes.
 *
 * A page cannot emulate `prefers-color-scheme` for one iframe (that is a browser or DevTools
 * setting), so the dark variant of the email is served with its dark media rules made
 * unconditional: `@media (prefers-color-scheme: dark)` becomes `@media all` and the light-only
 * rules are switched off. That is exactly what a client that honours the template's dark
 * styles (Apple Mail, iOS Mail) applies. Clients that invert colours on their own (Gmail app,
 * Outlook) cannot be previewed faithfully by any browser. Screenshots use real emulation
 * instead (Playwright's colorScheme), see shots.ts.
 */
export function forceDark(html: string): string {
  return html
    .replace(/@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, '@media all')
    .replace(/@media\s*\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, '@media not all')
    .replace(/<head([^>]*)>/i, '<head$1><style>:root{color-scheme:dark}</style>');
}
