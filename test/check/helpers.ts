/** A temp copy of the project with the check fixtures as issues, checked in-process. */
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runChecks, type Finding } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { renderIssueFile } from '../../src/render/index.js';
import { loadTemplates } from '../../src/render/templates.js';
import { FIXTURES, makeProject } from '../helpers/project.js';

export const CHECK_FIXTURES = path.join(FIXTURES, 'check');

export function checkProject(): string {
  const dir = makeProject({ withSampleIssues: true });
  for (const f of readdirSync(CHECK_FIXTURES)) cpSync(path.join(CHECK_FIXTURES, f), path.join(dir, 'issues', f));
  return dir;
}

/** Findings with `file` relative to the project (the checker reports cwd-relative paths). */
export async function check(dir: string, file: string, opts: { skipClientSupport?: boolean } = {}): Promise<(Finding & { rel: string })[]> {
  const config = loadConfig(dir);
  const issue = await renderIssueFile(file, { root: dir, config, templates: loadTemplates(dir) });
  const findings = await runChecks(issue, { config, root: dir, skipClientSupport: opts.skipClientSupport ?? true });
  return findings.map((f) => ({ ...f, rel: path.relative(dir, path.resolve(f.file)).split(path.sep).join('/') }));
}

/** 1-based line of the first line containing `needle` in a project file. */
export function lineOf(dir: string, file: string, needle: string): number {
  const i = readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in ${file}`);
  return i + 1;
}

/** Compact form for assertions: "error link-empty issues/links.md:12". */
export const brief = (f: Finding & { rel: string }) => `${f.severity} ${f.rule} ${f.rel}${f.line ? `:${f.line}` : ''}`;
