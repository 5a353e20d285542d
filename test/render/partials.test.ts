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

  it('leaves inline mentions alone', () => {
    const r = expandPartials('Write {{> promo}} on its own line.', { file: 'a.md', line: 1 }, read);
    expect(r.text).toBe('Write {{> promo}} on its own line.');
  });
});
