/**
 * Preflight: every problem that would embarrass an editor in an inbox, found before sending.
 * `runChecks` is shared by `roundup check`, `build`, `send` and the preview server. One module
 * per rule family; each returns findings that name the file (issue, partial, template or
 * config) and, where it comes from Markdown, the line.
 */
import { personalise } from '../render/index.js';
import type { RenderedIssue } from '../render/types.js';
import { compileMerge, fill, resolveValues } from '../render/merge.js';
import { sampleValues } from '../sample.js';
import { checkContrast, checkHeadings, checkLang } from './accessibility.js';
import { checkClientSupport } from './clients.js';
import { checkEnvelope } from './envelope.js';
import { checkFields, checkUnresolved, knownRecipientFields } from './fields.js';
import { checkImages } from './images.js';
import { checkLinks, checkTemplateLinks } from './links.js';
import { checkMjml } from './mjml.js';
import { checkSize } from './size.js';
import { SourceIndex } from './sources.js';
import type { CheckOptions, Finding } from './types.js';

export type { CheckOptions, Finding, Severity } from './types.js';
export { knownRecipientFields } from './fields.js';

export async function runChecks(issue: RenderedIssue, opts: CheckOptions): Promise<Finding[]> {
  const src = new SourceIndex(opts.root);
  const values = sampleValues(opts.config);
  const out = personalise(issue, values);
  const resolved = resolveValues(issue.refs, values);
  const preheader = fill(issue.preheader, resolved, false);
  // A fragment of the model (a link URL) as the sample reader gets it.
  const forSample = (s: string) => fill(compileMerge(s, issue.fieldTable), resolved, false);
  const known = opts.knownFields ?? knownRecipientFields(opts.config, opts.root);
  const findings = [
    ...checkMjml(issue, src),
    ...checkSize(issue, out.html),
    ...checkImages(issue, src),
    ...checkLinks(issue, src, forSample),
    ...checkTemplateLinks(issue, out.html, src, forSample),
    ...checkFields(issue, known, src),
    ...checkUnresolved(issue, { ...out, preheader }, src),
    ...checkEnvelope(issue, out.subject, preheader),
    ...checkLang(issue, out.html, src),
    ...checkHeadings(issue, src),
    ...checkContrast(issue, opts.config, src),
    ...(opts.skipClientSupport ? [] : await checkClientSupport(issue, src)),
  ];
  return sortFindings(withoutIgnored(findings, opts.config.check.ignore));
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
