/**
 * `roundup new`, the pure half: choose the month, title and subject of the next issue and
 * fill the scaffold (templates/scaffold.md, or templates/scaffold-<template>.md).
 *
 * Scaffold placeholders are `{{scaffold.title}}`, `{{scaffold.subject}}`, `{{scaffold.date}}`,
 * `{{scaffold.month}}` and `{{scaffold.template}}`. In the front-matter a value is written as a
 * quoted YAML string, so a title containing `:` or `#` cannot change the YAML's meaning; in
 * the body it is plain text. Everything else (`{{> resource-centre}}`, `{{recipient.name}}`)
 * is left for the render pipeline.
 */
import { ErrorCodes, RoundupError } from '../errors.js';
import { formatIssueDate } from '../naming.js';
import type { IssueMeta } from '../issue/types.js';

export interface ScaffoldValues {
  title: string;
  subject: string;
  /** YYYY-MM-DD */
  date: string;
  /** "December 2026" */
  month: string;
  template: string;
}

const PLACEHOLDER = /\{\{\s*scaffold\.([A-Za-z]+)\s*\}\}/g;

/**
 * Front-matter values: a date or a template name is written plain (as editors write them);
 * anything else as a JSON string, which is a valid YAML double-quoted scalar (same escapes).
 */
const yamlValue = (s: string) => (/^(\d{4}-\d{2}-\d{2}|[a-z][a-z0-9_-]*)$/.test(s) && !YAML_WORDS.has(s) ? s : JSON.stringify(s));
const YAML_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'null', 'y', 'n']);

/** Pure: scaffold text + values → the new issue's text. `file` is only used in messages. */
export function scaffoldIssue(source: string, values: ScaffoldValues, file = 'templates/scaffold.md'): string {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  // The front-matter is the block between the first line `---` and the next one.
  const fmEnd = lines[0]?.trim() === '---' ? lines.findIndex((l, i) => i > 0 && l.trim() === '---') : -1;
  if (fmEnd < 0) {
    throw new RoundupError(ErrorCodes.TEMPLATE, 'the scaffold must start with front-matter between two "---" lines', { file, line: 1 });
  }
  return lines
    .map((line, i) =>
      line.replace(PLACEHOLDER, (_m, key: string) => {
        if (!Object.hasOwn(values, key)) {
          throw new RoundupError(
            ErrorCodes.TEMPLATE,
            `unknown placeholder {{scaffold.${key}}} (known: ${Object.keys(values).join(', ')})`,
            { file, line: i + 1 },
          );
        }
        const v = values[key as keyof ScaffoldValues];
        return i < fmEnd ? yamlValue(v) : v;
      }),
    )
    .join('\n');
}

export interface IssueMonth {
  /** YYYY-MM: the file name. */
  month: string;
  /** YYYY-MM-DD: the front-matter date. */
  date: string;
}

/** The month after `now` (local calendar), dated the 1st. */
export function nextMonth(now: Date): IssueMonth {
  const y = now.getFullYear() + (now.getMonth() === 11 ? 1 : 0);
  const m = ((now.getMonth() + 1) % 12) + 1;
  const month = `${y}-${String(m).padStart(2, '0')}`;
  return { month, date: `${month}-01` };
}

/** `--date YYYY-MM` (dated the 1st) or `YYYY-MM-DD`; null if neither or not a real date. */
export function parseIssueMonth(arg: string): IssueMonth | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?$/.exec(arg.trim());
  if (!m) return null;
  const month = `${m[1]}-${m[2]}`;
  const date = `${month}-${m[3] ?? '01'}`;
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) return null;
  return { month, date };
}

/**
 * The newsletter's name for a new issue: the latest issue of the same template (a weekly
 * digest and a monthly roundup have different names), else config `title`, else the latest
 * issue of any template, else a name made from the organisation.
 */
export function pickTitle(
  existing: readonly Pick<IssueMeta, 'title' | 'date' | 'template'>[],
  template: string,
  fallback: { title?: string; organisation: string },
): string {
  const newest = (xs: readonly Pick<IssueMeta, 'title' | 'date' | 'template'>[]) =>
    [...xs].sort((a, b) => b.date.localeCompare(a.date))[0]?.title;
  return (
    newest(existing.filter((m) => m.template === template)) ?? fallback.title ?? newest(existing) ?? `${fallback.organisation} roundup`
  );
}

/** Values for the scaffold; the subject names the month ("…, December 2026"). */
export function scaffoldValues(opts: { title: string; when: IssueMonth; template: string; locale: string }): ScaffoldValues {
  const month = formatIssueDate(opts.when.date, opts.locale);
  return { title: opts.title, subject: `${opts.title}, ${month}`, date: opts.when.date, month, template: opts.template };
}
