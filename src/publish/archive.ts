/**
 * `roundup archive [--out DIR]`: the public web archive (IO; the pages are built by the pure
 * functions in archive-site.ts and feeds.ts).
 *
 * Each issue is rendered like an email and personalised with neutral values: no reader (so
 * fallbacks such as "colleague" show) and, instead of a personal unsubscribe link, the
 * generic `/u/` page of `roundup serve`. No token ever reaches the public site.
 *
 * The site is written to a fresh folder beside DIR and swapped in, so a server reading DIR
 * never sees half an archive, and an issue turned back into a draft disappears. A folder that
 * is not empty and not a previous archive (no marker file) is never replaced.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniqueOutputs, writeImages } from '../images/publish.js';
import type { IssueImage } from '../images/types.js';
import { listIssueFiles } from '../project.js';
import { loadConfig, type Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { personalise, renderIssueFile } from '../render/index.js';
import type { MergeValues } from '../render/merge.js';
import { loadTemplates, type TemplateSet } from '../render/templates.js';
import { unsubscribeBase } from '../naming.js';
import { FEED_FILES, indexPage, issuePage, siteName, type ArchiveEntry, type Site } from './archive-site.js';
import { buildFeeds } from './feeds.js';
import { brandOf } from './html.js';

export const DEFAULT_ARCHIVE_DIR = path.join('dist', 'archive');
/** Marks a folder as ours to replace. */
export const ARCHIVE_MARKER = '.roundup-archive';

/** The values an archive page is personalised with: nobody in particular. */
export function neutralValues(config: Config): MergeValues {
  return { recipient: {}, unsubscribeUrl: `${unsubscribeBase(config)}/u/` };
}

export interface ArchiveResult {
  out: string;
  entries: ArchiveEntry[];
  /** Issue files left out because their front-matter says `draft: true`. */
  drafts: string[];
  /** Local images published with the issues. */
  images: number;
}

/** Render every published issue (drafts skipped). Throws on the first issue that fails. */
export async function collectEntries(
  root: string,
  config: Config,
  templates: TemplateSet,
  stateDir?: string,
): Promise<{ entries: ArchiveEntry[]; drafts: string[]; images: IssueImage[] }> {
  const entries: ArchiveEntry[] = [];
  const drafts: string[] = [];
  const images: IssueImage[] = [];
  const values = neutralValues(config);
  for (const file of listIssueFiles(root)) {
    const issue = await renderIssueFile(file, { root, config, templates, stateDir });
    if (issue.meta.draft) {
      drafts.push(issue.file);
      continue;
    }
    // A published page must not show a broken image: the first problem stops the archive.
    const broken = issue.images.find((i) => !i.ok);
    if (broken && !broken.ok) throw new RoundupError(ErrorCodes.CHECK, broken.problem.message, broken.pos);
    images.push(...issue.images);
    if (config.validation === 'strict' && issue.mjmlErrors.length) {
      const e = issue.mjmlErrors[0];
      throw new RoundupError(ErrorCodes.MJML, `MJML line ${e.line} (${e.tagName}): ${e.message} [from template "${issue.meta.template}"]`, {
        file: issue.file,
      });
    }
    const p = personalise(issue, values);
    if (issue.fieldTable.hasMarker(p.html) || issue.fieldTable.hasMarker(p.subject)) {
      throw new RoundupError(ErrorCodes.TEMPLATE, 'a recipient field was left unfilled in the archive page', { file: issue.file });
    }
    entries.push({
      slug: issue.slug,
      title: issue.meta.title,
      subject: p.subject,
      date: issue.meta.date,
      preheader: p.preheader,
      url: issue.webUrl,
      html: p.html,
    });
  }
  return { entries, drafts, images };
}

export function siteFor(config: Config, entries: readonly ArchiveEntry[]): Site {
  return {
    base: config.siteUrl.replace(/\/+$/, ''),
    name: siteName(entries, config.organisation),
    locale: config.locale,
    brand: brandOf(config),
  };
}

/** Every file of the site, by path relative to its root. Pure. */
export function siteFiles(entries: readonly ArchiveEntry[], site: Site): Map<string, string> {
  const files = new Map<string, string>();
  files.set('index.html', indexPage(entries, site));
  const { rss, atom } = buildFeeds(entries, site);
  files.set(FEED_FILES.rss, rss);
  files.set(FEED_FILES.atom, atom);
  for (const e of entries) files.set(`${e.slug}/index.html`, issuePage(e, site));
  files.set(
    ARCHIVE_MARKER,
    `Built by roundup archive. This folder is replaced on every build.\n${entries.map((e) => e.slug).join('\n')}\n`,
  );
  return files;
}

const rel = (p: string) => path.relative(process.cwd(), p) || p;

/** Refuse to replace a folder we did not make. */
function assertReplaceable(out: string): void {
  if (!existsSync(out)) return;
  let names: string[];
  try {
    names = readdirSync(out);
  } catch {
    throw new RoundupError(ErrorCodes.EXISTS, 'is not a folder: choose another --out', { file: rel(out) });
  }
  if (names.length && !names.includes(ARCHIVE_MARKER)) {
    throw new RoundupError(
      ErrorCodes.EXISTS,
      `is not empty and was not made by roundup archive; it would be replaced: choose another --out or empty it`,
      { file: rel(out) },
    );
  }
}

/** Write the site (and copy the issues' images into it) beside `out`, then swap it in. */
function writeSite(out: string, files: Map<string, string>, images: readonly IssueImage[] = []): void {
  assertReplaceable(out);
  // The fresh copy is made beside `out`, so its parent must be a folder we can create.
  const parent = path.dirname(out);
  if (existsSync(parent) && !statSync(parent).isDirectory()) {
    throw new RoundupError(ErrorCodes.EXISTS, 'part of this path is a file, not a folder: choose another --out', { file: rel(out) });
  }
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const fresh = `${out}.new-${tag}`;
  const old = `${out}.old-${tag}`;
  try {
    for (const [name, text] of files) {
      const file = path.join(fresh, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    // Each at `<slug>/images/<name>`: exactly the path under siteUrl (or assets.baseUrl) the email links.
    writeImages(images, fresh);
    if (existsSync(out)) renameSync(out, old);
    renameSync(fresh, out);
  } finally {
    // Cleanup must never hide the error that brought us here.
    for (const leftover of [fresh, old]) {
      try {
        rmSync(leftover, { recursive: true, force: true });
      } catch {
        // nothing to clean, or nothing we can
      }
    }
  }
}

export async function buildArchive(opts: { root?: string; out?: string; stateDir?: string } = {}): Promise<ArchiveResult> {
  const root = opts.root ?? process.cwd();
  const config = loadConfig(root);
  const templates = loadTemplates(root);
  const out = path.resolve(root, opts.out ?? DEFAULT_ARCHIVE_DIR);
  const { entries, drafts, images } = await collectEntries(root, config, templates, opts.stateDir);
  writeSite(out, siteFiles(entries, siteFor(config, entries)), images);
  return { out, entries, drafts, images: uniqueOutputs(images).length };
}
