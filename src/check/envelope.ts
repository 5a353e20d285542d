/** What the inbox shows before the email is opened: subject length and the preheader. */
import type { CheckContext, Finding } from './types.js';

/** Beyond ~78 characters most inboxes cut the subject, and RFC 5322 suggests wrapping there. */
export const SUBJECT_MAX = 78;

export function checkEnvelope({ issue, sample }: CheckContext): Finding[] {
  const out: Finding[] = [];
  const { subject, preheader } = sample;
  // The scaffolds' "TODO: one line for the inbox preview…" must not reach an inbox.
  if (issue.meta.preheader && /TODO|(?:^|[^A-Za-z])TK(?:[^A-Za-z]|$)/.test(issue.meta.preheader)) {
    out.push({
      severity: 'error',
      rule: 'preheader-placeholder',
      message:
        'preheader still contains a TODO/TK placeholder, which inboxes would show next to the subject: write the line readers should see',
      file: issue.file,
      line: issue.frontMatterLine('preheader'),
    });
  }
  // Without one the renderer uses the intro's first sentence, which is rarely the best summary.
  if (!issue.meta.preheader?.trim() || !preheader.trim()) {
    out.push({
      severity: 'warning',
      rule: 'preheader-missing',
      message:
        'no preheader: inboxes will show the first sentence of the intro instead; add "preheader:" to the front-matter (one sentence, ~40–100 characters)',
      file: issue.file,
      line: issue.frontMatterLine('subject'),
    });
  }
  const chars = [...subject].length;
  if (chars > SUBJECT_MAX) {
    out.push({
      severity: 'warning',
      rule: 'subject-length',
      message: `subject is ${chars} characters: most inboxes cut it after ~${SUBJECT_MAX}; put the key words first or shorten it`,
      file: issue.file,
      line: issue.frontMatterLine('subject'),
    });
  }
  return out;
}
