import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsubscribeUrl } from '../../src/naming.js';
import { RESUBSCRIBE_TTL_MS, signResubscribe, verifyResubscribe } from '../../src/publish/resubscribe.js';
import { loadSecret } from '../../src/unsubscribe/secret.js';
import { signToken, signTokenV1, verifyToken } from '../../src/unsubscribe/token.js';

const secret = Buffer.from('a-test-secret-of-enough-length');

describe('unsubscribe tokens', () => {
  it('round-trips (email case-folded), is URL-safe, and is the same for every message to a reader', () => {
    const t = signToken({ email: 'Ann.Lee@Example.net', list: 'members' }, secret);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyToken(t, secret)).toEqual({ email: 'ann.lee@example.net', list: 'members' });
    expect(signToken({ email: 'ann.lee@example.net', list: 'members' }, secret)).toBe(t);
  });

  it('is opaque: the token does not reveal the address or the list', () => {
    const t = signToken({ email: 'ann.lee@example.net', list: 'members' }, secret);
    const decoded = Buffer.from(t, 'base64url').toString('latin1');
    for (const needle of ['ann', 'example', 'members']) expect(decoded).not.toContain(needle);
    // Different readers: unrelated tokens (no shared prefix beyond the version byte).
    const u = signToken({ email: 'ann.lea@example.net', list: 'members' }, secret);
    expect(u.slice(2, 12)).not.toBe(t.slice(2, 12));
  });

  it('accepts only the canonical spelling: the unused low bits of the last character cannot be flipped', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const t of [
      signToken({ email: 'ann@example.net', list: 'members' }, secret),
      signToken({ email: 'bea@example.net', list: 'm' }, secret),
      signTokenV1({ email: 'ann@example.net', list: 'members' }, secret),
    ]) {
      expect(verifyToken(t, secret)).not.toBeNull();
      // Every other last character (for v1 also every other last character of the payload part):
      // none may verify, including those that decode to the same bytes.
      const spots = [t.length - 1, ...(t.includes('.') ? [t.indexOf('.') - 1] : [])];
      let sameBytes = 0;
      for (const at of spots) {
        for (const c of alphabet) {
          if (c === t[at]) continue;
          const v = t.slice(0, at) + c + t.slice(at + 1);
          if (v.split('.').every((part, i) => Buffer.from(part, 'base64url').equals(Buffer.from(t.split('.')[i], 'base64url'))))
            sameBytes++;
          expect(verifyToken(v, secret), v).toBeNull();
        }
      }
      // The test exercised the malleable spellings it is about (unless the length has no spare bits).
      if (t.split('.').some((p) => p.length % 4 !== 0)) expect(sameBytes).toBeGreaterThan(0);
    }
  });

  it('keeps verifying the old (v1) form, and both forms name the same reader', () => {
    const who = { email: 'ann@example.net', list: 'members' };
    expect(verifyToken(signTokenV1(who, secret), secret)).toEqual(who);
    expect(verifyToken(signToken(who, secret), secret)).toEqual(who);
  });

  it('rejects altered, truncated, forged and wrong-secret tokens', () => {
    const opaque = signToken({ email: 'ann@example.net', list: 'members' }, secret);
    for (let i = 0; i < opaque.length; i += 3) {
      const c = opaque[i] === 'A' ? 'B' : 'A';
      expect(verifyToken(opaque.slice(0, i) + c + opaque.slice(i + 1), secret)).toBeNull();
    }
    expect(verifyToken(opaque.slice(0, -3), secret)).toBeNull();
    expect(
      verifyToken(signToken({ email: 'ann@example.net', list: 'members' }, Buffer.from('another-secret-entirely-1234')), secret),
    ).toBeNull();
    const t = signTokenV1({ email: 'ann@example.net', list: 'members' }, secret);
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

  it('resubscribe tokens expire, are bound to one suppression, and are not unsubscribe tokens', () => {
    const who = { email: 'ann@example.net', list: 'members', suppressedAt: '2026-11-03T10:00:00.000Z' };
    const now = Date.UTC(2026, 10, 3, 10);
    const t = signResubscribe(who, secret, now);
    expect(verifyResubscribe(t, secret, now + 1000)).toEqual({ ok: true, claim: { ...who, expiresAt: now + RESUBSCRIBE_TTL_MS } });
    expect(verifyResubscribe(t, secret, now + RESUBSCRIBE_TTL_MS + 1)).toEqual({ ok: false, why: 'expired' });
    expect(verifyToken(t, secret)).toBeNull();
    expect(verifyResubscribe(signToken(who, secret), secret, now)).toEqual({ ok: false, why: 'invalid' });
    // The unbound resubscribe tokens of earlier versions (v1 form) are refused.
    expect(verifyResubscribe(signTokenV1(who, secret), secret, now).ok).toBe(false);
    const last = t[t.length - 1] === 'A' ? 'B' : 'A';
    expect(verifyResubscribe(t.slice(0, -1) + last, secret, now).ok).toBe(false);
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
