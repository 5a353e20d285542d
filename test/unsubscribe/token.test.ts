import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsubscribeUrl } from '../../src/naming.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { signToken, verifyToken } from '../../src/unsubscribe/token.js';

const secret = Buffer.from('a-test-secret-of-enough-length');

describe('unsubscribe tokens', () => {
  it('round-trips (email case-folded) and is URL-safe', () => {
    const t = signToken({ email: 'Ann.Lee@Example.net', list: 'members' }, secret);
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken(t, secret)).toEqual({ email: 'ann.lee@example.net', list: 'members' });
    expect(signToken({ email: 'ann.lee@example.net', list: 'members' }, secret)).toBe(t);
  });

  it('rejects altered, truncated, forged and wrong-secret tokens', () => {
    const t = signToken({ email: 'ann@example.net', list: 'members' }, secret);
    const [p, m] = t.split('.');
    const other = Buffer.from('v1\nmembers\nbob@example.net').toString('base64url');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (const bad of [
      `${other}.${m}`, // someone else's address with ann's MAC
      `${p}.${flip(m, 3)}`,
      `${flip(p, 2)}.${m}`,
      `${p}.${m.slice(0, -4)}`,
      p,
      `${p}.`,
      `${p}.${m}.x`,
      '',
      '..',
      `${p}.${m}=`,
    ]) {
      expect(verifyToken(bad, secret), bad).toBeNull();
    }
    expect(verifyToken(t, Buffer.from('another-secret-entirely-1234'))).toBeNull();
  });

  it('builds the one-click URL from unsubscribe.baseUrl, else siteUrl', () => {
    expect(unsubscribeUrl({ siteUrl: 'https://news.example/', unsubscribe: {} }, 'TOK')).toBe('https://news.example/u/TOK');
    expect(unsubscribeUrl({ siteUrl: 'https://news.example', unsubscribe: { baseUrl: 'https://u.example/x/' } }, 'TOK')).toBe(
      'https://u.example/x/u/TOK',
    );
  });
});

describe('loadSecret', () => {
  it('generates a secret once into <stateDir>/secret with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roundup-secret-'));
    const first = loadSecret({ stateDir: 'ignored' }, { stateDir: dir });
    const file = path.join(dir, 'secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString());
    expect(loadSecret({ stateDir: 'ignored' }, { stateDir: dir }).equals(first)).toBe(true);
  });

  it('prefers ROUNDUP_SECRET, then config, and rejects a short secret', () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'roundup-secret-'));
    expect(loadSecret({ stateDir: 'x', unsubscribe: { secret: 'from-config-0123456789' } }, { stateDir }).toString()).toBe(
      'from-config-0123456789',
    );
    // The environment's ROUNDUP_SECRET.
    expect(
      loadSecret(
        { stateDir: 'x', unsubscribe: { secret: 'from-config-0123456789' } },
        { stateDir, secret: 'from-env-0123456789' },
      ).toString(),
    ).toBe('from-env-0123456789');
    expect(() => loadSecret({ stateDir: 'x' }, { stateDir, secret: 'short' })).toThrow(/too short/);
  });
});
