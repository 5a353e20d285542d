/** MJML validation at strict level: invalid markup renders unpredictably across clients. */
import type { CheckContext, Finding } from './types.js';

export function checkMjml({ issue, src, layoutFile }: CheckContext): Finding[] {
  // The MJML comes from a layout and its components: the layout file is where to start looking.
  const lines = issue.mjml.split('\n');
  return issue.mjmlErrors.map((e) => ({
    severity: 'error' as const,
    rule: 'mjml',
    message: `<${e.tagName}>: ${e.message} (line ${e.line} of the compiled MJML, dist/${issue.slug}/email.mjml): fix the template`,
    ...(src.templateLineFor(lines[e.line - 1] ?? '') ?? { file: layoutFile }),
  }));
}
