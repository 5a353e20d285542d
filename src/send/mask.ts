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
  let out = text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]*)@/gi,
    (_m, scheme: string, user: string) => `${scheme}${user}:****@`,
  );
  for (const s of secrets) out = out.split(s).join('****');
  return out;
}

/** For a URL shown as "the transport": no password at all. */
export function maskUrl(url: URL): string {
  const u = new URL(url.href);
  if (u.password) u.password = '****';
  return u.href.replace(/\/$/, '');
}
