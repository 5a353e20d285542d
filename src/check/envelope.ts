/** What the inbox shows before the email is opened: subject length and the preheader. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIssueSource } from '../issue/frontmatter.js';
import type { RenderedIssue } from '../render/types.js';
import type { Finding } from './types.js';

/** Beyond ~78 characters most inboxes cut the subject, and RFC 5322 suggests wrapping there. */
export const SUBJECT_MAX = 78;

/** Front-matter key → line, re-read from the file (the model keeps block lines, not key lines). */
function frontMatterLines(file: string): (key: string) => number {
  try {
    const parsed = parseIssueSource(readFileSync(path.resolve(process.cwd(), file), 'utf8'), file);
    return (key) => parsed.lineOf(key);
  } catch {
    return () => 1;
  }
}

export function checkEnvelope(issue: RenderedIssue, subject: string, preheader: string): Finding[] {
  const out: Finding[] = [];
  const lineOf = frontMatterLines(issue.file);
  // Without one the renderer uses the intro's first sentence, which is rarely the best summary.
  if (!issue.meta.preheader?.trim() || !preheader.trim()) {
    out.push({
      severity: 'warning',
      rule: 'preheader-missing',
      message:
        'no preheader: inboxes will show the first sentence of the intro instead; add "preheader:" to the front-matter (one sentence, ~40–100 characters)',
      file: issue.file,
      line: lineOf('subject'),
    });
  }
  const chars = [...subject].length;
  if (chars > SUBJECT_MAX) {
    out.push({
      severity: 'warning',
      rule: 'subject-length',
      message: `subject is ${chars} characters: most inboxes cut it after ~${SUBJECT_MAX}; put the key words first or shorten it`,
      file: issue.file,
      line: lineOf('subject'),
    });
  }
  return out;
}
