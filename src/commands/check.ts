/** `roundup check [files…] [--json]`: render and preflight issues, print findings, exit 1 on any error. */
import { distinctCounts, formatReports, reportsJson } from '../check/report.js';
import { checkFiles } from '../check/run.js';
import { runProjectChecks } from '../check/index.js';
import type { Environment } from '../env.js';
import { ErrorCodes, RoundupError } from '../errors.js';
import { openProject } from '../project.js';
import type { Terminal } from '../terminal.js';

export interface CheckArgs {
  files: string[];
  json: boolean;
}

export async function run(args: CheckArgs, terminal: Terminal, env: Environment): Promise<void> {
  const { root, config, templates, targets } = openProject(args.files, 'check', env.root);
  const reports = await checkFiles(targets, { root, config, templates, stateDir: env.stateDir });
  // Config-level findings (return path, DKIM alignment): reported once, with the first issue.
  const sender = runProjectChecks({ config, root });
  if (reports.length && sender.length) reports[0].findings.push(...sender);
  const text = args.json ? reportsJson(reports) : formatReports(reports, terminal.colour);
  terminal.out(text.replace(/\n$/, ''));
  // The same count as the summary line above it (a template error shared by issues counts once).
  const { errors } = distinctCounts(reports);
  if (errors) {
    throw new RoundupError(ErrorCodes.CHECK, `preflight found ${errors} error(s): fix them before sending`, {}, 1);
  }
}
