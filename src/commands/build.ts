/** `roundup build [files…] [--out DIR] [--strict]`: render issues to dist/<slug>/index.html + index.txt, preflight each. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import type { Config } from '../config.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { uniqueOutputs, writeImages } from '../images/publish.js';
import { personalise, renderEach, renderIssueFile } from '../render/index.js';
import type { TemplateSet } from '../render/templates.js';
import type { RenderedIssue } from '../render/types.js';
import { openProject } from '../project.js';
import { sampleValues } from '../sample.js';
import type { Terminal } from '../terminal.js';

export interface BuiltIssue {
  issue: RenderedIssue;
  html: string;
  text: string;
  htmlPath: string;
  textPath: string;
}

/** Render one issue with the sample reader and write it under `out`. */
export async function buildIssue(
  file: string,
  opts: { root: string; out: string; config: Config; templates: TemplateSet; stateDir?: string },
): Promise<BuiltIssue> {
  return writeIssue(await renderIssueFile(file, opts), opts);
}

/** Write a rendered issue, filled for the sample reader, to `out/<slug>/`. */
export function writeIssue(issue: RenderedIssue, opts: { out: string; config: Config }): BuiltIssue {
  if (opts.config.validation === 'strict' && issue.mjmlErrors.length) {
    const e = issue.mjmlErrors[0];
    throw new RoundupError(
      ErrorCodes.MJML,
      `MJML line ${e.line} (${e.tagName}): ${e.message} [from template "${issue.meta.template}"; ${issue.mjmlErrors.length} error(s) in all]`,
      { file: issue.file },
    );
  }
  const p = personalise(issue, sampleValues(opts.config));
  const dir = path.join(opts.out, issue.slug);
  mkdirSync(dir, { recursive: true });
  const htmlPath = path.join(dir, 'index.html');
  const textPath = path.join(dir, 'index.txt');
  writeFileSync(htmlPath, p.html);
  writeFileSync(textPath, p.text);
  // The compiled MJML, for debugging templates and for the benchmark's mjml-CLI comparison.
  // Fields as the author wrote them ({{recipient.name}}), not the run's random markers: the same bytes every build.
  writeFileSync(path.join(dir, 'email.mjml'), issue.fieldTable.describe(issue.mjml));
  // Local images beside the page, at the path the email links (as the archive publishes them).
  writeImages(issue.images, opts.out, { prune: path.join(dir, 'images') });
  return { issue, html: p.html, text: p.text, htmlPath, textPath };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const human = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : kb(n));

/** One line per processed image: what an editor needs to see a 10 MB photo became 150 KB. */
export function imageLines(images: RenderedIssue['images'], out: string): string[] {
  return uniqueOutputs(images).map(({ image: i, sitePath, from }) => {
    const dest = path.relative(process.cwd(), path.join(out, sitePath));
    const was = `${i.source.width}×${i.source.height} ${i.source.format.toUpperCase()}, ${human(i.source.bytes)}`;
    return `  image ${path.relative(process.cwd(), from)} → ${dest} (${i.width}×${i.height}, ${human(i.bytes)}; was ${was}${i.cached ? '; cached' : ''})`;
  });
}

export interface BuildArgs {
  files: string[];
  out: string;
  strict?: boolean;
}

/**
 * Build renders everything it can and runs the preflight on each issue. A file that cannot be
 * rendered fails the build; preflight errors (a TODO link, a missing alt text) are printed
 * but only fail the build with --strict, so a half-written draft still previews. `check`
 * and `send` are the gates that refuse them.
 */
export async function run(args: BuildArgs, terminal: Terminal, env: Environment): Promise<void> {
  const { root, config, templates, targets } = openProject(args.files, 'build', env.root);
  const c = pc.createColors(terminal.colour);
  const ce = pc.createColors(terminal.errColour);
  const out = path.resolve(root, args.out);
  let checkErrors = 0;
  const failed = await renderEach(
    targets,
    { root, config, templates, stateDir: env.stateDir },
    async (issue) => {
      const b = writeIssue(issue, { out, config });
      const size = Buffer.byteLength(b.html);
      terminal.out(
        `${c.green('built')} ${b.issue.file} → ${path.relative(process.cwd(), b.htmlPath)} (${kb(size)} HTML, ${kb(Buffer.byteLength(b.text))} text)`,
      );
      for (const line of imageLines(b.issue.images, out)) terminal.out(line);
      // Preflight (src/check): the same rules as `roundup check`, including the size limits.
      const { runChecks, formatFinding } = await import('../check/build-hook.js');
      const findings = await runChecks(b.issue, { config, root, templates });
      for (const f of findings) terminal.err(`${f.severity === 'error' ? ce.red('error') : ce.yellow('warning')} ${formatFinding(f)}`);
      checkErrors += findings.filter((f) => f.severity === 'error').length;
    },
    (e) => terminal.err(`roundup: ${e.format()}`),
  );
  if (failed) {
    throw new RoundupError(ErrorCodes.CHECK, `${failed} of ${targets.length} issue(s) failed to build`, {}, 1);
  }
  if (checkErrors) {
    const msg = `${checkErrors} preflight error(s): fix them before sending (send refuses; roundup check lists them)`;
    if (args.strict) throw new RoundupError(ErrorCodes.CHECK, msg, {}, 1);
    terminal.err(`${ce.yellow('note')} ${msg}`);
  }
}
