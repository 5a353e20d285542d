/**
 * Stage 1: split an issue file into validated front-matter and a Markdown body (pure).
 *
 * gray-matter finds the front-matter; the YAML itself is parsed by src/yaml-source.ts so
 * every problem is reported at its line (`issues/2026-11.md:4: front-matter "date" must be
 * YYYY-MM-DD`).
 */
import matter from 'gray-matter';
import { z } from 'zod';
import { ErrorCodes, RoundupError } from '../errors.js';
import type { IssueMeta } from './types.js';
import { parseYaml, validate, type YamlSource } from '../yaml-source.js';

const isoDate = z
  .string({ error: 'must be YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, {
    // A timestamp ("2026-11-03T09:00:00Z", "2026-11-03 09:00") is a common slip: name the fix.
    error: (iss) => {
      const day = /^(\d{4}-\d{2}-\d{2})[T ]/.exec(String(iss.input))?.[1];
      return day ? `must be YYYY-MM-DD without a time: write ${day}` : 'must be YYYY-MM-DD';
    },
  })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { error: 'is not a real calendar date (YYYY-MM-DD)' },
  );

const text = (what: string) =>
  z
    .string({ error: `must be text (${what})` })
    .trim()
    .min(1, { error: `must not be empty (${what})` });

export const FrontMatterSchema = z.looseObject({
  title: text('the newsletter name shown in the header'),
  subject: text('the email subject line'),
  // YAML writes an unquoted 2026-11-01 as a string in the 1.2 core schema we parse with.
  date: isoDate,
  preheader: z.string({ error: 'must be text (the inbox preview line)' }).optional(),
  template: z
    .string({ error: 'must be a template name such as "roundup" or "digest"' })
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, { error: 'must be a template name such as "roundup" or "digest"' })
    .default('roundup'),
  signoff: z.string({ error: 'must be text (Markdown)' }).optional(),
  byline: z.string({ error: 'must be text' }).optional(),
  draft: z.boolean({ error: 'must be true or false' }).default(false),
});

export interface ParsedIssue {
  meta: IssueMeta;
  body: string;
  /** 1-based line in the file where the body starts. */
  bodyLine: number;
  /** Line of a front-matter key, for errors found later (unknown template…). */
  lineOf(key: string): number;
}

const KNOWN = new Set(['title', 'subject', 'date', 'preheader', 'template', 'signoff', 'byline', 'draft']);

/** Pure: file text → front-matter + body. `file` is only used in messages. */
export function parseIssueSource(source: string, file: string): ParsedIssue {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!/^---[ \t]*\n/.test(text)) {
    throw new RoundupError(
      ErrorCodes.FRONT_MATTER,
      'missing front-matter: start the file with a "---" line, then title, subject and date, then "---"',
      { file, line: 1 },
    );
  }
  // Before the YAML is parsed: without a closing line the whole body would be read as YAML
  // and the author told about a syntax error far down the file.
  if (!/\n---[ \t]*(\n|$)/.test(text.slice(3))) {
    throw new RoundupError(ErrorCodes.FRONT_MATTER, 'front-matter is not closed: add a "---" line after the last key', {
      file,
      line: 1,
    });
  }
  let yamlSrc: YamlSource | undefined;
  const parsed = matter(text, {
    engines: {
      yaml: (s: string) => {
        // gray-matter hands over the text after the opening '---' including its newline,
        // so YAML line 1 is the '---' line itself.
        yamlSrc = parseYaml(s, file, ErrorCodes.FRONT_MATTER, 0);
        return yamlSrc.data as object;
      },
    },
  });
  const src = yamlSrc ?? parseYaml('', file, ErrorCodes.FRONT_MATTER, 1);
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    throw new RoundupError(ErrorCodes.FRONT_MATTER, 'front-matter must be "key: value" lines', { file, line: 2 });
  }
  const fm = validate(FrontMatterSchema, src, file, ErrorCodes.FRONT_MATTER, 'front-matter');
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fm)) if (!KNOWN.has(k)) extra[k] = v;
  const meta: IssueMeta = {
    title: fm.title,
    subject: fm.subject,
    date: fm.date,
    preheader: fm.preheader,
    template: fm.template,
    signoff: fm.signoff,
    byline: fm.byline,
    draft: fm.draft,
    extra,
  };
  const body = parsed.content;
  const head = text.slice(0, text.length - body.length);
  const bodyLine = head.split('\n').length;
  return { meta, body, bodyLine, lineOf: (key) => src.lineOf([key]) };
}
