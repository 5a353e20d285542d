/**
 * Before a real send: is the issue published? Every email links its web version ("view in
 * browser") and, for local images, loads them from the same site; sent before `roundup archive`
 * is deployed, readers get a dead link and empty boxes, and a sent email cannot be fixed.
 *
 * Each URL is asked for (HEAD, then GET if HEAD is not allowed):
 *   - 404 or 410 → the send is refused, naming what is missing;
 *   - the host cannot be reached at all (offline, no DNS, refused, timed out) → a warning, and
 *     the send goes on: an editor on a train must still be able to send;
 *   - any other failure status (403, 500…) → a warning.
 * A site on a reserved documentation domain (`.example`, `.invalid`, `.test`) is never asked:
 * it cannot be published, and asking would only wait for DNS.
 *
 * `planPublishCheck` and `judgePublished` are pure; `probe` is the network edge.
 */
import type { RenderedIssue } from '../render/types.js';

export interface PublishedUrl {
  url: string;
  /** What it is, for messages: "the web version" or the image as written. */
  what: string;
  kind: 'page' | 'image';
}

export type ProbeResult =
  | { url: string; status: number }
  | { url: string; unreachable: string }
  /** Something else went wrong (a TLS error, an invalid response). */
  | { url: string; failed: string };

export interface PublishVerdict {
  /** The reason to refuse, or undefined when the send may go on. */
  refuse?: string;
  warnings: string[];
}

const RESERVED = /(^|\.)(example|invalid|test)$|(^|\.)example\.(com|org|net)$/i;

/** Pure: the URLs a send of this issue depends on (each once), or none on a reserved domain. */
export function planPublishCheck(issue: RenderedIssue): { urls: PublishedUrl[]; skipped?: string } {
  const urls: PublishedUrl[] = [{ url: issue.webUrl, what: 'the web version', kind: 'page' }];
  const seen = new Set([issue.webUrl]);
  for (const img of issue.images) {
    if (!img.ok || seen.has(img.url)) continue;
    seen.add(img.url);
    urls.push({ url: img.url, what: `image "${img.src}"`, kind: 'image' });
  }
  const hosts = [...new Set(urls.map((u) => new URL(u.url).hostname))];
  const reserved = hosts.filter((h) => RESERVED.test(h));
  if (reserved.length === hosts.length) return { urls: [], skipped: `${reserved.join(', ')} is a reserved example domain` };
  return { urls: urls.filter((u) => !RESERVED.test(new URL(u.url).hostname)) };
}

const list = (items: string[], max = 3) =>
  items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;

/** Pure: what the answers mean for the send. */
export function judgePublished(issue: RenderedIssue, urls: readonly PublishedUrl[], results: readonly ProbeResult[]): PublishVerdict {
  const byUrl = new Map(results.map((r) => [r.url, r]));
  const missing: PublishedUrl[] = [];
  const warnings: string[] = [];
  const unreachable = new Map<string, string>();
  for (const u of urls) {
    const r = byUrl.get(u.url);
    if (!r) continue;
    if ('unreachable' in r) unreachable.set(new URL(u.url).host, r.unreachable);
    else if ('failed' in r) warnings.push(`could not check ${u.what} (${u.url}): ${r.failed}`);
    else if (r.status === 404 || r.status === 410) missing.push(u);
    else if (r.status >= 400) warnings.push(`${u.what} answers ${r.status} (${u.url}): readers may not see it`);
  }
  for (const [host, why] of unreachable) {
    warnings.push(
      `could not reach ${host} to check the issue is published (${why}): sending anyway; make sure \`roundup archive\` is deployed there`,
    );
  }
  if (!missing.length) return { warnings };
  const page = missing.find((m) => m.kind === 'page');
  const images = missing.filter((m) => m.kind === 'image');
  const what = [
    ...(page ? [`the web version (${page.url})`] : []),
    ...(images.length ? [`${images.length} image${images.length === 1 ? '' : 's'} (${list(images.map((i) => i.url))})`] : []),
  ].join(' and ');
  const draft = issue.meta.draft && page ? ' The issue is marked draft: true, which roundup archive leaves out: remove it first.' : '';
  return {
    warnings,
    refuse: `refusing to send: not published yet: 404 for ${what}: publish the archive first (\`roundup archive\`, then deploy), or send with --no-publish-check.${draft}`,
  };
}

/** Network causes that mean "this host cannot be reached", not "it answered". */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Ask for one URL: HEAD, then GET when HEAD is not allowed. The body is never read. */
export async function probe(url: string, timeoutMs = 10_000): Promise<ProbeResult> {
  try {
    let res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 405 || res.status === 501) {
      res = await fetch(url, { method: 'GET', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
    }
    return { url, status: res.status };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return { url, unreachable: `no answer within ${timeoutMs / 1000} s` };
    const code = err.cause?.code;
    if (code && UNREACHABLE.has(code)) return { url, unreachable: code };
    return { url, failed: err.cause?.message ?? err.message };
  }
}

/** Ask for every URL at once (an issue has the page and a handful of images). */
export async function probeAll(urls: readonly PublishedUrl[], timeoutMs?: number): Promise<ProbeResult[]> {
  return Promise.all(urls.map((u) => probe(u.url, timeoutMs)));
}
