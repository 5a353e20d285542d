/** Each preflight rule on a fixture that breaks it: the rule, severity, file and line reported. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { brief, check, checkProject, lineOf } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = checkProject();
});

describe('link rules', () => {
  it('reports each broken or risky link at its own Markdown line', async () => {
    const f = 'issues/links.md';
    const found = (await check(dir, f)).filter((x) => x.rule.startsWith('link')).map(brief);
    const at = (needle: string) => `${f}:${lineOf(dir, f, needle)}`;
    expect(found.sort()).toEqual(
      [
        `error link-empty ${at('[empty link]()')}`,
        `error link-placeholder ${at('[hash link](#)')}`,
        `error link-placeholder ${at('TODO-slug')}`,
        `error link-placeholder ${at('[TK link]')}`,
        `error link-malformed ${at('[relative link]')}`,
        `error link-malformed ${at('[a jump]')}`,
        `warning link-http ${at('[insecure link]')}`,
        `warning link-example-domain ${at('[documentation link]')}`,
        `warning link-text ${at('[click here]')}`,
        `warning link-text ${at('[Read more]')}`,
        `error link-empty ${at('no-text')}`,
        `warning link-text ${at('[Learn more]')}`,
      ].sort(),
    );
  });

  it('reports a recipient field used as a link URL as written, at its own line (issue or config)', async () => {
    const f = 'issues/field-link.md';
    writeFileSync(
      path.join(dir, f),
      '---\ntitle: T\nsubject: S\ndate: 2026-11-01\npreheader: P\nsignoff: "Bye, see [your page]({{recipient.organisation}})."\n---\n\nHello.\n\n[Your profile]({{recipient.name}})\n\n[Profile two](https://x.example/p?n={{recipient.name}})\n',
    );
    const found = (await check(dir, f)).filter((x) => x.rule.startsWith('link'));
    expect(found.map(brief).sort()).toEqual([`error link-malformed ${f}:11`, `error link-malformed ${f}:6`].sort());
    const byLine = new Map(found.map((x) => [x.line, x.message]));
    expect(byLine.get(11)).toContain('"{{recipient.name}}" (for the sample reader "Sam Reader")');
    expect(byLine.get(6)).toContain('"{{recipient.organisation}}"');
    for (const x of found) expect(x.message).not.toMatch(/RcPt/);
  });

  it('accepts .example domains, mailto: and links to a real section', async () => {
    const findings = await check(dir, 'issues/links.md');
    const lines = new Set(findings.map((x) => x.line));
    expect(lines.has(lineOf(dir, 'issues/links.md', '[contents](#broken-links)'))).toBe(false);
    expect(lines.has(lineOf(dir, 'issues/links.md', '[fine link]'))).toBe(false);
    expect(lines.has(lineOf(dir, 'issues/links.md', 'Waiting times by trust'))).toBe(false);
  });
});

describe('image rules', () => {
  it('flags images without alt text (block and inline), and a relative image whose file is missing', async () => {
    const f = 'issues/images.md';
    const found = (await check(dir, f)).filter((x) => x.rule.startsWith('image')).map(brief);
    expect(found.sort()).toEqual(
      [
        `error image-alt ${f}:${lineOf(dir, f, 'chart.png')}`,
        `error image-alt ${f}:${lineOf(dir, f, 'inline.png')}`,
        // A relative path is a local image (issue 10): the file is not there.
        `error image-missing ${f}:${lineOf(dir, f, 'img/relative.png')}`,
      ].sort(),
    );
  });
});

describe('fields, envelope and headings', () => {
  it('reports an unknown recipient field, a literal {{…}}, a long subject, a missing preheader, a skipped heading level', async () => {
    const f = 'issues/fields.md';
    const found = (await check(dir, f)).map(brief);
    expect(found).toEqual(
      expect.arrayContaining([
        `error unknown-field ${f}:${lineOf(dir, f, 'recipient.nmae')}`,
        `error unresolved-merge ${f}:${lineOf(dir, f, '{{ name }}')}`,
        `warning subject-length ${f}:${lineOf(dir, f, 'subject:')}`,
        `warning preheader-missing ${f}:${lineOf(dir, f, 'subject:')}`,
        `warning heading-order ${f}:${lineOf(dir, f, '#### A heading')}`,
      ]),
    );
    // organisation is a column of lists/example.csv, so it is a known field.
    expect(found.filter((x) => x.includes('unknown-field'))).toHaveLength(1);
  });

  it('accepts the columns a send list passes in', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const { renderIssueFile } = await import('../../src/render/index.js');
    const { runChecks } = await import('../../src/check/index.js');
    const config = loadConfig(dir);
    const issue = await renderIssueFile('issues/fields.md', { root: dir, config });
    const findings = await runChecks(issue, {
      config,
      root: dir,
      knownFields: ['email', 'name', 'nmae', 'organisation'],
      skipClientSupport: true,
    });
    expect(findings.some((x) => x.rule === 'unknown-field')).toBe(false);
  });
});

describe('the sample issues', () => {
  it('have no errors', async () => {
    for (const f of ['issues/2026-11.md', 'issues/weekly-2026-47.md']) {
      const errors = (await check(dir, f, { skipClientSupport: false })).filter((x) => x.severity === 'error');
      expect(errors.map(brief)).toEqual([]);
    }
  });
});

describe('email-client support', () => {
  it('names template CSS the clients lack, once per feature, at the template line', async () => {
    const p = checkProject();
    const head = path.join(p, 'templates/components/head.mjml');
    // Gmail and Outlook (Windows) ignore overflow-wrap (caniemail: "n").
    writeFileSync(head, readFileSync(head, 'utf8').replace('<mj-style>', '<mj-style>\n    .rb-wrap { overflow-wrap: break-word; }'));
    const found = (await check(p, 'issues/2026-11.md', { skipClientSupport: false })).filter((x) => x.rule === 'client-support');
    const wrap = found.find((x) => x.message.startsWith('"overflow-wrap"'));
    expect(wrap?.rel).toBe('templates/components/head.mjml');
    expect(wrap?.line).toBe(lineOf(p, 'templates/components/head.mjml', '.rb-wrap'));
    expect(wrap?.severity).toBe('warning');
    expect(wrap?.message).toMatch(/Gmail \(web\).*Outlook \(Windows\)/);
    // One finding per feature, and nothing MJML itself emits (its buttons' text-transform, cursor…).
    const titles = found.map((x) => x.message.split('"')[1]);
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles).not.toContain('text-transform');
    expect(titles).not.toContain('cursor');
    expect(titles).not.toContain('overflow'); // caniemail's prefix match of overflow-wrap
  });
});

describe('rules that read templates and the config', () => {
  it('reports MJML validation errors at the template line, lang, contrast and size', async () => {
    const p = checkProject();
    const signoff = path.join(p, 'templates/components/signoff.mjml');
    writeFileSync(
      signoff,
      readFileSync(signoff, 'utf8').replace(
        '<mj-divider padding="8px 32px 24px" />',
        '<mj-divider padding="8px 32px 24px" colour="red" />',
      ),
    );
    const layout = path.join(p, 'templates/roundup.mjml');
    writeFileSync(layout, readFileSync(layout, 'utf8').replace('<mjml lang="{{lang}}">', '<mjml>'));
    const cfg = path.join(p, 'roundup.config.yaml');
    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8')
        .replace('link: "#1d5c96"', 'link: "#8fb8de"')
        .replace(/^siteUrl: .*$/m, 'siteUrl: http://news.example.org'),
    );
    const found = (await check(p, 'issues/2026-11.md')).map(brief);
    expect(found).toEqual(
      expect.arrayContaining([
        `error mjml templates/components/signoff.mjml:${lineOf(p, 'templates/components/signoff.mjml', 'colour="red"')}`,
        `warning html-lang templates/roundup.mjml:${lineOf(p, 'templates/roundup.mjml', '<mjml>')}`,
        `warning contrast roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'link: "#8fb8de"')}`,
        // The template's "view in browser" and unsubscribe links are built from siteUrl.
        `warning link-http roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'siteUrl:')}`,
        `warning link-example-domain roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'siteUrl:')}`,
      ]),
    );
    expect(found.filter((x) => x.startsWith('warning link-http'))).toHaveLength(1);
  });

  it('checks the accent colour only where a layout writes text in it (roundup section numbers, not the digest’s rules)', async () => {
    const p = checkProject();
    const cfg = path.join(p, 'roundup.config.yaml');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('accent: "#a8761d"', 'accent: "#e0c080"'));
    const contrast = async (f: string) => (await check(p, f)).filter((x) => x.rule === 'contrast').map(brief);
    const at = `roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'accent: "#e0c080"')}`;
    expect(await contrast('issues/2026-11.md')).toEqual([`warning contrast ${at}`, `warning contrast ${at}`]);
    expect(await contrast('issues/weekly-2026-47.md')).toEqual([]);
  });

  it('checks the dark-mode palette too, at the config line of the dark colour', async () => {
    const p = checkProject();
    const cfg = path.join(p, 'roundup.config.yaml');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}\ndark:\n  link: "#30343a"\n  button: "#c8d8e8"\n`);
    const found = (await check(p, 'issues/2026-11.md')).filter((x) => x.rule === 'contrast');
    expect(found.map(brief).sort()).toEqual(
      [
        `warning contrast roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'link: "#30343a"')}`,
        `warning contrast roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'link: "#30343a"')}`,
        `warning contrast roundup.config.yaml:${lineOf(p, 'roundup.config.yaml', 'button: "#c8d8e8"')}`,
      ].sort(),
    );
    expect(found.every((f) => f.message.startsWith('dark.') && f.message.includes('dark mode'))).toBe(true);
  });

  it('warns above 90 KB and fails above 102 KB of HTML', async () => {
    const p = checkProject();
    const para = 'A long paragraph of legal commentary that goes on about the matter at hand. '.repeat(12);
    const issue = (n: number) =>
      `---\ntitle: Big\nsubject: Big issue\ndate: 2026-03-02\npreheader: Big.\n---\n\n` +
      Array.from(
        { length: n },
        (_, i) => `## Section ${i + 1}\n\n${para}\n\n[Read the report ${i + 1}](https://news.fixture.example/${i})\n`,
      ).join('\n');
    const sizeRule = async (n: number) => {
      writeFileSync(path.join(p, 'issues/big.md'), issue(n));
      return (await check(p, 'issues/big.md')).filter((x) => x.rule === 'html-size').map(brief);
    };
    expect(await sizeRule(5)).toEqual([]);
    expect(await sizeRule(80)).toEqual(['error html-size issues/big.md']);
    // Bisect to a length between the two limits (each section adds a few KB).
    let [lo, hi] = [5, 80];
    let found: string[] = [];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      found = await sizeRule(mid);
      if (found.some((x) => x.startsWith('warning'))) break;
      if (found.length) hi = mid;
      else lo = mid;
    }
    expect(found).toEqual(['warning html-size issues/big.md']);
  });
});
