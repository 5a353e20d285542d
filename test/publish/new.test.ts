import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/index.js';
import { loadConfig } from '../../src/config.js';
import { parseIssueSource } from '../../src/issue/frontmatter.js';
import { nextMonth, parseIssueMonth, pickTitle, scaffoldIssue, scaffoldValues } from '../../src/publish/scaffold.js';
import { renderIssueFile } from '../../src/render/index.js';
import { makeProject, runCli } from '../helpers/project.js';

/** A user mistake: one line on stderr, exit 1, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string }, line: string | RegExp) {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(`roundup: ${line}`);
  else expect(lines[0]).toMatch(line);
}

describe('scaffold (pure)', () => {
  it('defaults to next month, across the year end', () => {
    expect(nextMonth(new Date(2026, 10, 15))).toEqual({ month: '2026-12', date: '2026-12-01' });
    expect(nextMonth(new Date(2026, 11, 31))).toEqual({ month: '2027-01', date: '2027-01-01' });
    expect(nextMonth(new Date(2027, 0, 31))).toEqual({ month: '2027-02', date: '2027-02-01' });
  });

  it('reads --date as YYYY-MM (or a full date) and refuses anything else', () => {
    expect(parseIssueMonth('2027-03')).toEqual({ month: '2027-03', date: '2027-03-01' });
    expect(parseIssueMonth('2027-03-09')).toEqual({ month: '2027-03', date: '2027-03-09' });
    for (const bad of ['2027-13', '2027-3', 'March', '2027-02-30', '']) expect(parseIssueMonth(bad)).toBeNull();
  });

  it('takes the title from the latest issue of the same template', () => {
    const issues = [
      { title: 'Old roundup', date: '2026-01-01', template: 'roundup' },
      { title: 'New roundup', date: '2026-10-01', template: 'roundup' },
      { title: 'Weekly', date: '2026-11-20', template: 'digest' },
    ];
    const org = { organisation: 'Org' };
    expect(pickTitle(issues, 'roundup', org)).toBe('New roundup');
    expect(pickTitle(issues, 'digest', { ...org, title: 'Configured' })).toBe('Weekly');
    expect(pickTitle(issues, 'other', org)).toBe('Weekly');
    // Config `title` names a newsletter that has no issue of this template yet.
    expect(pickTitle(issues, 'other', { ...org, title: 'Configured' })).toBe('Configured');
    expect(pickTitle([], 'roundup', { ...org, title: 'Configured' })).toBe('Configured');
    expect(pickTitle([], 'roundup', org)).toBe('Org roundup');
  });

  it('quotes front-matter values so a title with YAML syntax stays text', () => {
    const title = 'Health: law # and "policy"';
    const values = scaffoldValues({ title, when: { month: '2027-01', date: '2027-01-01' }, template: 'roundup', locale: 'en-GB' });
    const src =
      '---\ntitle: {{scaffold.title}}\nsubject: {{scaffold.subject}}\ndate: {{scaffold.date}}\n---\n\nThe {{scaffold.month}} issue of {{scaffold.title}}.\n';
    const out = scaffoldIssue(src, values);
    const { meta, body } = parseIssueSource(out, 'x.md');
    expect(meta.title).toBe(title);
    expect(meta.subject).toBe(`${title}, January 2027`);
    expect(meta.date).toBe('2027-01-01');
    expect(body.trim()).toBe(`The January 2027 issue of ${title}.`);
  });

  it('reports an unknown placeholder with the scaffold line', () => {
    const values = scaffoldValues({ title: 'T', when: { month: '2027-01', date: '2027-01-01' }, template: 'roundup', locale: 'en-GB' });
    expect(() => scaffoldIssue('---\ntitle: x\n---\n\n{{scaffold.tittle}}\n', values, 'templates/scaffold.md')).toThrow(
      expect.objectContaining({ line: 5, file: 'templates/scaffold.md', message: expect.stringContaining('{{scaffold.tittle}}') }),
    );
  });
});

describe('roundup new (CLI)', () => {
  it('creates next month by default, dated the 1st, with the title of the latest issue', () => {
    const dir = makeProject({ withSampleIssues: true });
    const r = runCli(['new'], dir);
    const { month, date } = nextMonth(new Date());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`created issues/${month}.md`);
    const meta = parseIssueSource(readFileSync(path.join(dir, 'issues', `${month}.md`), 'utf8'), 'x').meta;
    expect(meta.date).toBe(date);
    expect(meta.title).toBe('Integrated Care and Provider Collaboratives roundup');
    expect(meta.template).toBe('roundup');
  });

  it('writes a scaffold that renders cleanly, includes the standing partial, and that check flags until its TODOs are replaced', async () => {
    const dir = makeProject({ withSampleIssues: true });
    expect(runCli(['new', '--date', '2027-01'], dir).code).toBe(0);
    const file = path.join(dir, 'issues/2027-01.md');
    const src = readFileSync(file, 'utf8');
    expect(src).toContain('{{> resource-centre}}');
    const { meta } = parseIssueSource(src, file);
    expect(meta.subject).toBe('Integrated Care and Provider Collaboratives roundup, January 2027');

    const config = loadConfig(dir);
    const issue = await renderIssueFile('issues/2027-01.md', { root: dir, config });
    expect(issue.mjmlErrors).toEqual([]);
    expect(issue.model.sections.map((s) => s.standing)).toEqual([false, false, false, true]);
    expect(issue.model.sections.at(-1)?.title).toBe('Integrated Care Resource Centre');

    const findings = await runChecks(issue, { config, root: dir, skipClientSupport: true });
    const placeholders = findings.filter((f) => f.rule === 'link-placeholder');
    expect(placeholders.length).toBe(3);
    expect(placeholders.every((f) => f.severity === 'error' && f.file.endsWith('2027-01.md') && typeof f.line === 'number')).toBe(true);

    // Once the placeholders are replaced, the link rule is satisfied.
    writeFileSync(file, src.replace(/https:\/\/example\.com\/TODO-[a-z-]+/g, 'https://www.hartwellfinch.example/insights/x'));
    const fixed = await renderIssueFile('issues/2027-01.md', { root: dir, config });
    const after = await runChecks(fixed, { config, root: dir, skipClientSupport: true });
    expect(after.filter((f) => f.rule === 'link-placeholder')).toEqual([]);
    // The preheader's TODO is an error too, at its front-matter line, until it is written.
    const pre = findings.filter((f) => f.rule === 'preheader-placeholder');
    expect(pre.map((f) => [f.severity, f.line])).toEqual([['error', src.split('\n').findIndex((l) => l.startsWith('preheader:')) + 1]]);
  });

  it('scaffolds a digest with the digest title and layout', async () => {
    const dir = makeProject({ withSampleIssues: true });
    const r = runCli(['new', '--date', '2027-02', '--template', 'digest'], dir);
    expect(r.code).toBe(0);
    const config = loadConfig(dir);
    const issue = await renderIssueFile('issues/2027-02.md', { root: dir, config });
    expect(issue.meta.title).toBe('The Week in Health Law');
    expect(issue.meta.template).toBe('digest');
    expect(issue.mjmlErrors).toEqual([]);
    // Like the roundup scaffold, it asks for the inbox preview line.
    for (const template of ['digest', 'roundup']) {
      const date = template === 'digest' ? '2027-02' : '2027-04';
      if (template === 'roundup') expect(runCli(['new', '--date', date, '--template', template], dir).code).toBe(0);
      const meta = (await renderIssueFile(`issues/${date}.md`, { root: dir, config })).meta;
      expect(meta.preheader, template).toMatch(/^TODO: one line for the inbox preview/);
    }
  });

  it('uses --title, config title, and the organisation when there is no issue yet', () => {
    const dir = makeProject();
    expect(runCli(['new', '--date', '2027-01'], dir).code).toBe(0);
    expect(readFileSync(path.join(dir, 'issues/2027-01.md'), 'utf8')).toContain('title: "Hartwell & Finch LLP roundup"');
    const configFile = path.join(dir, 'roundup.config.yaml');
    writeFileSync(configFile, `${readFileSync(configFile, 'utf8')}title: Care Law Monthly\n`);
    expect(runCli(['new', '--date', '2027-03', '--template', 'digest'], dir).code).toBe(0);
    expect(readFileSync(path.join(dir, 'issues/2027-03.md'), 'utf8')).toContain('title: "Care Law Monthly"');
    expect(runCli(['new', '--date', '2027-02', '--title', 'Care Law: monthly'], dir).code).toBe(0);
    expect(readFileSync(path.join(dir, 'issues/2027-02.md'), 'utf8')).toContain('subject: "Care Law: monthly, February 2027"');
  });

  it('refuses an existing month, exit 1, and leaves the file byte-identical', () => {
    const dir = makeProject({ withSampleIssues: true });
    const file = path.join(dir, 'issues/2026-11.md');
    const before = readFileSync(file);
    const r = runCli(['new', '--date', '2026-11'], dir);
    expectOneLineError(r, /^roundup: issues\/2026-11\.md: already exists; roundup new never overwrites an issue/);
    expect(readFileSync(file).equals(before)).toBe(true);

    // Also an issue the editor has started on since `new` created it.
    expect(runCli(['new', '--date', '2027-01'], dir).code).toBe(0);
    const started = path.join(dir, 'issues/2027-01.md');
    writeFileSync(started, readFileSync(started, 'utf8').replace('TODO: first story headline', 'Joint committees'));
    const edited = readFileSync(started);
    expect(runCli(['new', '--date', '2027-01'], dir).code).toBe(1);
    expect(readFileSync(started).equals(edited)).toBe(true);
  });

  it('reports bad arguments as one line', () => {
    const dir = makeProject({ withSampleIssues: true });
    expectOneLineError(runCli(['new', '--date', '2027-13'], dir), /^roundup: --date "2027-13" is not a month: use YYYY-MM/);
    expectOneLineError(
      runCli(['new', '--date', '2027-01', '--template', 'glossy'], dir),
      '--template "glossy" is not a template in templates/ (available: digest, roundup)',
    );
    expectOneLineError(runCli(['new', '--date', '2027-01', '--title', ' '], dir), '--title must not be empty');
  });
});
