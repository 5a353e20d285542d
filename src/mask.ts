/**
 * Credentials never reach a terminal or a log: every line the sender prints goes through
 * `mask`, which hides the password (and user) of any URL and any secret registered at start-up.
 */
const secrets = new Set<string>();

/** Register a literal to hide wherever it appears (e.g. the SMTP password from SMTP_URL). */
export function addSecret(s: string | undefined): void {
  if (s && s.length >= 3) {
    secrets.add(s);
    try {
      const dec = decodeURIComponent(s);
      if (dec !== s) secrets.add(dec);
    } catch {
      // not URI-encoded
    }
  }
}

/** `smtp://user:pass@host` → `smtp://user:****@host`; registered secrets → `****`. */
export function mask(text: string): string {
  let out = maskUserinfo(text);
  for (const s of secrets) out = out.split(s).join('****');
  return out;
}

/** True when a secret is registered (callers can skip work otherwise). */
export const hasSecrets = () => secrets.size > 0;

const isSchemeChar = (c: string) => /[a-z0-9+.-]/i.test(c);
const endsUserinfo = (c: string) => c === '/' || c === '@' || /\s/.test(c);

/** Where the password of each `scheme://user:password@` in the text is: [start, end). */
function* passwordSpans(text: string): Generator<[number, number]> {
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 3)) {
    // A scheme must precede: a letter then letters, digits, "+", "." or "-".
    let s = at;
    while (s > 0 && isSchemeChar(text[s - 1])) s--;
    if (s === at || !/[a-z]/i.test(text[s])) continue;
    // userinfo ends at the first "@" before any "/" or whitespace.
    let e = at + 3;
    while (e < text.length && !endsUserinfo(text[e])) e++;
    if (text[e] !== '@') continue;
    const colon = text.slice(at + 3, e).indexOf(':');
    if (colon === -1) continue;
    yield [at + 3 + colon + 1, e];
    at = e - 3; // resume after this userinfo
  }
}

/**
 * The password of every `scheme://user:password@` in the text, hidden. A scan from each "://"
 * rather than one regular expression: the pattern that did this backtracked over long words,
 * and this runs on every line printed, user text included.
 */
function maskUserinfo(text: string): string {
  let out = '';
  let copied = 0;
  for (const [from, to] of passwordSpans(text)) {
    out += `${text.slice(copied, from)}****`;
    copied = to;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Register the password of every credential URL in `text` (each command-line argument, SMTP_URL),
 * so it is masked wherever it is echoed later, even in a form the URL scan would not recognise
 * (`check smtp://user:pass@host` prints the path it tried as "smtp:/user:pass@host").
 */
export function addSecretsFrom(text: string | undefined): void {
  if (!text) return;
  for (const [from, to] of passwordSpans(text)) addSecret(text.slice(from, to));
}

/** For a URL shown as "the transport": no password at all. */
export function maskUrl(url: URL): string {
  const u = new URL(url.href);
  if (u.password) u.password = '****';
  return u.href.replace(/\/$/, '');
}
