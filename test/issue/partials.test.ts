import { describe, expect, it } from 'vitest';
import { RoundupError } from '../../src/errors.js';
import { expandPartials } from '../../src/issue/partials.js';

const partials: Record<string, string> = {
  promo: '## Promo\n\nStanding text.\n',
  outer: 'Outer start\n{{> promo}}\n',
  loop: '{{> loop}}\n',
};
const read = (n: string) => (partials[n] ? { file: `templates/partials/${n}.md`, text: partials[n] } : undefined);

describe('expandPartials', () => {
  it('inlines a partial and records where every line came from', () => {
    const r = expandPartials('Intro\n{{> promo}}\nAfter', { file: 'issues/a.md', line: 5 }, read);
    const lines = r.text.split('\n');
    expect(lines).toContain('## Promo');
    const i = lines.indexOf('## Promo');
    expect(r.origins[i]).toEqual({ file: 'templates/partials/promo.md', line: 1 });
    const after = lines.indexOf('After');
    expect(r.origins[after]).toEqual({ file: 'issues/a.md', line: 7 });
    expect(r.origins).toHaveLength(lines.length);
  });

  it('expands nested partials', () => {
    const r = expandPartials('{{> outer}}', { file: 'issues/a.md', line: 1 }, read);
    expect(r.text).toMatch(/Outer start[\s\S]*## Promo/);
  });

  it('reports an unknown partial at its line with the available names', () => {
    try {
      expandPartials('a\nb\n{{> nope }}', { file: 'issues/a.md', line: 10 }, read, () => ['promo']);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(RoundupError);
      expect((e as RoundupError).format()).toBe(
        'issues/a.md:12: unknown partial "nope": create templates/partials/nope.md or fix the name (available: promo)',
      );
    }
  });

  it('refuses a partial that includes itself', () => {
    expect(() => expandPartials('{{> loop}}', { file: 'issues/a.md', line: 1 }, read)).toThrow(/includes itself/);
  });

  it('forgives spaces inside the braces', () => {
    for (const tag of ['{{>promo}}', '{{ > promo }}', '{{>  promo  }}']) {
      expect(expandPartials(`Intro\n\n${tag}\n`, { file: 'issues/a.md', line: 1 }, read).text, tag).toContain('## Promo');
    }
  });

  it('refuses a partial inside a paragraph, list item or quote, at its line', () => {
    const cases: [string, number][] = [
      ['Write {{> promo}} here.', 1],
      ['- item\n  {{> promo}}\n- two', 2],
      ['> quoted\n> {{> promo}}', 2],
    ];
    for (const [body, line] of cases) {
      try {
        expandPartials(body, { file: 'issues/a.md', line: 7 }, read);
        throw new Error(`no error for ${body}`);
      } catch (e) {
        expect((e as RoundupError).format()).toBe(
          `issues/a.md:${6 + line}: put {{> promo}} on a line of its own, at the start of the line (not inside a paragraph, list or quote)`,
        );
      }
    }
  });

  it('leaves a partial inside a fenced code block as written', () => {
    const body = '```\n{{> promo}}\n```\n\n~~~~\n```\n{{> promo}}\n~~~~\n\n{{> promo}}';
    const r = expandPartials(body, { file: 'issues/a.md', line: 1 }, read);
    expect(r.text.split('\n').filter((l) => l === '{{> promo}}')).toHaveLength(2);
    expect(r.text.match(/## Promo/g)).toHaveLength(1);
  });
});
