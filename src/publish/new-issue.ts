/**
 * `roundup new [--date YYYY-MM] [--template NAME] [--title TEXT]`: write issues/<YYYY-MM>.md
 * from the scaffold. The file is created with flag 'wx' (O_EXCL), so an existing issue is never
 * overwritten, even by two editors running `new` at the same moment.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listIssueFiles } from '../project.js';
import { loadConfig } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { parseIssueSource } from '../issue/frontmatter.js';
import { loadTemplates } from '../render/templates.js';
import type { IssueMeta } from '../issue/types.js';
import { nextMonth, parseIssueMonth, pickTitle, scaffoldIssue, scaffoldValues } from './scaffold.js';

export interface NewIssueOptions {
  root?: string;
  date?: string;
  template?: string;
  title?: string;
  /** For tests: "today". */
  now?: Date;
}

const rel = (p: string) => path.relative(process.cwd(), p) || p;

/** Front-matter of the existing issues; a file that does not parse is skipped (build reports it). */
function existingMeta(root: string): IssueMeta[] {
  const out: IssueMeta[] = [];
  for (const f of listIssueFiles(root)) {
    try {
      out.push(parseIssueSource(readFileSync(path.join(root, f), 'utf8'), f).meta);
    } catch {
      // Not our concern here: `roundup build` and `check` report broken issues.
    }
  }
  return out;
}

export function scaffoldFileFor(root: string, template: string): string {
  const specific = path.join(root, 'templates', `scaffold-${template}.md`);
  return existsSync(specific) ? specific : path.join(root, 'templates', 'scaffold.md');
}

/** Create the issue file; returns its path. */
export function createIssue(opts: NewIssueOptions = {}): string {
  const root = opts.root ?? process.cwd();
  const config = loadConfig(root);
  const when = opts.date === undefined ? nextMonth(opts.now ?? new Date()) : parseIssueMonth(opts.date);
  if (!when) {
    throw new RoundupError(
      ErrorCodes.USAGE,
      `--date "${opts.date}" is not a month: use YYYY-MM, e.g. --date ${nextMonth(new Date()).month}`,
    );
  }
  const template = opts.template ?? 'roundup';
  const layouts = [...loadTemplates(root).layouts.keys()];
  if (!layouts.includes(template)) {
    throw new RoundupError(ErrorCodes.USAGE, `--template "${template}" is not a template in templates/ (available: ${layouts.join(', ')})`);
  }
  if (opts.title !== undefined && opts.title.trim() === '') {
    throw new RoundupError(ErrorCodes.USAGE, '--title must not be empty');
  }
  const title = opts.title?.trim() ?? pickTitle(existingMeta(root), template, config);

  const scaffoldFile = scaffoldFileFor(root, template);
  let source: string;
  try {
    source = readFileSync(scaffoldFile, 'utf8');
  } catch {
    throw new RoundupError(ErrorCodes.NOT_FOUND, 'no scaffold for new issues: restore templates/scaffold.md', { file: rel(scaffoldFile) });
  }
  const text = scaffoldIssue(source, scaffoldValues({ title, when, template, locale: config.locale }), rel(scaffoldFile));

  const file = path.join(root, 'issues', `${when.month}.md`);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new RoundupError(
        ErrorCodes.EXISTS,
        `already exists; roundup new never overwrites an issue: edit it, or choose another month with --date YYYY-MM`,
        { file: rel(file) },
      );
    }
    throw new RoundupError(ErrorCodes.NOT_FOUND, `cannot create the issue file: ${(e as Error).message}`, { file: rel(file) });
  }
  return file;
}
