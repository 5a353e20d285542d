/** Printing findings: grouped by severity, coloured on a TTY; or JSON for tools. */
import pc from 'picocolors';
import { formatLocation } from '../errors.js';
import type { IssueReport } from './run.js';
import type { Finding } from './types.js';
import { visible } from '../visible.js';

/** One line; the message quotes the issue's own text (URLs, subjects), so its control characters are shown, not obeyed. */
export function formatFinding(f: Finding): string {
  return visible(`${formatLocation(f)}${f.message} [${f.rule}]`);
}

/**
 * A template problem is found once per issue that uses the template; print it once with a
 * count instead of repeating the same line for every issue.
 */
function dedupe(reports: readonly IssueReport[]): (Finding & { issues: number })[] {
  const byKey = new Map<string, Finding & { issues: number }>();
  for (const f of reports.flatMap((r) => r.findings)) {
    const key = [f.severity, f.rule, f.file, f.line ?? '', f.message].join('\u0000');
    const seen = byKey.get(key);
    if (seen) seen.issues++;
    else byKey.set(key, { ...f, issues: 1 });
  }
  return [...byKey.values()];
}

/** Distinct errors and warnings, as the human output counts them (a template problem once). */
export function distinctCounts(reports: readonly IssueReport[]): { errors: number; warnings: number } {
  const all = dedupe(reports);
  return { errors: all.filter((f) => f.severity === 'error').length, warnings: all.filter((f) => f.severity === 'warning').length };
}

/** Human output: errors, then warnings, each `file:line: message [rule]`, then a summary line. */
export function formatReports(reports: readonly IssueReport[], colour: boolean): string {
  const c = pc.createColors(colour);
  const all = dedupe(reports);
  const errors = all.filter((f) => f.severity === 'error');
  const warnings = all.filter((f) => f.severity === 'warning');
  const lines: string[] = [];
  if (errors.length) {
    lines.push(c.bold(c.red(`Errors (${errors.length})`)));
    for (const f of errors) lines.push(`  ${c.red('✖')} ${formatFinding(f)}${times(f)}`);
  }
  if (warnings.length) {
    if (lines.length) lines.push('');
    lines.push(c.bold(c.yellow(`Warnings (${warnings.length})`)));
    for (const f of warnings) lines.push(`  ${c.yellow('!')} ${formatFinding(f)}${times(f)}`);
  }
  if (lines.length) lines.push('');
  const clean = reports.filter((r) => !r.findings.some((f) => f.severity === 'error')).length;
  const summary = `${reports.length} issue(s) checked: ${errors.length} error(s), ${warnings.length} warning(s)`;
  function times(f: Finding & { issues: number }): string {
    return f.issues > 1 ? c.dim(` (in ${f.issues} issues)`) : '';
  }
  lines.push(errors.length ? c.red(summary) : clean === reports.length && !warnings.length ? c.green(summary) : summary);
  return lines.join('\n') + '\n';
}

export function reportsJson(reports: readonly IssueReport[]): string {
  const all = reports.flatMap((r) => r.findings);
  return (
    JSON.stringify(
      {
        ok: !all.some((f) => f.severity === 'error'),
        errors: all.filter((f) => f.severity === 'error').length,
        warnings: all.filter((f) => f.severity === 'warning').length,
        issues: reports,
      },
      null,
      2,
    ) + '\n'
  );
}
