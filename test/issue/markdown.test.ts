import { describe, expect, it } from 'vitest';
import { parseBody, slugify } from '../../src/issue/markdown.js';
import type { Block } from '../../src/issue/types.js';

const style = { link: '#123456', muted: '#777777', heading: '#000000', font: 'Georgia' };
const parse = (text: string, partialLines: number[] = []) =>
  parseBody(
    {
      text,
      origins: text
        .split('\n')
        .map((_, i) => ({ file: partialLines.includes(i) ? 'templates/partials/p.md' : 'issues/a.md', line: i + 1 })),
    },
    style,
  );
const kinds = (bs: Block[]) => bs.map((b) => b.kind);

describe('parseBody', () => {
  it('splits intro and numbered sections in order, with source lines', () => {
    const m = parse('Intro para.\n\n## One\n\nText 1\n\n## Two *em*\n\nText 2\n');
    expect(kinds(m.intro)).toEqual(['html']);
    expect(m.sections.map((s) => [s.number, s.title, s.pos.line])).toEqual([
      [1, 'One', 3],
      [2, 'Two em', 7],
    ]);
    expect(m.sections[1].titleHtml).toBe('Two <em>em</em>');
    expect(m.sections[1].anchor).toBe('two-em');
  });

  it('turns a single-link paragraph into a CTA but keeps links in prose inline', () => {
    const m = parse('## S\n\n[Read more on X](https://x.test/a)\n\nSee [this](https://x.test/b) now.\n');
    const [cta, prose] = m.sections[0].blocks;
    expect(cta).toMatchObject({ kind: 'cta', label: 'Read more on X', href: 'https://x.test/a' });
    expect(prose.kind).toBe('html');
    expect((prose as { html: string }).html).toContain('<a href="https://x.test/b" style="color:#123456');
  });

  it('keeps a bare autolink and a link with no text as links, not buttons; a CTA label drops emphasis', () => {
    const m = parse('## S\n\n<https://x.test/auto>\n\n[](https://x.test/empty)\n\n[Read *the* report](https://x.test/r "Title")\n');
    expect(kinds(m.sections[0].blocks)).toEqual(['html', 'cta']);
    expect((m.sections[0].blocks[0] as { html: string }).html).toContain('href="https://x.test/auto"');
    expect(m.sections[0].blocks[1]).toMatchObject({ kind: 'cta', label: 'Read the report', href: 'https://x.test/r' });
  });

  it('extracts a pull-quote attribution on the last line, in either dash form', () => {
    const a = parse('> Quote text\n> — Jane Smith, Partner\n').intro[0];
    expect(a).toMatchObject({ kind: 'quote', attribution: '— Jane Smith, Partner' });
    expect((a as { html: string }).html).not.toContain('Jane');
    const b = parse('> Para one\n>\n> -- Omar Haddad, Associate\n').intro[0];
    expect(b).toMatchObject({ kind: 'quote', attribution: '— Omar Haddad, Associate' });
    expect((b as { html: string }).html).toContain('Para one');
    const c = parse('> No attribution here\n').intro[0];
    expect(c).toMatchObject({ kind: 'quote', attribution: '' });
  });

  it('keeps nested lists nested', () => {
    const m = parse('- a\n  - b\n    - c\n- d\n');
    const html = (m.intro[0] as { html: string }).html;
    expect(html.match(/<ul/g)).toHaveLength(3);
    expect(html).toMatch(/<li[^>]*>a\n?<ul[^>]*>\n?<li[^>]*>b\n?<ul/);
  });

  it('escapes raw HTML instead of passing it through', () => {
    const html = (parse('<script>alert(1)</script>\n\n<div style="width:2000px">x</div>\n').intro[0] as { html: string }).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<div');
  });

  it('makes a lone image an image block with its alt text', () => {
    expect(parse('![A chart](https://x.test/c.png "T")\n').intro[0]).toMatchObject({
      kind: 'image',
      src: 'https://x.test/c.png',
      alt: 'A chart',
      title: 'T',
    });
  });

  it('flags sections whose heading came from a partial as standing', () => {
    const m = parse('## Mine\n\nx\n\n## Promo\n\ny\n', [4, 5, 6]);
    expect(m.sections.map((s) => s.standing)).toEqual([false, true]);
  });

  it('gives repeated headings distinct anchors', () => {
    const m = parse('## Same\n\n## Same\n');
    expect(m.sections.map((s) => s.anchor)).toEqual(['same', 'same-2']);
    expect(slugify('Ça va? Überall!')).toBe('ca-va-uberall');
  });
});

describe('typographer in the locale style', () => {
  const typeset = (locale: string, text: string) =>
    parseBody({ text, origins: [{ file: 'issues/a.md', line: 1 }] }, { ...style, locale }).intro[0];
  it('uses British quotes for en-GB, American for en-US, German for de, and curls apostrophes', () => {
    const src = "She said \"the board's 'own' view\" -- and so on...\n";
    expect(typeset('en-GB', src)).toMatchObject({ html: expect.stringContaining('She said ‘the board’s “own” view’ – and so on…') });
    expect(typeset('en-US', src)).toMatchObject({ html: expect.stringContaining('She said “the board’s ‘own’ view” – and so on…') });
    expect(typeset('de-DE', src)).toMatchObject({ html: expect.stringContaining('She said „the board’s ‚own‘ view“') });
  });

  it('leaves code, URLs and the attribution dash alone', () => {
    const b = typeset('en-GB', 'Run `a "b"` at [x](https://x.example/?q="y")\n');
    expect(b).toMatchObject({ html: expect.stringContaining('<code>a &quot;b&quot;</code>') });
    expect(b).toMatchObject({ html: expect.stringContaining('href="https://x.example/?q=%22y%22"') });
    const q = parseBody({ text: '> "Quoted"\n> -- Jane, Partner\n', origins: [{ file: 'a.md', line: 1 }] }, { ...style, locale: 'en-GB' })
      .intro[0];
    expect(q).toMatchObject({ kind: 'quote', attribution: '— Jane, Partner' });
  });
});
