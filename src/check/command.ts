/** `roundup check`: render and preflight issues, print findings, exit 1 on any error. */
import { openProject } from '../project.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { distinctCounts, formatReports, reportsJson } from './report.js';
import { checkFiles } from './run.js';
import { checkDeliverability } from './deliverability.js';
import { withoutIgnored } from './index.js';

export async function runCheckCommand(files: string[], opts: { json: boolean; root?: string }): Promise<void> {
  const { root, config, templates, targets } = openProject(files, 'check', opts.root);
  const reports = await checkFiles(targets, { root, config, templates });
  // Config-level findings, reported once (with the first issue) rather than per issue.
  const sender = withoutIgnored(checkDeliverability(config, root), config.check.ignore);
  if (reports.length && sender.length) reports[0].findings.push(...sender);
  process.stdout.write(opts.json ? reportsJson(reports) : formatReports(reports));
  // The same count as the summary line above it (a template error shared by issues counts once).
  const { errors } = distinctCounts(reports);
  if (errors) {
    throw new RoundupError(ErrorCodes.CHECK, `preflight found ${errors} error(s): fix them before sending`, {}, 1);
  }
}
