/**
 * A small, forgiving MIME reader for returned mail: headers (unfolded, encoded words decoded),
 * multipart trees, base64 / quoted-printable bodies and charsets, and message/rfc822 parts
 * parsed as nested messages.
 *
 * Pure and synchronous. Bounce messages are often malformed (missing boundaries, 8-bit text
 * in headers, truncated parts), so nothing here throws: a part it cannot split is kept as text.
 */

export interface MimePart {
  /** Header fields in order, names lower-cased, values unfolded and decoded. */
  headers: [string, string][];
  /** `type/subtype`, lower-case (default text/plain). */
  type: string;
  params: Record<string, string>;
  /** Decoded body text (multipart containers keep their preamble here). */
  body: string;
  parts: MimePart[];
  /** message/rfc822 (and text/rfc822-headers): the returned message's headers and parts. */
  message?: MimePart;
}

export function header(p: Pick<MimePart, 'headers'>, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of p.headers) if (k === n) return v;
  return undefined;
}

export function headersNamed(p: Pick<MimePart, 'headers'>, name: string): string[] {
  const n = name.toLowerCase();
  return p.headers.filter(([k]) => k === n).map(([, v]) => v);
}

/** Split raw text at the first blank line; tolerant of CRLF, LF and a missing body. */
function splitHead(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return [raw, ''];
  return [raw.slice(0, m.index), raw.slice(m.index + m[0].length)];
}

export function parseHeaderBlock(block: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) {
      out[out.length - 1][1] += ' ' + line.trim();
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (m) out.push([m[1].toLowerCase(), m[2].trim()]);
    // Some mailers fold a parameter list without the leading space (`multipart/alternative;` then
    // `boundary="…"` at the start of the next line): after a value ending in ";", a line that is
    // not a field is its continuation, or the part's boundary would be lost.
    else if (out.length && out[out.length - 1][1].endsWith(';') && /^[a-z0-9*-]+=/i.test(line)) out[out.length - 1][1] += ' ' + line.trim();
  }
  for (const h of out) h[1] = decodeWords(h[1]);
  return out;
}

/** `type/subtype; a=b; c="d"` → type and lower-case-named parameters (RFC 2231 continuations joined). */
export function parseContentType(v: string | undefined): { type: string; params: Record<string, string> } {
  if (!v) return { type: 'text/plain', params: {} };
  const [t, ...rest] = splitParams(v);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    const k = p
      .slice(0, i)
      .trim()
      .toLowerCase()
      .replace(/\*\d*\*?$/, '');
    let val = p.slice(i + 1).trim();
    if (val.startsWith('"')) val = val.slice(1, val.endsWith('"') ? -1 : undefined).replace(/\\(.)/g, '$1');
    params[k] = k in params ? params[k] + val : val;
  }
  return { type: (t.trim().toLowerCase() || 'text/plain').replace(/\s+/g, ''), params };
}

/** Split on `;` outside quoted strings. */
function splitParams(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && quoted) {
      cur += c + (v[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Bytes in a binary string (one char per byte) → text in `charset`; unknown charsets read as Latin-1. */
export function decodeCharset(bin: string, charset: string | undefined): string {
  const bytes = Buffer.from(bin, 'latin1');
  const cs = (charset ?? 'utf-8').trim().toLowerCase();
  try {
    return new TextDecoder(cs === 'us-ascii' || cs === 'ascii' ? 'utf-8' : cs).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function decodeQp(s: string): string {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** RFC 2047 encoded words, e.g. `=?ISO-2022-JP?B?...?=`; adjacent words join without the space. */
export function decodeWords(s: string): string {
  if (!s.includes('=?')) return s;
  return s
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_, cs: string, enc: string, text: string) => {
      const bin = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('latin1') : decodeQp(text.replace(/_/g, ' '));
      return decodeCharset(bin, cs.replace(/\*.*$/, ''));
    });
}

function decodeBody(bin: string, encoding: string | undefined, charset: string | undefined): string {
  const enc = (encoding ?? '').trim().toLowerCase();
  let b = bin;
  if (enc === 'base64') b = Buffer.from(bin.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  else if (enc === 'quoted-printable') b = decodeQp(bin);
  // 8-bit text with no charset is most often UTF-8; TextDecoder keeps invalid bytes as U+FFFD.
  return decodeCharset(b, charset);
}

const MAX_DEPTH = 8;

/** Parse a raw message (bytes or a binary/latin-1 string). */
export function parseMime(raw: Buffer | string, depth = 0): MimePart {
  const bin = typeof raw === 'string' ? raw : raw.toString('latin1');
  // A leading mbox "From " line is not a header.
  const text = bin.replace(/^From [^\n]*\n/, '');
  const [head, rawBody] = splitHead(text);
  const headers = parseHeaderBlock(decodeCharset(head, 'utf-8'));
  return parseEntity(headers, rawBody, depth);
}

function parseEntity(headers: [string, string][], rawBody: string, depth: number): MimePart {
  const { type, params } = parseContentType(header({ headers }, 'content-type'));
  const encoding = header({ headers }, 'content-transfer-encoding');
  const part: MimePart = { headers, type, params, body: '', parts: [] };
  if (depth > MAX_DEPTH) {
    part.body = decodeCharset(rawBody, params.charset);
    return part;
  }
  if (type.startsWith('multipart/') && params.boundary) {
    const { preamble, parts } = splitMultipart(rawBody, params.boundary);
    part.body = decodeCharset(preamble, 'utf-8');
    for (const p of parts) {
      const [h, b] = splitHead(p);
      // A part with no header block at all (some MTAs) is its body.
      const hasHead = /^[!-9;-~]+[ \t]*:/.test(h);
      part.parts.push(hasHead ? parseEntity(parseHeaderBlock(decodeCharset(h, 'utf-8')), b, depth + 1) : parseEntity([], p, depth + 1));
    }
    return part;
  }
  if (type === 'message/rfc822' || type === 'message/global' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers') {
    const inner = decodeBody(rawBody, encoding, 'latin1');
    part.message = parseMime(inner, depth + 1);
    part.body = decodeCharset(inner, 'utf-8');
    return part;
  }
  part.body = decodeBody(rawBody, encoding, params.charset);
  return part;
}

function splitMultipart(body: string, boundary: string): { preamble: string; parts: string[] } {
  const lines = body.split(/\r?\n/);
  const delim = `--${boundary}`;
  const parts: string[] = [];
  let cur: string[] | null = null;
  const pre: string[] = [];
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === delim || t === `${delim}--`) {
      if (cur) parts.push(cur.join('\n'));
      cur = t === delim ? [] : null;
      if (t !== delim) break;
      continue;
    }
    if (cur) cur.push(line);
    else if (parts.length === 0) pre.push(line);
  }
  if (cur) parts.push(cur.join('\n'));
  return { preamble: pre.join('\n'), parts };
}

/** Every part, depth first (containers before their children; nested messages included). */
export function* walk(p: MimePart): Generator<MimePart> {
  yield p;
  for (const c of p.parts) yield* walk(c);
  if (p.message) yield* walk(p.message);
}
