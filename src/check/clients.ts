/**
 * Email-client support from caniemail.com data (the `caniemail` package).
 *
 * What is scanned: the MJML the layout produced (templates + the Markdown's HTML), not MJML's
 * own output. MJML's output is the same for every issue and built to degrade well (media
 * queries for the responsive columns, conditional comments for Outlook, `text-transform` on
 * buttons…); flagging it on every build would bury the few findings an editor or template
 * author can act on. MJML tags are renamed to <div> before the scan so caniemail sees only
 * real HTML/CSS (it would otherwise read <mj-image> as an SVG <image>), and <mj-style> becomes
 * <style>. Only features a client does not support at all are reported ("partial" support is
 * nearly everything in Outlook), grouped into one finding per feature naming every client.
 */
import { escapeRegExp, type SourceIndex } from './sources.js';
import type { CanIEmail, CheckContext, Finding } from './types.js';

/** caniemail client ids per client the issue names; the Gmail/Apple apps share their webmail data. */
const CLIENTS = {
  'gmail.desktop-webmail': 'Gmail (web)',
  'gmail.android': 'Gmail (Android)',
  'outlook.windows': 'Outlook (Windows)',
  'apple-mail.macos': 'Apple Mail (macOS)',
  'apple-mail.ios': 'Apple Mail (iOS)',
} as const;
type ClientId = keyof typeof CLIENTS;

/** Make the MJML source plain HTML for the scanner; lines stay where they were. */
export function mjmlAsHtml(mjml: string): string {
  return mjml
    .replace(/<mj-style\b[^>]*>/g, '<style>')
    .replace(/<\/mj-style>/g, '</style>')
    .replace(/<(\/?)mj-[\w-]+/g, '<$1div')
    .replace(/<(\/?)mjml\b/g, '<$1html');
}

type Unsupported = [ClientId, { title: string; notes: string[]; position?: { start: { line: number } } }[]];

/**
 * Unsupported features per client. One call for all clients is ~3× faster than one per client,
 * but the package throws when a feature is missing from one client's data; then scan each
 * client alone so one gap does not hide the others.
 */
function scan(caniemail: CanIEmail, html: string): Unsupported[] {
  const clients = Object.keys(CLIENTS) as ClientId[];
  try {
    return [...caniemail({ clients, html }).issues.errors.entries()] as Unsupported[];
  } catch {
    return clients.flatMap((client) => {
      try {
        return [...caniemail({ clients: [client], html }).issues.errors.entries()] as Unsupported[];
      } catch {
        return [];
      }
    });
  }
}

interface Hit {
  clients: Set<string>;
  line?: number;
  notes: Set<string>;
}

/**
 * What caniemail looks at is markup and CSS, not prose: drop text between tags (keeping its
 * line breaks, so positions still map to template lines) and blank URL/alt values. The scan
 * gets about half the input, and edits to wording, the usual edit while drafting, give the
 * same shape, so preview's re-renders reuse the last result.
 */
export function markupShape(html: string): string {
  // Odd parts are <style> blocks: their text is CSS and must stay.
  return html
    .split(/(<style\b[^>]*>[\s\S]*?<\/style>)/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/>([^<]+)</g, (_m, text: string) => `>${text.replace(/[^\n]+/g, '')}<`)
            .replace(/\b(href|src|alt|title)="[^"]*"/g, '$1=""'),
    )
    .join('');
}

const scanMemo = new Map<string, Unsupported[]>();

/** Runs when the caller loaded the client data (`send` skips this scan). */
export function checkClientSupport({ issue, src, caniemail }: CheckContext): Finding[] {
  if (!caniemail) return [];
  const html = mjmlAsHtml(issue.mjml);
  const shape = markupShape(html);
  let scanned = scanMemo.get(shape);
  if (!scanned) {
    scanned = scan(caniemail, shape);
    if (scanMemo.size > 50) scanMemo.clear();
    scanMemo.set(shape, scanned);
  }
  const hits = new Map<string, Hit>();
  for (const [client, issues] of scanned) {
    for (const i of issues) {
      if (!reallyUsed(i.title, html)) continue;
      const hit = hits.get(i.title) ?? { clients: new Set(), notes: new Set() };
      hit.clients.add(CLIENTS[client]);
      hit.line ??= i.position?.start.line;
      for (const n of i.notes) hit.notes.add(n.replace(/\s+/g, ' ').trim());
      hits.set(i.title, hit);
    }
  }
  const mjmlLines = issue.mjml.split('\n');
  const out: Finding[] = [];
  for (const [title, hit] of hits) {
    const at = locateInTemplates(title, hit.line ? mjmlLines[hit.line - 1] : undefined, src) ?? { file: issue.file };
    // The first sentence of caniemail's first note says why; the rest is for caniemail.com.
    const note = [...hit.notes][0]?.split(/(?<=\.)\s/)[0];
    out.push({
      severity: 'warning',
      rule: 'client-support',
      message: `"${title}" is not supported by ${[...hit.clients].join(', ')}${note ? ` (${note.replace(/\.$/, '')})` : ''}: make sure the email still reads well without it`,
      ...at,
    });
  }
  return out;
}

/** A CSS property title ("overflow", "word-wrap"), as opposed to "@media" or "<svg> element". */
const isProperty = (title: string) => /^[a-z][a-z-]*$/.test(title);

/** caniemail matches property names by prefix ("overflow" inside "overflow-wrap"): keep real uses only. */
function reallyUsed(title: string, html: string): boolean {
  if (!isProperty(title)) return true;
  return new RegExp(`(?<![-\\w])${title}\\s*:`).test(html);
}

/**
 * The template line a feature comes from. CSS in a <style> block is located by its text
 * (caniemail's positions there are relative to the stylesheet); an element or attribute by
 * its line in the compiled MJML.
 */
function locateInTemplates(title: string, mjmlLine: string | undefined, src: SourceIndex) {
  const files = src.templateFiles().filter((f) => f.endsWith('.mjml'));
  if (isProperty(title)) return src.find(files, new RegExp(`(?<![-\\w])${title}\\s*:`));
  if (title.startsWith('@')) return src.find(files, new RegExp(escapeRegExp(title)));
  return mjmlLine ? src.templateLineFor(mjmlLine) : undefined;
}
