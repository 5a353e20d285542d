/**
 * A roundup project folder: its config, templates and issue files. Loaded once per command
 * (IO at the edge) and handed to the pure stages.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from './config.js';
import { ErrorCodes, RoundupError } from './errors.js';
import { loadTemplates, type TemplateSet } from './render/templates.js';

/** `issues/*.md`, sorted, as paths relative to the project root. */
export function listIssueFiles(root: string): string[] {
  const dir = path.join(root, 'issues');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join('issues', f));
}

export interface Project {
  root: string;
  config: Config;
  templates: TemplateSet;
  /** The files named on the command line, else every issue. */
  targets: string[];
}

/** Config, templates and the issues a command works on; `verb` names the command in the error. */
export function openProject(files: readonly string[], verb: string, root = process.cwd()): Project {
  const config = loadConfig(root);
  const templates = loadTemplates(root);
  const targets = files.length ? [...files] : listIssueFiles(root);
  if (!targets.length) {
    throw new RoundupError(ErrorCodes.NOT_FOUND, `no issues to ${verb}: add a Markdown file to issues/`, { file: 'issues/' });
  }
  return { root, config, templates, targets };
}
