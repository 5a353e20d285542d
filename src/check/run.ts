/** Check a set of issue files: render each (a render error is itself a finding), then run the rules. */
import type { Config } from '../config.js';
import { renderEach } from '../render/index.js';
import type { TemplateSet } from '../render/templates.js';
import { runChecks } from './index.js';
import type { Finding } from './types.js';

export interface IssueReport {
  file: string;
  findings: Finding[];
}

export async function checkFiles(
  files: readonly string[],
  opts: { root: string; config: Config; templates: TemplateSet; knownFields?: readonly string[]; stateDir?: string },
): Promise<IssueReport[]> {
  const reports: IssueReport[] = [];
  await renderEach(
    files,
    opts,
    async (issue) => {
      reports.push({ file: issue.file, findings: await runChecks(issue, opts) });
    },
    (e, file) => {
      reports.push({ file, findings: [{ severity: 'error', rule: 'render', message: e.message, file: e.file ?? file, line: e.line }] });
    },
  );
  return reports;
}
