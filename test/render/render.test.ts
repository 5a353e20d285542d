import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { RoundupError } from '../../src/errors.js';
import { personalise, renderIssue, type RenderEnv } from '../../src/render/index.js';
import { fill, hasMarker, resolveValues } from '../../src/render/merge.js';
import { loadTemplates } from '../../src/render/templates.js';
import { FIXTURES, REPO } from '../helpers/project.js';

let env: RenderEnv;
/** The fixture's sections as both parts must show them: numbered, partial last. */
const NUMBERED_SECTIONS = [
  '1. Alpha section',
  '2. Beta section',
  '3. Gamma section',
  '4. Delta section',
  '5. Epsilon section',
  '6. Zeta section',
  '7. Integrated Care Resource Centre',
];
const fixtureSource = readFileSync(path.join(FIXTURES, 'issues/full-roundup.md'), 'utf8');
const values = { recipient: { name: 'Ann <b>Lee</b>', organisation: '' }, unsubscribeUrl: 'https://u.test/u/tok123' };

beforeAll(() => {
  env = { config: loadConfig(REPO), templates: loadTemplates(REPO) };
});

describe('renderIssue (real templates)', () => {
  it('produces zero MJML errors for both shipped layouts at strict level', async () => {
    for (const f of ['issues/2026-11.md', 'issues/weekly-2026-47.md']) {
      const issue = await renderIssue(readFileSync(path.join(REPO, f), 'utf8'), f, {
        ...env,
        config: { ...env.config, validation: 'strict' },
      });
      expect(issue.mjmlErrors, f).toEqual([]);
    }
    const full = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    expect(full.mjmlErrors).toEqual([]);
  });

  it('renders sections in order, numbered, with quotes, CTAs and nested lists', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    const p = personalise(issue, values);
    const $ = load(p.html);
    const headings = $('h2')
      .map((_, h) => $(h).text().replace(/\s+/g, ' ').trim())
      .get();
    expect(headings).toEqual(NUMBERED_SECTIONS);
    expect($('h1').text()).toBe('Fixture Health Law roundup');
    expect($('.rb-muted').filter((_, el) => $(el).text().trim() === 'February 2026').length).toBe(1);
    // Pull-quotes keep their attribution, styled apart from the quote.
    const attrs = $('p.rb-attr')
      .map((_, e) => $(e).text())
      .get();
    expect(attrs).toEqual(['— Jane Smith, Partner', '— Omar Haddad, Senior Associate']);
    // CTA buttons: MJML renders mj-button as a table with an <a>.
    const buttons = $('.rb-btn a')
      .map((_, a) => [[$(a).text().trim(), $(a).attr('href')]])
      .get();
    expect(buttons).toEqual([
      ['Read more on alpha', 'https://alpha.fixture.test/one'],
      ['Read more on beta', 'https://beta.fixture.test/one'],
      ['Beta second button', 'https://beta.fixture.test/two?a=1&b=2'],
      ['Read the zeta report', 'https://zeta.fixture.test/report'],
      ['Visit the Integrated Care Resource Centre', 'https://www.hartwellfinch.example/resource-centre'],
    ]);
    // Nested list: innermost item sits three lists deep.
    expect($('ul ul ul li').text()).toBe('innermost');
    // The image keeps its alt text; raw HTML was escaped, not executed.
    expect($('img[alt="A chart of delta values"]').length).toBe(1);
    expect($('script').length).toBe(0);
    expect(p.html).toContain('&lt;script&gt;alert(‘pasted’)&lt;/script&gt;');
    // Standing section from the partial is tinted.
    expect($('.rb-standing').length).toBe(1);
  });

  it('fills recipient fields once per reader: escaped in HTML, plain in text and subject', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    expect(issue.fields.sort()).toEqual(['name', 'organisation']);
    const p = personalise(issue, values);
    expect(p.subject).toBe('Fixture roundup for Ann <b>Lee</b>');
    expect(p.html).toContain('Hello Ann &lt;b&gt;Lee&lt;/b&gt; at your organisation');
    expect(p.text).toContain('Hello Ann <b>Lee</b> at your organisation');
    expect(p.html).toContain('href="https://u.test/u/tok123"');
    expect(p.text).toContain('Unsubscribe: https://u.test/u/tok123');
    expect(hasMarker(p.html) || hasMarker(p.text) || hasMarker(p.subject)).toBe(false);
    const other = personalise(issue, { recipient: { name: 'Bo' }, unsubscribeUrl: 'https://u.test/u/other' });
    expect(other.subject).toBe('Fixture roundup for Bo');
    expect(other.html).not.toContain('tok123');
  });

  it('carries lang, viewport, colour-scheme and the preheader, and stays well under 102 KB', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    const p = personalise(issue, values);
    const $ = load(p.html);
    expect($('html').attr('lang')).toBe('en-GB');
    // Apple Mail must not turn the address or phone number into blue links.
    expect($('meta[name="format-detection"]').attr('content')).toContain('telephone=no');
    expect(p.html).toContain('a[x-apple-data-detectors]');
    expect($('meta[name="viewport"]').attr('content')).toContain('width=device-width');
    expect($('meta[name="color-scheme"]').attr('content')).toBe('light dark');
    expect(p.html).toContain('prefers-color-scheme: dark');
    expect(p.html).toContain('Seven sections, two quotes and every block type.');
    expect(Buffer.byteLength(p.html)).toBeLessThan(80 * 1024);
    expect($('a[href="https://news.hartwellfinch.example/full-roundup/"]').length).toBeGreaterThanOrEqual(2);
  });

  it('renders a marker-like string typed in the body literally, for every reader', async () => {
    const src = fixtureSource.replace('Alpha paragraph.', 'RcPt0rCpT, RcPt1rCpT, RcP&#116;0rCpT and RcPt99rCpT: seven.');
    const issue = await renderIssue(src, 'issues/full-roundup.md', env);
    for (const name of ['Ann', 'Bo']) {
      const p = personalise(issue, { recipient: { name, organisation: 'Org' }, unsubscribeUrl: 'https://u.test/u/t' });
      expect(p.html).toContain('RcPt0rCpT, RcPt1rCpT, RcPt0rCpT and RcPt99rCpT: seven.');
      expect(p.text).toContain('RcPt0rCpT, RcPt1rCpT, RcPt0rCpT and RcPt99rCpT: seven.');
    }
  });

  it('puts the preheader first, hidden without a text colour, padded so the body never leaks into the snippet', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    const $ = load(personalise(issue, values).html);
    const pre = $('.rb-preheader');
    expect(pre.length).toBe(1);
    expect(pre.attr('style')).toContain('display:none');
    expect(pre.attr('style')).not.toMatch(/(^|;)\s*color:/);
    // What a client takes for the snippet: the body's text from the start. After the preheader
    // come only invisible characters, for longer than any client shows.
    const body = $('body').text().replace(/^\s+/, '');
    expect(body.startsWith('Seven sections, two quotes and every block type.')).toBe(true);
    const rest = body.slice('Seven sections, two quotes and every block type.'.length);
    const filler = /^(?:\s|\u2007|\ufeff|\u034f)*/.exec(rest)![0];
    expect(filler.length).toBeGreaterThanOrEqual(200);
    expect(rest.slice(filler.length)).toMatch(/^View this email in your browser/);
  });

  it("uses the intro's first sentence as the preheader when there is none", async () => {
    const src = fixtureSource.replace(/^preheader:.*\n/m, '');
    const issue = await renderIssue(src, 'issues/full-roundup.md', env);
    const p = personalise(issue, values);
    const pre = load(p.html)('.rb-preheader').text();
    expect(pre.startsWith('Hello Ann <b>Lee</b> at your organisation: this intro has emphasis and a link in prose.')).toBe(true);
    expect(fill(issue.preheader, resolveValues(issue.refs, values), false)).toBe(
      'Hello Ann <b>Lee</b> at your organisation: this intro has emphasis and a link in prose.',
    );
  });

  it('tidies the HTML safely: no indentation, no height="auto", conditional comments and <pre> kept', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    const p = personalise(issue, values);
    expect(p.html).not.toMatch(/<img\b[^>]*\sheight="auto"/);
    expect(p.html).toMatch(/<img\b[^>]*height:auto/);
    // Only <pre> content keeps leading whitespace.
    const outsidePre = p.html.replace(/<pre\b[\s\S]*?<\/pre>/g, '');
    expect(outsidePre).not.toMatch(/\n[ \t]+/);
    expect(p.html).toContain('<!--[if mso | IE]>');
    expect(p.html).toContain('<![endif]-->');
  });

  it('writes a plain-text part with numbered headings, nested bullets, quotes and every URL', async () => {
    const issue = await renderIssue(fixtureSource, 'issues/full-roundup.md', env);
    const { text } = personalise(issue, values);
    expect(text).not.toMatch(/<\/?(p|div|a|table|span|h\d)\b/);
    const headings = text.split('\n').filter((l) => /^\d+\. [A-Z]/.test(l));
    expect(headings).toEqual(NUMBERED_SECTIONS);
    expect(text).toMatch(/^ \* outer two\n {3}\* inner a\n {3}\* inner b\n {5}\* innermost$/m);
    expect(text).toMatch(/> First quote line one continues here\.\n>\n> — Jane Smith, Partner/);
    for (const url of [
      'https://intro.fixture.test/prose',
      'https://alpha.fixture.test/one',
      'https://beta.fixture.test/two?a=1&b=2',
      'https://delta.fixture.test/here',
      'https://zeta.fixture.test/report',
      'https://news.hartwellfinch.example/full-roundup/',
    ]) {
      expect(text).toContain(url);
    }
    // Wrapped for reading. Text is wrapped before the merge, so a line holding a recipient
    // field may run over by the length of the value; every other line fits.
    const lines = text.split('\n').filter((l) => !l.includes('http') && !l.startsWith('Hello'));
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(76);
  });

  it('keeps the URL of a link in a heading or an attribution, in both parts, and leaves no trailing spaces', async () => {
    const src =
      '---\ntitle: T\nsubject: S\ndate: 2026-02-14\n---\n\n## Ruling in [Smith v Jones](https://law.fixture.test/smith)\n\n' +
      '> Quoted.\n>\n> -- [Ann Lee](https://firm.fixture.test/ann), *Partner*\n';
    const { text, html } = personalise(await renderIssue(src, 'issues/h.md', env), values);
    expect(text).toContain('1. Ruling in Smith v Jones <https://law.fixture.test/smith>');
    expect(text).toMatch(/^> Quoted\.\n>\n> — Ann Lee <https:\/\/firm\.fixture\.test\/ann>, Partner$/m);
    const attr = load(html)('p.rb-attr');
    expect(attr.text()).toBe('— Ann Lee, Partner');
    expect(attr.find('a').attr('href')).toBe('https://firm.fixture.test/ann');
    expect(text).not.toMatch(/[ \t]$/m);
  });

  it('percent-encodes a recipient field inside a link URL, in both parts, and nowhere else', async () => {
    const src =
      '---\ntitle: T\nsubject: S\ndate: 2026-02-14\n---\n\nHello {{recipient.name}}.\n\n' +
      '[Register for the webinar](https://events.fixture.test/r?name={{recipient.name}}&org={{recipient.organisation | "R & D"}})\n\n' +
      'See [your page]({{recipient.page | "https://firm.fixture.test/"}}).\n';
    const issue = await renderIssue(src, 'issues/u.md', env);
    const { text, html } = personalise(issue, values);
    const $ = load(html);
    expect(
      $('a')
        .filter((_, a) => $(a).text().trim() === 'Register for the webinar')
        .attr('href'),
    ).toBe('https://events.fixture.test/r?name=Ann%20%3Cb%3ELee%3C%2Fb%3E&org=R%20%26%20D');
    expect(
      $('a')
        .filter((_, a) => $(a).text() === 'your page')
        .attr('href'),
    ).toBe('https://firm.fixture.test/');
    expect(text).toContain('https://events.fixture.test/r?name=Ann%20%3Cb%3ELee%3C%2Fb%3E&org=R%20%26%20D');
    expect(text).toContain('Hello Ann <b>Lee</b>.');
    expect(html).toContain('Hello Ann &lt;b&gt;Lee&lt;/b&gt;.');
    expect(issue.fields.sort()).toEqual(['name', 'organisation', 'page']);
  });

  it('rejects an unknown template at the front-matter line', async () => {
    const src = fixtureSource.replace('template: roundup', 'template: fancy');
    await expect(renderIssue(src, 'issues/f.md', env)).rejects.toSatisfy(
      (e) =>
        e instanceof RoundupError &&
        e.format() === 'issues/f.md:6: front-matter "template": unknown template "fancy" (available: digest, roundup)',
    );
  });

  it('renders the digest layout without numbers and with the byline', async () => {
    const f = 'issues/weekly-2026-47.md';
    const issue = await renderIssue(readFileSync(path.join(REPO, f), 'utf8'), f, env);
    const p = personalise(issue, values);
    const $ = load(p.html);
    expect($('h2').first().text().trim()).toBe('This week’s five');
    expect(p.html).toContain('By Ruth Okafor, Senior Associate');
    // Weekly: the day, in the header and the text part (a monthly roundup shows the month).
    expect(p.html).toContain('20 November 2026 &middot; By Ruth Okafor');
    expect(p.text).toMatch(/^20 November 2026\nBy Ruth Okafor/m);
    expect($('h2 + ul, ul').first().children('li').length).toBe(5);
    expect(p.text).toContain('This week’s five');
    expect(p.text).not.toMatch(/^1\. This week/m);
  });
});
