/**
 * Preflight: every problem that would embarrass an editor in an inbox, found before sending.
 * `runChecks` is shared by `roundup check`, `build`, `send` and the preview server.
 *
 * Every rule is `(ctx) => Finding[]` and is listed once in RULES; the context (context.ts) is
 * built once per issue from what the render already has. One module per rule family; each
 * finding names the file (issue, partial, template or config) and, where it can, the line.
 * To add a rule: write it in the module of its family (or a new one), taking a CheckContext
 * and reading nothing else, add it to RULES, and document its id in README's rule table. A rule
 * about the settings rather than an issue takes a ProjectContext and goes in PROJECT_RULES.
 */
import type { RenderedIssue } from '../render/types.js';
import { checkContrast, checkHeadings, checkLang } from './accessibility.js';
import { checkClientSupport } from './clients.js';
import { checkContext, projectContext } from './context.js';
import { checkDeliverability } from './deliverability.js';
import { checkEnvelope } from './envelope.js';
import { checkFields, checkUnresolved } from './fields.js';
import { checkImages, checkLocalImages } from './images.js';
import { checkLinks, checkTemplateLinks } from './links.js';
import { checkMjml } from './mjml.js';
import { checkSize } from './size.js';
import type { CheckOptions, Finding, ProjectRule, Rule } from './types.js';

export type { CheckContext, CheckOptions, Finding, ProjectContext, ProjectRule, Rule, Severity } from './types.js';
export { knownRecipientFields } from './fields.js';

/** Every preflight rule, in the order their findings are gathered (they are sorted afterwards). */
export const RULES: readonly Rule[] = [
  checkMjml,
  checkSize,
  checkImages,
  checkLocalImages,
  checkLinks,
  checkTemplateLinks,
  checkFields,
  checkUnresolved,
  checkEnvelope,
  checkLang,
  checkHeadings,
  checkContrast,
  checkClientSupport,
];

/** Rules about the project's settings rather than an issue: `roundup check` reports them once. */
export const PROJECT_RULES: readonly ProjectRule[] = [checkDeliverability];

export async function runChecks(issue: RenderedIssue, opts: CheckOptions): Promise<Finding[]> {
  const ctx = await checkContext(issue, opts);
  const findings = RULES.flatMap((rule) => rule(ctx));
  return sortFindings(withoutIgnored(findings, opts.config.check.ignore));
}

/** The project rules, once per run. */
export function runProjectChecks(opts: Pick<CheckOptions, 'config' | 'root'>): Finding[] {
  const ctx = projectContext(opts.config, opts.root);
  return sortFindings(
    withoutIgnored(
      PROJECT_RULES.flatMap((rule) => rule(ctx)),
      opts.config.check.ignore,
    ),
  );
}

/** Drop warnings named in config `check.ignore` ("rule" or "rule:feature"); errors always stay. */
export function withoutIgnored(findings: Finding[], ignore: readonly string[]): Finding[] {
  if (!ignore.length) return findings;
  const rules = ignore.map((entry) => {
    const at = entry.indexOf(':');
    return at < 0 ? { rule: entry, detail: '' } : { rule: entry.slice(0, at), detail: entry.slice(at + 1) };
  });
  return findings.filter(
    (f) => f.severity === 'error' || !rules.some((r) => r.rule === f.rule && (!r.detail || f.message.includes(`"${r.detail}"`))),
  );
}

/** Errors first, then by file and line: the order an editor fixes them in. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.severity === 'error' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}

export const countBy = (findings: readonly Finding[]) => ({
  errors: findings.filter((f) => f.severity === 'error').length,
  warnings: findings.filter((f) => f.severity === 'warning').length,
});
