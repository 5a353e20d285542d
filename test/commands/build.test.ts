import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { fixture, makeProject, runCli } from '../helpers/project.js';

const good = readFileSync(fixture('issues/full-roundup.md'), 'utf8');

/** A user mistake: exactly one line on stderr, exit 1, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string }, line: string) {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toBe(`roundup: ${line}`);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('roundup build (CLI end to end)', () => {
  it('builds every issue into dist/<slug>/ with HTML and text parts', () => {
    const dir = makeProject({ withSampleIssues: true, issues: { 'full-roundup.md': good } });
    const r = runCli(['build'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/built issues\/2026-11\.md → dist\/2026-11\/index\.html/);
    for (const slug of ['2026-11', 'weekly-2026-47', 'full-roundup']) {
      expect(existsSync(path.join(dir, 'dist', slug, 'index.html'))).toBe(true);
      expect(existsSync(path.join(dir, 'dist', slug, 'index.txt'))).toBe(true);
    }
    const $ = load(readFileSync(path.join(dir, 'dist/full-roundup/index.html'), 'utf8'));
    expect($('h2').length).toBe(7);
    // build fills recipient fields from the config's sample reader.
    expect($.text()).toContain('Hello Sam Reader at Northgate Community Trust');
    const text = readFileSync(path.join(dir, 'dist/full-roundup/index.txt'), 'utf8');
    expect(text).toContain('7. Integrated Care Resource Centre');
  });

  it('writes the same bytes on every build: email.mjml shows fields as written, not random markers', () => {
    const dir = makeProject({ withSampleIssues: true });
    const read = () => ['index.html', 'index.txt', 'email.mjml'].map((f) => readFileSync(path.join(dir, 'dist/2026-11', f), 'utf8'));
    expect(runCli(['build', 'issues/2026-11.md'], dir).code).toBe(0);
    const first = read();
    expect(runCli(['build', 'issues/2026-11.md'], dir).code).toBe(0);
    expect(read()).toEqual(first);
    expect(first[2]).toContain('{{recipient.name | "colleague"}}');
    expect(first[2]).toContain('{{unsubscribeUrl}}');
    expect(first[2]).not.toMatch(/RcPt/);
  });

  it('builds only the named files into --out', () => {
    const dir = makeProject({ withSampleIssues: true });
    const r = runCli(['build', 'issues/weekly-2026-47.md', '--out', 'site'], dir);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'site/weekly-2026-47/index.html'))).toBe(true);
    expect(existsSync(path.join(dir, 'site/2026-11'))).toBe(false);
  });

  const bad: [string, (s: string) => string, string][] = [
    [
      'a malformed date',
      (s) => s.replace('date: 2026-02-14', 'date: 14/02/2026'),
      'issues/bad.md:4: front-matter "date" must be YYYY-MM-DD',
    ],
    [
      'a missing subject',
      (s) => s.replace(/^subject:.*\n/m, ''),
      'issues/bad.md:1: front-matter "subject" is required: add a "subject:" line',
    ],
    [
      'a mistyped title',
      (s) => s.replace('title: Fixture Health Law roundup', 'title:\n  - a\n  - b'),
      'issues/bad.md:2: front-matter "title" must be text (the newsletter name shown in the header)',
    ],
    ['a YAML syntax error', (s) => s.replace('preheader: Seven', 'preheader: "Seven'), ''],
    [
      'an unknown template',
      (s) => s.replace('template: roundup', 'template: glossy'),
      'issues/bad.md:6: front-matter "template": unknown template "glossy" (available: digest, roundup)',
    ],
    ['an unknown partial', (s) => s.replace('{{> resource-centre}}', '{{> resource-center}}'), ''],
    [
      'an unclosed front-matter',
      (s) => s.replace('sector: health\n---\n', 'sector: health\n'),
      'issues/bad.md:1: front-matter is not closed: add a "---" line after the last key',
    ],
    [
      'a partial inside a list item',
      (s) => s.replace('- outer one\n', '- outer one\n  {{> resource-centre}}\n'),
      `issues/bad.md:${good.split('\n').indexOf('- outer one') + 2}: put {{> resource-centre}} on a line of its own, at the start of the line (not inside a paragraph, list or quote)`,
    ],
  ];
  for (const [what, mutate, expected] of bad) {
    it(`reports ${what} as one line with file and line, exit 1`, () => {
      const src = mutate(good);
      const dir = makeProject({ issues: { 'bad.md': src } });
      const r = runCli(['build', 'issues/bad.md'], dir);
      if (expected) {
        expectOneLineError(r, expected);
      } else if (what === 'an unknown partial') {
        const line = src.split('\n').findIndex((l) => l.includes('resource-center')) + 1;
        expectOneLineError(
          r,
          `issues/bad.md:${line}: unknown partial "resource-center": create templates/partials/resource-center.md or fix the name (available: resource-centre)`,
        );
      } else {
        expect(r.code).toBe(1);
        expect(r.stderr.split('\n')[0]).toMatch(/^roundup: issues\/bad\.md:\d+: YAML syntax error/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
      }
      expect(existsSync(path.join(dir, 'dist/bad'))).toBe(false);
    });
  }

  it('keeps building the other issues when one is broken, then exits 1', () => {
    const dir = makeProject({ withSampleIssues: true, issues: { 'bad.md': good.replace('date: 2026-02-14', 'date: soon') } });
    const r = runCli(['build'], dir);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(dir, 'dist/2026-11/index.html'))).toBe(true);
    expect(r.stderr).toContain('issues/bad.md:4: front-matter "date" must be YYYY-MM-DD');
    expect(r.stderr).toContain('1 of 3 issue(s) failed to build');
  });

  it('reports an unusable --out folder as one line naming the path, not an internal error', () => {
    const dir = makeProject({ withSampleIssues: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'a file, not a folder');
    const r = runCli(['build', 'issues/2026-11.md', '--out', 'notes.txt/site'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^roundup: notes\.txt\/site(\/2026-11)?: cannot mkdir: part of this path is a file, not a folder: choose another location$/,
    );
  });

  it('shows a stack trace only with DEBUG=roundup', () => {
    const dir = makeProject({ issues: { 'bad.md': good.replace('date: 2026-02-14', 'date: soon') } });
    const r = runCli(['build', 'issues/bad.md'], dir, { DEBUG: 'roundup' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
  });

  it('reports a missing issue file and a broken config with their locations', () => {
    const dir = makeProject();
    expectOneLineError(
      runCli(['build', 'issues/nope.md'], dir),
      'issues/nope.md: no such issue file: check the path (issues live in issues/*.md)',
    );
    const cfg = path.join(dir, 'roundup.config.yaml');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('brand: "#1f3a5f"', 'brand: navy'));
    const r = runCli(['build', 'issues/nope.md'], dir);
    const line =
      readFileSync(cfg, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('brand: navy')) + 1;
    expectOneLineError(r, `roundup.config.yaml:${line}: config "colours.brand" must be a 6-digit hex colour such as "#1f3a5f"`);
  });

  it('reports the HTML size against Gmail’s clipping limit, failing only with --strict', () => {
    const section = (i: number) =>
      `## Section ${i}\n\n${'A long paragraph of legal commentary that goes on. '.repeat(20)}\n\n[Read more ${i}](https://x.fixture.test/${i})\n`;
    const big = good.replace(/## Alpha section[\s\S]*$/, Array.from({ length: 60 }, (_, i) => section(i + 1)).join('\n'));
    const dir = makeProject({ issues: { 'big.md': big } });
    const r = runCli(['build', 'issues/big.md'], dir);
    expect(r.stderr).toMatch(/error issues\/big\.md: HTML is \d+\.\d KB: Gmail clips.*\[html-size\]/);
    // The draft is still written (and previewable); only --strict turns it into a failure.
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'dist/big/index.html'))).toBe(true);
    const strict = runCli(['build', '--strict', 'issues/big.md'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/roundup: 1 preflight error\(s\)/);
  });
});
