import { describe, expect, it } from 'vitest';
import { compileMerge, FieldTable, fill, resolveValues, hasMarker } from '../../src/render/merge.js';

describe('merge', () => {
  it('marks fields, shares markers for the same field, and fills values per reader', () => {
    const t = new FieldTable();
    const src = t.mark('Hi {{recipient.name | "there"}}, {{ recipient.name | "there" }} of {{recipient.org}} <{{unsubscribeUrl}}>');
    expect(src).not.toContain('{{');
    expect(t.refs).toEqual([
      { key: 'name', fallback: 'there' },
      { key: 'org', fallback: '' },
      { key: '@unsubscribeUrl', fallback: '' },
    ]);
    expect(t.fieldNames()).toEqual(['name', 'org']);
    const m = compileMerge(src, t);
    const v = resolveValues(t.refs, { recipient: { name: '', org: 'A & B' }, unsubscribeUrl: 'https://u.test/u/t' });
    expect(fill(m, v, false)).toBe('Hi there, there of A & B <https://u.test/u/t>');
    expect(fill(m, v, true)).toBe('Hi there, there of A &amp; B <https://u.test/u/t>');
  });

  it('escapes HTML and strips CR/LF from values', () => {
    const t = new FieldTable();
    const m = compileMerge(t.mark('<p>{{recipient.name}}</p>'), t);
    const v = resolveValues(t.refs, { recipient: { name: '<script>x</script>\r\nBcc: evil@x.test' }, unsubscribeUrl: '' });
    const out = fill(m, v, true);
    expect(out).toBe('<p>&lt;script&gt;x&lt;/script&gt; Bcc: evil@x.test</p>');
    expect(hasMarker(out)).toBe(false);
  });

  it('clones keep marker numbers stable', () => {
    const t = new FieldTable();
    const a = t.mark('{{recipient.a}}');
    const c = t.clone();
    expect(c.mark('{{recipient.a}}')).toBe(a);
    c.mark('{{recipient.b}}');
    expect(t.refs).toHaveLength(1);
    expect(c.refs).toHaveLength(2);
  });
});

describe('markers cannot collide with typed text', () => {
  it('leaves anything an author types as it is, even the shape of a marker', () => {
    const t = new FieldTable();
    const typed = `RcPt0rCpT RcPt${t.nonce}x5rCpT RcPt000000000000x0rCpT`;
    const src = t.mark(`${typed} {{recipient.name}}`);
    const m = compileMerge(src, t);
    // Only the real field is a slot; the typed look-alikes (even one with this table's nonce
    // but no slot behind it) are static text.
    expect(m.slots).toEqual([0]);
    const v = resolveValues(t.refs, { recipient: { name: 'Ann' }, unsubscribeUrl: '' });
    expect(fill(m, v, true)).toBe(`${typed} Ann`);
  });

  it('uses a different nonce per table, so another run cannot predict it', () => {
    expect(new FieldTable().nonce).not.toBe(new FieldTable().nonce);
    expect(new FieldTable().nonce).toMatch(/^[0-9a-f]{12}$/);
  });

  it('describes markers as the author wrote them', () => {
    const t = new FieldTable();
    const src = t.mark('{{recipient.site | "https://x.example"}}/{{unsubscribeUrl}}');
    expect(t.describe(src)).toBe('{{recipient.site | "https://x.example"}}/{{unsubscribeUrl}}');
  });
});
