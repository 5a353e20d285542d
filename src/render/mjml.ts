/** Stage 5: MJML → HTML, once per issue. Validation follows config `validation`. */
import mjml2html from 'mjml';
import { tidyHtml } from './tidy.js';
import type { MjmlIssue } from './types.js';

export type ValidationLevel = 'strict' | 'soft' | 'skip';

export async function compileMjml(mjml: string, level: ValidationLevel): Promise<{ html: string; errors: MjmlIssue[] }> {
  // Always compile at "soft" so every problem is collected; the caller decides what is fatal.
  const res = await mjml2html(mjml, { validationLevel: level === 'skip' ? 'skip' : 'soft', keepComments: false });
  const errors = (res.errors ?? []).map((e: { line: number; message: string; tagName: string }) => ({
    line: e.line,
    message: e.message,
    tagName: e.tagName,
  }));
  return { html: tidyHtml(res.html), errors };
}
