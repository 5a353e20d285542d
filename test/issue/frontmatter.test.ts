import { describe, expect, it } from 'vitest';
import { RoundupError } from '../../src/errors.js';
import { parseIssueSource } from '../../src/issue/frontmatter.js';

const ok = `---
title: T
subject: S
date: 2026-11-03
byline: By Ann
custom_key: kept
---
Body line one
`;

function err(src: string): RoundupError {
  try {
    parseIssueSource(src, 'issues/x.md');
  } catch (e) {
    expect(e).toBeInstanceOf(RoundupError);
    return e as RoundupError;
  }
  throw new Error('expected an error');
}

describe('parseIssueSource', () => {
  it('returns validated meta, defaults, extra keys and the body start line', () => {
    const p = parseIssueSource(ok, 'issues/x.md');
    expect(p.meta).toMatchObject({ title: 'T', subject: 'S', date: '2026-11-03', template: 'roundup', draft: false, byline: 'By Ann' });
    expect(p.meta.extra).toEqual({ custom_key: 'kept' });
    expect(p.body.trim()).toBe('Body line one');
    expect(p.bodyLine).toBe(8);
    expect(p.lineOf('date')).toBe(4);
  });

  it('accepts a UTF-8 BOM and CRLF line endings', () => {
    const p = parseIssueSource('\uFEFF' + ok.replace(/\n/g, '\r\n'), 'issues/x.md');
    expect(p.meta.title).toBe('T');
  });

  it('reports a bad date at its line with the expected format', () => {
    const e = err(ok.replace('2026-11-03', '03/11/2026'));
    expect(e.format()).toBe('issues/x.md:4: front-matter "date" must be YYYY-MM-DD');
  });

  it('names the fix when the date is written with a time', () => {
    for (const v of ['2026-11-03T09:00:00Z', '2026-11-03 09:00']) {
      expect(err(ok.replace('2026-11-03', v)).format()).toBe(
        'issues/x.md:4: front-matter "date" must be YYYY-MM-DD without a time: write 2026-11-03',
      );
    }
  });

  it('rejects an impossible calendar date', () => {
    expect(err(ok.replace('2026-11-03', '2026-02-30')).format()).toMatch(
      /^issues\/x\.md:4: front-matter "date" is not a real calendar date/,
    );
  });

  it('reports a missing required key', () => {
    const e = err(ok.replace('subject: S\n', ''));
    expect(e.message).toBe('front-matter "subject" is required: add a "subject:" line');
    expect(e.file).toBe('issues/x.md');
  });

  it('reports a mistyped key at its line', () => {
    const e = err(ok.replace('title: T', 'title: [a, b]'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/front-matter "title" must be text/);
  });

  it('reports a wrong type for draft', () => {
    const e = err(ok.replace('byline: By Ann', 'draft: maybe'));
    expect(e.format()).toBe('issues/x.md:5: front-matter "draft" must be true or false');
  });

  it('reports YAML syntax errors with the file line', () => {
    const e = err(ok.replace('subject: S', 'subject: "unclosed'));
    expect(e.code).toBe('EFRONTMATTER');
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^YAML syntax error/);
  });

  it('requires front-matter at the top', () => {
    expect(err('# Just markdown\n').format()).toMatch(/^issues\/x\.md:1: missing front-matter/);
  });

  it('reports an unclosed front-matter block', () => {
    expect(err('---\ntitle: T\n').message).toMatch(/not closed/);
    // Not a YAML error about the body, which would otherwise be read as front-matter.
    expect(err('---\ntitle: T\nsubject: S\ndate: 2026-11-03\n\nDear reader, welcome.\n\n## News: today\n').format()).toBe(
      'issues/x.md:1: front-matter is not closed: add a "---" line after the last key',
    );
  });
});
