/** VERP addresses: short, lower-case, forgery-proof, and decoded by the same rule that made them. */
import { describe, expect, it } from 'vitest';
import { parseVerp, verpAddress } from '../../src/bounces/verp.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const base = 'bounces@News.Example.org';

describe('VERP', () => {
  it('round-trips bounce and unsubscribe refs, case-insensitively', () => {
    for (const id of [0, 1, 35, 36, 123456, 2 ** 40]) {
      const b = verpAddress(base, 'bounce', id, secret);
      const u = verpAddress(base, 'unsubscribe', id, secret);
      expect(b).toMatch(/^bounces\+[0-9a-z]+-[a-z2-7]{13}@news\.example\.org$/);
      expect(u).toMatch(/^bounces\+u-[0-9a-z]+-[a-z2-7]{13}@news\.example\.org$/);
      expect(parseVerp(b, base, secret)).toEqual({ kind: 'bounce', id });
      expect(parseVerp(u.toUpperCase(), base, secret)).toEqual({ kind: 'unsubscribe', id });
      expect(b.split('@')[0].length).toBeLessThanOrEqual(64);
    }
  });
  it('is short', () => {
    expect(verpAddress(base, 'bounce', 987654, secret).length).toBeLessThan(45);
  });
  it('rejects forged, altered, cross-kind and foreign addresses', () => {
    const b = verpAddress(base, 'bounce', 42, secret);
    const [local, domain] = b.split('@');
    const other = Buffer.from('another-secret-another-secret!!!');
    expect(parseVerp(b, base, other)).toBeNull();
    expect(parseVerp(`${local.replace('+16-', '+17-')}@${domain}`, base, secret)).toBeNull();
    expect(parseVerp(b.replace('bounces+', 'bounces+u-'), base, secret)).toBeNull();
    expect(parseVerp(b.replace('news.example.org', 'evil.example'), base, secret)).toBeNull();
    expect(parseVerp('bounces@news.example.org', base, secret)).toBeNull();
    expect(parseVerp('reader@example.com', base, secret)).toBeNull();
    const flipped = local.slice(0, -1) + (local.endsWith('a') ? 'b' : 'a');
    expect(parseVerp(`${flipped}@${domain}`, base, secret)).toBeNull();
  });
});
