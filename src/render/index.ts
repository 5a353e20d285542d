/**
 * The render pipeline, stage by stage. Each stage is a small exported function that can
 * be tested alone; this file only wires them in order:
 *
 *   1. parseIssueSource   file text → front-matter + Markdown body   (src/issue/frontmatter.ts)
 *   2. expandPartials     {{> name}} → standing content             (src/issue/partials.ts)
 *   3. FieldTable.mark    {{recipient.x}} → merge markers            (src/render/merge.ts)
 *   4. tokenize           Markdown → tokens, parsed once             (src/issue/markdown.ts)
 *   5. resolveImages      local images → processed files and URLs    (src/images/index.ts; IO
 *                         through env.images, cached: no decoding when nothing changed)
 *   6. parseBody          tokens → intro, sections, blocks           (src/issue/markdown.ts)
 *   7. layout             Handlebars layout → MJML                   (src/render/templates.ts)
 *   8. compileMjml        MJML → HTML, once per issue                (src/render/mjml.ts)
 *   9. sizeImages         width/height on local images' <img>        (src/images/index.ts)
 *  10. renderTextLines    model → plain-text lines (wrapped: compileText) (src/render/text.ts)
 *  11. compileMerge       outputs split at markers                   (src/render/merge.ts)
 *
 * Per reader, only `personalise` runs: it fills the markers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ErrorCodes, isRoundupError, RoundupError } from '../errors.js';
import { parseIssueSource } from '../issue/frontmatter.js';
import { defaultImageProcessor, imageHook, resolveImages, sizeImages, type ImageProcessor } from '../images/index.js';
import { imageRefs, parseBody, parseSnippet, snippetBody, tokenize, type InlineStyle } from '../issue/markdown.js';
import { expandPartials } from '../issue/partials.js';
import { formatIssueDate, formatIssueDay, slugOf, webUrlFor } from '../naming.js';
import { compileMerge, fill, hasMarker, resolveValues, type MergeValues } from './merge.js';
import { compileMjml } from './mjml.js';
import { introSnippet, PREHEADER_FILLER } from './preheader.js';
import { loadTemplates, type TemplateSet } from './templates.js';
import { compileText, fillText, renderTextLines } from './text.js';
import type { IssueModel } from '../issue/types.js';
import type { Personalised, RenderedIssue } from './types.js';

export type { RenderedIssue, Personalised } from './types.js';
export type { MergeValues } from './merge.js';

export interface RenderEnv {
  config: Config;
  templates: TemplateSet;
  /** The project folder: local images must lie inside it (default: the working directory). */
  root?: string;
  /** Processes local images (default: sharp, cached under `<stateDir>/cache/images`). */
  images?: ImageProcessor;
  /** The environment's state directory (ROUNDUP_STATE_DIR), where the image cache lives. */
  stateDir?: string;
}

/** Pure apart from MJML: issue source text → rendered issue ready for personalisation. */
export async function renderIssue(source: string, file: string, env: RenderEnv): Promise<RenderedIssue> {
  const { config, templates } = env;
  const slug = slugOf(file);
  const parsed = parseIssueSource(source, file);
  const { meta } = parsed;
  const layout = templates.layouts.get(meta.template);
  if (!layout) {
    throw new RoundupError(
      ErrorCodes.TEMPLATE,
      `front-matter "template": unknown template "${meta.template}" (available: ${[...templates.layouts.keys()].join(', ')})`,
      { file, line: parsed.lineOf('template') },
    );
  }
  const expanded = expandPartials(
    parsed.body,
    { file, line: parsed.bodyLine },
    (name) => templates.partials.get(name),
    () => [...templates.partials.keys()],
  );
  const fields = templates.fields.clone();
  expanded.text = fields.mark(expanded.text);
  const subject = fields.mark(meta.subject);

  const c = config.colours;
  const style: InlineStyle = { link: c.link, muted: c.muted, heading: c.brand, font: config.font, locale: config.locale };
  const markUrl = (url: string) => fields.markUrl(url);
  const tokens = tokenize(expanded.text, style.locale);
  const signoffSource = fields.mark(meta.signoff ?? config.signoff);
  const signoffPos = { file: meta.signoff ? file : 'roundup.config.yaml', line: meta.signoff ? parsed.lineOf('signoff') : 1 };
  const signoffTokens = tokenize(signoffSource, style.locale);
  const root = env.root ?? process.cwd();
  const images = await resolveImages(
    // A path with a recipient field cannot name one file: the preflight reports it as a URL.
    [...imageRefs(tokens, expanded), ...imageRefs(signoffTokens, snippetBody(signoffSource, signoffPos))].filter((r) => !hasMarker(r.src)),
    { slug, config, root, cwd: process.cwd(), processor: env.images ?? defaultImageProcessor(config, { root, stateDir: env.stateDir }) },
  );
  const image = imageHook(images);
  const body = parseBody(expanded, style, markUrl, { tokens, image });
  // Without a preheader, the inbox shows the intro's first sentence, not the browser link.
  const preheader = meta.preheader ? fields.mark(meta.preheader) : introSnippet(body.intro);
  const model: IssueModel = {
    meta,
    intro: body.intro,
    sections: body.sections,
    signoff: parseSnippet(signoffSource, signoffPos, style, markUrl, { tokens: signoffTokens, image }),
  };

  const webUrl = webUrlFor(config, slug);
  const dateFormatted = formatIssueDate(meta.date, config.locale);
  const dateLong = formatIssueDay(meta.date, config.locale);
  const numbered = meta.template !== 'digest';
  const unsubscribeUrl = fields.mark('{{unsubscribeUrl}}');
  const context = {
    ...meta.extra,
    ...meta,
    subject,
    preheader,
    preheaderFiller: PREHEADER_FILLER,
    slug,
    // The full tag (en-GB), not just the language: screen readers pick the voice from it.
    lang: config.locale,
    dateFormatted,
    dateLong,
    webUrl,
    unsubscribeUrl,
    organisation: config.organisation,
    address: config.address,
    colours: config.colours,
    dark: config.dark,
    cta: config.cta,
    font: config.font,
    logo: config.logo,
    siteUrl: config.siteUrl,
    intro: model.intro,
    sections: model.sections,
    signoff: model.signoff,
  };
  let mjml: string;
  try {
    mjml = layout(context);
  } catch (e) {
    throw new RoundupError(ErrorCodes.TEMPLATE, `template error: ${e instanceof Error ? e.message : String(e)}`, {
      file: templates.layoutFile(meta.template),
    });
  }
  const compiled = await compileMjml(mjml, config.validation);
  const html = sizeImages(compiled.html, images);
  const errors = compiled.errors;
  const textLines = renderTextLines(model, {
    // The digest is weekly: "November 2026" would not tell one issue from the next.
    date: numbered ? dateFormatted : dateLong,
    webUrl,
    organisation: config.organisation,
    address: config.address,
    unsubscribeUrl,
    numbered,
  });
  return {
    file,
    slug,
    meta,
    model,
    mjml,
    html: compileMerge(html, fields),
    text: compileText(textLines, fields),
    subject: compileMerge(subject, fields),
    preheader: compileMerge(preheader, fields),
    refs: fields.refs,
    fields: fields.fieldNames(),
    fieldTable: fields,
    mjmlErrors: errors,
    webUrl,
    images,
    source,
    frontMatterLine: parsed.lineOf,
  };
}

/** Read and render one issue file (IO at the edge). */
export async function renderIssueFile(
  file: string,
  opts: { root?: string; config: Config; templates?: TemplateSet; images?: ImageProcessor; stateDir?: string },
): Promise<RenderedIssue> {
  const root = opts.root ?? process.cwd();
  const display = path.relative(process.cwd(), path.resolve(root, file)) || file;
  let source: string;
  try {
    source = readFileSync(path.resolve(root, file), 'utf8');
  } catch {
    throw new RoundupError(ErrorCodes.NOT_FOUND, 'no such issue file: check the path (issues live in issues/*.md)', { file: display });
  }
  return renderIssue(source, display, {
    config: opts.config,
    templates: opts.templates ?? loadTemplates(root),
    root,
    images: opts.images,
    stateDir: opts.stateDir,
  });
}

/**
 * Render each file in turn and hand the result to `use`. A RoundupError, from the render or
 * from `use`, goes to `onError` and the loop carries on, so one broken issue never hides the
 * others; anything else is a bug and propagates. Returns how many files failed.
 */
export async function renderEach(
  files: readonly string[],
  opts: { root: string; config: Config; templates: TemplateSet; stateDir?: string },
  use: (issue: RenderedIssue) => Promise<void> | void,
  onError: (e: RoundupError, file: string) => void,
): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      await use(await renderIssueFile(file, opts));
    } catch (e) {
      if (!isRoundupError(e)) throw e;
      failed++;
      onError(e, file);
    }
  }
  return failed;
}

/**
 * Per reader: the inbox row (subject, preheader) and both parts, fields filled (HTML-escaped in
 * the HTML part, plain elsewhere). Build, preview, check and the archive all personalise here.
 */
export function personalise(issue: RenderedIssue, values: MergeValues): Personalised {
  const resolved = resolveValues(issue.refs, values);
  return {
    subject: fill(issue.subject, resolved, false),
    preheader: fill(issue.preheader, resolved, false),
    html: fill(issue.html, resolved, true),
    text: fillText(issue.text, resolved),
  };
}
