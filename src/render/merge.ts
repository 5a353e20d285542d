/**
 * Per-recipient merge, the only work done per reader.
 *
 * MJML is compiled once per issue with each recipient field replaced by an opaque marker
 * (`RcPt<nonce>x<n>rCpT`: letters and digits only, so Markdown, MJML, URL-normalisation and
 * html-to-text all leave it untouched). `compileMerge` splits the output at the markers once;
 * `fill` then joins static parts and escaped values: a few µs per reader.
 *
 * The nonce is random per template set (per process, in practice): a marker is only ever
 * produced by FieldTable, so text an author types (in an issue, a partial, the config, even
 * as HTML entities that Markdown decodes) can never be taken for one, whatever it looks like.
 */
import { randomBytes } from 'node:crypto';

/** A recipient field reference found in a template or issue body. */
export interface FieldRef {
  /** `recipient.name` → "name"; the special per-reader `unsubscribeUrl` → "@unsubscribeUrl". */
  key: string;
  /** Used when the reader's value is empty or missing. */
  fallback: string;
  /** Inside a URL after its start (`…?name={{recipient.name}}`): the value is percent-encoded. */
  url?: boolean;
}

/** Source syntax: `{{recipient.name}}`, `{{recipient.name | "reader"}}`, `{{unsubscribeUrl}}`. */
export const FIELD_SYNTAX = /\{\{\s*(recipient\.([A-Za-z_][\w-]*)|unsubscribeUrl)\s*(?:\|\s*"([^"]*)"\s*)?\}\}/g;

export const UNSUBSCRIBE_KEY = '@unsubscribeUrl';

/** The shape of any marker, whatever its nonce: for "did one survive?" checks. */
const ANY_MARKER = /RcPt[0-9a-f]{12}x\d+rCpT/;

/** Collects field references while templates and bodies are prepared for one issue. */
export class FieldTable {
  readonly refs: FieldRef[] = [];
  private index = new Map<string, number>();
  /** 12 hex digits, fixed length, so the slot number after the "x" is unambiguous. */
  readonly nonce: string;

  constructor(nonce = randomBytes(6).toString('hex')) {
    this.nonce = nonce;
  }

  private marker(i: number): string {
    return `RcPt${this.nonce}x${i}rCpT`;
  }

  /** Matches this table's markers only; group 1 is the slot. */
  markerPattern(): RegExp {
    return new RegExp(`RcPt${this.nonce}x(\\d+)rCpT`, 'g');
  }

  /** Whether `text` holds one of this table's markers (after fill it never should). */
  hasMarker(text: string): boolean {
    return new RegExp(`RcPt${this.nonce}x\\d+rCpT`).test(text);
  }

  /** `{{recipient.name}}` for a marker, so a message about the output can show what the author wrote. */
  describe(text: string): string {
    return text.replace(this.markerPattern(), (m, i: string) => {
      const ref = this.refs[Number(i)];
      if (!ref) return m;
      const name = ref.key === UNSUBSCRIBE_KEY ? 'unsubscribeUrl' : `recipient.${ref.key}`;
      return `{{${name}${ref.fallback ? ` | "${ref.fallback}"` : ''}}}`;
    });
  }

  /** Replace every field reference in `source` with its marker. */
  mark(source: string): string {
    return source.replace(FIELD_SYNTAX, (_m, _whole: string, name: string | undefined, fallback: string | undefined) =>
      this.marker(this.slot({ key: name ?? UNSUBSCRIBE_KEY, fallback: fallback ?? '' })),
    );
  }

  /**
   * A link or image URL from Markdown: a field after the URL's start is a query or path value,
   * so it gets its own slot whose value is percent-encoded ("Sam Reader" → "Sam%20Reader"). A
   * field that is the whole URL, or its start, is left as written.
   */
  markUrl(url: string): string {
    return url.replace(this.markerPattern(), (m, i: string, at: number) => {
      const ref = this.refs[Number(i)];
      return at === 0 || !ref || ref.key === UNSUBSCRIBE_KEY ? m : this.marker(this.slot({ ...ref, url: true }));
    });
  }

  private slot(ref: FieldRef): number {
    const id = `${ref.key}\u0000${ref.fallback}\u0000${ref.url ? 'url' : ''}`;
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.refs.length;
      this.refs.push(ref);
      this.index.set(id, i);
    }
    return i;
  }

  /** A copy that keeps the same marker numbers (templates are marked once, bodies per issue). */
  clone(): FieldTable {
    const t = new FieldTable(this.nonce);
    t.refs.push(...this.refs);
    for (const [k, v] of this.index) t.index.set(k, v);
    return t;
  }

  /** Names of the recipient columns referenced (excluding the unsubscribe URL). */
  fieldNames(): string[] {
    return [...new Set(this.refs.filter((r) => r.key !== UNSUBSCRIBE_KEY).map((r) => r.key))];
  }
}

/** Static parts interleaved with field slots: parts.length === slots.length + 1. */
export interface MergeTemplate {
  parts: string[];
  slots: number[];
}

/** Split `output` at the markers of `fields` (the table that marked it). */
export function compileMerge(output: string, fields: FieldTable): MergeTemplate {
  const parts: string[] = [];
  const slots: number[] = [];
  let last = 0;
  for (const m of output.matchAll(fields.markerPattern())) {
    // Defensive: a slot the table never issued is text, never an undefined value.
    if (Number(m[1]) >= fields.refs.length) continue;
    parts.push(output.slice(last, m.index));
    slots.push(Number(m[1]));
    last = m.index! + m[0].length;
  }
  parts.push(output.slice(last));
  return { parts, slots };
}

export interface MergeValues {
  /** List columns for this reader: email, name and any others. */
  recipient: Readonly<Record<string, string | undefined>>;
  /** This reader's one-click unsubscribe URL. */
  unsubscribeUrl: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/** Resolve every field once per reader (shared by the HTML, text and subject merges). */
export function resolveValues(refs: readonly FieldRef[], values: MergeValues): string[] {
  return refs.map((r) => {
    const v = r.key === UNSUBSCRIBE_KEY ? values.unsubscribeUrl : values.recipient[r.key];
    // Header-safe: a CR/LF in a list cell must never reach the subject line or the body raw.
    const clean =
      v == null
        ? ''
        : String(v)
            .replace(/[\r\n]+/g, ' ')
            .trim();
    const value = clean === '' ? r.fallback : clean;
    return r.url ? encodeURIComponent(value) : value;
  });
}

export function fill(t: MergeTemplate, resolved: readonly string[], asHtml: boolean): string {
  let out = t.parts[0];
  for (let i = 0; i < t.slots.length; i++) {
    const v = resolved[t.slots[i]];
    out += (asHtml ? escapeHtml(v) : v) + t.parts[i + 1];
  }
  return out;
}

/** Whether output still contains a marker (it should never, after fill). */
export const hasMarker = (s: string) => ANY_MARKER.test(s);
