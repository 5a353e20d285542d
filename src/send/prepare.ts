/**
 * Everything a send needs before any state is touched: config, the rendered issue (MJML
 * compiled once), the list, and the preflight verdict. Refuses with one clear error when the
 * issue has preflight errors, so nothing is queued for an issue that should not go out.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { listColumns, resolveList, type ListRef } from '../lists/index.js';
import type { TemplateSet } from '../render/templates.js';
import type { RenderedIssue } from '../render/types.js';

export interface PreparedSend {
  root: string;
  config: Config;
  issue: RenderedIssue;
  /**
   * The list file and its columns. Its rows are not read here: the send streams them into the
   * state database (memory flat whatever the list's size); `--test` and `--dry-run` read them.
   */
  list: { ref: ListRef; file: string; columns: string[] };
  /** Preflight warnings (shown, not blocking). */
  warnings: string[];
}

/** `issues/2026-11.md`, `2026-11.md` or `2026-11` → the issue file. */
export function resolveIssueFile(arg: string, root = process.cwd()): string {
  const candidates = [path.resolve(root, arg), path.join(root, 'issues', arg), path.join(root, 'issues', `${arg}.md`)];
  const found = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (!found) {
    throw new RoundupError(ErrorCodes.NOT_FOUND, 'no such issue: give a file (issues/2026-11.md) or a slug (2026-11)', { file: arg });
  }
  return path.relative(root, found) || found;
}

/** The slug a status query means: file name without .md, whether or not the file still exists. */
export function slugOfArg(arg: string): string {
  return path.basename(arg).replace(/\.md$/i, '');
}

export async function prepareSend(
  issueArg: string,
  listArg: string,
  opts: { root?: string; config?: Config; skipChecks?: boolean; stateDir?: string } = {},
): Promise<PreparedSend> {
  const root = opts.root ?? process.cwd();
  const config = opts.config ?? loadConfig(root);
  const ref = resolveList(listArg, root);
  const list = { ref, file: ref.file, columns: await listColumns(ref) };
  const { renderIssueFile } = await import('../render/index.js');
  const { loadTemplates } = await import('../render/templates.js');
  const templates = loadTemplates(root);
  const issue = await renderIssueFile(resolveIssueFile(issueArg, root), { root, config, templates, stateDir: opts.stateDir });
  const warnings = opts.skipChecks ? [] : await preflight(issue, list, config, root, templates);
  return { root, config, issue, list, warnings };
}

/** Run the shared preflight (src/check) against this list's columns; throw on errors. */
export async function preflight(
  issue: RenderedIssue,
  list: { columns: readonly string[] },
  config: Config,
  root: string,
  templates?: TemplateSet,
): Promise<string[]> {
  const { runChecks } = await import('../check/index.js');
  const findings = await runChecks(issue, {
    config,
    root,
    templates,
    // email and name are always available (name may be empty: its fallback applies).
    knownFields: [...new Set(['email', 'name', ...list.columns])],
    skipClientSupport: true,
  });
  const where = (f: { file: string; line?: number }) => (f.line ? `${f.file}:${f.line}` : f.file);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length) {
    const lines = errors.slice(0, 10).map((f) => `  ${where(f)}: ${f.message} [${f.rule}]`);
    throw new RoundupError(
      ErrorCodes.CHECK,
      `refusing to send: preflight found ${errors.length} error${errors.length === 1 ? '' : 's'} (run roundup check ${issue.file})\n${lines.join('\n')}`,
      { file: issue.file },
    );
  }
  return findings.filter((f) => f.severity === 'warning').map((f) => `${where(f)}: ${f.message}`);
}
