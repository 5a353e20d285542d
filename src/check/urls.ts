/** URL rules shared by links and images: what is broken, what is merely risky. */

export interface UrlProblem {
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

/** Journalists' "to come" marker and the developer's TODO, as whole words. */
const PLACEHOLDER = /TODO|(?:^|[^A-Za-z])TK(?:[^A-Za-z]|$)/;
/** RFC 2606 reserves example.com/.org/.net for documentation; `.example` is our fictional TLD and fine. */
const EXAMPLE_HOST = /(^|\.)example\.(com|org|net)$/i;

export function safeDecode(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}

/**
 * Problems with one URL. `anchors` are the in-email section ids, the only valid `#…` targets;
 * `what` is "link" or "image" for the messages.
 */
export function urlProblems(raw: string, what: 'link' | 'image', anchors: ReadonlySet<string>): UrlProblem[] {
  const href = raw.trim();
  const shown = safeDecode(href);
  if (!href) {
    return [
      {
        severity: 'error',
        rule: `${what}-empty`,
        message: `${what} has no URL: put the address between the round brackets, [text](https://…)`,
      },
    ];
  }
  if (href === '#') {
    return [
      {
        severity: 'error',
        rule: `${what}-placeholder`,
        message: `${what} URL is a bare "#" placeholder: replace it with the real address`,
      },
    ];
  }
  if (PLACEHOLDER.test(shown)) {
    return [
      {
        severity: 'error',
        rule: `${what}-placeholder`,
        message: `${what} URL "${shown}" still contains a TODO/TK placeholder: replace it with the real address`,
      },
    ];
  }
  if (href.startsWith('#') && what === 'link') {
    if (anchors.has(shown.slice(1))) return [];
    return [
      {
        severity: 'error',
        rule: 'link-malformed',
        message: `link "${shown}" points to no section of this email (section ids: ${[...anchors].slice(0, 5).join(', ') || 'none'})`,
      },
    ];
  }
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return [
      {
        severity: 'error',
        rule: `${what}-malformed`,
        message: `${what} URL "${shown}" is not an absolute address (an email has no base URL): write it in full, https://…`,
      },
    ];
  }
  const allowed = what === 'link' ? ['http:', 'https:', 'mailto:', 'tel:'] : ['http:', 'https:'];
  if (!allowed.includes(url.protocol)) {
    return [
      {
        severity: 'error',
        rule: `${what}-malformed`,
        message: `${what} URL "${shown}" uses "${url.protocol}", which email clients will not open: use ${allowed.map((p) => p.slice(0, -1)).join('/')}`,
      },
    ];
  }
  if (url.protocol === 'mailto:') {
    return /^[^@\s]+@[^@\s]+\.[^@\s]+/.test(decodeURIComponent(url.pathname))
      ? []
      : [{ severity: 'error', rule: 'link-malformed', message: `link "${shown}" is not a valid mailto: address` }];
  }
  if (url.protocol === 'tel:') return [];
  if (!url.hostname.includes('.')) {
    return [
      {
        severity: 'error',
        rule: `${what}-malformed`,
        message: `${what} URL "${shown}" has no domain ("${url.hostname}"): check for a missing dot or a typo after https://`,
      },
    ];
  }
  const out: UrlProblem[] = [];
  if (url.protocol === 'http:') {
    out.push({
      severity: 'warning',
      rule: `${what}-http`,
      message: `${what} uses insecure http: "${shown}": use https:// if the site supports it`,
    });
  }
  if (EXAMPLE_HOST.test(url.hostname)) {
    out.push({
      severity: 'warning',
      rule: `${what}-example-domain`,
      message: `${what} points to the documentation domain ${url.hostname}: replace it with the real address`,
    });
  }
  return out;
}
