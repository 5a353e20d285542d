/**
 * DKIM: messages sent through a real SMTP server (in-process capture) verify with an
 * independent verifier (mailauth) against the key published in a stub DNS, over the bytes the
 * server received; the signature covers List-Unsubscribe and List-Unsubscribe-Post; a
 * tampered body or header fails. Keys are generated here, never committed.
 */
import { generateKeyPairSync } from 'node:crypto';
import RelaxedBody from 'nodemailer/lib/dkim/relaxed-body';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userError } from '../helpers/errors.js';
import { rng } from '../hostile/fuzz.js';
import { loadConfig } from '../../src/config.js';
import { DkimSigner, loadDkim, relaxedBodyHash } from '../../src/send/dkim.js';
import { runSend } from '../../src/send/run.js';
import { FAST_DATA_PATH } from '../../src/send/smtp.js';
import { captureIO, headerOf, makeSendProject, readersCsv, startSmtp, type TestSmtp } from './helpers.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DNS_KEY = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 'news2026._domainkey.hartwellfinch.example') return [[DNS_KEY]];
  throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
};

let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

function dkimProject(dkim: Record<string, string> | null) {
  const p = makeSendProject({ csv: readersCsv(3) });
  const file = path.join(p.root, 'roundup.config.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (dkim) doc.set('dkim', dkim);
  writeFileSync(file, doc.toString());
  return p;
}

const verify = async (raw: Buffer | string) => (await dkimVerify(raw, { resolver })).results[0];

describe('DKIM signing', () => {
  it('signs every message so that an independent verifier passes it over the bytes received', async () => {
    const p = dkimProject({ domain: 'hartwellfinch.example', selector: 'news2026', privateKey: 'dkim.pem' });
    writeFileSync(path.join(p.root, 'dkim.pem'), PEM, { mode: 0o600 });
    const c = captureIO();
    const summary = await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, c.io, p);
    expect(summary.counts.sent).toBe(3);
    expect(summary.transport).toMatch(/DKIM-signed \(d=hartwellfinch\.example, s=news2026\)/);
    // The key never reaches the terminal.
    expect([...c.out, ...c.err].join('\n')).not.toContain('PRIVATE KEY');
    expect(FAST_DATA_PATH).toBe(true);
    const got = smtp.messages.splice(0);
    expect(got).toHaveLength(3);
    for (const m of got) {
      const r = await verify(m.raw);
      expect(r.status.result).toBe('pass');
      expect(r.signingDomain).toBe('hartwellfinch.example');
      // h= of the signature that passed: the headers it covers.
      const signed = /\bh=([^;]+)/.exec(headerOf(m.raw, 'DKIM-Signature'))![1].replace(/\s+/g, '').toLowerCase().split(':');
      for (const h of [
        'from',
        'to',
        'subject',
        'date',
        'message-id',
        'mime-version',
        'content-type',
        'list-id',
        'list-unsubscribe',
        'list-unsubscribe-post',
      ]) {
        expect(signed).toContain(h);
      }
      expect(headerOf(m.raw, 'DKIM-Signature')).toMatch(/c=relaxed\/relaxed/);

      // One changed byte in the body, or a changed List-Unsubscribe-Post, must fail.
      const text = m.raw.toString('latin1');
      const body = text.indexOf('\r\n\r\n') + 4;
      const tampered = text.slice(0, body) + text.slice(body).replace(/Reader/, 'Readar');
      // mailauth reports a body-hash mismatch as "neutral (body hash did not verify)": not a pass.
      const t = (await verify(tampered)).status;
      expect(t.result).not.toBe('pass');
      expect(t.comment).toMatch(/body hash did not verify/);
      const header = text.replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: List-Unsubscribe=Two-Click');
      expect((await verify(header)).status.result).toBe('fail');
      // The untouched copy still passes (the failures above are the edits, not the verifier).
      expect((await verify(text)).status.result).toBe('pass');
    }
  });

  it('takes the key from ROUNDUP_DKIM_PRIVATE_KEY (PEM text) and also signs --test sends', async () => {
    const p = dkimProject({ domain: 'hartwellfinch.example', selector: 'news2026' });
    const c = captureIO();
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true, test: 'editor@example.net' }, c.io, {
      ...p,
      dkimPrivateKey: PEM,
    });
    const [m] = smtp.messages.splice(0);
    expect((await verify(m.raw)).status.result).toBe('pass');
  });

  it('refuses a missing, unreadable or non-RSA key with one line that never shows the key', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'roundup-dkim-'));
    const dkim = { domain: 'hartwellfinch.example', selector: 's1' };
    const err = userError;
    expect(err(() => loadDkim({ dkim }, { root }))).toMatch(/roundup\.config\.yaml: dkim has no private key/);
    expect(err(() => loadDkim({ dkim: { ...dkim, privateKey: 'nope.pem' } }, { root }))).toMatch(
      /nope\.pem: cannot read the DKIM private key \(no such file\)/,
    );
    const garbage = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n-----END PRIVATE KEY-----\n';
    const msg = err(() => loadDkim({ dkim }, { root, dkimPrivateKey: garbage }));
    expect(msg).toMatch(/ROUNDUP_DKIM_PRIVATE_KEY: the DKIM private key is not a PEM private key/);
    expect(msg).not.toContain('c2VjcmV0');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(err(() => loadDkim({ dkim }, { root, dkimPrivateKey: ed }))).toMatch(/is ed25519: rsa-sha256 needs an RSA key/);
    expect(err(() => loadDkim({}, { root, dkimPrivateKey: PEM }))).toMatch(/ROUNDUP_DKIM_PRIVATE_KEY is set but config has no dkim/);
    expect(loadDkim({}, { root })).toBeNull();
  });

  it('hashes bodies exactly as nodemailer does, and signs exactly as its DKIM stream does', async () => {
    // nodemailer's stream, as its DKIM signer uses it (its flush adds the final CRLF).
    const reference = (body: Buffer) =>
      new Promise<string>((resolve) => {
        const r = new RelaxedBody({ hashAlgo: 'sha256' });
        r.on('hash', (h: string) => resolve(h));
        r.resume();
        r.end(body);
      });
    // Awkward bodies: runs and tabs, trailing whitespace, whitespace-only and empty lines in
    // the middle and at the end, bare LF and CR, no final line break, nothing at all.
    const pieces = ['a', 'b', ' ', '  ', '\t', ' \t ', '\r\n', '\r\n', '\n', '\r', '=', 'é'];
    const random = rng(7);
    const rnd = (n: number) => Math.floor(random() * n);
    const bodies = ['', '\r\n', '\r\n\r\n', 'x', 'x \r\n\r\n \r\n', ' \t lead\tand  trail \t\r\nnext\r\n'];
    for (let i = 0; i < 1500; i++) bodies.push(Array.from({ length: 1 + rnd(60) }, () => pieces[rnd(pieces.length)]).join(''));
    for (const text of bodies) {
      const body = Buffer.from(text, 'utf8');
      expect(relaxedBodyHash(body), JSON.stringify(text)).toBe(await reference(body));
    }

    // And whole messages as roundup sends them: the direct signature equals the stream's.
    const p = dkimProject({ domain: 'hartwellfinch.example', selector: 'news2026', privateKey: 'dkim.pem' });
    writeFileSync(path.join(p.root, 'dkim.pem'), PEM, { mode: 0o600 });
    const signer = new DkimSigner(loadDkim(loadConfig(p.root), { root: p.root })!);
    await runSend('bulletin', { list: 'readers', smtp: smtp.url, yes: true }, captureIO().io, p);
    const sent = smtp.messages.splice(0);
    expect(sent.length).toBe(3);
    for (const m of sent) {
      const raw = Buffer.from(m.raw);
      // The message after its (folded) DKIM-Signature field, which roundup puts first.
      expect(raw.indexOf('DKIM-Signature:')).toBe(0);
      let at = raw.indexOf('\r\n') + 2;
      while (raw[at] === 0x20 || raw[at] === 0x09) at = raw.indexOf('\r\n', at) + 2;
      const message = raw.subarray(at);
      const direct = await signer.signatureFor([message.toString('utf8')]);
      expect(direct).toBe(await signer.signatureByStream(message));
      expect(raw.subarray(0, at).toString('latin1')).toBe(direct);
    }
  });
});
