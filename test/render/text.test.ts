import { describe, expect, it } from 'vitest';
import { FieldTable, resolveValues } from '../../src/render/merge.js';
import { compileText, fillText, wrapLine } from '../../src/render/text.js';

const words = (n: number, w = 'word') => Array.from({ length: n }, () => w).join(' ');

describe('wrapLine', () => {
  it('wraps prose at 76 columns without splitting words', () => {
    const out = wrapLine(words(30)).split('\n');
    expect(out.every((l) => l.length <= 76)).toBe(true);
    expect(out.join(' ')).toBe(words(30));
  });

  it('repeats quote marks and gives bullets and numbers a hanging indent', () => {
    expect(wrapLine(`> > ${words(20)}`).split('\n')[1]).toMatch(/^> > word/);
    expect(wrapLine(` * ${words(20)}`).split('\n')[1]).toMatch(/^ {3}word/);
    expect(wrapLine(`    12. ${words(20)}`).split('\n')[1]).toMatch(/^ {8}word/);
    expect(wrapLine(`> * ${words(20)}`).split('\n')[1]).toMatch(/^> {3}word/);
  });

  it('puts a URL longer than the line on a line of its own, unbroken', () => {
    const url = `https://example.net/${'a'.repeat(90)}`;
    expect(wrapLine(`Read it at ${url} today`)).toBe(`Read it at\n${url}\ntoday`);
  });
});

describe('compileText', () => {
  it('wraps static lines once and lines with a field per reader; code and tables keep their layout', () => {
    const t = new FieldTable();
    const line = t.mark(`Dear {{recipient.name}}, ${words(10)}`);
    const code = `    ${words(20, 'code')}`;
    const tpl = compileText(
      [
        { text: words(20), wrap: true },
        { text: '', wrap: true },
        { text: line, wrap: true },
        { text: code, wrap: false },
      ],
      t,
    );
    expect(tpl.lines).toHaveLength(1);
    const long = fillText(tpl, resolveValues(t.refs, { recipient: { name: words(8, 'Name') }, unsubscribeUrl: '' }));
    const short = fillText(tpl, resolveValues(t.refs, { recipient: { name: 'Bo' }, unsubscribeUrl: '' }));
    expect(short).toBe(`${wrapLine(words(20))}\n\nDear Bo, ${words(10)}\n${code}\n`);
    const lines = long.split('\n');
    expect(lines.filter((l) => l !== code).every((l) => l.length <= 76)).toBe(true);
    expect(lines).toContain(code);
  });
});
