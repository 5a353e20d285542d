/** MJML validation at strict level: invalid markup renders unpredictably across clients. */
import type { RenderedIssue } from '../render/types.js';
import type { SourceIndex } from './sources.js';
import type { Finding } from './types.js';

export function checkMjml(issue: RenderedIssue, src: SourceIndex): Finding[] {
  // The MJML comes from a layout and its components: the layout file is where to start looking.
  const layout = src.display(`templates/${issue.meta.template}.mjml`);
  const lines = issue.mjml.split('\n');
  return issue.mjmlErrors.map((e) => ({
    severity: 'error' as const,
    rule: 'mjml',
    message: `<${e.tagName}>: ${e.message} (line ${e.line} of the compiled MJML, dist/${issue.slug}/email.mjml): fix the template`,
    ...(src.templateLineFor(lines[e.line - 1] ?? '') ?? { file: layout }),
  }));
}
