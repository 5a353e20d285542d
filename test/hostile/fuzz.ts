/**
 * A seeded fuzzer for roundup's inputs: issue files (with a partial), subscriber lists and
 * configs, made by mutating the real samples with hostile snippets (template tags, Markdown
 * punctuation, YAML anchors, control characters, encoded words, long runs, deep nesting).
 *
 * Each case runs in-process through the same stages the CLI runs (render, preflight,
 * personalise and compose one message; parse and report a list; parse a config and render with
 * it), and is judged as the CLI would exit: 0 (fine), 1 (a RoundupError with exit 1, the one-line
 * user mistake), or anything else, which is a failure ("internal error", exit 2). Cases are
 * reproducible: the seed and the case number regenerate the same input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runChecks } from '../../src/check/index.js';
import { parseConfig, type Config } from '../../src/config.js';
import { fromFsError, isRoundupError } from '../../src/errors.js';
import { formatListReport } from '../../src/lists/report.js';
import { parseList } from '../../src/lists/parse.js';
import { personalise, renderIssue, type RenderedIssue } from '../../src/render/index.js';
import type { TemplateSet } from '../../src/render/templates.js';
import { createMessageFactory, rawOf } from '../../src/send/message.js';
import { REPO } from '../helpers/project.js';

export type Kind = 'issue' | 'list' | 'config';

export interface FuzzCase {
  kind: Kind;
  index: number;
  /** The input: issue Markdown, list CSV or config YAML. */
  text: string;
  /** A partial the issue includes as {{> fuzz}} (issue cases only). */
  partial?: string;
}

export interface Outcome {
  /** What the CLI would exit with: 0, 1, or 2 for "internal error". */
  exit: number;
  ms: number;
  error?: string;
  /** A property of the output that does not hold (header line too long, raw control character). */
  violation?: string;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '{{>',
  '{{> ',
  '{{> fuzz}}',
  '}}',
  '{{',
  '{{recipient.',
  '{{recipient.name}}',
  '{{recipient.organisation | "x"}}',
  '{{recipient.__proto__}}',
  '{{recipient.constructor}}',
  '{{unsubscribeUrl}}',
  '{{{',
  '*',
  '**',
  '_',
  '[',
  ']',
  '](',
  ')',
  '![',
  '> ',
  '- ',
  '1. ',
  '## ',
  '# ',
  '```',
  '~~~',
  '<',
  '>',
  '&',
  '"',
  "'",
  '\\',
  '---\n',
  ': ',
  '&a ',
  '*a ',
  '<<: *a',
  '!!js/function ',
  '{',
  '\t',
  '\r',
  '\r\n',
  '\n',
  '\n\n',
  '\0',
  '\x1b]0;pwned\x07',
  '\x1b[2J',
  '\x07',
  '\u202e',
  '\uFEFF',
  '\u2028',
  '=?utf-8?B?DQo=?=',
  '%zz',
  '__proto__',
  'constructor',
  'javascript:alert(1)',
  'https://x.example/?n={{recipient.name}}',
  '😀',
  'é',
  ',',
  ';',
  '""',
  'root',
  '#zzzzzz',
  '-1',
  '1e999',
  'null',
  '~',
  '|',
];

const REPEATS = [1, 1, 1, 2, 3, 10, 50, 200, 1000, 3000];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** One to four mutations of `text`. */
export function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.45) {
      s = s.slice(0, at) + pick(r, HOSTILE).repeat(pick(r, REPEATS)) + s.slice(at);
    } else if (op < 0.55) {
      const len = Math.floor(r() * 200);
      s = s.slice(0, at) + s.slice(at + len);
    } else if (op < 0.65) {
      const len = Math.floor(r() * 300);
      s = s.slice(0, at) + s.slice(at, at + len).repeat(1 + Math.floor(r() * 20)) + s.slice(at);
    } else if (op < 0.72) {
      s = s.slice(0, at);
    } else if (op < 0.82) {
      // Nesting: brackets, quotes or list indents, deep.
      const depth = pick(r, [5, 50, 500, 3000]);
      const [open, close] = pick(r, [
        ['[', ']'],
        ['{', '}'],
        ['*', '*'],
        ['> ', ''],
        ['  - ', ''],
        ['(', ')'],
      ]);
      s = s.slice(0, at) + open.repeat(depth) + 'x' + close.repeat(depth) + s.slice(at);
    } else if (op < 0.92) {
      // One character replaced by a control, a surrogate half or a non-ASCII letter.
      const c = pick(r, ['\x00', '\x1b', '\r', '\x7f', '\x85', '\ud800', 'ß', '\u0301', '\u00a0']);
      s = s.slice(0, at) + c + s.slice(at + 1);
    } else {
      // Two lines swapped.
      const lines = s.split('\n');
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      s = lines.join('\n');
    }
  }
  return s;
}

const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');

export const SEEDS = {
  issues: [read('issues/2026-11.md'), read('issues/weekly-2026-47.md'), read('test/fixtures/issues/full-roundup.md')],
  partial: read('templates/partials/resource-centre.md'),
  list: read('lists/example.csv'),
  config: read('roundup.config.yaml'),
};

/** Case `index` of the run seeded with `seed`: the same input every time. */
export function makeCase(seed: number, index: number): FuzzCase {
  const r = rng(seed * 100_003 + index);
  const roll = r();
  if (roll < 0.55) {
    const base = pick(r, SEEDS.issues);
    // Some issues include the fuzzed partial, so partial expansion is fuzzed too.
    const withPartial = r() < 0.3 ? base.replace(/\n## /, '\n{{> fuzz}}\n\n## ') : base;
    return { kind: 'issue', index, text: mutate(withPartial, r), partial: mutate(SEEDS.partial, r) };
  }
  if (roll < 0.85) return { kind: 'list', index, text: mutate(SEEDS.list, r) };
  return { kind: 'config', index, text: mutate(SEEDS.config, r) };
}

export interface Project {
  root: string;
  config: Config;
  templates: TemplateSet;
  /** A rendered issue that uses list fields, for composing list cases' messages. */
  issue: RenderedIssue;
  secret: Buffer;
}

const withPartial = (t: TemplateSet, text: string | undefined): TemplateSet => {
  if (text === undefined) return t;
  const partials = new Map(t.partials);
  partials.set('fuzz', { file: 'templates/partials/fuzz.md', text });
  return { ...t, partials };
};

/** RFC 5322: no header line over 998 characters; no bare CR or LF; no raw control characters. */
export function headerViolation(raw: string): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end === -1 ? raw.length : end);
  for (const line of head.split('\r\n')) {
    if (line.length > 998) return `header line of ${line.length} characters`;
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return `control character in header line ${JSON.stringify(line.slice(0, 80))}`;
  }
  return undefined;
}

/** Compose one message per reader (up to `max`) and check each one's header block. */
function composeAll(
  p: Project,
  issue: RenderedIssue,
  readers: { email: string; name: string; fields: Record<string, string> }[],
  list: string,
) {
  const make = createMessageFactory({ issue, config: p.config, list, secret: p.secret, date: new Date(Date.UTC(2026, 10, 3)) });
  for (const [i, r] of readers.entries()) {
    const raw = rawOf(make({ ...r, messageId: `<fuzz-${i}@fuzz.example>` }));
    const bad = headerViolation(raw);
    if (bad) return bad;
  }
  return undefined;
}

/** Runs one case the way the CLI would, and says how it would exit. */
export async function runCase(c: FuzzCase, p: Project): Promise<Outcome> {
  const started = performance.now();
  let violation: string | undefined;
  try {
    if (c.kind === 'issue') {
      const templates = withPartial(p.templates, c.partial);
      const issue = await renderIssue(c.text, 'issues/fuzz.md', { config: p.config, templates });
      // The client-support scan (~50 ms) on every fourth issue: it sees only the templates'
      // CSS and the Markdown's HTML, which the other rules' cases already vary.
      await runChecks(issue, {
        root: p.root,
        config: p.config,
        knownFields: ['email', 'name', 'organisation'],
        skipClientSupport: c.index % 4 !== 0,
      });
      personalise(issue, {
        recipient: { email: 'a@example.net', name: '\x1b]0;x\x07 =?utf-8?B?DQo=?=' },
        unsubscribeUrl: 'https://x.example/u/t',
      });
      violation = composeAll(p, issue, [{ email: 'a@example.net', name: 'Ann', fields: { email: 'a@example.net', name: 'Ann' } }], 'fuzz');
    } else if (c.kind === 'list') {
      const list = parseList(c.text, 'lists/fuzz.csv');
      formatListReport(list);
      violation = composeAll(p, p.issue, list.recipients.slice(0, 5), 'fuzz');
    } else {
      const config = parseConfig(c.text, 'roundup.config.yaml');
      const issue = await renderIssue(SEEDS.issues[0], 'issues/2026-11.md', { config, templates: p.templates });
      await runChecks(issue, { root: p.root, config, knownFields: ['email', 'name', 'organisation'], skipClientSupport: true });
    }
    return { exit: 0, ms: performance.now() - started, violation };
  } catch (e) {
    const known = isRoundupError(e) ? e : fromFsError(e);
    const ms = performance.now() - started;
    if (known) return { exit: known.exitCode, ms, error: known.format() };
    return { exit: 2, ms, error: `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
}
